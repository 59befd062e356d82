/**
 * Reads one Chatwoot webhook body into the status point it shows. Facts it relies on:
 * - conversation payloads are the conversation itself (id = display id), built late (when the job ran), so their
 *   `status` and `updated_at` may already include later changes;
 * - conversation_updated carries the exact transition in changed_attributes, captured when the event fired (with
 *   the save's updated_at); conversation_status_changed carries no previous status (changed_attributes is always
 *   null) and always comes with such a conversation_updated, so it adds nothing;
 * - with the older assignment system, when a conversation becomes open in an inbox with auto-assignment and an online
 *   agent while nobody (or an agent who left the inbox) is assigned, Chatwoot's nested assignment save replaces the
 *   change set: the only delivery is a conversation_updated whose changed_attributes are assignee_id (null -> Y, or
 *   X -> Y) and updated_at, with status open in the payload (auto_assignment_handler.rb L11-48);
 * - with assignment V2 (every account created on 4.13.0 or later), manual assignment and automation assign_agent, the
 *   same assignment-only diff comes with NO status change: status changes are announced normally. So an
 *   assignment-only diff is never a change by itself: it shows a hidden reopen only when the trigger remembers (or
 *   primed) a status other than open for that conversation; for a conversation it does not know it gives nothing;
 * - messages[0] is the latest non-activity message with an integer message_type (0 = incoming) and created_at in
 *   whole seconds.
 */
import { finiteNumber, integer, isoMs, isSafeKey, list, record, text, type JsonRecord } from '../../core/json';
import type { Assignee, Contact, Status } from '../../core/types';
import {
	ignored,
	type ChangeFields,
	type OwnPoint,
	type ParseContext,
	type ParseResult,
	type Stamp,
} from '../../core/trigger/types';
import { changeExplanation, createdExplanation, latestMessage } from './cause';
import { chatwootStatuses } from './status';

const AUTOMATION_PREFIX = 'automation_event.';
/**
 * What Chatwoot sends: account-webhook events (webhook.rb ALLOWED_WEBHOOK_EVENTS), the agent-bot legacy events, the
 * installation webhook's, automation-rule events and the macro event (reference: chatwoot.md §1).
 */
const KNOWN_EVENTS: ReadonlySet<string> = new Set([
	...['conversation_status_changed', 'conversation_updated', 'conversation_created', 'contact_created', 'contact_updated'],
	...['message_created', 'message_updated', 'webwidget_triggered', 'inbox_created', 'inbox_updated'],
	...['conversation_typing_on', 'conversation_typing_off', 'conversation_opened', 'conversation_resolved', 'account_created'],
	'macro.executed',
	...['conversation_created', 'conversation_updated', 'conversation_opened', 'conversation_resolved', 'message_created'].map(
		(name) => `${AUTOMATION_PREFIX}${name}`,
	),
]);
/** A brand-new conversation's creation diff (older Chatwoot) may claim open -> pending within this window of created_at. */
const CREATION_WINDOW_MS = 10_000;
export function parseChatwoot(body: unknown, context: ParseContext): ParseResult {
	const payload = record(body);
	if (payload === null) return ignored('the body is not a JSON object');
	const event = text(payload.event);
	if (event === null) return ignored('the body has no "event" field: not a Chatwoot webhook');
	// The answer names only events Chatwoot sends: nothing else of the body goes back to whoever sent it.
	if (!KNOWN_EVENTS.has(event)) return ignored('the body names an event Chatwoot does not send');

	if (event === 'message_created' || event === 'message_updated') {
		return ignored(`${event} is not a status change on its own`);
	}
	const automated = event.startsWith(AUTOMATION_PREFIX) || event === 'macro.executed';
	const baseEvent = event.startsWith(AUTOMATION_PREFIX) ? event.slice(AUTOMATION_PREFIX.length) : event;
	if (!baseEvent.startsWith('conversation_') && event !== 'macro.executed') {
		return ignored(`${event} is not a conversation event`);
	}

	const conversationId = integer(payload.id);
	const platformStatus = text(payload.status);
	const status = platformStatus === null ? null : chatwootStatuses.toStatus(platformStatus);
	if (conversationId === null || platformStatus === null || status === null) {
		return ignored(`${event} has no conversation id or no known status`);
	}

	const fields = conversationFields(payload, conversationId, context);
	const own = automated ? automationPoint(payload, baseEvent) : ownPoint(payload, baseEvent, status, fields.contact);
	if (own === null) return ignored(`${event} does not report a status change`);
	return {
		platform: 'chatwoot',
		event,
		conversationKey: `${fields.accountId ?? '?'}:${conversationId}`,
		own: { ...own, status: own.status ?? status, platformStatus: own.platformStatus ?? platformStatus },
		history: [],
		fields: own.kind === 'created' ? { ...fields, isNewConversation: true } : fields,
	};
}

/** The point without its status: the payload's unless the parts say otherwise (a status diff's own words). */
type OwnParts = Omit<OwnPoint, 'status' | 'platformStatus'> & Partial<Pick<OwnPoint, 'status' | 'platformStatus'>>;

const POINT_DEFAULTS = { previousPlatformStatus: null, firstSight: 'no-change' } as const;

/**
 * Automation-rule and macro webhooks carry only the conversation as it was when the rule ran, with no diff: a
 * resolve or open they name counts when it differs from what the trigger knows (the account webhook may have told it).
 */
function automationPoint(payload: JsonRecord, baseEvent: string): OwnParts {
	const reportsChange = baseEvent === 'conversation_resolved' || baseEvent === 'conversation_opened';
	return {
		...POINT_DEFAULTS,
		kind: reportsChange ? 'state' : 'snapshot',
		firstSight: 'change',
		at: { t: secondsToMs(payload.updated_at) ?? 0, k: 0 },
		explain: () => ({ cause: 'automation', actor: null }),
	};
}

function ownPoint(payload: JsonRecord, baseEvent: string, status: Status, contact: Contact | null): OwnParts | null {
	const createdAt: Stamp = { t: secondsToMs(payload.created_at) ?? 0, k: 0 };
	const created: OwnParts = {
		...POINT_DEFAULTS,
		kind: 'created',
		at: createdAt,
		explain: () => createdExplanation(payload, status, contact),
	};
	switch (baseEvent) {
		case 'conversation_created':
			return created;
		case 'conversation_status_changed': {
			const at = payloadStamp(payload);
			return { ...POINT_DEFAULTS, kind: 'snapshot', at, explain: () => changeExplanation(payload, null, status, null, contact, at.t) };
		}
		case 'conversation_updated':
			return fromUpdated(payload, status, contact, created);
		default:
			return null;
	}
}

function fromUpdated(payload: JsonRecord, status: Status, contact: Contact | null, created: OwnParts): OwnParts {
	const changes = changedAttributes(payload);
	const at = changes.updated_at !== undefined ? { t: isoMs(changes.updated_at.current_value) ?? 0, k: 0 } : payloadStamp(payload);
	const statusChange = changes.status;
	if (statusChange === undefined) {
		// An assignment alone (assignment V2, manual, automation) changes no status. The older system's nested save
		// may have hidden a reopen behind it: that counts only against a status the trigger knows (never null -> open).
		if (status !== 'open' || !assignedToSomebody(changes.assignee_id)) {
			return { ...POINT_DEFAULTS, kind: 'snapshot', at, explain: () => changeExplanation(payload, null, status, null, contact, at.t) };
		}
		return { ...POINT_DEFAULTS, kind: 'state', at, explain: (previous) => changeExplanation(payload, previous, status, null, contact, at.t) };
	}
	// The diff was captured when the change happened; the payload may have been built after later ones.
	const previousPlatformStatus = text(statusChange.previous_value);
	const platformStatus = text(statusChange.current_value);
	const changedTo = platformStatus === null ? null : chatwootStatuses.toStatus(platformStatus);
	if (platformStatus === null || changedTo === null) {
		return { ...POINT_DEFAULTS, kind: 'snapshot', at, explain: () => changeExplanation(payload, null, status, null, contact, at.t) };
	}
	// An older Chatwoot reports a bot-inbox creation as open -> pending among the creation's own diffs: no change.
	// Chatwoot 4.15.1 decides that status before insert, so an open -> pending moments later (an automation's
	// pending_conversation, an integration) is a real change, and its diff is [status, updated_at] of a saved record.
	const createdAt = created.at.t;
	if (
		previousPlatformStatus === 'open' &&
		changedTo === 'pending' &&
		createdAt > 0 &&
		at.t - createdAt <= CREATION_WINDOW_MS &&
		isCreationDiff(changes)
	) {
		return { ...created, status: changedTo, platformStatus };
	}
	const snoozedUntil = isoMs(changes.snoozed_until?.previous_value);
	return {
		kind: 'transition',
		status: changedTo,
		platformStatus,
		previousPlatformStatus,
		firstSight: 'no-change',
		at,
		explain: (previous) =>
			changeExplanation(payload, previous, changedTo, snoozedUntil !== null ? { snoozedUntil, at: at.t } : null, contact, at.t),
	};
}

/** An assignee_id diff that ends with somebody assigned (from nobody, or from an agent who left the inbox). */
function assignedToSomebody(change: AttributeChange | undefined): boolean {
	return change !== undefined && change.current_value !== null && change.current_value !== undefined;
}

/**
 * The diff of an INSERT (Rails' previous_changes of a create): no updated_at moved from an earlier time, or the
 * record's own id / created_at among the changes. A later save (an automation's pending_conversation, an
 * integration) sends [status, updated_at] with the time updated_at moved from.
 */
function isCreationDiff(changes: Record<string, AttributeChange>): boolean {
	const updatedAt = changes.updated_at;
	const movedFromNothing = updatedAt === undefined || updatedAt.previous_value === null || updatedAt.previous_value === undefined;
	return movedFromNothing || changes.id !== undefined || changes.created_at !== undefined;
}

/** The payload's own updated_at: when it was built, the conversation's last save. */
function payloadStamp(payload: JsonRecord): Stamp {
	return { t: secondsToMs(payload.updated_at) ?? 0, k: 0 };
}

interface AttributeChange {
	previous_value?: unknown;
	current_value?: unknown;
}

/** changed_attributes is a list of one-key objects, or null. Built without a prototype: names come from the body. */
function changedAttributes(payload: JsonRecord): Record<string, AttributeChange> {
	const changes: Record<string, AttributeChange> = Object.create(null) as Record<string, AttributeChange>;
	for (const entry of list(payload.changed_attributes)) {
		const item = record(entry);
		if (item === null) continue;
		for (const [name, value] of Object.entries(item)) {
			const change = record(value);
			if (change !== null && isSafeKey(name)) changes[name] = change;
		}
	}
	return changes;
}

function conversationFields(payload: JsonRecord, conversationId: number, context: ParseContext): ChangeFields {
	const meta = record(payload.meta);
	const accountId =
		integer(record(payload.account)?.id) ?? integer(latestMessage(payload)?.account_id) ?? context.accountId;
	return {
		conversationId,
		conversationNumber: null,
		accountId,
		mailboxId: null,
		inboxId: integer(payload.inbox_id),
		contact: contactOf(record(meta?.sender)),
		assignee: assigneeOf(record(meta?.assignee), text(meta?.assignee_type)),
		subject: text(record(payload.additional_attributes)?.mail_subject),
		conversationUrl:
			context.baseUrl !== null && accountId !== null
				? `${context.baseUrl}/app/accounts/${accountId}/conversations/${conversationId}`
				: null,
		isNewConversation: false,
	};
}

function contactOf(sender: JsonRecord | null): Contact | null {
	if (sender === null) return null;
	return {
		id: integer(sender.id),
		name: text(sender.name),
		email: text(sender.email),
		phone: text(sender.phone_number),
	};
}

function assigneeOf(assignee: JsonRecord | null, assigneeType: string | null): Assignee | null {
	if (assignee === null) return null;
	return {
		id: integer(assignee.id),
		name: text(assignee.name),
		email: text(assignee.email),
		type: assigneeType === 'AgentBot' || text(assignee.type) === 'agent_bot' ? 'bot' : 'agent',
	};
}

/** The largest time a Date holds, in milliseconds either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/**
 * Chatwoot sends updated_at as float seconds (microseconds) and created_at as integer seconds; changed_attributes'
 * updated_at is an ISO string with milliseconds. Both are read to whole milliseconds (truncated, like the ISO form)
 * so that one save gives one stamp whichever way it arrives.
 */
export function secondsToMs(value: unknown): number | null {
	const seconds = finiteNumber(value);
	if (seconds === null) return null;
	const ms = Math.floor(Math.round(seconds * 1e6) / 1000);
	// Before 1970 or beyond what a Date can hold it is no time at all (the memory stores only times from 1970 on).
	return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DATE_MS ? ms : null;
}
