/**
 * The status writes Sync Status made recently, so the change each write causes on its target (the echo, which
 * comes back through that platform's trigger) is recognized and not synced back, whatever the clocks say. It is
 * memory of one n8n process: an echo handled by another process (queue mode with several workers) falls back to
 * the rules of sync-decision.ts, which handle every echo except one of a write that a newer change overtook.
 */
import type { Status } from '../types';

interface RecentWrite {
	conversationKey: string;
	status: Status;
	previousStatus: Status | null;
	atMs: number;
	description: string;
}

export class RecentWrites {
	private writes: RecentWrite[] = [];

	constructor(
		private readonly options: { ttlMs: number; capacity: number; now: () => number } = {
			ttlMs: 120_000,
			capacity: 1000,
			now: Date.now,
		},
	) {}

	/** Notes a write of `status` (from `previousStatus`) to the conversation identified by `conversationKey`. */
	remember(conversationKey: string, write: { status: Status; previousStatus: Status | null; description: string }): void {
		this.forgetExpired();
		this.writes.push({ conversationKey, ...write, atMs: this.options.now() });
		if (this.writes.length > this.options.capacity) this.writes.shift();
	}

	/**
	 * The description of the write a change of that conversation is the echo of, or null. A write is matched by
	 * its conversation, status and (when both are known) previous status, and only once.
	 */
	takeEcho(conversationKey: string, change: { status: Status; previousStatus: Status | null }): string | null {
		this.forgetExpired();
		const index = this.writes.findIndex(
			(write) =>
				write.conversationKey === conversationKey &&
				write.status === change.status &&
				(write.previousStatus === null || change.previousStatus === null || write.previousStatus === change.previousStatus),
		);
		if (index < 0) return null;
		const [write] = this.writes.splice(index, 1);
		return write.description;
	}

	private forgetExpired(): void {
		const oldest = this.options.now() - this.options.ttlMs;
		this.writes = this.writes.filter((write) => write.atMs >= oldest);
	}
}
