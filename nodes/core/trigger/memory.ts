/**
 * The trigger's memory: the last known status of each conversation and the fingerprints of recent deliveries.
 * Bounded: least recently used entries go first. Maps keep the LRU order in memory (O(1) per delivery); the
 * JSON snapshot for n8n workflow static data keeps it as key order, which JSON preserves for non-numeric keys.
 */
import type { Status } from '../types';

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
	private readonly conversations: Map<string, RememberedStatus>;
	private readonly deliveries: Map<string, number>;
	/** Counts changes of a remembered status (a new conversation or a different status), not refreshes. */
	private statusRevision = 0;

	constructor(
		state: MemoryState,
		readonly maxConversations = DEFAULT_MEMORY_SIZE,
	) {
		this.conversations = new Map(Object.entries(state.conversations));
		this.deliveries = new Map(Object.entries(state.deliveries));
		trim(this.conversations, maxConversations);
		trim(this.deliveries, maxConversations * 2);
	}

	get(key: string): RememberedStatus | undefined {
		return this.conversations.get(key);
	}

	/** Stores the status and makes the conversation the most recently used. */
	set(key: string, value: RememberedStatus): void {
		if (this.conversations.get(key)?.s !== value.s) this.statusRevision++;
		this.conversations.delete(key);
		this.conversations.set(key, value);
		trim(this.conversations, this.maxConversations);
	}

	/** Changes whenever a remembered status changes: compare two readings to know whether to persist. */
	get revision(): number {
		return this.statusRevision;
	}

	hasDelivery(fingerprint: string): boolean {
		return this.deliveries.has(fingerprint);
	}

	/** Deliveries are remembered for twice as many entries as conversations: FreeScout retries for two hours. */
	addDelivery(fingerprint: string, at: number): void {
		this.deliveries.delete(fingerprint);
		this.deliveries.set(fingerprint, at);
		trim(this.deliveries, this.maxConversations * 2);
	}

	/** The JSON form for workflow static data (costs a copy: take it when an execution will save it). */
	snapshot(): MemoryState {
		return {
			version: 1,
			conversations: Object.fromEntries(this.conversations),
			deliveries: Object.fromEntries(this.deliveries),
		};
	}
}

/** Drops the oldest entries until at most `max` remain. */
function trim(map: Map<string, unknown>, max: number): void {
	while (map.size > max) map.delete(map.keys().next().value as string);
}
