/**
 * When a FreeScout conversation's current status was set at the latest, from its threads (GET
 * /api/conversations/{id}?embed=threads; reference: freescout.md §3-4 and the real UI captures). Evidence of a
 * status being set: a status line item (every status menu, bulk and API change), an agent reply made in the UI
 * that recorded pending, closed or spam, and, while the conversation is active, a customer message (a customer
 * reply reactivates a closed or pending conversation and leaves no line item). API replies record "active" whatever
 * they set, so they are no evidence. The newest evidence is when the status was set at the latest. Threads older
 * than a merge may be the merged conversation's (merge.ts): they are no evidence either, and neither is the merge's
 * own line item, which shows the status without setting it.
 */
import type { ApiRequest, ApiResponse } from '../../core/http';
import { isoMs, list, recordOrEmpty, text } from '../../core/json';
import { ownHistory } from './merge';

const STATUSES_A_REPLY_SETS = ['pending', 'closed', 'spam'];

function isEvidence(thread: Record<string, unknown>, conversationStatus: string | null): boolean {
	const type = text(thread.type);
	if (type === 'lineitem') return text(recordOrEmpty(thread.action).type) === 'changed-ticket-status';
	if (type === 'message') return STATUSES_A_REPLY_SETS.includes(text(thread.status) ?? '');
	return type === 'customer' && conversationStatus === 'active';
}

export const freescoutStatusHistory = {
	request: (conversationId: number): ApiRequest => ({
		method: 'GET',
		path: `/api/conversations/${conversationId}`,
		qs: { embed: 'threads' },
	}),

	readStatusSetAt(response: ApiResponse): string | null {
		const body = recordOrEmpty(response.body);
		const status = text(body.status);
		const times = ownHistory(list(recordOrEmpty(body._embedded).threads).map(recordOrEmpty))
			.filter((thread) => isEvidence(thread, status))
			.map((thread) => isoMs(thread.createdAt))
			.filter((ms): ms is number => ms !== null);
		return times.length === 0 ? null : new Date(Math.max(...times)).toISOString();
	},
};
