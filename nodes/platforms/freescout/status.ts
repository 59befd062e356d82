import type { Status, StatusMap } from '../../core/types';

/** FreeScout's words for the normalized statuses; it has no snoozed status. */
const TO_STATUS: Record<string, Status> = { active: 'open', pending: 'pending', closed: 'resolved', spam: 'spam' };
const FROM_STATUS: Partial<Record<Status, string>> = {
	open: 'active',
	pending: 'pending',
	resolved: 'closed',
	spam: 'spam',
};

export const freescoutStatuses: StatusMap = {
	toStatus: (platformStatus) => (Object.prototype.hasOwnProperty.call(TO_STATUS, platformStatus) ? TO_STATUS[platformStatus] : null),
	fromStatus: (status) => FROM_STATUS[status] ?? null,
};
