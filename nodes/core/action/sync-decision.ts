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
 * 4. Otherwise the target moved on its own. The platforms report only when a conversation last changed, so the
 *    times decide: the target changed later than the change → a person's later change wins, skip; the change is
 *    later → the target had missed it, write; within the clocks' precision (FreeScout has whole seconds) → the
 *    platform chosen for simultaneous changes wins.
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
	target: { status: Status | null; platformStatus: string; updatedAt: Instant | null };
	/** The incoming status mapped to the target, and in the target's words. */
	wanted: Status;
	wantedPlatformStatus: string;
	/** The change's previous status mapped to the target (null: unknown or not synced). */
	startedFrom: Status | null;
	/** The target's current status mapped back to the source platform (null: unknown or not synced). */
	targetMappedBack: Status | null;
	/** Which side wins when the clocks cannot order the two changes. */
	simultaneousWinner: 'source' | 'target';
}

export type SyncVerdict =
	| { write: true; because: 'in_step' | 'target_behind' | 'simultaneous' }
	| { write: false; skipped: string };

/** Rule 1 for what is known before reading anything: why the change is not synced, or null. */
export function skipUnread(change: { superseded: boolean; ownEcho: string | null }, sourceName: string): string | null {
	if (change.superseded) return `superseded: a newer change of ${sourceName} was already known when this one arrived`;
	if (change.ownEcho !== null) return `echo of this sync's own write: ${change.ownEcho}`;
	return null;
}

/** Rules 1 (the source moved on) to 4, from what was just read on both sides. */
export function decideSync(facts: SyncFacts): SyncVerdict {
	const { change, target, sourceName, targetName } = facts;
	const skip = (skipped: string): SyncVerdict => ({ write: false, skipped });
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
	if (inStep) return { write: true, because: 'in_step' };

	const was = `${targetName} is ${target.status ?? target.platformStatus}, not where this change started (${change.previousStatus ?? 'unknown'})`;
	if (change.at === null || target.updatedAt === null) return skip(`${was}, and the times to tell which is newer are missing`);
	const order = compareInstants(change.at, target.updatedAt);
	if (order > 0) return { write: true, because: 'target_behind' };
	const when = `(${isoOf(target.updatedAt)}; this change: ${isoOf(change.at)})`;
	if (order < 0) return skip(`${was}: it changed later ${when}, and the later change wins`);
	if (facts.simultaneousWinner === 'source') return { write: true, because: 'simultaneous' };
	return skip(`${was}: it changed at the same time ${when}, and on simultaneous changes ${facts.targetPlatformName}'s wins`);
}

function isoOf(instant: Instant): string {
	return new Date(instant.ms).toISOString();
}
