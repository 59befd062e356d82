/**
 * The trigger's memory: the last known status of each conversation, with the stamp of the evidence it came from,
 * and the fingerprints of recent deliveries that started an execution (FreeScout retries those with identical
 * bytes for about two hours).
 *
 * n8n keeps it in the workflow's static data, which every webhook request reads afresh and every process may
 * write, the last write replacing the whole value. So the memory is a set of facts that merge: for each
 * conversation the entry with the newest stamp wins, whichever process wrote it, and merging the same facts twice
 * changes nothing. Bounded: the conversations with the oldest stamps are forgotten first.
 */
import { createHash } from 'crypto';

import { parseJson } from '../json';
import { isStatus, type Status } from '../types';
import { isNewer, type Stamp } from './stamp';

export interface Remembered extends Stamp {
	status: Status;
}

/** The memory's state: compact tuples, oldest first. Static data keeps it as one JSON text (see `stored()`). */
export interface MemoryState {
	v: 2;
	/** [conversation key, status, t, k]. */
	c: Array<[string, Status, number, number]>;
	/** [digest of a delivery fingerprint, first seen (seconds)]. */
	f: Array<[string, number]>;
}

export const DEFAULT_MEMORY_SIZE = 1000;
export const MAX_MEMORY_SIZE = 10_000;
/** FreeScout retries a failed delivery up to 10 times over about 2 hours; fingerprints outlive that. */
export const FINGERPRINT_TTL_MS = 3 * 60 * 60 * 1000;

export interface MergeResult {
	/** Entries of the stored value that were not valid memory entries and were dropped. */
	invalid: number;
	/** Whether this memory holds a status or fingerprint the stored value lacks, so that writing it back adds one. */
	storedIsBehind: boolean;
}

export class Memory {
	private readonly conversations = new Map<string, Remembered>();
	private readonly fingerprints = new Map<string, number>();
	private revision = 0;
	/** The stored text this memory last read or wrote while holding nothing it lacked, and the revision then. */
	private inSyncWith: { text: string; revision: number } | undefined;

	constructor(readonly maxConversations = DEFAULT_MEMORY_SIZE) {}

	get(key: string): Remembered | undefined {
		return this.conversations.get(key);
	}

	/** Keeps the entry if it is newer than what is known. Returns whether anything changed. */
	remember(key: string, entry: Remembered): boolean {
		const known = this.conversations.get(key);
		if (known !== undefined && !isNewer(entry, known)) return false;
		this.conversations.set(key, { status: entry.status, t: entry.t, k: entry.k });
		// A newer stamp of the same status is kept but not worth a write of its own: static data is written for
		// statuses, so that a conversation's replies do not each cost n8n a database write.
		if (known?.status !== entry.status) this.revision++;
		if (this.conversations.size > this.maxConversations) this.forgetOldest();
		return true;
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

	/** Changes whenever a status or a fingerprint is learned: compare two readings to know whether to write it back. */
	get version(): number {
		return this.revision;
	}

	/** Merges what static data holds; foreign or corrupt values are dropped entry by entry, never thrown. */
	merge(value: unknown, nowMs: number): MergeResult {
		this.expireFingerprints(nowMs);
		// The same text as last time, and nothing learned since: merging it again cannot change anything. Most
		// deliveries find static data as this process left it, and parsing a full memory costs milliseconds.
		if (typeof value === 'string' && this.inSyncWith?.text === value && this.inSyncWith.revision === this.revision) {
			return { invalid: 0, storedIsBehind: false };
		}
		const stored = readState(value);
		const storedKeys = new Map<string, Remembered>();
		for (const [key, entry] of stored.conversations) {
			storedKeys.set(key, entry);
			this.remember(key, entry);
		}
		for (const [fingerprint, seenAt] of stored.fingerprints) {
			if (nowMs - seenAt < FINGERPRINT_TTL_MS && !this.fingerprints.has(fingerprint)) {
				this.fingerprints.set(fingerprint, seenAt);
			}
		}
		let storedIsBehind = stored.invalid > 0 || stored.conversations.length > this.conversations.size;
		for (const [key, entry] of this.conversations) {
			const storedEntry = storedKeys.get(key);
			if (storedEntry === undefined || (isNewer(entry, storedEntry) && entry.status !== storedEntry.status)) storedIsBehind = true;
		}
		const storedFingerprints = new Set(stored.fingerprints.map(([fingerprint]) => fingerprint));
		for (const fingerprint of this.fingerprints.keys()) {
			if (!storedFingerprints.has(fingerprint)) storedIsBehind = true;
		}
		if (typeof value === 'string' && !storedIsBehind) this.inSyncWith = { text: value, revision: this.revision };
		return { invalid: stored.invalid, storedIsBehind };
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
		const conversations = [...this.conversations].sort(([, a], [, b]) => (isNewer(a, b) ? 1 : isNewer(b, a) ? -1 : 0));
		return {
			v: 2,
			c: conversations.map(([key, entry]) => [key, entry.status, entry.t, entry.k]),
			f: [...this.fingerprints].map(([key, seenAt]) => [key, seenAt / 1000]),
		};
	}

	private forgetOldest(): void {
		let oldestKey: string | null = null;
		let oldest: Remembered | null = null;
		for (const [key, entry] of this.conversations) {
			if (oldest === null || isNewer(oldest, entry)) {
				oldest = entry;
				oldestKey = key;
			}
		}
		if (oldestKey !== null) this.conversations.delete(oldestKey);
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

interface StoredState {
	conversations: Array<[string, Remembered]>;
	fingerprints: Array<[string, number]>;
	invalid: number;
}

const NOTHING: StoredState = { conversations: [], fingerprints: [], invalid: 0 };

/**
 * Reads the stored value entry by entry: version 2 as JSON text (`stored()`) or as an object (earlier releases),
 * the version 1 of earlier releases, or nothing usable.
 */
function readState(value: unknown): StoredState {
	if (value === undefined || value === null) return NOTHING;
	if (typeof value === 'string') {
		const parsed = parseJson(value);
		return parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? readState(parsed.value) : { ...NOTHING, invalid: 1 };
	}
	if (typeof value !== 'object' || Array.isArray(value)) return { ...NOTHING, invalid: 1 };
	const state = value as Record<string, unknown>;
	if (state.v === 2) return readVersion2(state);
	if (state.version === 1) return readVersion1(state);
	return { ...NOTHING, invalid: 1 };
}

function readVersion2(state: Record<string, unknown>): StoredState {
	const result: StoredState = { conversations: [], fingerprints: [], invalid: 0 };
	for (const entry of Array.isArray(state.c) ? state.c : []) {
		const valid = Array.isArray(entry) ? toRemembered(entry[1], entry[2], entry[3]) : null;
		if (valid === null || typeof entry[0] !== 'string') result.invalid++;
		else result.conversations.push([entry[0], valid]);
	}
	for (const entry of Array.isArray(state.f) ? state.f : []) {
		if (Array.isArray(entry) && typeof entry[0] === 'string' && isTime(entry[1])) result.fingerprints.push([entry[0], entry[1] * 1000]);
		else result.invalid++;
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
		const converted = typeof value === 'object' && value !== null ? toRemembered(value.s, value.t, 0) : null;
		const separator = key.indexOf(':');
		if (converted === null || separator === -1) result.invalid++;
		else result.conversations.push([key.slice(separator + 1), converted]);
	}
	return result;
}

function toRemembered(status: unknown, t: unknown, k: unknown): Remembered | null {
	return isStatus(status) && isTime(t) && typeof k === 'number' && Number.isInteger(k) && k >= 0 ? { status, t, k } : null;
}

/** 72 bits of a fingerprint: collisions among the few thousand kept are out of reach, and static data stays small. */
function digest(fingerprint: string): string {
	return createHash('sha256').update(fingerprint).digest('base64').slice(0, 12);
}

function isTime(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
