/**
 * The conversations of the credential's account, for priming the trigger's memory: GET
 * /api/v1/accounts/{account}/conversations with status=all and assignee_type=all (the default is open conversations
 * and the caller's own), most recent ACTIVITY first (last_activity_at_desc: Chatwoot has no updated_at order, so a
 * conversation whose status changed without a message may rank lower than its last update), page by page
 * (chatwoot.md §5; app/finders/conversation_finder.rb). An agent's token lists only the inboxes that agent is a
 * member of (permission_filter_service.rb L10-20). Answer: {data: {meta: {all_count, ...}, payload: [{id, status,
 * updated_at (float seconds), ...}]}}.
 * The page size is CONVERSATION_RESULTS_PER_PAGE on the Chatwoot server (25 unless changed), so it is taken from the
 * answers, not assumed: the list ends at an empty page, at a first page that holds all_count conversations, or at a
 * page n whose n x (its length) reaches all_count (exact for full pages; a shorter last page after the first costs
 * one more request, which answers empty).
 */
import { integer, list, record, text } from '../../core/json';
import type { Priming, PrimedConversation } from '../../core/trigger/priming';
import { secondsToMs } from './parse';
import { accountPath } from './paths';
import { chatwootStatuses } from './status';

export const priming: Priming = {
	pageRequest: (page, scope) => ({
		method: 'GET',
		path: `${accountPath(scope)}/conversations`,
		qs: { status: 'all', assignee_type: 'all', sort_by: 'last_activity_at_desc', page },
	}),

	readPage: (response, scope, page) => {
		const data = record(record(response.body)?.data);
		const items = data?.payload;
		if (!Array.isArray(items)) return null;
		const conversations = list(items).flatMap((item): PrimedConversation[] => {
			const conversation = record(item);
			const id = integer(conversation?.id);
			const platformStatus = text(conversation?.status);
			const status = platformStatus === null ? null : chatwootStatuses.toStatus(platformStatus);
			const updatedAt = secondsToMs(conversation?.updated_at);
			return id === null || status === null || updatedAt === null
				? []
				: [{ key: `${scope.accountId ?? '?'}:${id}`, status, at: { t: updatedAt, k: 0 } }];
		});
		const allCount = integer(record(data?.meta)?.all_count);
		return { conversations, lastPage: items.length === 0 || (allCount !== null && items.length * page >= allCount) };
	},
};
