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

import type { Status } from '../types';
import { byStamp, compareStamps, mergeRecords, newestOf, sameRecord, type ConversationRecord, type KnownPoint } from './conversation-record';
import { encodeRecord, readState, type MemoryState } from './memory-text';
import type { Stamp } from './stamp';

export const DEFAULT_MEMORY_SIZE = 1000;
export const MAX_MEMORY_SIZE = 10_000;
/** FreeScout retries a failed delivery up to 10 times over about 2 hours; fingerprints outlive that. */
export const FINGERPRINT_TTL_MS = 3 * 60 * 60 * 1000;

export interface MergeResult {
	/** Entries of the stored value that were not valid memory entries and were dropped. */
	invalid: number;
	/** Writing this memory back would add a fact the stored value lacks, or drop invalid entries from it. */
	shouldWriteBack: boolean;
}

/** How many conversations a memory over its bound keeps: a thirty-second fewer, so one sort serves many writes. */
export function keptWhenTrimmed(maxConversations: number): number {
	return maxConversations - Math.floor(maxConversations / 32);
}

export class Memory {
	private readonly conversations = new Map<string, ConversationRecord>();
	private readonly fingerprints = new Map<string, number>();
	/** Each conversation's entry in the stored text, kept until the conversation changes. */
	private readonly encoded = new Map<string, string>();
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
		this.trim();
		// A change alters one conversation: the others' text is kept from earlier writes, and the order of the
		// entries carries no meaning, so nothing is sorted here.
		const entries: string[] = [];
		for (const [key, record] of this.conversations) {
			let entry = this.encoded.get(key);
			if (entry === undefined) {
				entry = JSON.stringify(encodeRecord(key, record));
				this.encoded.set(key, entry);
			}
			entries.push(entry);
		}
		const text = `{"v":3,"c":[${entries.join(',')}],"f":${JSON.stringify(this.storedFingerprints())}}`;
		this.inSyncWith = { text, revision: this.revision };
		return text;
	}

	/** The state as data, conversations oldest first (what `stored()` holds, in a canonical order). */
	snapshot(): MemoryState {
		this.trim();
		return { v: 3, c: this.oldestFirst().map(([key, record]) => encodeRecord(key, record)), f: this.storedFingerprints() };
	}

	private storedFingerprints(): Array<[string, number]> {
		return [...this.fingerprints].map(([key, seenAt]) => [key, seenAt / 1000]);
	}

	private put(key: string, record: ConversationRecord, trimNow = true): boolean {
		const known = this.conversations.get(key);
		if (known !== undefined && sameRecord(known, record)) return false;
		this.conversations.set(key, record);
		this.encoded.delete(key);
		this.revision++;
		// Over the bound, conversations are let go at the next write; far over it (priming), now.
		if (trimNow && this.conversations.size > 2 * this.maxConversations) this.trim();
		return true;
	}

	/**
	 * Over the bound, keeps the keptWhenTrimmed conversations with the newest points. Returns whether any was let go.
	 */
	private trim(): boolean {
		if (this.conversations.size <= this.maxConversations) return false;
		const oldestFirst = this.oldestFirst();
		for (const [key] of oldestFirst.slice(0, oldestFirst.length - keptWhenTrimmed(this.maxConversations))) {
			this.conversations.delete(key);
			this.encoded.delete(key);
		}
		this.revision++;
		return true;
	}

	/** The conversations, the one whose newest point is oldest first. */
	private oldestFirst(): Array<[string, ConversationRecord]> {
		return [...this.conversations].sort(([, a], [, b]) => compareStamps(newestOf(a), newestOf(b)));
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

function digest(fingerprint: string): string {
	return createHash('sha256').update(fingerprint).digest('base64').slice(0, 12);
}

