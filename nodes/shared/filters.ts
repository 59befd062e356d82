/** The trigger's optional filters. An empty list means "any". */
import type { Cause, Status, StatusChange } from './types';

export interface ChangeFilters {
	toStatuses: Status[];
	/** "unknown" matches a change whose previous status is not known. */
	fromStatuses: Array<Status | 'unknown'>;
	inboxIds: number[];
	mailboxIds: number[];
	causes: Cause[];
	includeNewConversations: boolean;
}

export const NO_FILTERS: ChangeFilters = {
	toStatuses: [],
	fromStatuses: [],
	inboxIds: [],
	mailboxIds: [],
	causes: [],
	includeNewConversations: true,
};

/** Why the change is filtered out, or null when it passes every filter. */
export function filteredOutBecause(change: StatusChange, filters: ChangeFilters): string | null {
	if (change.isNewConversation && !filters.includeNewConversations) return 'new conversations are not included';
	if (filters.toStatuses.length > 0 && !filters.toStatuses.includes(change.status)) {
		return `status ${change.status} is not one of the "To Status" filter`;
	}
	const from = change.previousStatus ?? 'unknown';
	if (filters.fromStatuses.length > 0 && !filters.fromStatuses.includes(from)) {
		return `previous status ${from} is not one of the "From Status" filter`;
	}
	if (filters.inboxIds.length > 0 && (change.inboxId === null || !filters.inboxIds.includes(change.inboxId))) {
		return `inbox ${change.inboxId ?? 'unknown'} is not one of the "Inbox IDs" filter`;
	}
	if (
		filters.mailboxIds.length > 0 &&
		(change.mailboxId === null || !filters.mailboxIds.includes(change.mailboxId))
	) {
		return `mailbox ${change.mailboxId ?? 'unknown'} is not one of the "Mailbox IDs" filter`;
	}
	if (filters.causes.length > 0 && !filters.causes.includes(change.cause)) {
		return `cause ${change.cause} is not one of the "Causes" filter`;
	}
	return null;
}
