/**
 * The trigger's memory: the last known status of each conversation and the fingerprints of recent deliveries.
 * Plain JSON (it is persisted in n8n workflow static data) and bounded: least recently used entries go first.
 * Object key order is the LRU order, which JSON keeps because every key starts with a letter.
 */
import type { Status } from './types';

export interface RememberedStatus {
	/** Status. */
	s: Status;
	/** When that status was true (ms since epoch). */
	t: number;
}

export interface MemoryState {
	version: 1;
	conversations: Record<string, RememberedStatus>;
	/** Fingerprints of deliveries already handled, with the time they were seen. */
	deliveries: Record<string, number>;
}

export const DEFAULT_MEMORY_SIZE = 1000;

export function emptyMemory(): MemoryState {
	return { version: 1, conversations: {}, deliveries: {} };
}

/** Accepts whatever static data holds and returns a valid memory (a corrupt or foreign value starts afresh). */
export function restoreMemory(value: unknown): MemoryState {
	if (
		typeof value !== 'object' ||
		value === null ||
		(value as MemoryState).version !== 1 ||
		typeof (value as MemoryState).conversations !== 'object' ||
		typeof (value as MemoryState).deliveries !== 'object'
	) {
		return emptyMemory();
	}
	return value as MemoryState;
}

export class Memory {
	private conversationCount: number;
	private deliveryCount: number;

	constructor(
		readonly state: MemoryState,
		readonly maxConversations = DEFAULT_MEMORY_SIZE,
	) {
		this.conversationCount = Object.keys(state.conversations).length;
		this.deliveryCount = Object.keys(state.deliveries).length;
	}

	get(key: string): RememberedStatus | undefined {
		return this.state.conversations[key];
	}

	/** Stores the status and makes the conversation the most recently used. */
	set(key: string, value: RememberedStatus): void {
		const conversations = this.state.conversations;
		if (key in conversations) delete conversations[key];
		else this.conversationCount++;
		conversations[key] = value;
		if (this.conversationCount > this.maxConversations) {
			this.conversationCount -= evictOldest(conversations, this.conversationCount - this.maxConversations);
		}
	}

	hasDelivery(fingerprint: string): boolean {
		return fingerprint in this.state.deliveries;
	}

	/** Deliveries are remembered for twice as many entries as conversations: FreeScout retries for two hours. */
	addDelivery(fingerprint: string, at: number): void {
		const deliveries = this.state.deliveries;
		if (fingerprint in deliveries) delete deliveries[fingerprint];
		else this.deliveryCount++;
		deliveries[fingerprint] = at;
		const max = this.maxConversations * 2;
		if (this.deliveryCount > max) this.deliveryCount -= evictOldest(deliveries, this.deliveryCount - max);
	}
}

/** Deletes the `count` oldest keys; returns how many were deleted. */
function evictOldest(record: Record<string, unknown>, count: number): number {
	let deleted = 0;
	for (const key in record) {
		if (deleted === count) break;
		delete record[key];
		deleted++;
	}
	return deleted;
}
