/**
 * Whether Sync Status writes a change to the other platform, decided from what was just read on both sides. Pure:
 * the orchestration (sync.ts) reads, asks, writes.
 *
 * The rule, in order:
 * 1. A superseded change, the echo of Sync's own write, or a change the source has already moved on from is not
 *    synced: a newer change is synced on its own.
 * 2. A target already on the status, or on a status that maps back to the incoming one (the echo of a lossy
 *    mapping: FreeScout spam → Chatwoot resolved → back), is left alone.
 * 3. Compare-and-set: the target is where the change started (its status is what the change's previous status
 *    maps to, or maps back to that previous status): write.
 * 4. Otherwise the target moved on its own, and only what the times prove counts. A target whose status was set
 *    after the change (a platform that reports when: FreeScout's status threads) wins, and the source follows it.
 *    A change later than the target's last update of any kind (Chatwoot updated_at, FreeScout updatedAt) is
 *    written: the target had missed it. Neither proven: written to a platform that reports its status times (the
 *    execution for the other side could not have proven otherwise), left to the other side's execution when the
 *    target reports none (Chatwoot's updated_at also moves with messages and activity).
 */
import type { Status } from '../types';

/** An instant known to a precision: the true time lies in [ms, ms + resolutionMs). */
export interface Instant {
	ms: number;
	resolutionMs: number;
}

/** 1 when a is surely later, -1 when b is surely later, 0 when the precision cannot tell. */
export function compareInstants(a: Instant, b: Instant): -1 | 0 | 1 {
	if (a.ms >= b.ms + b.resolutionMs) return 1;
	if (b.ms >= a.ms + a.resolutionMs) return -1;
	return 0;
}

export interface SyncFacts {
	/** "Chatwoot conversation 5", for the reasons. */
	sourceName: string;
	targetName: string;
	/** "FreeScout", for the reasons. */
	targetPlatformName: string;
	change: { status: Status; previousStatus: Status | null; at: Instant | null };
	/** The source conversation's status as read now. */
	sourceStatus: Status | null;
	target: {
		status: Status | null;
		platformStatus: string;
		/** Its last update of any kind: its status was set at or before it. */
		updatedAt: Instant | null;
		/** Whether the platform tells when a conversation's status was set (a time decideByTime can be given). */
		reportsStatusTimes: boolean;
	};
	/** The incoming status mapped to the target, and in the target's words. */
	wanted: Status;
	wantedPlatformStatus: string;
	/** The change's previous status mapped to the target (null: unknown or not synced). */
	startedFrom: Status | null;
	/** The target's current status mapped back to the source platform (null: unknown or not synced). */
	targetMappedBack: Status | null;
}

export type SyncVerdict =
	| { action: 'write_target'; because: 'in_step' | 'target_behind' | 'unproven' }
	/** The target's status was set later: the source follows it. */
	| { action: 'write_source'; status: Status }
	| { action: 'skip'; skipped: string };

/** Rule 1 for what is known before reading anything: why the change is not synced, or null. */
export function skipUnread(change: { superseded: boolean; ownEcho: string | null }, sourceName: string): string | null {
	if (change.superseded) return `superseded: a later change of ${sourceName} came with it and is synced on its own`;
	if (change.ownEcho !== null) return `echo of this sync's own write: ${change.ownEcho}`;
	return null;
}

const skip = (skipped: string): SyncVerdict => ({ action: 'skip', skipped });

/** Rules 1 (the source moved on) to 3, from what was just read on both sides; 'by_time' goes on with rule 4. */
export function decideByStatus(facts: SyncFacts): SyncVerdict | 'by_time' {
	const { change, target, sourceName, targetName } = facts;
	if (facts.sourceStatus !== change.status) {
		return skip(`${sourceName} is ${facts.sourceStatus ?? 'in an unknown status'} now, no longer ${change.status}: its newer change is synced on its own`);
	}
	if (target.platformStatus === facts.wantedPlatformStatus) return skip(`already ${target.status ?? target.platformStatus}`);
	if (facts.targetMappedBack === change.status) {
		return skip(`${targetName} is ${target.status}, which syncs back as ${change.status}: left as it is`);
	}
	const inStep =
		target.status !== null &&
		((facts.startedFrom !== null && target.status === facts.startedFrom) ||
			(change.previousStatus !== null && facts.targetMappedBack === change.previousStatus));
	if (inStep) return { action: 'write_target', because: 'in_step' };
	if (change.at === null) return skip(`${movedOn(facts)}, and this change has no time to compare`);
	return 'by_time';
}

function movedOn({ change, target, targetName }: SyncFacts): string {
	return `${targetName} is ${target.status ?? target.platformStatus}, not where this change started (${change.previousStatus ?? 'unknown'})`;
}

/**
 * Rule 4, for a target that moved on its own. `setAt`: when the target's status was set at the latest, where its
 * platform tells (null: it does not, or its history shows nothing).
 */
export function decideByTime(facts: SyncFacts, setAt: Instant | null): SyncVerdict {
	const { change, target } = facts;
	const was = movedOn(facts);
	if (change.at === null) return skip(`${was}, and this change has no time to compare`);
	if (setAt !== null && compareInstants(setAt, change.at) > 0) {
		if (facts.targetMappedBack === null) return skip(`${was}: it was set later (${isoOf(setAt)}), and ${target.status ?? target.platformStatus} is not synced back`);
		return { action: 'write_source', status: facts.targetMappedBack };
	}
	if (target.updatedAt !== null && compareInstants(change.at, target.updatedAt) > 0) return { action: 'write_target', because: 'target_behind' };
	if (target.reportsStatusTimes) return { action: 'write_target', because: 'unproven' };
	const updated = target.updatedAt === null ? 'unknown' : isoOf(target.updatedAt);
	return skip(
		`${was}: it was updated at ${updated} (this change: ${isoOf(change.at)}) and ${facts.targetPlatformName} does not tell when its status was set, so the execution for its own change decides`,
	);
}

function isoOf(instant: Instant): string {
	return new Date(instant.ms).toISOString();
}
