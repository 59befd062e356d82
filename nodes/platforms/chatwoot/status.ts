import type { Status, StatusMap } from '../../core/types';

/** Chatwoot's conversation statuses are the normalized ones; it has no spam status. */
const CHATWOOT_STATUSES: readonly string[] = ['open', 'pending', 'resolved', 'snoozed'];

export const chatwootStatuses: StatusMap = {
	toStatus: (platformStatus) =>
		CHATWOOT_STATUSES.includes(platformStatus) ? (platformStatus as Status) : null,
	fromStatus: (status) => (CHATWOOT_STATUSES.includes(status) ? status : null),
};
