'use strict';
/**
 * State and rules of the two FreeScout modules the simulator can switch on besides API & Webhooks, as read in
 * the copies of Tags 1.0.37 and Custom Fields 1.0.37 that sit next to API & Webhooks 1.0.82 in
 * JamesTuthill/freescout-upgrade@a4813641 (Modules/Tags/Entities/Tag.php, Modules/CustomFields/Entities/CustomField.php,
 * their migrations and Modules/CustomFields/Http/Controllers/CustomFieldsController.php). No HTTP here: the routes
 * and the JSON shapes live in freescout.js.
 *
 * Tags: names are trimmed and lower-cased; a tag row is created on first use with color 0. Its `counter` goes up
 * on every attach call, also when the conversation already has the tag (the attach itself then fails on the unique
 * index and is swallowed), and down on a detach; a tag whose counter reaches 0 is deleted. A conversation's tags
 * come in tag-id order (the query has no ORDER BY; id order is what the unique index gives, inferred).
 *
 * Custom fields: fields belong to a mailbox; sortOrder is one more than the largest sortOrder of all fields (all
 * mailboxes). Dropdown options are an object keyed "1", "2", ... as the settings form builds them; other types keep
 * the form's empty string. setValue() does nothing when the stored value equals the new one with PHP's `==`
 * (a field never set counts as null, so "" or 0 is "equal"), answers false for an unknown field id or an unparsable
 * date, joins arrays (multiselect) with "," after trimming and dropping empty items, and stores everything else
 * as a string. The field's mailbox is not checked: a field of another mailbox is stored but never shown.
 */
const { phpString, phpTruthy, phpLooseEquals } = require('./freescout-php');

/** Tag::normalizeName. */
function normalizeTagName(name) {
	return phpString(name).trim().toLowerCase();
}

function createTagsModule() {
	let tags = [];
	let links = [];
	let nextId = 1;
	const byName = (name) => tags.find((t) => t.name === name) || null;
	const hasLink = (conversationId, tagId) => links.some((l) => l.conversationId === conversationId && l.tagId === tagId);

	/** Tag::attachByName: counts up even when the conversation already has the tag. */
	function attachByName(name, conversationId) {
		const normalized = normalizeTagName(name);
		if (!normalized) return null;
		let tag = byName(normalized);
		if (!tag) {
			tag = { id: nextId++, name: normalized, counter: 0, color: 0 };
			tags.push(tag);
		}
		tag.counter++;
		if (!hasLink(conversationId, tag.id)) links.push({ conversationId, tagId: tag.id });
		return tag;
	}

	/** Tag::detachByName: counts down; the tag goes away at 0. */
	function detachByName(name, conversationId) {
		const tag = byName(normalizeTagName(name));
		if (!tag) return false;
		links = links.filter((l) => !(l.conversationId === conversationId && l.tagId === tag.id));
		tag.counter = Math.max(0, tag.counter - 1);
		if (tag.counter === 0) tags = tags.filter((t) => t !== tag);
		return true;
	}

	function conversationTags(conversationId) {
		return tags.filter((t) => hasLink(conversationId, t.id));
	}

	return {
		normalizeName: normalizeTagName,
		conversationTags,
		/** Tags in id order, optionally only those of one conversation (GET /api/tags). */
		list: (conversationId) => (conversationId == null ? tags.slice() : conversationTags(conversationId)),
		/** Id of the tag with this (normalized) name, 0 when there is none (the list filter's join then matches nothing). */
		idByName: (name) => (byName(normalizeTagName(name)) || { id: 0 }).id,
		conversationIdsWith: (tagId) => links.filter((l) => l.tagId === tagId).map((l) => l.conversationId),
		/**
		 * ApiController::updateTags: every listed name is attached (arrays/objects skipped), then the conversation's
		 * tags missing from the list are detached.
		 */
		replaceConversationTags(conversationId, names) {
			const before = conversationTags(conversationId).map((t) => t.name);
			const scalars = names.filter((n) => n === null || typeof n !== 'object');
			for (const name of scalars) attachByName(name, conversationId);
			const wanted = scalars.map(normalizeTagName);
			for (const name of before) if (!wanted.includes(name)) detachByName(name, conversationId);
		},
	};
}

const CUSTOM_FIELD_TYPES = ['dropdown', 'singleline', 'multiline', 'number', 'date', 'singlelinetags', 'multiselectdropdown'];
const DROPDOWN_TYPES = ['dropdown', 'multiselectdropdown'];

/** CustomField::prepareMultiselectValues: trimmed, PHP-falsy items ("" and "0") dropped. */
function multiselectValues(values) {
	return values.map((v) => phpString(v).trim()).filter((v) => phpTruthy(v));
}

/** Dropdown options as the settings form stores them: a list becomes {"1": first, "2": second, ...}. */
function dropdownOptions(options) {
	if (options && typeof options === 'object' && !Array.isArray(options)) return Object.assign({}, options);
	const list = (options || []).map((o) => String(o).trim()).filter(Boolean);
	const result = {};
	(list.length ? list : ['']).forEach((label, i) => (result[String(i + 1)] = label));
	return result;
}

function createCustomFieldsModule() {
	const fields = [];
	const values = new Map();
	let nextId = 1;
	const valueKey = (conversationId, fieldId) => `${conversationId}:${fieldId}`;
	const findField = (id) => fields.find((f) => f.id === id) || null;

	/** The text shown next to a value: the option label for a (single) dropdown, else "". */
	function textOf(field, value) {
		if (field.type !== 'dropdown' || !field.options || typeof field.options !== 'object') return '';
		return phpTruthy(field.options[value]) ? field.options[value] : '';
	}

	return {
		TYPES: CUSTOM_FIELD_TYPES,
		/** Adds a field as Mailbox » Custom Fields would; returns its structure. */
		addField({ mailboxId, name, type = 'singleline', options, required = false }) {
			if (!CUSTOM_FIELD_TYPES.includes(type)) throw new Error(`FreeScout simulator: unknown custom field type ${type}`);
			if (fields.some((f) => f.mailboxId === Number(mailboxId) && f.name === name)) {
				throw new Error(`FreeScout simulator: mailbox ${mailboxId} already has a custom field named ${name}`);
			}
			const field = {
				id: nextId++,
				mailboxId: Number(mailboxId),
				name: String(name),
				type,
				options: DROPDOWN_TYPES.includes(type) ? dropdownOptions(options) : '',
				required: Boolean(required),
				sortOrder: Math.max(0, ...fields.map((f) => f.sortOrder)) + 1,
			};
			fields.push(field);
			return field;
		},
		/** Fields of a mailbox in id order (the API's query has no ORDER BY; id order inferred). */
		mailboxFields: (mailboxId) => fields.filter((f) => f.mailboxId === Number(mailboxId)),
		/** CustomField::getCustomFieldsWithValues: every field of the mailbox by sortOrder, "" where unset. */
		withValues(mailboxId, conversationId) {
			return fields
				.filter((f) => f.mailboxId === Number(mailboxId))
				.sort((a, b) => a.sortOrder - b.sortOrder || a.id - b.id)
				.map((f) => {
					const value = values.get(valueKey(conversationId, f.id)) ?? '';
					return { id: f.id, name: f.name, value, text: textOf(f, value) };
				});
		},
		/** CustomField::setValue: null when unchanged, false when refused, else the field. */
		setValue(conversationId, fieldIdParam, value) {
			const fieldId = parseInt(phpString(fieldIdParam), 10) || 0;
			const key = valueKey(conversationId, fieldId);
			if (phpLooseEquals(values.has(key) ? values.get(key) : null, value)) return null;
			const field = findField(fieldId);
			if (!field) return false;
			if (field.type === 'date' && phpTruthy(value) && Number.isNaN(Date.parse(phpString(value)))) return false;
			let stored;
			if (value !== null && typeof value === 'object') stored = multiselectValues(Object.values(value)).join(',');
			else if (phpString(fieldIdParam).includes('[')) stored = multiselectValues(phpString(value).split(',')).join(',');
			else stored = phpString(value);
			values.set(key, stored);
			return field;
		},
	};
}

module.exports = { createTagsModule, createCustomFieldsModule, normalizeTagName };
