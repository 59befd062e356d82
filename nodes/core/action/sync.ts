/**
 * Sync Status: one status change of a conversation on one platform, applied to its counterpart on the other.
 * Reads the source (has it moved on?) and the target, decides (sync-decision.ts), writes once: to the target, or
 * to the source when the target's status was proven to be set later. After a write to the target it reads the
 * source again: if the source changed while the write went out, the target follows it (a second write). So every
 * change costs at most two writes, and interleaved executions end on the latest change.
 */
import type { ConversationSnapshot } from './conversation-api';
import type { Session, WriteResult } from './operations';
import { readConversation, unchanged, writeStatus } from './operations';
import type { RecentWrites } from './sync-echoes';
import type { Instant, SyncFacts } from './sync-decision';
import { decideByStatus, decideByTime, skipUnread } from './sync-decision';
import type { MappingRule } from './sync-mapping';
import { mapStatus, mapStatusOrNull } from './sync-mapping';
import type { PairedBy, PairingOptions } from './sync-pairing';
import { findCounterpart, keepPair } from './sync-pairing';
import { isoMs } from '../json';
import type { Platform, Status } from '../types';

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
	/** The counterpart conversation; null when none was found. */
	conversationId: number | null;
	previousPlatformStatus: string | null;
	platformStatus: string | null;
	/** The incoming status, before mapping. */
	requestedStatus: Status;
	/** The conversation that changed, and its status as Sync left it (null: not read). */
	source: { platform: Platform; conversationId: number; status: Status | null };
	pairedBy: PairedBy | null;
	/** Status writes made for this change (2 when the source changed again while the first went out). */
	writes: number;
}

interface Sync {
	source: Session;
	target: Session;
	request: SyncRequest;
	recentWrites: RecentWrites;
}

const conversationName = (session: Session, conversationId: number) => `${session.api.displayName} conversation ${conversationId}`;

/** How RecentWrites knows a conversation: platform, installation and id. */
const writeKey = (session: Session, conversationId: number) => `${session.api.platform}|${session.instance}|${conversationId}`;

function instant(iso: string | null, resolutionMs: number): Instant | null {
	const ms = isoMs(iso);
	return ms === null ? null : { ms, resolutionMs };
}

export async function syncChange(
	sessions: { source: Session; target: Session },
	request: SyncRequest,
	recentWrites: RecentWrites,
): Promise<SyncResult> {
	const sync: Sync = { ...sessions, request, recentWrites };
	const { source, target } = sync;
	const { change } = request;
	const report = reporter(sync);

	const wanted = mapStatus(change.status, target.api, request.rules);
	const ownEcho = recentWrites.takeEcho(writeKey(source, change.conversationId), change);
	const unread = skipUnread({ superseded: change.superseded, ownEcho }, conversationName(source, change.conversationId));
	if (unread !== null) return report(null, { skipped: unread });
	if (wanted === null) return report(null, { skipped: `status ${change.status} is not synced to ${target.api.displayName} (mapping)` });

	const sourceConversation = await readConversation(source, change.conversationId);
	const found = { source: { platform: source.api.platform, conversationId: change.conversationId, status: sourceConversation.status } };
	const counterpart = await findCounterpart(sessions, sourceConversation, request.pairing);
	if (!counterpart.found) return report(null, { ...found, skipped: counterpart.reason });
	const targetConversation = counterpart.conversation;
	const paired = { ...found, pairedBy: counterpart.pairedBy };

	const facts = factsOf(sync, wanted, sourceConversation, targetConversation);
	const byStatus = decideByStatus(facts);
	const verdict = byStatus === 'by_time' ? decideByTime(facts, await readStatusSetAt(target, targetConversation.conversationId)) : byStatus;
	const conversations = { source: sourceConversation, target: targetConversation };
	const pairWarnings = await keepPair(sessions, conversations, counterpart, request.pairing);
	if (verdict.action === 'skip') return report(unchanged(targetConversation, verdict.skipped), { ...paired, warnings: pairWarnings });
	if (verdict.action === 'write_source') {
		const later = `${conversationName(target, targetConversation.conversationId)} got its status later than this change`;
		const back = await writeAndRemember(sync, source, sourceConversation, verdict.status, later);
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
	const written = await writeAndRemember(sync, target, targetConversation, wanted, cause);
	const followed = await followSource(sync, written);
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
		writes: 0,
		...extra,
	});
}

/** When the target's status was set at the latest, where its platform tells (null: it does not, or no sign of it). */
async function readStatusSetAt(target: Session, conversationId: number): Promise<Instant | null> {
	const history = target.api.statusHistory;
	if (history === undefined) return null;
	const response = await target.ok(history.request(conversationId, target.scope), { conversationId, action: 'reading' });
	return instant(history.readStatusSetAt(response), target.api.clockResolutionMs);
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

/**
 * Writes `status` to a conversation of `session` just read as `current`, and remembers the write (and `cause`, for
 * the reason shown when its echo comes back).
 */
async function writeAndRemember(sync: Sync, session: Session, current: ConversationSnapshot, status: Status, cause: string): Promise<WriteResult> {
	const userId = session === sync.target ? sync.request.userIds.target : sync.request.userIds.source;
	const written = await writeStatus(session, current, status, { snoozedUntil: null, userId });
	sync.recentWrites.remember(writeKey(session, current.conversationId), {
		status: written.status ?? status,
		previousStatus: current.status,
		description: `${conversationName(session, current.conversationId)} was set to ${status} because ${cause}`,
	});
	return written;
}

/** After a write: if the source changed meanwhile, the target follows its new status (null: nothing to follow). */
async function followSource(sync: Sync, written: WriteResult): Promise<WriteResult | null> {
	const { source, target, request } = sync;
	const { change, rules } = request;
	const now = await readConversation(source, change.conversationId);
	if (now.status === null || now.status === change.status) return null;
	const follow = mapStatusOrNull(now.status, target.api, rules);
	if (follow === null || target.api.statuses.fromStatus(follow) === written.platformStatus) return null;
	// Compare-and-set again: a target that is no longer what was just written has a newer change of its own.
	const current = await readConversation(target, written.conversationId);
	if (current.platformStatus !== written.platformStatus) return null;
	const meanwhile = `${conversationName(source, change.conversationId)} changed to ${now.status} while this change was synced`;
	const followed = await writeAndRemember(sync, target, current, follow, meanwhile);
	const note = `${meanwhile}; ${conversationName(target, written.conversationId)} followed it`;
	return { ...followed, notes: [...followed.notes, note] };
}
