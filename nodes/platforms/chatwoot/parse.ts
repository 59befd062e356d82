/**
 * Reads one Chatwoot webhook body into an observation of a conversation's status.
 * Facts it relies on: conversation payloads are the conversation itself (id = display id); conversation_updated
 * carries the exact transition in changed_attributes (captured when the event fired); conversation_status_changed
 * always has changed_attributes null and is built late, so its status may already be newer (a weak observation);
 * messages[0] is the latest non-activity message with an integer message_type (0 = incoming).
 */
import { finiteNumber, integer, isoMs, list, record, text, type JsonRecord } from '../../core/json';
import { asNewConversation, observation, type ObservationBase } from '../../core/trigger/observation';
import type { Actor, Assignee, Cause, Contact, Status } from '../../core/types';
import { ignored, type ChangeFields, type Explanation, type ParseContext, type ParseResult } from '../../core/trigger/types';
import { chatwootStatuses } from './status';

const AUTOMATION_PREFIX = 'automation_event.';
/** A brand-new conversation's creation diff may claim open -> pending within this window of created_at. */
const CREATION_WINDOW_MS = 10_000;

export function parseChatwoot(body: unknown, context: ParseContext): ParseResult {
	const payload = record(body);
	if (payload === null) return ignored('the body is not a JSON object');
	const event = text(payload.event);
	if (event === null) return ignored('the body has no "event" field: not a Chatwoot webhook');

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
	const bodyUpdatedAt = secondsToMs(payload.updated_at);
	const base: ObservationBase = {
		platform: 'chatwoot',
		event,
		conversationKey: `chatwoot:${fields.accountId ?? '?'}:${conversationId}`,
		fields,
	};

	if (automated) {
		// Automation and macro webhooks carry only the conversation, built when the rule ran.
		const reportsChange = baseEvent === 'conversation_resolved' || baseEvent === 'conversation_opened';
		return observation(base, {
			previousPlatformStatusHint: null,
			status,
			platformStatus,
			previousPlatformStatus: null,
			observedAt: bodyUpdatedAt ?? 0,
			kind: reportsChange ? 'transition' : 'state',
			weak: true,
			explain: () => ({ cause: 'automation', actor: null }),
		});
	}

	switch (baseEvent) {
		case 'conversation_created':
			return observation(base, {
				previousPlatformStatusHint: null,
				status,
				platformStatus,
				previousPlatformStatus: null,
				observedAt: bodyUpdatedAt ?? secondsToMs(payload.created_at) ?? 0,
				kind: 'created',
				weak: false,
				fields: asNewConversation(fields),
				explain: () => createdExplanation(payload, status, fields.contact),
			});
		case 'conversation_status_changed':
			return observation(base, {
				previousPlatformStatusHint: null,
				status,
				platformStatus,
				previousPlatformStatus: null,
				observedAt: bodyUpdatedAt ?? 0,
				kind: 'transition',
				weak: true,
				explain: (previous) => changeExplanation(payload, previous, status, null, fields.contact),
			});
		case 'conversation_updated':
			return fromUpdated(payload, base, bodyUpdatedAt);
		default:
			return ignored(`${event} does not report a status change`);
	}
}

function fromUpdated(payload: JsonRecord, base: ObservationBase, bodyUpdatedAt: number | null): ParseResult {
	const changes = changedAttributes(payload);
	const statusChange = changes.status;
	if (!statusChange) return ignored('conversation_updated without a status change');
	const previousPlatformStatus = text(statusChange.previous_value);
	const platformStatus = text(statusChange.current_value);
	const status = platformStatus === null ? null : chatwootStatuses.toStatus(platformStatus);
	if (platformStatus === null || status === null) {
		return ignored('conversation_updated reports a status change to an unknown status');
	}
	const observedAt = isoMs(changes.updated_at?.current_value) ?? bodyUpdatedAt ?? 0;
	const createdAt = secondsToMs(payload.created_at);
	// A new conversation in a bot inbox reports its creation as open -> pending: that is no reopen.
	const isCreation =
		previousPlatformStatus === 'open' &&
		status === 'pending' &&
		createdAt !== null &&
		observedAt - createdAt <= CREATION_WINDOW_MS;
	if (isCreation) {
		return observation(base, {
			previousPlatformStatusHint: null,
			status,
			platformStatus,
			previousPlatformStatus: null,
			observedAt,
			kind: 'created',
			weak: false,
			fields: asNewConversation(base.fields),
			explain: () => createdExplanation(payload, status, base.fields.contact),
		});
	}
	const snoozedUntil = isoMs(changes.snoozed_until?.previous_value);
	return observation(base, {
		previousPlatformStatusHint: null,
		status,
		platformStatus,
		previousPlatformStatus,
		observedAt,
		kind: 'transition',
		weak: false,
		explain: (previous) =>
			changeExplanation(
				payload,
				previous,
				status,
				snoozedUntil !== null ? { snoozedUntil, observedAt } : null,
				base.fields.contact,
			),
	});
}

interface AttributeChange {
	previous_value?: unknown;
	current_value?: unknown;
}

/** changed_attributes is a list of one-key objects, or null. */
function changedAttributes(payload: JsonRecord): Record<string, AttributeChange> {
	const changes: Record<string, AttributeChange> = {};
	for (const entry of list(payload.changed_attributes)) {
		const item = record(entry);
		if (item === null) continue;
		for (const [name, value] of Object.entries(item)) {
			const change = record(value);
			if (change !== null) changes[name] = change;
		}
	}
	return changes;
}

function createdExplanation(payload: JsonRecord, status: Status, contact: Contact | null): Explanation {
	const cause = status === 'pending' && latestMessageFromCustomerOrBot(payload) ? 'bot_inbox' : 'conversation_created';
	return { cause, actor: latestMessageIncoming(payload) ? contactActor(contact) : null };
}

/** Chatwoot reopens a resolved conversation as pending only when the inbox has an active bot (agent bot,
 * Dialogflow or Captain); a snoozed one, or a resolved one without a bot, reopens as open. The contact whose
 * message reopened it is the actor; other changes do not say who made them. */
function changeExplanation(
	payload: JsonRecord,
	previous: Status | null,
	status: Status,
	snooze: { snoozedUntil: number; observedAt: number } | null,
	contact: Contact | null,
): Explanation {
	const cause = changeCause(payload, previous, status, snooze);
	return { cause, actor: cause === 'bot_inbox' || cause === 'customer_message' ? contactActor(contact) : null };
}

function contactActor(contact: Contact | null): Actor | null {
	return contact === null ? null : { type: 'contact', id: contact.id, name: contact.name, email: contact.email };
}

function changeCause(
	payload: JsonRecord,
	previous: Status | null,
	status: Status,
	snooze: { snoozedUntil: number; observedAt: number } | null,
): Cause {
	if (status === 'pending' && previous === 'resolved' && latestMessageFromCustomerOrBot(payload)) return 'bot_inbox';
	if (status === 'open' && snooze !== null && snooze.snoozedUntil <= snooze.observedAt) return 'snooze_expired';
	if (status === 'open' && (previous === 'resolved' || previous === 'snoozed') && latestMessageIncoming(payload)) {
		return 'customer_message';
	}
	return 'unknown';
}

function latestMessage(payload: JsonRecord): JsonRecord | null {
	return record(list(payload.messages)[0]);
}

function latestMessageIncoming(payload: JsonRecord): boolean {
	const type = latestMessage(payload)?.message_type;
	return type === 0 || type === 'incoming';
}

/** Payloads are built late: the bot may already have answered the message that reopened the conversation. */
function latestMessageFromCustomerOrBot(payload: JsonRecord): boolean {
	if (latestMessageIncoming(payload)) return true;
	const sender = record(latestMessage(payload)?.sender);
	return text(sender?.type) === 'agent_bot' || text(latestMessage(payload)?.sender_type) === 'AgentBot';
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

/** Chatwoot sends updated_at as float seconds and created_at as integer seconds. */
function secondsToMs(value: unknown): number | null {
	const seconds = finiteNumber(value);
	return seconds === null ? null : Math.round(seconds * 1000);
}
