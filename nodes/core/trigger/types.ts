/** What the trigger reads out of one delivery, before it is compared with what it already knows. */
import type { Actor, Cause, Platform, Status, StatusChange } from '../types';

/** A raw webhook delivery as the node received it. */
export interface Delivery {
	/** The exact request body bytes (signatures are computed over them). */
	rawBody: Buffer | string | undefined;
	/** The body as n8n parsed it, used only when rawBody is missing. */
	parsedBody?: unknown;
	/** Header names in lower case. */
	headers: Record<string, string | string[] | undefined>;
}

/**
 * What a platform parser reads from one delivery: the state of one conversation at one moment.
 * The dedupe step compares it with memory to decide whether it is a real change.
 */
export interface Observation {
	platform: Platform;
	event: string;
	/** Memory key: unique per conversation across accounts/mailboxes. */
	conversationKey: string;
	status: Status;
	platformStatus: string;
	/** The previous status the payload itself proves (Chatwoot changed_attributes), else null. */
	previousPlatformStatus: string | null;
	/** A weaker guess at the previous status (FreeScout thread history), used only without memory. */
	previousPlatformStatusHint: string | null;
	/** When the observed status was true, in ms since epoch. */
	observedAt: number;
	/**
	 * 'transition': the payload reports a status change (always report it, even without memory).
	 * 'created': a new conversation with its first status.
	 * 'state': a snapshot that may or may not differ from the last known status.
	 */
	kind: 'transition' | 'created' | 'state';
	/**
	 * A weak observation may have been built after later changes (Chatwoot's late payloads); it waits briefly for
	 * a companion delivery that carries the exact transition before it is trusted.
	 */
	weak: boolean;
	/** Why the status changed and who changed it; it may depend on the previous status. */
	explain(previous: Status | null): Explanation;
	fields: ChangeFields;
}

export interface Explanation {
	cause: Cause;
	actor: Actor | null;
}

/** Everything of the emitted item that the parser knows without memory. */
export type ChangeFields = Pick<
	StatusChange,
	| 'conversationId'
	| 'conversationNumber'
	| 'accountId'
	| 'mailboxId'
	| 'inboxId'
	| 'contact'
	| 'assignee'
	| 'subject'
	| 'conversationUrl'
	| 'isNewConversation'
>;

export interface Ignored {
	ignored: true;
	reason: string;
}

export type ParseResult = Observation | Ignored;

export function ignored(reason: string): Ignored {
	return { ignored: true, reason };
}

export function isIgnored(result: unknown): result is Ignored {
	return typeof result === 'object' && result !== null && (result as Ignored).ignored === true;
}

/** What a parser needs to know besides the delivery itself. */
export interface ParseContext {
	/** The platform's base URL from the credential, for links into its UI; null when unknown. */
	baseUrl: string | null;
	/** Chatwoot account of the credential, for payloads older than 4.14.2 that carry no account. */
	accountId: number | null;
	/** Users whose changes count as made through the API (the user the action node acts as). */
	apiUserIds: number[];
}
