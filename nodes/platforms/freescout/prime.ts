/**
 * The conversations FreeScout updated last, for priming the trigger's memory: GET /api/conversations with
 * sortField=updatedAt, sortOrder=desc and, since the API applies no default filter, every status and state=published
 * (reference freescout.md §5). Answer: {_embedded: {conversations: [{id, status, updatedAt, ...}]}, page: {number,
 * totalPages}}; threads are left out of lists.
 */
import { integer, isoMs, list, record, text } from '../../core/json';
import type { Priming, PrimedConversation } from '../../core/trigger/priming';
import { freescoutStatuses } from './status';

const PAGE_SIZE = 100;
/**
 * The stamp's tie-break for a status read from the list: after every thread of its second. The list has no thread
 * ids, and the threads of the change that set the status share its updatedAt second; they are already known.
 * (Thread ids are MySQL INT, below this.)
 */
const AFTER_EVERY_THREAD = 2_147_483_647;

export const priming: Priming = {
	pageRequest: (page) => ({
		method: 'GET',
		path: '/api/conversations',
		qs: {
			status: 'active,pending,closed,spam',
			state: 'published',
			sortField: 'updatedAt',
			sortOrder: 'desc',
			page,
			pageSize: PAGE_SIZE,
		},
	}),

	readPage: (response) => {
		const body = record(response.body);
		const items = record(body?._embedded)?.conversations;
		if (!Array.isArray(items)) return null;
		const conversations = list(items).flatMap((item): PrimedConversation[] => {
			const conversation = record(item);
			const id = integer(conversation?.id);
			const platformStatus = text(conversation?.status);
			const status = platformStatus === null ? null : freescoutStatuses.toStatus(platformStatus);
			const updatedAt = isoMs(conversation?.updatedAt);
			return id === null || status === null || updatedAt === null ? [] : [{ key: String(id), status, at: { t: updatedAt, k: AFTER_EVERY_THREAD } }];
		});
		const page = record(body?.page);
		const number = integer(page?.number);
		const totalPages = integer(page?.totalPages);
		return { conversations, lastPage: number === null || totalPages === null || number >= totalPages };
	},
};
