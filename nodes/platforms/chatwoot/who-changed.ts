/**
 * Who made a Chatwoot status change, from the activity message Chatwoot writes after it (option "Look Up Who Changed
 * It", one read per item): GET /api/v1/accounts/{account}/conversations/{id}/messages answers {meta, payload: [the
 * latest messages, oldest first]}; activity messages have message_type 2, created_at in whole seconds, no sender.
 * Texts (Conversations::ActivityMessageJob and its handlers, lib/webhooks/trigger.rb L82-89):
 * - "Conversation was marked resolved by <name>", "Conversation was reopened by <name>", "Conversation was marked as
 *   pending by <name>", "Conversation was snoozed by <name>": a user or an agent bot (by its name) did it;
 * - "Conversation was marked open by system due to an error with the agent bot.": Chatwoot opened it because the
 *   agent bot's webhook failed or timed out;
 * - "System reopened the conversation due to a new incoming message.": a contact's message on an API inbox;
 * - with the older assignment system, a change to open hidden by the auto-assignment writes no status message, but
 *   the assignment's "Assigned to <agent> by <name>" (or "<name> self-assigned this conversation") names who made
 *   it ("Automation System" when a contact's message did: left as it is).
 * Changes by nobody (a snooze running out, a widget reopen, the older system's hidden changes to open) write none
 * with a name: the item is then left as the delivery showed it.
 */
import type { ApiRequest, ApiResponse } from '../../core/http';
import { integer, list, record, text } from '../../core/json';
import type { Actor, Cause, Status, StatusChange } from '../../core/types';

const ACTIVITY = 2;
const BY_NAME: Array<[Status, RegExp]> = [
	['resolved', /^Conversation was marked resolved by (.+)$/],
	['open', /^Conversation was reopened by (.+)$/],
	['pending', /^Conversation was marked as pending by (.+)$/],
	['snoozed', /^Conversation was snoozed by (.+)$/],
];
const BOT_FAILED = /^Conversation was marked open by system due to an error with the agent bot\.?$/;
/** The auto-assignment inside the save that opened it, by whoever made that save. */
const ASSIGNED_BY: RegExp[] = [/^Assigned to .+ by (.+)$/, /^(.+) self-assigned this conversation$/];
const AUTOMATION_SYSTEM = 'Automation System';
/** The activity job runs after the change's save: its message is not older than the change's second. */
const SLACK_SECONDS = 1;

export function whoChangedRequest(change: StatusChange): ApiRequest | null {
	if (change.accountId === null) return null;
	return { method: 'GET', path: `/api/v1/accounts/${change.accountId}/conversations/${change.conversationId}/messages` };
}

/** The change with its actor and cause from the activity message about it; the change unchanged when none is found. */
export function withWhoChanged(change: StatusChange, response: ApiResponse): StatusChange {
	if (response.statusCode < 200 || response.statusCode >= 300) return change;
	const messages = list(record(response.body)?.payload).map(record);
	const since = Math.floor(Date.parse(change.changedAt) / 1000) - SLACK_SECONDS;
	const bots = new Set(
		messages.flatMap((message) => {
			const sender = record(message?.sender);
			const name = text(sender?.name);
			return text(sender?.type) === 'agent_bot' && name !== null ? [name] : [];
		}),
	);
	for (const message of messages) {
		if (integer(message?.message_type) !== ACTIVITY || (integer(message?.created_at) ?? 0) < since) continue;
		const content = text(message?.content) ?? '';
		if (change.status === 'open' && BOT_FAILED.test(content)) {
			return { ...change, cause: 'bot_failure', actor: { type: 'system', id: null, name: null, email: null } };
		}
		const name = nameIn(change.status, content);
		if (name === null || name === AUTOMATION_SYSTEM) continue;
		const isBot = name !== null && bots.has(name);
		const actor: Actor = { type: isBot ? 'bot' : 'agent', id: null, name, email: null };
		return { ...change, cause: causeOf(change, isBot), actor };
	}
	return change;
}

/** Who the activity message names as having made a change to `status`, or null when it is not about that. */
function nameIn(status: Status, content: string): string | null {
	const patterns = [...BY_NAME.filter(([about]) => about === status).map(([, pattern]) => pattern), ...(status === 'open' ? ASSIGNED_BY : [])];
	for (const pattern of patterns) {
		const name = pattern.exec(content)?.[1];
		if (name !== undefined) return name;
	}
	return null;
}

/** A person's change is the agent's; a bot's pending -> open is its handoff. */
function causeOf(change: StatusChange, isBot: boolean): Cause {
	if (!isBot) return 'agent';
	return change.previousStatus === 'pending' && change.status === 'open' ? 'bot_handoff' : change.cause;
}
