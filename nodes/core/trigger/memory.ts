/**
 * The trigger's memory: for each conversation its last few status points, each marked with what the trigger made
 * of it, and the fingerprints of recent deliveries that started an execution (FreeScout retries those with
 * identical bytes for about two hours).
 *
 * n8n keeps it in the workflow's static data, which every webhook request reads afresh and every process may
 * write, the last write replacing the whole value. So the memory is a set of facts that merge: points are joined
 * by their stamp, whichever process wrote them, and merging the same facts twice or in another order gives the same
 * memory. A save that an older save overwrote is healed by the next write of any process that still holds it, and
 * a restart that reads the older save still finds every reported change it kept (see docs, "Guarantees").
 * Bounded twice: the newest POINTS_PER_CONVERSATION points of a conversation, the conversations whose newest point
 * is most recent.
 */
import { createHash } from 'crypto';

import { parseJson } from '../json';
import { isStatus, STATUSES, type Status } from '../types';
import { isNewer, sameStamp, type Stamp } from './stamp';

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
 * The memory's state: compact tuples, conversations oldest first. Static data keeps it as one JSON text, and n8n
 * writes it whole at every save, so it is small: per conversation [key, floors, then per point code, t, k], where
 * floors is 0 (none) or [history floor t, k, forgotten t, k] (-1: none), code is status index * 3 + kind (0
 * inferred, 1 seen, 2 reported) and t counts from the point before (the first from the epoch).
 */
export interface MemoryState {
	v: 3;
	c: Array<Array<string | number | number[]>>;
	/** [digest of a delivery fingerprint, first seen (seconds)]. */
	f: Array<[string, number]>;
}

export const DEFAULT_MEMORY_SIZE = 1000;
export const MAX_MEMORY_SIZE = 10_000;
/**
 * Points kept per conversation: a change whose delivery comes later than this many newer points of its conversation
 * is old news. Chatwoot's out-of-order jobs and FreeScout's queue are seconds apart, a few points at most.
 */
export const POINTS_PER_CONVERSATION = 6;
/** FreeScout retries a failed delivery up to 10 times over about 2 hours; fingerprints outlive that. */
export const FINGERPRINT_TTL_MS = 3 * 60 * 60 * 1000;

export interface MergeResult {
	/** Entries of the stored value that were not valid memory entries and were dropped. */
	invalid: number;
	/** Writing this memory back would add a fact the stored value lacks, or drop invalid entries from it. */
	shouldWriteBack: boolean;
}

const KIND_RANK: Record<PointKind, number> = { inferred: 0, seen: 1, reported: 2 };
const KINDS: PointKind[] = ['inferred', 'seen', 'reported'];

export class Memory {
	private readonly conversations = new Map<string, ConversationRecord>();
	private readonly fingerprints = new Map<string, number>();
	private revision = 0;
	/** The stored text this memory last read or wrote while holding nothing it lacked, and the revision then. */
	private inSyncWith: { text: string; revision: number } | undefined;

	constructor(readonly maxConversations = DEFAULT_MEMORY_SIZE) {}

	get(key: string): ConversationRecord | undefined {
		return this.conversations.get(key);
	}

	/**
	 * Adds what one delivery showed of a conversation. `historyFloor` applies only to a conversation the memory did
	 * not know. Returns whether the memory changed.
	 */
	learn(key: string, points: KnownPoint[], historyFloor: Stamp | null = null): boolean {
		const known = this.conversations.get(key);
		const incoming: ConversationRecord = { points: [...points].sort(byStamp), historyFloor: known === undefined ? historyFloor : null, forgottenUpTo: null };
		return this.put(key, known === undefined ? incoming : mergeRecords(known, incoming));
	}

	/**
	 * A status read from the platform's API (priming). Weaker than any delivery: it never hides a delivered change
	 * at or before it. For a conversation the memory did not know, the history of later deliveries at or before it
	 * is old news.
	 */
	learnInferred(key: string, status: Status, at: Stamp): boolean {
		return this.learn(key, [{ status, t: at.t, k: at.k, kind: 'inferred' }], at);
	}

	hasFingerprint(fingerprint: string, nowMs: number): boolean {
		const seenAt = this.fingerprints.get(digest(fingerprint));
		return seenAt !== undefined && nowMs - seenAt < FINGERPRINT_TTL_MS;
	}

	addFingerprint(fingerprint: string, nowMs: number): void {
		const key = digest(fingerprint);
		if (this.fingerprints.has(key)) return;
		this.fingerprints.set(key, Math.floor(nowMs / 1000) * 1000);
		this.revision++;
	}

	/** Changes whenever something is learned: compare two readings to know whether to write it back. */
	get version(): number {
		return this.revision;
	}

	/** Merges what static data holds; foreign or corrupt values are dropped entry by entry, never thrown. Linear. */
	merge(value: unknown, nowMs: number): MergeResult {
		this.expireFingerprints(nowMs);
		// The same text as last time, and nothing learned since: merging it again cannot change anything. Most
		// deliveries find static data as this process left it, and parsing a full memory costs milliseconds.
		if (typeof value === 'string' && this.inSyncWith?.text === value && this.inSyncWith.revision === this.revision) {
			return { invalid: 0, shouldWriteBack: false };
		}
		const stored = readState(value);
		let shouldWriteBack = stored.invalid > 0;
		const storedKeys = new Set<string>();
		for (const [key, record] of stored.conversations) {
			storedKeys.add(key);
			const known = this.conversations.get(key);
			if (known !== undefined && sameRecord(known, record)) continue;
			const merged = known === undefined ? record : mergeRecords(known, record);
			if (!sameRecord(merged, record)) shouldWriteBack = true;
			this.put(key, merged, false);
		}
		if (this.conversations.size > storedKeys.size) shouldWriteBack = true;
		const storedFingerprints = new Set<string>();
		for (const [fingerprint, seenAt] of stored.fingerprints) {
			storedFingerprints.add(fingerprint);
			if (nowMs - seenAt < FINGERPRINT_TTL_MS && !this.fingerprints.has(fingerprint)) this.fingerprints.set(fingerprint, seenAt);
		}
		for (const fingerprint of this.fingerprints.keys()) {
			if (!storedFingerprints.has(fingerprint)) shouldWriteBack = true;
		}
		if (this.trim()) shouldWriteBack = true;
		if (typeof value === 'string' && !shouldWriteBack) this.inSyncWith = { text: value, revision: this.revision };
		return { invalid: stored.invalid, shouldWriteBack };
	}

	/**
	 * What workflow static data keeps: the snapshot as one JSON text. n8n wraps every object in static data in a
	 * change-tracking Proxy whenever it builds a Workflow (each webhook request, each execution start), and a full
	 * memory as tuples is thousands of objects, milliseconds of n8n's CPU per delivery; a string is left alone.
	 */
	stored(): string {
		const text = JSON.stringify(this.snapshot());
		this.inSyncWith = { text, revision: this.revision };
		return text;
	}

	/** The state as data. */
	snapshot(): MemoryState {
		this.trim();
		const records = [...this.conversations].sort(([, a], [, b]) => compareStamps(newestOf(a), newestOf(b)));
		return {
			v: 3,
			c: records.map(([key, record]) => encodeRecord(key, record)),
			f: [...this.fingerprints].map(([key, seenAt]) => [key, seenAt / 1000]),
		};
	}

	private put(key: string, record: ConversationRecord, trimNow = true): boolean {
		const known = this.conversations.get(key);
		if (known !== undefined && sameRecord(known, record)) return false;
		this.conversations.set(key, record);
		this.revision++;
		// One conversation over the bound is let go at the next snapshot; far over it (priming), now.
		if (trimNow && this.conversations.size > 2 * this.maxConversations) this.trim();
		return true;
	}

	/** Keeps the conversations with the newest points, in one sort. Returns whether any was let go. */
	private trim(): boolean {
		const excess = this.conversations.size - this.maxConversations;
		if (excess <= 0) return false;
		const oldestFirst = [...this.conversations].sort(([, a], [, b]) => compareStamps(newestOf(a), newestOf(b)));
		for (const [key] of oldestFirst.slice(0, excess)) this.conversations.delete(key);
		this.revision++;
		return true;
	}

	private expireFingerprints(nowMs: number): void {
		for (const [fingerprint, seenAt] of this.fingerprints) {
			if (nowMs - seenAt >= FINGERPRINT_TTL_MS) this.fingerprints.delete(fingerprint);
		}
		// Bounded like the conversations: one execution per change, so twice as many is generous.
		while (this.fingerprints.size > 2 * this.maxConversations) {
			this.fingerprints.delete(this.fingerprints.keys().next().value as string);
		}
	}
}

export function byStamp(a: Stamp, b: Stamp): number {
	return compareStamps(a, b);
}

function compareStamps(a: Stamp | null, b: Stamp | null): number {
	if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
	return isNewer(a, b) ? 1 : isNewer(b, a) ? -1 : 0;
}

function newerOf(a: Stamp | null, b: Stamp | null): Stamp | null {
	return compareStamps(a, b) >= 0 ? a : b;
}

function newestOf(record: ConversationRecord): Stamp | null {
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

function sameRecord(a: ConversationRecord, b: ConversationRecord): boolean {
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

function encodeRecord(key: string, record: ConversationRecord): Array<string | number | number[]> {
	const { historyFloor, forgottenUpTo } = record;
	const floors = historyFloor === null && forgottenUpTo === null ? 0 : [...encodeStamp(historyFloor), ...encodeStamp(forgottenUpTo)];
	const out: Array<string | number | number[]> = [key, floors];
	let previous = 0;
	for (const point of record.points) {
		out.push(STATUSES.indexOf(point.status) * 3 + KIND_RANK[point.kind], point.t - previous, point.k);
		previous = point.t;
	}
	return out;
}

function encodeStamp(stamp: Stamp | null): [number, number] {
	return stamp === null ? [-1, 0] : [stamp.t, stamp.k];
}

interface StoredState {
	conversations: Array<[string, ConversationRecord]>;
	fingerprints: Array<[string, number]>;
	invalid: number;
}

const NOTHING: StoredState = { conversations: [], fingerprints: [], invalid: 0 };

/**
 * Reads the stored value entry by entry: version 3 as JSON text (`stored()`) or as an object, the versions 2 and 1
 * of earlier releases (one status per conversation, everything up to it decided), or nothing usable.
 */
function readState(value: unknown): StoredState {
	if (value === undefined || value === null) return NOTHING;
	if (typeof value === 'string') {
		const parsed = parseJson(value);
		return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? readState(parsed.value) : { ...NOTHING, invalid: 1 };
	}
	if (typeof value !== 'object' || Array.isArray(value)) return { ...NOTHING, invalid: 1 };
	const state = value as Record<string, unknown>;
	if (state.v === 3) return readVersion3(state);
	if (state.v === 2) return readVersion2(state);
	if (state.version === 1) return readVersion1(state);
	return { ...NOTHING, invalid: 1 };
}

function readVersion3(state: Record<string, unknown>): StoredState {
	const result: StoredState = { conversations: [], fingerprints: readFingerprints(state.f), invalid: 0 };
	result.invalid += (Array.isArray(state.f) ? state.f.length : 0) - result.fingerprints.length;
	for (const entry of Array.isArray(state.c) ? state.c : []) {
		const record = Array.isArray(entry) && typeof entry[0] === 'string' ? decodeRecord(entry) : null;
		if (record === null) result.invalid++;
		else result.conversations.push([entry[0] as string, record]);
	}
	if (!Array.isArray(state.c) || !Array.isArray(state.f)) result.invalid++;
	return result;
}

function decodeRecord(entry: unknown[]): ConversationRecord | null {
	if ((entry.length - 2) % 3 !== 0) return null;
	const floors = entry[1];
	let historyFloor: Stamp | null | undefined = null;
	let forgottenUpTo: Stamp | null | undefined = null;
	if (floors !== 0) {
		if (!Array.isArray(floors) || floors.length !== 4) return null;
		historyFloor = decodeStamp(floors[0], floors[1]);
		forgottenUpTo = decodeStamp(floors[2], floors[3]);
		if (historyFloor === undefined || forgottenUpTo === undefined) return null;
	}
	const points: KnownPoint[] = [];
	let t = 0;
	let ordered = true;
	for (let index = 2; index < entry.length; index += 3) {
		const code = entry[index];
		const delta = entry[index + 1];
		const k = entry[index + 2];
		const status = typeof code === 'number' ? STATUSES[Math.floor(code / 3)] : undefined;
		if (status === undefined || !Number.isInteger(code) || typeof delta !== 'number' || !Number.isFinite(delta) || !isTieBreak(k)) return null;
		t += delta;
		if (!isTime(t)) return null;
		const point: KnownPoint = { status, t, k, kind: KINDS[(code as number) % 3] };
		if (points.length > 0 && !isNewer(point, points[points.length - 1])) ordered = false;
		points.push(point);
	}
	const record = { points, historyFloor, forgottenUpTo };
	// What this release writes is ordered and within the bound; anything else goes through the union every merge uses.
	return ordered && points.length <= POINTS_PER_CONVERSATION ? record : mergeRecords({ points: [], historyFloor: null, forgottenUpTo: null }, { ...record, points: points.sort(byStamp) });
}

/** A stored stamp: [-1, 0] is none; undefined when invalid. */
function decodeStamp(t: unknown, k: unknown): Stamp | null | undefined {
	if (t === -1) return null;
	return isTime(t) && isTieBreak(k) ? { t, k } : undefined;
}

function readFingerprints(value: unknown): Array<[string, number]> {
	const out: Array<[string, number]> = [];
	for (const entry of Array.isArray(value) ? value : []) {
		if (Array.isArray(entry) && typeof entry[0] === 'string' && isTime(entry[1])) out.push([entry[0], entry[1] * 1000]);
	}
	return out;
}

/** Version 2 kept one status per conversation, [key, status, t, k]. */
function readVersion2(state: Record<string, unknown>): StoredState {
	const result: StoredState = { conversations: [], fingerprints: readFingerprints(state.f), invalid: 0 };
	result.invalid += (Array.isArray(state.f) ? state.f.length : 0) - result.fingerprints.length;
	for (const entry of Array.isArray(state.c) ? state.c : []) {
		const record = Array.isArray(entry) && typeof entry[0] === 'string' ? decidedRecord(entry[1], entry[2], entry[3]) : null;
		if (record === null) result.invalid++;
		else result.conversations.push([entry[0] as string, record]);
	}
	if (!Array.isArray(state.c) || !Array.isArray(state.f)) result.invalid++;
	return result;
}

/** Version 1 kept {conversations: {"<platform>:<key>": {s, t}}} and retry fingerprints in another shape. */
function readVersion1(state: Record<string, unknown>): StoredState {
	const result: StoredState = { conversations: [], fingerprints: [], invalid: 0 };
	const conversations = state.conversations;
	if (typeof conversations !== 'object' || conversations === null) return { ...result, invalid: 1 };
	for (const [key, entry] of Object.entries(conversations)) {
		const value = entry as Record<string, unknown> | null;
		const record = typeof value === 'object' && value !== null ? decidedRecord(value.s, value.t, 0) : null;
		const separator = key.indexOf(':');
		if (record === null || separator === -1) result.invalid++;
		else result.conversations.push([key.slice(separator + 1), record]);
	}
	return result;
}

/** An earlier release's single status: that release had decided everything up to it. */
function decidedRecord(status: unknown, t: unknown, k: unknown): ConversationRecord | null {
	if (!isStatus(status) || !isTime(t) || !isTieBreak(k)) return null;
	return { points: [{ status, t, k, kind: 'seen' }], historyFloor: { t, k }, forgottenUpTo: null };
}

/** 72 bits of a fingerprint: collisions among the few thousand kept are out of reach, and static data stays small. */
function digest(fingerprint: string): string {
	return createHash('sha256').update(fingerprint).digest('base64').slice(0, 12);
}

function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isTieBreak(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
