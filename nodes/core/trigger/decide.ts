/**
 * Decides whether an observation is a real status change: compares it with what the memory knows,
 * fills previousStatus, and updates the memory. This is where duplicates collapse into one change.
 */
import type { Memory } from './memory';
import type { Status, StatusChange, StatusMap } from '../types';
import type { Observation } from './types';

export type Decision =
	| { kind: 'change'; change: StatusChange }
	| { kind: 'ignored'; reason: string }
	/** A weak observation that should be decided again after a short wait for its companion delivery. */
	| { kind: 'wait' };

export interface DecideOptions {
	/** How long a weak observation has already waited. */
	waitedMs: number;
	/** How long a weak observation may wait for a companion delivery before it is decided on its own. */
	maxWaitMs: number;
	statuses: StatusMap;
}

export function decide(observation: Observation, memory: Memory, options: DecideOptions): Decision {
	const { conversationKey: key, status, observedAt } = observation;
	const known = memory.get(key);

	if (known && observedAt < known.t) {
		return ignoredBecause(`delivery is older than the last known status (${known.s}) of this conversation`);
	}
	if (known && known.s === status) {
		memory.set(key, { s: status, t: observedAt });
		return ignoredBecause(`status is still ${status}: not a change`);
	}
	if (observation.weak && options.waitedMs < options.maxWaitMs) return { kind: 'wait' };

	const previous = previousOf(observation, known?.s ?? null, options.statuses);
	if (observation.kind === 'state' && previous.status === null) {
		memory.set(key, { s: status, t: observedAt });
		return ignoredBecause(
			`first delivery seen for this conversation and it does not say whether the status changed (now ${status})`,
		);
	}
	if (previous.status === status) {
		memory.set(key, { s: status, t: observedAt });
		return ignoredBecause(`status is still ${status}: not a change`);
	}

	memory.set(key, { s: status, t: observedAt });
	const { cause, actor } = observation.explain(previous.status);
	const fields = observation.fields;
	// Written out rather than spread: see observation.ts.
	const change: StatusChange = {
		platform: observation.platform,
		conversationId: fields.conversationId,
		conversationNumber: fields.conversationNumber,
		accountId: fields.accountId,
		mailboxId: fields.mailboxId,
		inboxId: fields.inboxId,
		contact: fields.contact,
		assignee: fields.assignee,
		subject: fields.subject,
		conversationUrl: fields.conversationUrl,
		isNewConversation: fields.isNewConversation,
		status,
		previousStatus: previous.status,
		previousStatusSource: previous.source,
		platformStatus: observation.platformStatus,
		previousPlatformStatus: previous.platformStatus,
		cause,
		actor,
		changedAt: new Date(observedAt).toISOString(),
		event: [observation.event],
		dedupeKey: `${key}:${previous.status ?? 'new'}>${status}@${Math.floor(observedAt / 1000)}`,
	};
	return { kind: 'change', change };
}

function ignoredBecause(reason: string): Decision {
	return { kind: 'ignored', reason };
}

interface Previous {
	status: Status | null;
	platformStatus: string | null;
	source: StatusChange['previousStatusSource'];
}

function previousOf(observation: Observation, remembered: Status | null, statuses: StatusMap): Previous {
	if (observation.kind === 'created') return { status: null, platformStatus: null, source: null };
	if (observation.previousPlatformStatus !== null) {
		return fromPlatform(observation.previousPlatformStatus, 'payload', statuses);
	}
	if (remembered !== null) {
		return { status: remembered, platformStatus: statuses.fromStatus(remembered), source: 'memory' };
	}
	if (observation.previousPlatformStatusHint !== null) {
		return fromPlatform(observation.previousPlatformStatusHint, 'history', statuses);
	}
	return { status: null, platformStatus: null, source: null };
}

function fromPlatform(platformStatus: string, source: Previous['source'], statuses: StatusMap): Previous {
	const status = statuses.toStatus(platformStatus);
	return status === null ? { status: null, platformStatus: null, source: null } : { status, platformStatus, source };
}
