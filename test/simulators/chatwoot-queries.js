'use strict';
/**
 * Chatwoot simulator, conversation queries: the sort orders of GET /conversations and the conditions of
 * POST /conversations/filter, as Chatwoot 4.15.1 builds them (tag v4.15.1; upstream paths):
 *   - app/finders/conversation_finder.rb L5-22 SORT_OPTIONS, L216-227: `sort_by` picks an order (unknown or
 *     absent: last_activity_at_desc); app/models/concerns/sort_handler.rb L5-23 the orders themselves;
 *     conversation.rb L81-83 + L212-229 `sort_on_unread`.
 *   - app/services/filter_service.rb, app/helpers/filters/filter_helper.rb, app/services/filters/
 *     custom_attribute_filter_helper.rb and lib/filters/filter_keys.yml (the `conversations` section): each
 *     condition becomes SQL joined by its `query_operator` (AND binds tighter than OR); a key that is neither a
 *     standard filter key nor a conversation custom attribute *defined in the account* is a 422.
 * SQL semantics kept: NULL never matches IN / NOT IN; a text custom attribute compares LOWER(value) with the
 * FIRST value lowercased only (FilterService#string_filter_values); a failed cast (text into numeric) is a 500.
 * Ties in an order are broken by id descending here; PostgreSQL leaves their order unspecified.
 * Not modelled: `q` (message search), labels (always none), teams, campaigns, contact filters' custom attributes.
 */

const STATUS_VALUES = { open: 0, resolved: 1, pending: 2, snoozed: 3 };
const PRIORITY_VALUES = { low: 0, medium: 1, high: 2, urgent: 3 };

class InvalidFilter extends Error {}
class SqlError extends Error {}

const desc = (a, b) => (a === b ? 0 : a < b ? 1 : -1);
const asc = (a, b) => -desc(a, b);
const priorityOf = (c) => (c.priority === null ? null : PRIORITY_VALUES[c.priority]);
/** ORDER BY x DIR NULLS LAST */
const nullsLast = (dir) => (a, b) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : dir(a, b));

function unreadOf(S, conv) {
	return S.messages.filter(
		(m) => m.conversationId === conv.displayId && m.messageType === 0 && (conv.agentLastSeenAt === null || m.createdAt > conv.agentLastSeenAt),
	).length;
}

/** name -> (S) => comparator; SortHandler's SQL orders. */
const ORDERS = {
	sort_on_last_activity_at: (dir) => () => (x, y) => dir(x.lastActivityAt, y.lastActivityAt),
	sort_on_created_at: (dir) => () => (x, y) => dir(x.createdAt, y.createdAt),
	sort_on_priority: (dir) => () => (x, y) => nullsLast(dir)(priorityOf(x), priorityOf(y)) || desc(x.lastActivityAt, y.lastActivityAt),
	sort_on_priority_created_at: (dir) => () => (x, y) => nullsLast(dir)(priorityOf(x), priorityOf(y)) || asc(x.createdAt, y.createdAt),
	sort_on_waiting_since: (dir) => () => (x, y) =>
		asc(x.waitingSince === null, y.waitingSince === null) || nullsLast(dir)(x.waitingSince, y.waitingSince) || asc(x.createdAt, y.createdAt),
	sort_on_unread: () => (S) => (x, y) => desc(unreadOf(S, x), unreadOf(S, y)) || desc(x.lastActivityAt, y.lastActivityAt),
};

const SORT_OPTIONS = {
	last_activity_at_asc: ['sort_on_last_activity_at', asc],
	last_activity_at_desc: ['sort_on_last_activity_at', desc],
	created_at_asc: ['sort_on_created_at', asc],
	created_at_desc: ['sort_on_created_at', desc],
	priority_asc: ['sort_on_priority', asc],
	priority_desc: ['sort_on_priority', desc],
	waiting_since_asc: ['sort_on_waiting_since', asc],
	waiting_since_desc: ['sort_on_waiting_since', desc],
	priority_desc_created_at_asc: ['sort_on_priority_created_at', desc],
	unread: ['sort_on_unread', desc],
	latest: ['sort_on_last_activity_at', desc],
	sort_on_created_at: ['sort_on_created_at', asc],
	sort_on_priority: ['sort_on_priority', desc],
	sort_on_waiting_since: ['sort_on_waiting_since', asc],
};

/** ConversationFinder#conversations ordering (unknown sort_by: the default). */
function sortConversations(S, list, sortBy) {
	const option = Object.prototype.hasOwnProperty.call(SORT_OPTIONS, sortBy) ? SORT_OPTIONS[sortBy] : SORT_OPTIONS.last_activity_at_desc;
	const compare = ORDERS[option[0]](option[1])(S);
	return list.slice().sort((x, y) => compare(x, y) || y.displayId - x.displayId);
}

/** Ruby's String#to_i for a page number: leading digits, else 0. */
function rubyToI(v) {
	const m = /^\s*([+-]?\d+)/.exec(String(v === undefined || v === null ? '' : v));
	return m ? parseInt(m[1], 10) : 0;
}

// ---------------------------------------------------------------- filter
const EQ = ['equal_to', 'not_equal_to'];
const PRESENCE = ['is_present', 'is_not_present'];
const DATES = ['is_greater_than', 'is_less_than', 'days_before'];
/** lib/filters/filter_keys.yml, conversations: key -> [kind, operators] */
const FILTER_KEYS = {
	status: ['status', EQ],
	assignee_id: ['column', [...EQ, ...PRESENCE]],
	inbox_id: ['column', [...EQ, ...PRESENCE]],
	team_id: ['column', [...EQ, ...PRESENCE]],
	contact_id: ['column', EQ],
	priority: ['priority', EQ],
	display_id: ['column', [...EQ, 'contains', 'does_not_contain']],
	campaign_id: ['column', [...EQ, ...PRESENCE]],
	labels: ['labels', [...EQ, ...PRESENCE]],
	browser_language: ['additional', EQ],
	conversation_language: ['additional', EQ],
	referer: ['additional', [...EQ, 'contains', 'does_not_contain']],
	created_at: ['date', DATES],
	last_activity_at: ['date', DATES],
	mail_subject: ['additional', [...EQ, 'contains', 'does_not_contain']],
};
/** FilterService::ATTRIBUTE_TYPES: display type -> SQL cast (currency / percent have none). */
const CUSTOM_CASTS = { date: 'date', text: 'text', number: 'numeric', link: 'text', list: 'text', checkbox: 'boolean' };

const COLUMN_OF = {
	assignee_id: 'assigneeId',
	inbox_id: 'inboxId',
	team_id: null,
	contact_id: 'contactId',
	display_id: 'displayId',
	campaign_id: null,
};

const blank = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const asArray = (v) => (Array.isArray(v) ? v : [v]);
const sqlText = (v) => (v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `x IN (values)` / `x NOT IN (values)` with SQL NULL semantics (a NULL column matches neither). */
function inValues(op, value, values, same = (a, b) => sqlText(a) === sqlText(b)) {
	if (value === null || value === undefined) return false;
	const hit = values.some((v) => v !== null && same(value, v));
	return op === 'equal_to' ? hit : !hit;
}

function ilike(op, value, values) {
	if (value === null || value === undefined) return false;
	const text = String(value).toLowerCase();
	const hit = asArray(values).some((v) => text.includes(String(v).trim().toLowerCase()));
	return op === 'contains' ? hit : !hit;
}

const invalidValue = (key) => new InvalidFilter(`Invalid value. The values provided for ${key} are invalid`);

/** `(x)::date > / < :value`; days_before is "is_less_than today - n days" (FilterService L85-108). */
function compareDates(op, value, raw, nowMs, key) {
	const bound = op === 'days_before' ? new Date(nowMs - rubyToI(raw) * 86400000).toISOString().slice(0, 10) : String(raw);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(bound)) throw invalidValue(key);
	if (value === null || value === undefined) return false;
	const day = new Date(Math.floor(value / 1000)).toISOString().slice(0, 10);
	return op === 'is_greater_than' ? day > bound.slice(0, 10) : day < bound.slice(0, 10);
}

function castCustom(cast, raw) {
	if (raw === null || raw === undefined) return null;
	const text = sqlText(raw);
	if (cast === 'numeric') {
		if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) throw new SqlError(`invalid input syntax for type numeric: "${text}"`);
		return Number(text);
	}
	if (cast === 'boolean') {
		const t = text.trim().toLowerCase();
		if (['t', 'true', 'yes', 'on', '1', 'y'].includes(t)) return true;
		if (['f', 'false', 'no', 'off', '0', 'n'].includes(t)) return false;
		throw new SqlError(`invalid input syntax for type boolean: "${text}"`);
	}
	return text;
}

/** One custom-attribute condition (CustomAttributeFilterHelper#build_custom_attr_query). */
function customCondition(conv, q, definition, nowMs) {
	const cast = CUSTOM_CASTS[definition.displayType];
	if (!cast) throw new SqlError(`type cast missing for ${definition.displayType}`);
	const op = q.filter_operator;
	const raw = (conv.customAttributes || {})[q.attribute_key];
	if (op === 'is_present') return raw !== null && raw !== undefined;
	if (op === 'is_not_present') return raw === null || raw === undefined;
	if (DATES.includes(op)) {
		const us = raw === null || raw === undefined ? null : Date.parse(String(raw)) * 1000;
		return compareDates(op, us, asArray(q.values)[0], nowMs, q.attribute_key);
	}
	// FilterService#case_insensitive_values: a string first value is used alone, lowercased
	const first = asArray(q.values)[0];
	if (cast === 'text' && typeof first !== 'string') throw new SqlError('operator does not exist: text = integer');
	const values = typeof first === 'string' ? [first.toLowerCase()] : asArray(q.values);
	let value = castCustom(cast, raw);
	if (cast === 'text' && value !== null) value = value.toLowerCase();
	if (op === 'contains' || op === 'does_not_contain') return ilike(op, value, q.values);
	if (!EQ.includes(op)) throw new SqlError(`operator ${op}`);
	const matched = inValues(op, value, values, (a, b) => castCustom(cast, a) === castCustom(cast, b));
	// not_equal_to also matches a missing value (not_in_custom_attr_query)
	return op === 'not_equal_to' ? matched || value === null : matched;
}

/** One standard condition (FilterHelper#build_condition_query_string). */
function standardCondition(conv, q, kind, nowMs) {
	const op = q.filter_operator;
	const key = q.attribute_key;
	if (kind === 'labels') return op === 'not_equal_to' || op === 'is_not_present'; // no labels modelled
	let value;
	let values = asArray(q.values);
	if (kind === 'status') {
		value = STATUS_VALUES[conv.status];
		values = values.includes('all') ? Object.values(STATUS_VALUES) : values.map((v) => (v in STATUS_VALUES ? STATUS_VALUES[v] : null));
	} else if (kind === 'priority') {
		value = priorityOf(conv);
		values = values.map((v) => (v in PRIORITY_VALUES ? PRIORITY_VALUES[v] : null));
	} else if (kind === 'additional') {
		const a = (conv.additionalAttributes || {})[key];
		value = a === undefined ? null : a;
	} else if (kind === 'date') {
		return compareDates(op, key === 'created_at' ? conv.createdAt : conv.lastActivityAt, values[0], nowMs, key);
	} else {
		value = COLUMN_OF[key] ? conv[COLUMN_OF[key]] : null;
	}
	if (op === 'is_present') return value !== null && value !== undefined;
	if (op === 'is_not_present') return value === null || value === undefined;
	if (op === 'contains' || op === 'does_not_contain') return ilike(op, value, values);
	return inValues(op, value, values);
}

/**
 * Conversations::FilterService#perform's WHERE clause as a predicate. Throws InvalidFilter (422, with
 * Chatwoot's message) or SqlError (500).
 * @param {any[]} payload conditions
 * @param {(key: string) => any} definitionOf conversation custom attribute definition by key, or undefined
 * @returns {(conv: any) => boolean}
 */
function buildFilter(payload, definitionOf, nowMs) {
	if (!Array.isArray(payload)) throw new SqlError('payload is not a list');
	for (const q of payload) {
		const qo = q && q.query_operator;
		if (qo !== null && qo !== undefined && qo !== '' && !['AND', 'OR'].includes(String(qo).toUpperCase())) {
			throw new InvalidFilter('Query operator must be either "AND" or "OR".');
		}
	}
	const conditions = payload.map((q) => {
		const key = q.attribute_key;
		const op = q.filter_operator;
		const standard = Object.prototype.hasOwnProperty.call(FILTER_KEYS, key) ? FILTER_KEYS[key] : null;
		if (standard && !standard[1].includes(op)) {
			throw new InvalidFilter(`Invalid operator. The allowed operators for ${key} are [${standard[1].join(',')}].`);
		}
		if (!PRESENCE.includes(op) && blank(q.values)) throw invalidValue(key);
		if (standard) return (conv) => standardCondition(conv, q, standard[0], nowMs);
		const definition = definitionOf(key);
		if (!definition) {
			throw new InvalidFilter(
				`Invalid attribute key - [${key}]. The key should be one of [${Object.keys(FILTER_KEYS).join(',')}] or a custom attribute defined in the account.`,
			);
		}
		return (conv) => customCondition(conv, q, definition, nowMs);
	});
	if (!conditions.length) return () => true; // where('') keeps every conversation
	// SQL precedence: the conditions joined by AND form groups, the groups are joined by OR
	return (conv) => {
		let groupTrue = true;
		for (let i = 0; i < conditions.length; i++) {
			groupTrue = conditions[i](conv) && groupTrue;
			const joiner = String(payload[i].query_operator || '').toUpperCase();
			if (joiner === 'OR' || i === conditions.length - 1) {
				if (groupTrue) return true;
				groupTrue = true;
			}
		}
		return false;
	};
}

module.exports = { sortConversations, buildFilter, rubyToI, InvalidFilter, SqlError, SORT_OPTIONS, FILTER_KEYS, STATUS_VALUES };
