/**
 * Why a Chatwoot conversation has its status, and who set it, as far as one delivery shows it: the cause comes from
 * the statuses before and after, the latest message in the payload (messages[0]: the latest non-activity message,
 * integer message_type, 0 = incoming, created_at in whole seconds) and the snooze diff.
 */
import type { Explanation } from '../../core/trigger/types';
import { finiteNumber, list, record, text, type JsonRecord } from '../../core/json';
import type { Actor, Cause, Contact, Status } from '../../core/types';

/**
 * A contact's message reopens the conversation in the same request (message.rb L324-333): the message is at most this
 * far from the change. A latest message much older did not cause it (a snooze running out later).
 */
const MESSAGE_CAUSE_WINDOW_MS = 10_000;

export function createdExplanation(payload: JsonRecord, status: Status, contact: Contact | null): Explanation {
	const cause = status === 'pending' && latestMessageFromCustomerOrBot(payload) ? 'bot_inbox' : 'conversation_created';
	return { cause, actor: latestMessageIncoming(payload) ? contactActor(contact) : null };
}

/** Chatwoot reopens a resolved conversation as pending only when the inbox has an active bot (agent bot,
 * Dialogflow or Captain); a snoozed one, or a resolved one without a bot, reopens as open. The contact whose
 * message reopened it is the actor; other changes do not say who made them. */
export function changeExplanation(
	payload: JsonRecord,
	previous: Status | null,
	status: Status,
	snooze: { snoozedUntil: number; at: number } | null,
	contact: Contact | null,
	changedAt: number,
): Explanation {
	const cause = changeCause(payload, previous, status, snooze, changedAt);
	return { cause, actor: cause === 'bot_inbox' || cause === 'customer_message' ? contactActor(contact) : null };
}

function contactActor(contact: Contact | null): Actor | null {
	return contact === null ? null : { type: 'contact', id: contact.id, name: contact.name, email: contact.email };
}

function changeCause(
	payload: JsonRecord,
	previous: Status | null,
	status: Status,
	snooze: { snoozedUntil: number; at: number } | null,
	changedAt: number,
): Cause {
	if (status === 'pending' && previous === 'resolved' && latestMessageFromCustomerOrBot(payload)) return 'bot_inbox';
	if (status !== 'open') return 'unknown';
	if (snooze !== null && snooze.snoozedUntil <= snooze.at) return 'snooze_expired';
	const contactJustWrote = incomingMessageWithin(payload, changedAt, MESSAGE_CAUSE_WINDOW_MS);
	if ((previous === 'resolved' || previous === 'snoozed') && contactJustWrote) return 'customer_message';
	// The snooze ended by itself: no contact message reopened it (the diff of an auto-assigned reopen lacks snoozed_until).
	if (previous === 'snoozed') return 'snooze_expired';
	// Pending (held for a bot) -> open: the conversation went to the humans. The payload cannot tell the bot's
	// handoff from Force Open or from Chatwoot opening it because the bot's webhook failed (all three can come
	// seconds after the contact's message); only the activity message Chatwoot writes afterwards names who did it.
	if (previous === 'pending') return 'bot_handoff';
	return 'unknown';
}

/**
 * The latest message is the contact's and was written within `windowMs` of the change: the message that reopened it
 * comes just before it, and a payload built late may already show the contact's next message just after it. A
 * message much older (a snooze running out hours later) did not cause it.
 */
function incomingMessageWithin(payload: JsonRecord, changedAt: number, windowMs: number): boolean {
	if (!latestMessageIncoming(payload)) return false;
	const seconds = finiteNumber(latestMessage(payload)?.created_at); // whole seconds
	const writtenAt = seconds === null ? null : seconds * 1000;
	// Without a time (an unusual payload) the incoming message is taken as the cause, as Chatwoot's order suggests.
	if (writtenAt === null || changedAt <= 0) return true;
	return Math.abs(changedAt - writtenAt) <= windowMs;
}

export function latestMessage(payload: JsonRecord): JsonRecord | null {
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

