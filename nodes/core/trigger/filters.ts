/** The trigger's optional filters. An empty list means "any". */
import type { ConversationContainer } from '../platform';
import type { Cause, Status, StatusChange } from '../types';

export interface ChangeFilters {
	toStatuses: Status[];
	/** "unknown" matches a change whose previous status is not known. */
	fromStatuses: Array<Status | 'unknown'>;
	/** Ids of the platform's container (Chatwoot inbox, FreeScout mailbox). */
	containerIds: number[];
	causes: Cause[];
	includeNewConversations: boolean;
}

export const NO_FILTERS: ChangeFilters = {
	toStatuses: [],
	fromStatuses: [],
	containerIds: [],
	causes: [],
	includeNewConversations: true,
};

/** Why the change is filtered out, or null when it passes every filter. */
export function filteredOutBecause(
	change: StatusChange,
	filters: ChangeFilters,
	container: ConversationContainer,
): string | null {
	if (change.isNewConversation && !filters.includeNewConversations) return 'new conversations are not included';
	if (filters.toStatuses.length > 0 && !filters.toStatuses.includes(change.status)) {
		return `status ${change.status} is not one of the "To Status" filter`;
	}
	const from = change.previousStatus ?? 'unknown';
	if (filters.fromStatuses.length > 0 && !filters.fromStatuses.includes(from)) {
		return `previous status ${from} is not one of the "From Status" filter`;
	}
	const containerId = change[container.field];
	if (filters.containerIds.length > 0 && (containerId === null || !filters.containerIds.includes(containerId))) {
		return `${container.label.toLowerCase()} ${containerId ?? 'unknown'} is not one of the "${container.label} IDs" filter`;
	}
	if (filters.causes.length > 0 && !filters.causes.includes(change.cause)) {
		return `cause ${change.cause} is not one of the "Causes" filter`;
	}
	return null;
}
