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
 * When a status was true, as precisely as the platform tells: `t` in milliseconds since epoch (Chatwoot's
 * updated_at has sub-second precision, FreeScout's times whole seconds) and `k`, a tie-break within the same `t`
 * (FreeScout thread ids, which only grow; 0 where the platform has none).
 */
export interface Stamp {
	t: number;
	k: number;
}

export interface Explanation {
	cause: Cause;
	actor: Actor | null;
}

/** One status of the conversation at one moment, as a delivery shows it. */
export interface StatusPoint {
	status: Status;
	platformStatus: string;
	at: Stamp;
	/** Why the conversation has this status and who set it, given the status before. */
	explain(previous: Status | null): Explanation;
}

/**
 * How the delivery's own point counts:
 * - 'transition': the platform states that the status changed to this one here (Chatwoot's status diff, FreeScout's
 *   convo.status): a change even when the trigger remembers the same status, since something it missed came between.
 * - 'created': a new conversation with its first status.
 * - 'state': the status right after the event (a reply, an assignment): a change when it differs from the last known
 *   status. `firstSight` says whether it is also a change when nothing earlier is known.
 * - 'snapshot': the status when a late payload was built; it may already include changes that other deliveries
 *   report, so it never starts a change on its own (two processes could both report one change from it).
 */
export type PointKind = 'transition' | 'created' | 'state' | 'snapshot';

export interface OwnPoint extends StatusPoint {
	kind: PointKind;
	/** The status right before, when the platform states it (Chatwoot's changed_attributes); else null. */
	previousPlatformStatus: string | null;
	/** For 'state' points of a conversation the trigger does not know and whose history shows no earlier status. */
	firstSight: 'change' | 'no-change';
}

/**
 * What a platform parser reads from one delivery: the delivery's own point and, where the payload carries it, the
 * conversation's status history (FreeScout thread list). The decision compares both with the memory.
 */
export interface Observation {
	platform: Platform;
	event: string;
	/** Memory key: unique per conversation within one trigger node. */
	conversationKey: string;
	own: OwnPoint;
	/** Status evidence the payload carries besides its own point, in any order (it may be newer than `own`). */
	history: StatusPoint[];
	fields: ChangeFields;
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
	/** The account of the credential, for payloads that carry none (Chatwoot before 4.14.2). */
	accountId: number | null;
	/** Users whose changes count as made through the API (the user the action node acts as). */
	apiUserIds: number[];
}
