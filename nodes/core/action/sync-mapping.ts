/**
 * How a normalized status travels from one platform to another in Sync Status: the user's rules first (per target
 * platform; a status can map to "Do Not Sync"), then the status itself where the target has it, then the nearest
 * status it has (snoozed → pending, spam → resolved). The same function maps both ways, which is what lets Sync
 * recognize the echo of a lossy mapping (FreeScout spam → Chatwoot resolved → back).
 */
import type { ConversationApi } from './conversation-api';
import { InvalidParameterError } from './conversation-api';
import type { Platform, Status } from '../types';

export interface MappingRule {
	/** The platform the rule applies to when syncing to it. */
	target: Platform;
	from: Status;
	/** 'skip': do not sync this status to the target. */
	to: Status | 'skip';
}

/** When the target platform lacks a status and no rule maps it: the nearest status it has. */
const FALLBACKS: Record<Status, Status[]> = {
	snoozed: ['pending'],
	spam: ['resolved'],
	open: [],
	pending: [],
	resolved: [],
};

/** The status `status` becomes on `target`: 'skip' for a "Do Not Sync" rule, null when the target has nothing near. */
function lookup(status: Status, target: ConversationApi, rules: readonly MappingRule[]): Status | 'skip' | null {
	const rule = rules.find((r) => r.target === target.platform && r.from === status);
	if (rule) return rule.to;
	if (target.statuses.fromStatus(status) !== null) return status;
	return FALLBACKS[status].find((s) => target.statuses.fromStatus(s) !== null) ?? null;
}

/** The status `status` becomes on `target`; null when it is not synced there (a "Do Not Sync" rule). */
export function mapStatus(status: Status, target: ConversationApi, rules: readonly MappingRule[]): Status | null {
	const mapped = lookup(status, target, rules);
	if (mapped === null) {
		throw new InvalidParameterError(
			`${target.displayName} has no "${status}" status and no mapping for it`,
			`Add a mapping rule for ${target.displayName} from ${status} to a status ${target.displayName} has, or to "Do Not Sync".`,
		);
	}
	return mapped === 'skip' ? null : mapped;
}

/** Like mapStatus, but null for an unknown status or one that cannot be mapped at all. */
export function mapStatusOrNull(status: Status | null, target: ConversationApi, rules: readonly MappingRule[]): Status | null {
	const mapped = status === null ? null : lookup(status, target, rules);
	return mapped === 'skip' ? null : mapped;
}
