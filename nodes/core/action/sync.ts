/**
 * Sync Status: one status change of a conversation on one platform, applied to its counterpart on the other, as one
 * plan in three steps:
 * 1. read (sync-read.ts): the conversation that changed, its counterpart (found under the pairing rules of
 *    sync-pairing.ts), and when the counterpart's status was set where the decision needs it;
 * 2. decide (sync-decision.ts, pure): write the target, write the source back (the target's status was set later),
 *    or leave both; and what the pair still needs written;
 * 3. write (sync-write.ts): the pair (the target's field by compare-and-set: a lost claim writes nothing else), then
 *    one status write; after a write to the target the source is read again, and where it changed meanwhile the
 *    target follows it (a second write). So every change costs at most two status writes, and interleaved
 *    executions end on the latest change.
 */
import type { ConversationSnapshot } from './conversation-api';
import type { Session, WriteResult } from './operations';
import { unchanged } from './operations';
import { RecentWrites } from './sync-echoes';
import type { Instant, SyncFacts } from './sync-decision';
import { decideByStatus, decideByTime, skipUnread } from './sync-decision';
import type { MappingRule } from './sync-mapping';
import { mapStatus, mapStatusOrNull } from './sync-mapping';
import type { Candidate, PairedBy, PairingOptions } from './sync-pairing';
import { conversationName, readCounterpart, readSource, readStatusSetAt } from './sync-read';
import type { SyncMemory } from './sync-write';
import { claimTarget, conversationKey, followSource, keepOnSource, PairClaims, writeAndRemember } from './sync-write';
import { isoMs } from '../json';
import type { Platform, Status } from '../types';

export type { SyncMemory };

/** What Sync keeps in one n8n process: its recent writes (echoes) and its pair claims. */
export function newSyncMemory(): SyncMemory {
	return { recentWrites: new RecentWrites(), claims: new PairClaims() };
}

export interface IncomingChange {
	platform: Platform;
	conversationId: number;
	status: Status;
	previousStatus: Status | null;
	/** ISO time of the change; null when unknown. */
	changedAt: string | null;
	/** The same delivery showed a later change of the conversation (the trigger marks all but the last). */
	superseded: boolean;
}

export interface SyncRequest {
	change: IncomingChange;
	rules: readonly MappingRule[];
	pairing: PairingOptions;
	/** The user to write as on each side where the platform needs one; null: the credential's default. */
	userIds: { source: number | null; target: number | null };
}

export interface SyncResult extends Omit<WriteResult, 'conversationId' | 'previousPlatformStatus' | 'platformStatus'> {
	/** The counterpart conversation; null when none was found (or its pairing was refused). */
	conversationId: number | null;
	previousPlatformStatus: string | null;
	platformStatus: string | null;
	/** The incoming status, before mapping. */
	requestedStatus: Status;
	/** The conversation that changed, and its status as Sync left it (null: not read). */
	source: { platform: Platform; conversationId: number; status: Status | null };
	pairedBy: PairedBy | null;
	/** The conversations looked at for a pairing by e-mail, and why each was refused (null: the one chosen). */
	candidates: Candidate[];
	/** Status writes made for this change (2 when the source changed again while the first went out). */
	writes: number;
}

interface Sync {
	source: Session;
	target: Session;
	request: SyncRequest;
}

function instant(iso: string | null, resolutionMs: number): Instant | null {
	const ms = isoMs(iso);
	return ms === null ? null : { ms, resolutionMs };
}

export async function syncChange(sessions: { source: Session; target: Session }, request: SyncRequest, memory: SyncMemory): Promise<SyncResult> {
	const sync: Sync = { ...sessions, request };
	const { source, target } = sync;
	const { change } = request;
	const report = reporter(sync);

	// Known before reading anything: a superseded change, the echo of this process's own write, a status not synced.
	const wanted = mapStatus(change.status, target.api, request.rules);
	const ownEcho = memory.recentWrites.takeEcho(conversationKey(source, change.conversationId), change);
	const unread = skipUnread({ superseded: change.superseded, ownEcho }, conversationName(source, change.conversationId));
	if (unread !== null) return report(null, { skipped: unread });
	if (wanted === null) return report(null, { skipped: `status ${change.status} is not synced to ${target.api.displayName} (mapping)` });

	// 1. Read.
	const sourceConversation = await readSource(source, change.conversationId);
	const found = { source: { platform: source.api.platform, conversationId: change.conversationId, status: sourceConversation.status } };
	const counterpart = await readCounterpart(sessions, sourceConversation, request.pairing);
	if (!counterpart.found) return report(null, { ...found, skipped: counterpart.reason, candidates: counterpart.candidates });
	const targetConversation = counterpart.target;
	const facts = factsOf(sync, wanted, sourceConversation, targetConversation);
	const byStatus = decideByStatus(facts);
	const statusSetAt = byStatus === 'by_time' ? await readStatusSetAt(target, targetConversation.conversationId) : null;

	// 2. Decide.
	const verdict = byStatus === 'by_time' ? decideByTime(facts, statusSetAt) : byStatus;
	const pair = counterpart.writes;

	// 3. Write: the pair, then the status.
	const pairWarnings: string[] = [];
	if (pair.claimTarget) {
		const ids = { source: sourceConversation.conversationId, target: targetConversation.conversationId };
		const claim = await claimTarget(sessions, ids, request.pairing.targetField, memory.claims);
		if (!claim.claimed) return report(null, { ...found, skipped: claim.reason, candidates: counterpart.candidates });
		pairWarnings.push(...claim.warnings);
	}
	if (pair.keepOnSource) {
		pairWarnings.push(...(await keepOnSource(source, sourceConversation, request.pairing.sourceField, targetConversation.conversationId)));
	}
	const paired = { ...found, pairedBy: counterpart.pairedBy, candidates: counterpart.candidates };
	if (verdict.action === 'skip') return report(unchanged(targetConversation, verdict.skipped), { ...paired, warnings: pairWarnings });
	if (verdict.action === 'write_source') {
		const later = `${conversationName(target, targetConversation.conversationId)} got its status later than this change`;
		const back = await writeAndRemember(
			{ session: source, current: sourceConversation, status: verdict.status, userId: request.userIds.source, cause: later },
			memory.recentWrites,
		);
		const note = `${later}: ${conversationName(source, change.conversationId)} follows it (${back.platformStatus})`;
		return report(unchanged(targetConversation, null), {
			...paired,
			source: { ...found.source, status: back.status },
			warnings: [...pairWarnings, ...back.warnings],
			notes: [...back.notes, note],
			writes: 1,
		});
	}

	const cause = `${conversationName(source, change.conversationId)} went ${change.status}`;
	const userId = request.userIds.target;
	const written = await writeAndRemember({ session: target, current: targetConversation, status: wanted, userId, cause }, memory.recentWrites);
	const followed = await followSource(sessions, change, written, { rules: request.rules, userId, recentWrites: memory.recentWrites });
	const last = followed ?? written;
	return report(last, {
		...paired,
		previousStatus: targetConversation.status,
		previousPlatformStatus: targetConversation.platformStatus,
		changed: last.platformStatus !== targetConversation.platformStatus,
		warnings: [...pairWarnings, ...written.warnings, ...(followed?.warnings ?? [])],
		notes: [...written.notes, ...(followed?.notes ?? [])],
		writes: followed === null ? 1 : 2,
	});
}

/** Builds the output from the target's write result (null: the target was not reached) and what Sync adds. */
function reporter(sync: Sync) {
	const { source, target, request } = sync;
	return (write: WriteResult | null, extra: Partial<SyncResult>): SyncResult => ({
		platform: target.api.platform,
		conversationId: write?.conversationId ?? null,
		previousStatus: write?.previousStatus ?? null,
		status: write?.status ?? null,
		changed: write?.changed ?? false,
		previousPlatformStatus: write?.previousPlatformStatus ?? null,
		platformStatus: write?.platformStatus ?? null,
		skipped: write?.skipped ?? null,
		warnings: write?.warnings ?? [],
		notes: write?.notes ?? [],
		requestedStatus: request.change.status,
		source: { platform: source.api.platform, conversationId: request.change.conversationId, status: null },
		pairedBy: null,
		candidates: [],
		writes: 0,
		...extra,
	});
}

function factsOf(sync: Sync, wanted: Status, sourceConversation: ConversationSnapshot, targetConversation: ConversationSnapshot): SyncFacts {
	const { source, target, request } = sync;
	const { change, rules } = request;
	return {
		sourceName: conversationName(source, change.conversationId),
		targetName: conversationName(target, targetConversation.conversationId),
		targetPlatformName: target.api.displayName,
		change: { status: change.status, previousStatus: change.previousStatus, at: instant(change.changedAt, source.api.clockResolutionMs) },
		sourceStatus: sourceConversation.status,
		target: {
			status: targetConversation.status,
			platformStatus: targetConversation.platformStatus,
			updatedAt: instant(targetConversation.updatedAt, target.api.clockResolutionMs),
			reportsStatusTimes: target.api.statusHistory !== undefined,
		},
		wanted,
		wantedPlatformStatus: target.api.checkWritable(wanted, { snoozedUntil: null }),
		startedFrom: mapStatusOrNull(change.previousStatus, target.api, rules),
		targetMappedBack: mapStatusOrNull(targetConversation.status, source.api, rules),
	};
}
