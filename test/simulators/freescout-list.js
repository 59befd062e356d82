'use strict';
/**
 * Which conversations GET /api/conversations returns, in which order and on which page, as
 * ApiController::listConversations of API & Webhooks 1.0.82 builds its query (read in
 * JamesTuthill/freescout-upgrade@a4813641; the 1.0.87 copy differs only in `subject`) and Laravel 5.5's
 * paginator answers it. The JSON of each item is freescout.js's job.
 *
 * - No default filter: without `status` or `state` every conversation comes back (the docs' "status defaults to
 *   active" is not in the code). Filters are ANDed: mailboxId (one id, or a comma list), customerEmail (the
 *   conversation's customer_email; case-insensitive like MySQL's default collation), customerId, folderId,
 *   status (one name, or a comma list whose unknown names are skipped; nothing valid = no filter), state, type
 *   (unknown values = no filter), assignedTo (present with an empty value = unassigned), updatedSince /
 *   createdSince (`>=` on whole seconds, ISO 8601; a string without zone is UTC), number, subject (SQL LIKE,
 *   case-insensitive: the whole subject in 1.0.82, a substring from 1.0.87), createdByUserId /
 *   createdByCustomerId, tag (only with the Tags module active, else ignored; an unknown tag matches nothing).
 *   Input has already been trimmed and "" turned into null (Laravel's TrimStrings/ConvertEmptyStringsToNull).
 * - Sort: sortField createdAt (default) | mailboxId | number | subject | updatedAt | waitingSince (last reply),
 *   sortOrder desc (default) | asc; anything else falls back to the default. Times have whole seconds and
 *   FreeScout orders by that one column, so equal keys have no defined order there; the simulator breaks ties by
 *   id, in the sort's direction (`tieOrder: 'against-sort'` reverses that, to prove a client does not depend on
 *   it). NULLs sort first ascending, last descending (MySQL).
 * - Paging: pageSize (default 50; "0" also 50), page (a whole number >= 1, else 1); the answer's page object is
 *   {size, totalElements, totalPages (at least 1), number}; a page past the end is empty.
 * Not modelled: customerPhone (no simulated customer has a phone, so it matches nothing); accent-insensitive
 * comparison; a pageSize that is not a positive whole number (FreeScout errors or drops the limit; here 50); an
 * unparsable date answers 500 as Carbon's exception would (inferred).
 */
const DEFAULT_PAGE_SIZE = 50;
const SORT_FIELDS = {
	createdAt: 'createdAt',
	mailboxId: 'mailboxId',
	number: 'number',
	subject: 'subject',
	updatedAt: 'updatedAt',
	waitingSince: 'lastReplyAt',
};

const present = (q, key) => Object.prototype.hasOwnProperty.call(q, key);
const given = (q, key) => q[key] !== undefined && q[key] !== null && q[key] !== '0';
/** MySQL's string-to-integer comparison: leading digits count, anything else is 0 (matches no id). */
const sqlInt = (v) => parseInt(String(v), 10) || 0;

/** Carbon::parse for the *Since filters, cut to the second like the SQL string FreeScout compares with. */
function parseApiDate(value) {
	let text = String(value);
	if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text = `${text.replace(' ', 'T')}Z`;
	const ms = Date.parse(text);
	if (Number.isNaN(ms)) throw new Error(`FreeScout simulator: Carbon cannot parse "${text}"`);
	return Math.floor(ms / 1000) * 1000;
}

/** SQL LIKE with % and _ (backslash escapes), case-insensitive. */
function sqlLike(value, pattern) {
	let re = '';
	for (let i = 0; i < pattern.length; i++) {
		const ch = pattern[i];
		if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		else if (ch === '%') re += '.*';
		else if (ch === '_') re += '.';
		else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
	}
	return new RegExp(`^${re}$`, 'is').test(value);
}

function statusFilter(value, statuses) {
	const parts = String(value).split(',');
	if (parts.length === 1) return statuses.includes(value) ? [value] : null;
	const valid = parts.map((s) => s.trim()).filter((s) => statuses.includes(s));
	return valid.length ? valid : null;
}

function compareKeys(a, b) {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	if (typeof a === 'string') return a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
	return a < b ? -1 : 1;
}

/**
 * The matching conversations (records as freescout.js keeps them), sorted.
 * ctx: { statuses, states, types, subjectContains, tags (Tags module state or null), tieOrder }
 */
function selectConversations(records, q, ctx) {
	const filters = [];
	if (given(q, 'mailboxId')) {
		const ids = String(q.mailboxId).split(',').map(sqlInt);
		filters.push((c) => ids.includes(c.mailboxId));
	}
	if (given(q, 'customerEmail')) {
		const email = String(q.customerEmail).toLowerCase();
		filters.push((c) => String(c.customerEmail || '').toLowerCase() === email);
	}
	if (given(q, 'customerPhone')) filters.push(() => false);
	if (given(q, 'customerId')) filters.push((c) => c.customerId === sqlInt(q.customerId));
	if (given(q, 'folderId')) filters.push((c) => c.folderId === sqlInt(q.folderId));
	if (given(q, 'status')) {
		const wanted = statusFilter(q.status, ctx.statuses);
		if (wanted) filters.push((c) => wanted.includes(c.status));
	}
	if (given(q, 'state') && ctx.states.includes(q.state)) filters.push((c) => c.state === q.state);
	if (given(q, 'type') && ctx.types.includes(q.type)) filters.push((c) => c.type === q.type);
	if (present(q, 'assignedTo')) {
		const userId = q.assignedTo === null ? null : sqlInt(q.assignedTo);
		filters.push((c) => (c.userId || null) === userId);
	}
	if (given(q, 'updatedSince')) {
		const since = parseApiDate(q.updatedSince);
		filters.push((c) => c.updatedAt >= since);
	}
	if (given(q, 'createdSince')) {
		const since = parseApiDate(q.createdSince);
		filters.push((c) => c.createdAt >= since);
	}
	if (given(q, 'number')) filters.push((c) => c.number === sqlInt(q.number));
	if (given(q, 'subject')) {
		const pattern = ctx.subjectContains ? `%${q.subject}%` : String(q.subject);
		filters.push((c) => sqlLike(c.subject, pattern));
	}
	for (const [param, field] of [['createdByUserId', 'createdByUserId'], ['createdByCustomerId', 'createdByCustomerId']]) {
		if (!present(q, param)) continue;
		const id = q[param] === null ? null : sqlInt(q[param]);
		filters.push((c) => (c[field] || null) === id);
	}
	if (given(q, 'tag') && ctx.tags) {
		const name = ctx.tags.normalizeName(q.tag);
		if (name) {
			const ids = ctx.tags.conversationIdsWith(ctx.tags.idByName(name));
			filters.push((c) => ids.includes(c.id));
		}
	}

	const field = SORT_FIELDS[q.sortField] || 'createdAt';
	const dir = q.sortOrder === 'asc' ? 1 : -1;
	const tieDir = ctx.tieOrder === 'against-sort' ? -dir : dir;
	return records
		.filter((c) => filters.every((f) => f(c)))
		.sort((a, b) => compareKeys(a[field], b[field]) * dir || (a.id - b.id) * tieDir);
}

/** Laravel's paginate() with the module's page object. */
function paginate(items, q) {
	const requested = parseInt(String(q.pageSize), 10);
	const size = requested > 0 ? requested : DEFAULT_PAGE_SIZE;
	const page = /^\s*\+?\d+\s*$/.test(String(q.page)) && Number(q.page) >= 1 ? Number(q.page) : 1;
	return {
		items: items.slice((page - 1) * size, page * size),
		page: { size, totalElements: items.length, totalPages: Math.max(1, Math.ceil(items.length / size)), number: page },
	};
}

module.exports = { selectConversations, paginate, DEFAULT_PAGE_SIZE };
