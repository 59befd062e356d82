/**
 * Decides which real status changes a delivery shows: its points (its own and the history it carries) that are
 * newer than what the memory knows are walked in order from the remembered status; every point whose status
 * differs is a change. The memory then holds the newest point. Rules (README, "How the trigger decides"):
 * - evidence newer than the memory wins over the memory; evidence not newer is already known: nothing;
 * - a transition the platform states is a change even when the memory holds the same status;
 * - a late-built snapshot never reports on its own (another delivery states that change);
 * - for a conversation the memory does not know, only the delivery's own point counts, compared with the last
 *   status its history shows (older history is old news);
 * - when one delivery shows several changes, all but the last are marked superseded.
 */
import type { PreviousStatusSource, Status, StatusChange, StatusMap } from '../types';
import type { Memory } from './memory';
import { isNewer, sameStamp, stampText } from './stamp';
import type { Observation, StatusPoint } from './types';

export interface Decision {
	changes: StatusChange[];
	/** Why nothing is reported, when `changes` is empty. */
	reason: string | null;
}

interface Found {
	point: StatusPoint;
	previous: Status | null;
	previousPlatformStatus: string | null;
	source: PreviousStatusSource;
	isNewConversation: boolean;
}

export function decide(observation: Observation, memory: Memory, statuses: StatusMap): Decision {
	const { own, conversationKey: key } = observation;
	const known = memory.get(key);
	const history = observation.history.filter((point) => !sameStamp(point.at, own.at));
	if (known !== undefined && !isNewer(own.at, known) && !history.some((point) => isNewer(point.at, known))) {
		return nothing(
			sameStamp(own.at, known) && own.status === known.status
				? `already known: the trigger has this status (${own.status}) from this same event`
				: `older than the last known status (${known.status}) of this conversation`,
		);
	}
	if (own.kind === 'snapshot') {
		return nothing(`${observation.event} reports no status change (status ${own.status} when the payload was built)`);
	}

	const points: StatusPoint[] = [...history, own].sort((a, b) => (isNewer(a.at, b.at) ? 1 : isNewer(b.at, a.at) ? -1 : 0));
	const ownIndex = points.indexOf(own);
	let running: Status | null;
	let source: PreviousStatusSource;
	let start: number;
	if (known !== undefined) {
		running = known.status;
		source = 'memory';
		start = points.findIndex((point) => isNewer(point.at, known));
	} else {
		const hint = ownIndex > 0 ? points[ownIndex - 1] : null;
		running = hint?.status ?? null;
		source = hint === null ? null : 'history';
		start = ownIndex;
	}

	const found: Found[] = [];
	const push = (point: StatusPoint, previous: Status | null, previousSource: PreviousStatusSource, isNew = false) =>
		found.push({
			point,
			previous,
			previousPlatformStatus: previous === null ? null : statuses.fromStatus(previous),
			source: previous === null ? null : previousSource,
			isNewConversation: isNew,
		});
	for (const point of points.slice(start)) {
		if (point !== own) {
			if (running !== null && point.status !== running) push(point, running, source);
		} else if (own.kind === 'transition') {
			const stated = own.previousPlatformStatus === null ? null : statuses.toStatus(own.previousPlatformStatus);
			if (stated !== null) {
				found.push({ point, previous: stated, previousPlatformStatus: own.previousPlatformStatus, source: 'payload', isNewConversation: false });
			} else {
				// The platform says the status changed; a remembered status equal to the new one only shows a missed change.
				push(point, running === own.status ? null : running, source);
			}
		} else if (own.kind === 'created' && known === undefined) {
			push(point, null, null, true);
		} else if (running === null) {
			if (own.firstSight === 'change') push(point, null, null);
		} else if (own.status !== running) {
			push(point, running, source);
		}
		running = point.status;
		source = 'history';
	}

	const newest = points[points.length - 1];
	memory.remember(key, { status: newest.status, t: newest.at.t, k: newest.at.k });
	if (found.length === 0) {
		return nothing(
			known === undefined && own.firstSight === 'no-change' && ownIndex === 0
				? `first delivery seen for this conversation, and it does not show whether the status changed (now ${own.status})`
				: `status is still ${own.status}: not a change`,
		);
	}
	return { changes: found.map((entry, index) => change(observation, entry, index < found.length - 1)), reason: null };
}

function nothing(reason: string): Decision {
	return { changes: [], reason };
}

function change(observation: Observation, found: Found, superseded: boolean): StatusChange {
	const { point } = found;
	const { cause, actor } = point.explain(found.previous);
	const fields = observation.fields;
	return {
		platform: observation.platform,
		conversationId: fields.conversationId,
		conversationNumber: fields.conversationNumber,
		accountId: fields.accountId,
		mailboxId: fields.mailboxId,
		inboxId: fields.inboxId,
		status: point.status,
		previousStatus: found.previous,
		previousStatusSource: found.source,
		platformStatus: point.platformStatus,
		previousPlatformStatus: found.previousPlatformStatus,
		cause,
		isNewConversation: found.isNewConversation,
		changedAt: new Date(point.at.t).toISOString(),
		actor,
		contact: fields.contact,
		assignee: fields.assignee,
		subject: fields.subject,
		conversationUrl: fields.conversationUrl,
		event: [observation.event],
		superseded,
		dedupeKey: `${observation.platform}:${observation.conversationKey}:${point.status}@${stampText(point.at)}`,
	};
}
