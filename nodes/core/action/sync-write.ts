/**
 * Sync Status, step 3 of 3: the writes the plan asks for. The pair first: the target's field by compare-and-set (a
 * lost claim stops the sync: nothing else is written), then the source's field; then the one status write. After a
 * status write to the target the source is read again, and where it changed meanwhile the target follows it (the
 * same read, decide, write once more).
 *
 * Compare-and-set on platforms that have none: right before writing, the target's field is read (it must be empty
 * or already hold the source); after writing, it is read again (it must hold the source). Claims of one target in
 * this n8n process take turns, so two Syncs here never both win; between processes the verify read catches every
 * other claim written before it, and a claim written later shows as a pair conflict on the next sync of either
 * conversation (sync-pairing.ts rule 2), never as a silent second pair.
 */
import type { ConversationSnapshot } from './conversation-api';
import { ApiCallError, InvalidParameterError } from './conversation-api';
import type { Session, WriteResult } from './operations';
import { readConversation, writeStatus } from './operations';
import type { RecentWrites } from './sync-echoes';
import type { MappingRule } from './sync-mapping';
import { mapStatusOrNull } from './sync-mapping';
import { keptId } from './sync-pairing';
import { conversationName } from './sync-read';
import type { ApiRequest } from '../http';
import type { Status } from '../types';

/** Lets the claims of one conversation run one after the other within this process. */
export class PairClaims {
	private readonly tails = new Map<string, Promise<unknown>>();

	async inTurn<T>(key: string, claim: () => Promise<T>): Promise<T> {
		const previous = this.tails.get(key) ?? Promise.resolve();
		const run = previous.then(claim, claim);
		const tail = run.catch(() => undefined);
		this.tails.set(key, tail);
		try {
			return await run;
		} finally {
			if (this.tails.get(key) === tail) this.tails.delete(key);
		}
	}
}

/** What Sync keeps in this n8n process between executions. */
export interface SyncMemory {
	recentWrites: RecentWrites;
	claims: PairClaims;
}

/** How RecentWrites and PairClaims know a conversation: platform, installation and id. */
export const conversationKey = (session: Session, conversationId: number) => `${session.api.platform}|${session.instance}|${conversationId}`;

export type ClaimOutcome = { claimed: true; warnings: string[] } | { claimed: false; reason: string };

/** A failure to write a pair field that costs a warning (no such field there), not the sync. */
function pairWarning(session: Session, conversationId: number, failure: unknown): string {
	if (failure instanceof ApiCallError || failure instanceof InvalidParameterError) {
		return `The pair could not be kept on ${conversationName(session, conversationId)}: ${failure.message}. ${failure.description}`;
	}
	throw failure;
}

async function writeField(session: Session, conversation: ConversationSnapshot, field: string, value: number): Promise<void> {
	const pairing = session.api.pairing;
	if (pairing === undefined) return;
	const call = async (request: ApiRequest) => await session.ok(request, { conversationId: conversation.conversationId, action: 'pairing' });
	await pairing.writeField(call, session.scope, conversation, field, value);
}

/** Writes the source's id into the target's field by compare-and-set (see the file comment). */
export async function claimTarget(
	sessions: { source: Session; target: Session },
	ids: { source: number; target: number },
	field: string | null,
	claims: PairClaims,
): Promise<ClaimOutcome> {
	const { source, target } = sessions;
	if (field === null || target.api.pairing === undefined) return { claimed: true, warnings: [] };
	const targetName = conversationName(target, ids.target);
	const takenBy = (holder: number) =>
		`not paired: ${targetName} was paired with ${conversationName(source, holder)} meanwhile (its ${target.api.pairing?.fieldKind ?? 'field'} "${field}" says ${holder}); nothing was written`;
	return await claims.inTurn(conversationKey(target, ids.target), async () => {
		const before = await readConversation(target, ids.target);
		const holder = keptId(before, field);
		if (holder !== null && holder !== ids.source) return { claimed: false, reason: takenBy(holder) };
		if (holder === null) {
			const failure = await writeField(target, before, field, ids.source).then(
				() => null,
				(error: unknown) => error,
			);
			// No such field there: nothing to claim, so nothing to compare; the pair is found by e-mail again next time.
			if (failure !== null) return { claimed: true, warnings: [pairWarning(target, ids.target, failure)] };
		}
		const after = keptId(await readConversation(target, ids.target), field);
		if (after !== ids.source) return { claimed: false, reason: after === null ? `not paired: ${targetName} did not keep the pair written into "${field}"; nothing else was written` : takenBy(after) };
		return { claimed: true, warnings: [] };
	});
}

/** Writes the target's id into the source's field; a side that cannot keep it costs a warning. */
export async function keepOnSource(source: Session, conversation: ConversationSnapshot, field: string | null, targetId: number): Promise<string[]> {
	if (field === null || source.api.pairing === undefined) return [];
	return await writeField(source, conversation, field, targetId).then(
		() => [],
		(failure: unknown) => [pairWarning(source, conversation.conversationId, failure)],
	);
}

export interface StatusWrite {
	session: Session;
	/** The conversation as just read. */
	current: ConversationSnapshot;
	status: Status;
	userId: number | null;
	/** Why, for the reason shown when the write's echo comes back. */
	cause: string;
}

/** Writes a status and remembers the write, so its echo is recognized (sync-echoes.ts). */
export async function writeAndRemember(write: StatusWrite, recentWrites: RecentWrites): Promise<WriteResult> {
	const { session, current, status, userId, cause } = write;
	const written = await writeStatus(session, current, status, { snoozedUntil: null, userId });
	recentWrites.remember(conversationKey(session, current.conversationId), {
		status: written.status ?? status,
		previousStatus: current.status,
		description: `${conversationName(session, current.conversationId)} was set to ${status} because ${cause}`,
	});
	return written;
}

/**
 * After a write to the target: if the source changed meanwhile, the target follows its new status (null: nothing to
 * follow). Read both again, decide, write at most once.
 */
export async function followSource(
	sessions: { source: Session; target: Session },
	change: { conversationId: number; status: Status },
	written: WriteResult,
	options: { rules: readonly MappingRule[]; userId: number | null; recentWrites: RecentWrites },
): Promise<WriteResult | null> {
	const { source, target } = sessions;
	const now = await readConversation(source, change.conversationId);
	if (now.status === null || now.status === change.status) return null;
	const follow = mapStatusOrNull(now.status, target.api, options.rules);
	if (follow === null || target.api.statuses.fromStatus(follow) === written.platformStatus) return null;
	// Compare-and-set again: a target that is no longer what was just written has a newer change of its own.
	const current = await readConversation(target, written.conversationId);
	if (current.platformStatus !== written.platformStatus) return null;
	const meanwhile = `${conversationName(source, change.conversationId)} changed to ${now.status} while this change was synced`;
	const followed = await writeAndRemember({ session: target, current, status: follow, userId: options.userId, cause: meanwhile }, options.recentWrites);
	return { ...followed, notes: [...followed.notes, `${meanwhile}; ${conversationName(target, written.conversationId)} followed it`] };
}
