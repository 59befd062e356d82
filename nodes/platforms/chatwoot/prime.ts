/**
 * The conversations of the credential's account, for priming the trigger's memory: GET
 * /api/v1/accounts/{account}/conversations with status=all and assignee_type=all (the default is open conversations
 * and the caller's own), most recent activity first (last_activity_at_desc, Chatwoot's only "recent" order: there is
 * no updated_at order), 25 per page (chatwoot.md §5; app/finders/conversation_finder.rb). Answer: {data: {meta:
 * {all_count, ...}, payload: [{id, status, updated_at (float seconds), ...}]}}; a page with fewer than 25 is the last.
 */
import { integer, list, record, text } from '../../core/json';
import type { Priming, PrimedConversation } from '../../core/trigger/priming';
import { secondsToMs } from './parse';
import { accountPath } from './paths';
import { chatwootStatuses } from './status';

const PAGE_SIZE = 25;

export const priming: Priming = {
	pageRequest: (page, scope) => ({
		method: 'GET',
		path: `${accountPath(scope)}/conversations`,
		qs: { status: 'all', assignee_type: 'all', sort_by: 'last_activity_at_desc', page },
	}),

	readPage: (response, scope) => {
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
		return { conversations, lastPage: items.length < PAGE_SIZE };
	},
};
