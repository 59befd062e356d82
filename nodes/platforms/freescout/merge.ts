/**
 * Merges, as FreeScout 1.8.235 does them (Conversation::mergeConversations): the merged conversation's threads,
 * status line items included, move into the target with their ids and times; then the target gets a line item of
 * type `merged` whose status is the target's own status at that moment (Thread::create copies the conversation's
 * status), and the merged conversation is deleted. The module formats no thread meta, so a delivery cannot tell
 * the target's own older threads from the moved ones (real capture: test/fixtures/freescout-real-merge, 024).
 * What the payload tells: threads newer than the newest merge line item are the target's, and that line item
 * holds the target's status at the merge.
 */
import { integer, record, text, type JsonRecord } from '../../core/json';

export function isMergeLineItem(thread: JsonRecord): boolean {
	return thread.type === 'lineitem' && text(record(thread.action)?.type) === 'merged';
}

/** The threads that are surely this conversation's own history: the newest merge line item and all newer ones. */
export function ownHistory(threads: JsonRecord[]): JsonRecord[] {
	const idOf = (thread: JsonRecord) => integer(thread.id) ?? 0;
	const merges = threads.filter(isMergeLineItem).map(idOf);
	if (merges.length === 0) return threads;
	const lastMerge = Math.max(...merges);
	return threads.filter((thread) => idOf(thread) >= lastMerge);
}
