/**
 * Sync Status, step 1 of 3: everything it reads before it decides. The conversation that changed, its counterpart on
 * the other platform (by the given id, the kept id, or the customer's e-mail under the rules of sync-pairing.ts),
 * and, only where the decision needs it, when the counterpart's status was set.
 */
import type { ConversationSnapshot } from './conversation-api';
import type { Session } from './operations';
import { readConversation } from './operations';
import type { Instant } from './sync-decision';
import type { Candidate, PairedBy, PairingOptions, PairWrites } from './sync-pairing';
import { checkStoredPair, chooseByEmail, keptId } from './sync-pairing';
import type { ApiRequest } from '../http';
import { isoMs } from '../json';

export const conversationName = (session: Session, conversationId: number) => `${session.api.displayName} conversation ${conversationId}`;

export type CounterpartReading =
	| { found: true; target: ConversationSnapshot; pairedBy: PairedBy; writes: PairWrites; candidates: Candidate[] }
	| { found: false; reason: string; candidates: Candidate[] };

/** The conversation that changed, as it is now (read again after a write, to follow a newer change). */
export async function readSource(source: Session, conversationId: number): Promise<ConversationSnapshot> {
	return await readConversation(source, conversationId);
}

/** The counterpart of the source conversation, read in full; or why there is none to sync to. */
export async function readCounterpart(
	sessions: { source: Session; target: Session },
	source: ConversationSnapshot,
	options: PairingOptions,
): Promise<CounterpartReading> {
	const { target } = sessions;
	const sourceName = conversationName(sessions.source, source.conversationId);
	if (options.counterpartId !== null) {
		const given = await readConversation(target, options.counterpartId);
		return { found: true, target: given, pairedBy: 'given', writes: { claimTarget: false, keepOnSource: false }, candidates: [] };
	}
	const storedId = keptId(source, options.sourceField);
	if (storedId !== null) {
		const stored = await readConversation(target, storedId);
		const pairing = checkStoredPair(source, stored, options, { source: sourceName, target: conversationName(target, storedId) });
		if (!pairing.paired) return { found: false, reason: pairing.reason, candidates: [] };
		return { found: true, target: stored, pairedBy: pairing.pairedBy, writes: pairing.writes, candidates: [] };
	}

	const kind = sessions.source.api.pairing?.fieldKind;
	const field = kind === undefined || options.sourceField === null ? null : `the ${sessions.source.api.displayName} ${kind} "${options.sourceField}"`;
	const where = field === null ? 'no counterpart id' : `nothing in ${field}`;
	const search = target.api.pairing;
	if (!options.byEmail || search === undefined) return { found: false, reason: `not paired: ${sourceName} has ${where}`, candidates: [] };
	const email = source.contactEmail;
	if (email === null) return { found: false, reason: `not paired: ${sourceName} has ${where} and no customer e-mail address`, candidates: [] };

	const call = async (request: ApiRequest) => await target.ok(request, { conversationId: null, action: 'pairing' });
	const created = isoMs(source.createdAt);
	const createdSince = created === null ? null : new Date(created - options.windowMs).toISOString();
	const conversations = await search.findByContactEmail(call, target.scope, email, createdSince);
	const names = { source: sourceName, sourcePlatform: sessions.source.api.displayName, targetPlatform: target.api.displayName, sourceField: field };
	const { pairing, candidates } = chooseByEmail(source, email, conversations, options, names);
	if (!pairing.paired) return { found: false, reason: pairing.reason, candidates };
	// A list item is the conversation as a single read reports it; the claim reads it again before writing.
	const chosen = conversations.find((conversation) => conversation.conversationId === pairing.conversationId) as ConversationSnapshot;
	return { found: true, target: chosen, pairedBy: pairing.pairedBy, writes: pairing.writes, candidates };
}

/** When the target's status was set at the latest, where its platform tells (null: it does not, or no sign of it). */
export async function readStatusSetAt(target: Session, conversationId: number): Promise<Instant | null> {
	const history = target.api.statusHistory;
	if (history === undefined) return null;
	const response = await target.ok(history.request(conversationId, target.scope), { conversationId, action: 'reading' });
	const ms = isoMs(history.readStatusSetAt(response));
	return ms === null ? null : { ms, resolutionMs: target.api.clockResolutionMs };
}
