/**
 * One conversation's remembered timeline: its last few status points, each marked with what the trigger made of
 * it, and the two floors below which a delivery's points are old news. Records merge as sets of facts: the same
 * result in any order, any number of times.
 */
import { isNewer, sameStamp, type Stamp } from './stamp';
import type { Status } from '../types';

/**
 * What the trigger made of a point, weakest first:
 * - 'inferred': a status read from the platform's API (priming) or a delivery's history older than anything the
 *   trigger watched. It ranks status but was never decided: a delivery that shows a change at or before it still
 *   reports that change.
 * - 'seen': decided from a delivery; not a change when it was decided.
 * - 'reported': decided as a change (its item went out, or the node's filters dropped it): its dedupe key.
 */
export type PointKind = 'inferred' | 'seen' | 'reported';

export interface KnownPoint extends Stamp {
	status: Status;
	kind: PointKind;
}

export interface ConversationRecord {
	/** Oldest first, at most POINTS_PER_CONVERSATION, one per stamp. */
	points: KnownPoint[];
	/** History points of deliveries at or before this are old news (they predate what the trigger watched). */
	historyFloor: Stamp | null;
	/** The newest point let go of by the bound: nothing at or before it is decided again. */
	forgottenUpTo: Stamp | null;
}

/**
 * Points kept per conversation: a change whose delivery comes later than this many newer points of its conversation
 * is old news. Chatwoot's out-of-order jobs and FreeScout's queue are seconds apart, a few points at most.
 */
export const POINTS_PER_CONVERSATION = 6;
export const KIND_RANK: Record<PointKind, number> = { inferred: 0, seen: 1, reported: 2 };
export const KINDS: PointKind[] = ['inferred', 'seen', 'reported'];

export function byStamp(a: Stamp, b: Stamp): number {
	return compareStamps(a, b);
}

export function compareStamps(a: Stamp | null, b: Stamp | null): number {
	if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
	return isNewer(a, b) ? 1 : isNewer(b, a) ? -1 : 0;
}

function newerOf(a: Stamp | null, b: Stamp | null): Stamp | null {
	return compareStamps(a, b) >= 0 ? a : b;
}

export function newestOf(record: ConversationRecord): Stamp | null {
	return record.points.length === 0 ? record.forgottenUpTo : record.points[record.points.length - 1];
}

/**
 * The union of two records: one point per stamp (the stronger kind; between two statuses at one stamp, the stronger
 * kind, then the greater status, so that the order of merging never matters), the newest points within the bound,
 * the later floors.
 */
export function mergeRecords(a: ConversationRecord, b: ConversationRecord): ConversationRecord {
	const points: KnownPoint[] = [];
	let i = 0;
	let j = 0;
	while (i < a.points.length || j < b.points.length) {
		const x = a.points[i];
		const y = b.points[j];
		if (y === undefined || (x !== undefined && isNewer(y, x))) {
			points.push(x);
			i++;
		} else if (x === undefined || isNewer(x, y)) {
			points.push(y);
			j++;
		} else {
			points.push(stronger(x, y));
			i++;
			j++;
		}
	}
	let forgottenUpTo = newerOf(a.forgottenUpTo, b.forgottenUpTo);
	const excess = points.length - POINTS_PER_CONVERSATION;
	if (excess > 0) forgottenUpTo = newerOf(forgottenUpTo, points[excess - 1]);
	const kept = (excess > 0 ? points.slice(excess) : points).filter((point) => forgottenUpTo === null || isNewer(point, forgottenUpTo));
	return {
		points: kept,
		historyFloor: newerOf(a.historyFloor, b.historyFloor),
		forgottenUpTo: forgottenUpTo === null ? null : { t: forgottenUpTo.t, k: forgottenUpTo.k },
	};
}

function stronger(x: KnownPoint, y: KnownPoint): KnownPoint {
	if (KIND_RANK[x.kind] !== KIND_RANK[y.kind]) return KIND_RANK[x.kind] > KIND_RANK[y.kind] ? x : y;
	return x.status >= y.status ? x : y;
}

export function sameRecord(a: ConversationRecord, b: ConversationRecord): boolean {
	if (a.points.length !== b.points.length || !sameOptionalStamp(a.historyFloor, b.historyFloor) || !sameOptionalStamp(a.forgottenUpTo, b.forgottenUpTo)) {
		return false;
	}
	return a.points.every((point, index) => {
		const other = b.points[index];
		return sameStamp(point, other) && point.status === other.status && point.kind === other.kind;
	});
}

function sameOptionalStamp(a: Stamp | null, b: Stamp | null): boolean {
	return a === null || b === null ? a === b : sameStamp(a, b);
}

