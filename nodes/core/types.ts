/**
 * The normalized vocabulary shared by every platform and both nodes. Nothing in nodes/core imports n8n: the core is
 * plain TypeScript, unit-tested directly, and the nodes only call it.
 */

/** A platform's id (its folder name under nodes/platforms/, e.g. "chatwoot"). */
export type Platform = string;

/** One status vocabulary for every platform; each platform's own word is kept beside it. */
export type Status = 'open' | 'pending' | 'resolved' | 'snoozed' | 'spam';
export const STATUSES: readonly Status[] = ['open', 'pending', 'resolved', 'snoozed', 'spam'];

export function isStatus(value: unknown): value is Status {
	return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** A platform's own status words and the normalized vocabulary, both ways (null: no such status there). */
export interface StatusMap {
	toStatus(platformStatus: string): Status | null;
	fromStatus(status: Status): string | null;
}

/** Why the status changed, as far as the delivery shows it. */
export type Cause =
	| 'customer_message'
	| 'bot_inbox'
	| 'bot_handoff'
	| 'bot_failure'
	| 'conversation_created'
	| 'agent'
	| 'api'
	| 'snooze_expired'
	| 'automation'
	| 'unknown';
export const CAUSES: readonly Cause[] = [
	'customer_message',
	'bot_inbox',
	'bot_handoff',
	'bot_failure',
	'conversation_created',
	'agent',
	'api',
	'snooze_expired',
	'automation',
	'unknown',
];

/** Where previousStatus came from: the payload itself, the trigger's memory, or thread history (a hint). */
export type PreviousStatusSource = 'payload' | 'memory' | 'history' | null;

export interface Actor {
	type: 'contact' | 'agent' | 'bot' | 'api_user' | 'system';
	id: number | string | null;
	name: string | null;
	email: string | null;
}

export interface Contact {
	id: number | string | null;
	name: string | null;
	email: string | null;
	phone: string | null;
}

export interface Assignee {
	id: number | string | null;
	name: string | null;
	email: string | null;
	type: 'agent' | 'bot' | 'team' | null;
}

/** The item the trigger emits: the same shape for every platform. */
export interface StatusChange {
	platform: Platform;
	/** The id the platform's API takes (Chatwoot display id, FreeScout conversation id). */
	conversationId: number;
	/** The number people see, where it differs from the id (FreeScout); else null. */
	conversationNumber: number | null;
	accountId: number | null;
	mailboxId: number | null;
	inboxId: number | null;
	status: Status;
	previousStatus: Status | null;
	previousStatusSource: PreviousStatusSource;
	platformStatus: string;
	previousPlatformStatus: string | null;
	cause: Cause;
	isNewConversation: boolean;
	changedAt: string;
	actor: Actor | null;
	contact: Contact | null;
	assignee: Assignee | null;
	subject: string | null;
	conversationUrl: string | null;
	/** The platform event(s) the change was read from. */
	event: string[];
	/**
	 * True when the trigger already knew a newer status point of the conversation when this change's delivery came
	 * (a delivery that came late, out of order, or after priming read a newer status). The change is real and was
	 * never reported before; `changedAt` is when it happened.
	 */
	late: boolean;
	/**
	 * True when a newer, different status is known (the same delivery showed a later change, or the trigger knew
	 * one): the change happened, but the conversation's status is not this one any more.
	 */
	superseded: boolean;
	/** Stable for one change of one conversation, whichever delivery reported it: use it to deduplicate downstream. */
	dedupeKey: string;
}
