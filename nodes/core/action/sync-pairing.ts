/**
 * Which conversation on the other platform a change is synced to: the rules, pure (sync-read.ts reads what they
 * need, sync-write.ts writes the pair). Each conversation of a pair keeps its counterpart's id in a field people can
 * see and edit (a Chatwoot custom attribute, a FreeScout custom field).
 *
 * Accepted, in this order:
 * 1. the counterpart id given in the node (the user's own lookup): used as it is, nothing written;
 * 2. the id the changed conversation keeps, unless that conversation keeps another id (then nothing is synced);
 * 3. by the customer's e-mail address, a conversation that keeps the changed one's id already;
 * 4. by the customer's e-mail address, the only conversation that can be the same request: of the same customer,
 *    open or pending, created within the pairing window of the changed conversation, and paired with nothing. The
 *    pair is then written on both sides, the target's field first by compare-and-set (sync-write.ts).
 * Refused: closed, spam and snoozed conversations, those created further apart than the window, those paired with
 * another conversation, and any choice between several (the item says which, and nothing is written). A refused
 * conversation can still be paired explicitly, by 1 or by putting the ids into the fields.
 */
import type { ConversationSnapshot } from './conversation-api';
import { isoMs, positiveInteger } from '../json';
import type { Status } from '../types';

export interface PairingOptions {
	/** A counterpart id given by the user (their own lookup): used as it is and not written anywhere. */
	counterpartId: number | null;
	/** Look for the counterpart by the customer's e-mail address when no id is kept. */
	byEmail: boolean;
	/** How far apart the creation of two conversations may lie for them to be paired by e-mail. */
	windowMs: number;
	/** The field that keeps the counterpart's id, on the source and on the target platform (null: it has none). */
	sourceField: string | null;
	targetField: string | null;
}

export const DEFAULT_PAIRING_WINDOW_HOURS = 24;

/** The statuses of a conversation that is still the customer's request being handled. */
export const PAIRABLE_STATUSES: readonly Status[] = ['open', 'pending'];

export type PairedBy = 'given' | 'stored' | 'email';

/** What the pair still needs written: the target's field (claimed by compare-and-set), the source's field. */
export interface PairWrites {
	claimTarget: boolean;
	keepOnSource: boolean;
}

/** A conversation looked at for a pairing by e-mail, and why it was refused (null: it was chosen). */
export interface Candidate {
	conversationId: number;
	status: Status | null;
	createdAt: string | null;
	refused: string | null;
}

export type Pairing =
	| { paired: true; conversationId: number; pairedBy: PairedBy; writes: PairWrites }
	| { paired: false; reason: string };

/** Names for the reasons: "Chatwoot conversation 5", "FreeScout". */
export interface PairingNames {
	source: string;
	sourcePlatform: string;
	targetPlatform: string;
	/** Where the user can put the counterpart's id by hand: `the Chatwoot custom attribute "x"`, or null. */
	sourceField: string | null;
}

/** The counterpart id a conversation keeps in `field`, or null (only its own fields count, never inherited ones). */
export function keptId(conversation: ConversationSnapshot, field: string | null): number | null {
	if (field === null || !Object.prototype.hasOwnProperty.call(conversation.attributes, field)) return null;
	return positiveInteger(conversation.attributes[field]);
}

/** The counterpart a source conversation keeps, checked against what that counterpart keeps (rule 2). */
export function checkStoredPair(
	source: ConversationSnapshot,
	target: ConversationSnapshot,
	options: PairingOptions,
	names: { source: string; target: string },
): Pairing {
	const pointsAt = keptId(target, options.targetField);
	if (pointsAt !== null && pointsAt !== source.conversationId) {
		return {
			paired: false,
			reason: `${names.source} keeps ${target.conversationId} as its counterpart, but ${names.target} keeps ${pointsAt}: correct one of the two`,
		};
	}
	return { paired: true, conversationId: target.conversationId, pairedBy: 'stored', writes: { claimTarget: pointsAt === null, keepOnSource: false } };
}

const sameEmail = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
const HOUR_MS = 60 * 60 * 1000;

/** Why a candidate cannot be the same request as the source (rule 4), or null when it can. */
function refusal(source: ConversationSnapshot, candidate: ConversationSnapshot, email: string, options: PairingOptions, names: PairingNames): string | null {
	if (!sameEmail(candidate.contactEmail, email)) return `another customer (${candidate.contactEmail ?? 'no e-mail address'})`;
	const holder = keptId(candidate, options.targetField);
	if (holder !== null) return `paired with ${names.sourcePlatform} conversation ${holder}`;
	if (candidate.status === null || !PAIRABLE_STATUSES.includes(candidate.status)) {
		return `${candidate.status ?? candidate.platformStatus}: only open or pending conversations are paired by e-mail`;
	}
	const sourceCreated = isoMs(source.createdAt);
	const candidateCreated = isoMs(candidate.createdAt);
	if (sourceCreated === null || candidateCreated === null) return 'creation time unknown';
	const apart = Math.abs(sourceCreated - candidateCreated);
	if (apart > options.windowMs) {
		return `created ${Math.round(apart / HOUR_MS)} h apart from ${names.source} (pairing window: ${Math.round(options.windowMs / HOUR_MS)} h)`;
	}
	return null;
}

/** Rules 3 and 4 over the customer's conversations on the target platform. */
export function chooseByEmail(
	source: ConversationSnapshot,
	email: string,
	conversations: readonly ConversationSnapshot[],
	options: PairingOptions,
	names: PairingNames,
): { pairing: Pairing; candidates: Candidate[] } {
	const describe = (conversation: ConversationSnapshot, refused: string | null): Candidate => ({
		conversationId: conversation.conversationId,
		status: conversation.status,
		createdAt: conversation.createdAt,
		refused,
	});
	const pointingBack = conversations.find((conversation) => keptId(conversation, options.targetField) === source.conversationId);
	if (pointingBack !== undefined) {
		return {
			pairing: { paired: true, conversationId: pointingBack.conversationId, pairedBy: 'email', writes: { claimTarget: false, keepOnSource: true } },
			candidates: [describe(pointingBack, null)],
		};
	}
	const judged = conversations.map((conversation) => ({ conversation, refused: refusal(source, conversation, email, options, names) }));
	const eligible = judged.filter((entry) => entry.refused === null);
	const on = `on ${names.targetPlatform}`;
	const giveIt = (which: string) =>
		`give ${which} id in Counterpart Conversation ID${names.sourceField === null ? '' : ` or put it into ${names.sourceField}`} to pair it anyway`;
	if (eligible.length === 1) {
		const [chosen] = eligible;
		return {
			pairing: { paired: true, conversationId: chosen.conversation.conversationId, pairedBy: 'email', writes: { claimTarget: true, keepOnSource: true } },
			candidates: judged.map((entry) => describe(entry.conversation, entry.refused)),
		};
	}
	if (eligible.length > 1) {
		const ids = eligible.map((entry) => entry.conversation.conversationId).join(', ');
		const reason = `not paired: ${eligible.length} conversations of ${email} ${on} could be the same request (${ids}); ${giveIt("the right one's")}`;
		// Which ones were in question: each is refused for being one of several.
		return {
			pairing: { paired: false, reason },
			candidates: judged.map((entry) => describe(entry.conversation, entry.refused ?? 'one of several that could be the same request')),
		};
	}
	const refused = judged.map((entry) => `${entry.conversation.conversationId}: ${entry.refused ?? ''}`).join('; ');
	const reason =
		judged.length === 0
			? `not paired: no conversation of ${email} ${on}`
			: `not paired: no conversation of ${email} ${on} can be the same request as ${names.source} (${refused}); ${giveIt('its')}`;
	return { pairing: { paired: false, reason }, candidates: judged.map((entry) => describe(entry.conversation, entry.refused)) };
}
