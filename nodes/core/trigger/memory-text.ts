/**
 * The memory as workflow static data keeps it: one compact JSON text, read back entry by entry (this release's
 * version 3, the versions 2 and 1 of earlier releases), foreign or corrupt entries counted and dropped, never thrown.
 */
import { parseJson } from '../json';
import { isStatus, STATUSES } from '../types';
import { byStamp, KIND_RANK, KINDS, mergeRecords, POINTS_PER_CONVERSATION, type ConversationRecord, type KnownPoint } from './conversation-record';
import { isNewer, type Stamp } from './stamp';

/**
 * The memory's state: compact tuples, conversations in any order. Static data keeps it as one JSON text, and n8n
 * writes it whole at every save, so it is small: per conversation [key, floors, then per point code, t, k], where
 * the key is a number when it is one, floors is 0 (none), 1 (the history floor is the first point's stamp, as
 * priming leaves it) or [history floor t, k, forgotten t, k] (-1: none), code is status index * 3 + kind (0
 * inferred, 1 seen, 2 reported) and t counts from the point before (the first from the epoch).
 */
export interface MemoryState {
	v: 3;
	c: Array<Array<string | number | number[]>>;
	/** [digest of a delivery fingerprint, first seen (seconds)]. */
	f: Array<[string, number]>;
}

export function encodeRecord(key: string, record: ConversationRecord): Array<string | number | number[]> {
	const { historyFloor, forgottenUpTo } = record;
	const first = record.points[0];
	let floors: number | number[] = [...encodeStamp(historyFloor), ...encodeStamp(forgottenUpTo)];
	if (historyFloor === null && forgottenUpTo === null) floors = 0;
	else if (forgottenUpTo === null && first !== undefined && historyFloor?.t === first.t && historyFloor.k === first.k) floors = 1;
	const out: Array<string | number | number[]> = [NUMERIC_KEY.test(key) && Number.isSafeInteger(Number(key)) ? Number(key) : key, floors];
	let previous = 0;
	for (const point of record.points) {
		out.push(STATUSES.indexOf(point.status) * 3 + KIND_RANK[point.kind], point.t - previous, point.k);
		previous = point.t;
	}
	return out;
}

/** Keys that read back the same from a number (no sign, no leading zero). */
const NUMERIC_KEY = /^(0|[1-9][0-9]*)$/;

function encodeStamp(stamp: Stamp | null): [number, number] {
	return stamp === null ? [-1, 0] : [stamp.t, stamp.k];
}

export interface StoredState {
	conversations: Array<[string, ConversationRecord]>;
	fingerprints: Array<[string, number]>;
	invalid: number;
}

const NOTHING: StoredState = { conversations: [], fingerprints: [], invalid: 0 };

/**
 * Reads the stored value entry by entry: version 3 as JSON text (`stored()`) or as an object, the versions 2 and 1
 * of earlier releases (one status per conversation, everything up to it decided), or nothing usable.
 */
export function readState(value: unknown): StoredState {
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
		const key = Array.isArray(entry) ? storedKey(entry[0]) : null;
		const record = key === null ? null : decodeRecord(entry as unknown[]);
		if (record === null || key === null) result.invalid++;
		else result.conversations.push([key, record]);
	}
	if (!Array.isArray(state.c) || !Array.isArray(state.f)) result.invalid++;
	return result;
}

function storedKey(value: unknown): string | null {
	if (typeof value === 'string') return value;
	return Number.isSafeInteger(value) && (value as number) >= 0 ? String(value) : null;
}

function decodeRecord(entry: unknown[]): ConversationRecord | null {
	if ((entry.length - 2) % 3 !== 0) return null;
	const floors = entry[1];
	let historyFloor: Stamp | null | undefined = null;
	let forgottenUpTo: Stamp | null | undefined = null;
	if (floors !== 0 && floors !== 1) {
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
	if (floors === 1) {
		if (points.length === 0) return null;
		historyFloor = { t: points[0].t, k: points[0].k };
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
function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isTieBreak(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
