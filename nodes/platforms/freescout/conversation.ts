/**
 * FreeScout's conversation JSON as the API & Webhooks module formats it (GET of one conversation, list items,
 * webhook bodies; reference: freescout.md §3 and payloads/freescout/README.md): `customFields` [{id, name, value,
 * text}] is appended only when the Custom Fields module is active and the mailbox has fields.
 */
import type { ConversationSnapshot } from '../../core/action/conversation-api';
import { integer, isoMs, isSafeKey, joinName, list, nonEmptyText, record, recordOrEmpty, text } from '../../core/json';
import type { Assignee } from '../../core/types';
import { freescoutStatuses } from './status';

function readAssignee(value: unknown): Assignee | null {
	const a = record(value);
	if (!a) return null;
	return {
		id: integer(a.id),
		name: joinName(text(a.firstName), text(a.lastName)),
		email: text(a.email),
		type: 'agent',
	};
}

/** Custom field values by field name; a field without a value is left out. No prototype: the names are people's. */
function readCustomFields(value: unknown): Record<string, unknown> {
	const fields: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
	for (const field of list(value).map(recordOrEmpty)) {
		const name = text(field.name);
		if (name !== null && isSafeKey(name) && field.value !== '' && field.value !== null && field.value !== undefined) fields[name] = field.value;
	}
	return fields;
}

/** The conversation as the action node reports it; null when the JSON has no status (not a conversation). */
export function readFreeScoutConversation(body: Record<string, unknown>, conversationId: number): ConversationSnapshot | null {
	const platformStatus = text(body.status);
	if (platformStatus === null) return null;
	const updatedAt = isoMs(body.updatedAt);
	const createdAt = isoMs(body.createdAt);
	return {
		platform: 'freescout',
		conversationId: integer(body.id) ?? conversationId,
		conversationNumber: integer(body.number),
		status: freescoutStatuses.toStatus(platformStatus),
		platformStatus,
		assignee: readAssignee(body.assignee),
		accountId: null,
		inboxId: null,
		mailboxId: integer(body.mailboxId),
		snoozedUntil: null,
		subject: text(body.subject),
		updatedAt: updatedAt === null ? null : new Date(updatedAt).toISOString(),
		createdAt: createdAt === null ? null : new Date(createdAt).toISOString(),
		contactEmail: nonEmptyText(recordOrEmpty(body.customer).email),
		attributes: readCustomFields(body.customFields),
	};
}
