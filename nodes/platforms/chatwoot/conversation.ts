/**
 * Chatwoot's conversation JSON as the REST API returns it (GET of one conversation, and the lists of a contact's
 * conversations): app/views/api/v1/conversations/partials/_conversation.json.jbuilder (reference: chatwoot.md §5).
 */
import type { ApiScope, ConversationSnapshot } from '../../core/action/conversation-api';
import { finiteNumber, integer, isoMs, nonEmptyText, recordOrEmpty, text } from '../../core/json';
import type { Assignee } from '../../core/types';
import { chatwootStatuses } from './status';

function readAssignee(meta: Record<string, unknown>): Assignee | null {
	const a = recordOrEmpty(meta.assignee);
	if (Object.keys(a).length === 0) return null;
	const type = meta.assignee_type === 'AgentBot' ? 'bot' : 'agent';
	return { id: integer(a.id), name: text(a.name), email: text(a.email), type };
}

/**
 * `updated_at` is a float of seconds with microseconds (e.g. 1781946845.402187), `created_at` whole seconds; an ISO
 * string is read too.
 */
function readTime(value: unknown): string | null {
	const seconds = finiteNumber(value);
	const ms = seconds === null ? isoMs(value) : seconds * 1000;
	return ms === null ? null : new Date(ms).toISOString();
}

/** The conversation as the action node reports it; null when the JSON has no status (not a conversation). */
export function readChatwootConversation(
	body: Record<string, unknown>,
	conversationId: number,
	scope: ApiScope,
): ConversationSnapshot | null {
	const platformStatus = text(body.status);
	if (platformStatus === null) return null;
	const meta = recordOrEmpty(body.meta);
	return {
		platform: 'chatwoot',
		conversationId: integer(body.id) ?? conversationId,
		conversationNumber: null,
		status: chatwootStatuses.toStatus(platformStatus),
		platformStatus,
		assignee: readAssignee(meta),
		accountId: integer(body.account_id) ?? scope.accountId,
		inboxId: integer(body.inbox_id),
		mailboxId: null,
		snoozedUntil: text(body.snoozed_until),
		subject: null,
		updatedAt: readTime(body.updated_at),
		createdAt: readTime(body.created_at),
		contactEmail: nonEmptyText(recordOrEmpty(meta.sender).email),
		attributes: recordOrEmpty(body.custom_attributes),
	};
}
