/**
 * Decides which real status changes a delivery shows. The delivery's points (its own and the history it carries)
 * are laid on the conversation's timeline the memory keeps; every point not decided before is a change when its
 * status differs from the point before it. Rules (docs, "How the trigger decides"):
 * - evidence outranks inference: a status read from the API (priming) ranks points but never hides a delivered
 *   change, even one older than it;
 * - late changes are reported, not dropped: a change whose dedupe key was never reported gives its item once,
 *   marked `late` when the memory already knew a newer point, `superseded` when a newer different status is known;
 * - a transition the platform states is a change even when the point before has the same status;
 * - a late-built snapshot never reports on its own (another delivery states that change);
 * - history older than what the trigger watched is old news: for a conversation the memory does not know, only the
 *   delivery's own point (and newer history) counts, compared with the last status its history shows; history
 *   older than a point already decided only ranks (a late change is reported by the delivery that states it);
 * - a point the memory saw as no change, which a merge since shows after another status, is reported then.
 */
import type { PreviousStatusSource, Status, StatusChange, StatusMap } from '../types';
import { byStamp, type KnownPoint } from './conversation-record';
import type { Memory } from './memory';
import { isNewer, sameStamp, stampText, type Stamp } from './stamp';
import type { Explanation, Observation, StatusPoint } from './types';

export interface Decision {
	changes: StatusChange[];
	/** Why nothing is reported, when `changes` is empty. */
	reason: string | null;
}

interface Found {
	at: Stamp;
	status: Status;
	platformStatus: string;
	explanation: Explanation;
	previous: Status | null;
	previousPlatformStatus: string | null;
	source: PreviousStatusSource;
	isNewConversation: boolean;
}

/** A point on the timeline: from the memory (with what was made of it) or from this delivery. */
interface Placed {
	status: Status;
	at: Stamp;
	known: KnownPoint | null;
}

export function decide(observation: Observation, memory: Memory, statuses: StatusMap): Decision {
	const { own, conversationKey: key } = observation;
	if (own.kind === 'snapshot') {
		return nothing(`${observation.event} reports no status change (status ${own.status} when the payload was built)`);
	}
	const record = memory.get(key);
	const knownPoints = record?.points ?? [];
	const history = observation.history.filter((point) => !sameStamp(point.at, own.at));
	const delivered: StatusPoint[] = [...history, own].sort((a, b) => byStamp(a.at, b.at));
	const hint = [...history].filter((point) => isNewer(own.at, point.at)).sort((a, b) => byStamp(a.at, b.at)).pop() ?? null;
	// History before a conversation's first sight is old news (the delivery's own point is exempt, it states its change).
	const historyFloor = record === undefined ? (hint?.at ?? own.at) : record.historyFloor;
	const forgotten = record?.forgottenUpTo ?? null;
	// History older than a decided point only ranks: a change shown nowhere but in later threads (FreeScout moves a
	// merged conversation's threads, status line items included, into the target) is not this conversation's.
	const newestDecided = [...knownPoints].reverse().find((point) => point.kind !== 'inferred') ?? null;

	const timeline: Placed[] = knownPoints.map((point) => ({ status: point.status, at: point, known: point }));
	const place = (point: StatusPoint) => {
		const index = timeline.findIndex((placed) => sameStamp(placed.at, point.at));
		// A delivered point replaces an inferred one at its stamp; a decided one stays.
		if (index === -1) timeline.push({ status: point.status, at: point.at, known: null });
		else if (timeline[index].known?.kind === 'inferred') timeline[index] = { status: point.status, at: point.at, known: null };
	};
	const isOldHistory = (point: StatusPoint) =>
		point !== own && ((historyFloor !== null && !isNewer(point.at, historyFloor)) || (newestDecided !== null && !isNewer(point.at, newestDecided)));
	// Old history ranks nothing the memory already knows; its last point before the delivery's own (the hint) is the
	// status before when the memory knows nothing between them.
	const knownBeforeOwn = knownPoints.filter((point) => isNewer(own.at, point)).pop();
	const hintRanks = hint !== null && (knownBeforeOwn === undefined || isNewer(hint.at, knownBeforeOwn));
	delivered.filter((point) => !isOldHistory(point) || (point === hint && hintRanks)).forEach(place);
	timeline.sort((a, b) => byStamp(a.at, b.at));
	const before = (at: Stamp): Placed | null => timeline.filter((placed) => isNewer(at, placed.at)).pop() ?? null;
	const sourceOf = (placed: Placed): PreviousStatusSource => (placed.known !== null ? 'memory' : 'history');

	const found: Found[] = [];
	const learned: KnownPoint[] = [];
	let alreadyDecided = false;
	let oldNews = false;
	const foundAt = (at: Stamp, status: Status, platformStatus: string, explain: (previous: Status | null) => Explanation, previous: Placed | null, stated?: string) => {
		const previousStatus = stated !== undefined ? (statuses.toStatus(stated) ?? null) : (previous?.status ?? null);
		found.push({
			at,
			status,
			platformStatus,
			explanation: explain(previousStatus),
			previous: previousStatus,
			previousPlatformStatus: stated !== undefined ? stated : previousStatus === null ? null : statuses.fromStatus(previousStatus),
			source: stated !== undefined ? 'payload' : previous === null || previousStatus === null ? null : sourceOf(previous),
			isNewConversation: false,
		});
	};

	for (const point of delivered) {
		const isOwn = point === own;
		if ((forgotten !== null && !isNewer(point.at, forgotten)) || isOldHistory(point)) {
			if (isOwn) oldNews = true;
			continue;
		}
		const known = knownPoints.find((candidate) => sameStamp(candidate, point.at));
		if (known !== undefined && known.kind !== 'inferred' && known.status === point.status) {
			if (isOwn) alreadyDecided = true;
			continue;
		}
		const previous = before(point.at);
		const explain = (status: Status | null) => point.explain(status);
		let change = false;
		if (isOwn && own.kind === 'transition') {
			change = true;
			const stated = own.previousPlatformStatus !== null && statuses.toStatus(own.previousPlatformStatus) !== null ? own.previousPlatformStatus : undefined;
			// The platform says the status changed; a point before with the same status only shows a missed change.
			foundAt(point.at, point.status, point.platformStatus, explain, previous?.status === own.status ? null : previous, stated);
		} else if (isOwn && own.kind === 'created' && previous === null) {
			change = true;
			foundAt(point.at, point.status, point.platformStatus, explain, null);
			found[found.length - 1].isNewConversation = true;
		} else if (previous === null) {
			if (isOwn && own.firstSight === 'change') {
				change = true;
				foundAt(point.at, point.status, point.platformStatus, explain, null);
			}
		} else if (point.status !== previous.status) {
			change = true;
			foundAt(point.at, point.status, point.platformStatus, explain, previous);
		}
		learned.push({ status: point.status, t: point.at.t, k: point.at.k, kind: change ? 'reported' : 'seen' });
	}

	// Points the memory saw as no change that now follow another status (a process that could not see the other's
	// change when it decided): changes never reported.
	for (const known of knownPoints) {
		if (known.kind !== 'seen' || (historyFloor !== null && !isNewer(known, historyFloor))) continue;
		if (learned.some((point) => sameStamp(point, known))) continue;
		const previous = before(known);
		if (previous === null || previous.status === known.status) continue;
		const platformStatus = statuses.fromStatus(known.status) ?? known.status;
		foundAt(known, known.status, platformStatus, () => ({ cause: 'unknown', actor: null }), previous);
		learned.push({ ...known, kind: 'reported' });
	}

	// The hint of a conversation seen for the first time ranks the points after it, decided or not.
	if (record === undefined && hint !== null) learned.push({ status: hint.status, t: hint.at.t, k: hint.at.k, kind: 'inferred' });
	memory.learn(key, learned, historyFloor);

	if (found.length === 0) {
		if (alreadyDecided) return nothing(`already known: the trigger has this status (${own.status}) from this same event`);
		if (oldNews) return nothing(`older than the ${knownPoints.length} statuses the trigger keeps of this conversation`);
		return nothing(
			record === undefined && own.firstSight === 'no-change' && hint === null
				? `first delivery seen for this conversation, and it does not show whether the status changed (now ${own.status})`
				: `status is still ${own.status}: not a change`,
		);
	}
	found.sort((a, b) => byStamp(a.at, b.at));
	// Late: the memory knew a newer point when the delivery came. A status read from the API that equals the change's
	// is the state this change led to (priming at activation or at an n8n 1.x start), not a newer one.
	const knownNewer = (entry: Found) =>
		knownPoints.some((known) => isNewer(known, entry.at) && !(known.kind === 'inferred' && known.status === entry.status));
	return {
		changes: found.map((entry) =>
			change(observation, entry, {
				late: knownNewer(entry),
				superseded: timeline.some((placed) => isNewer(placed.at, entry.at) && placed.status !== entry.status),
			}),
		),
		reason: null,
	};
}

function nothing(reason: string): Decision {
	return { changes: [], reason };
}

function change(observation: Observation, found: Found, marks: { late: boolean; superseded: boolean }): StatusChange {
	const { cause, actor } = found.explanation;
	const fields = observation.fields;
	return {
		platform: observation.platform,
		conversationId: fields.conversationId,
		conversationNumber: fields.conversationNumber,
		accountId: fields.accountId,
		mailboxId: fields.mailboxId,
		inboxId: fields.inboxId,
		status: found.status,
		previousStatus: found.previous,
		previousStatusSource: found.source,
		platformStatus: found.platformStatus,
		previousPlatformStatus: found.previousPlatformStatus,
		cause,
		isNewConversation: found.isNewConversation,
		changedAt: new Date(found.at.t).toISOString(),
		actor,
		contact: fields.contact,
		assignee: fields.assignee,
		subject: fields.subject,
		conversationUrl: fields.conversationUrl,
		event: [observation.event],
		late: marks.late,
		superseded: marks.superseded,
		dedupeKey: `${observation.platform}:${observation.conversationKey}:${found.status}@${stampText(found.at)}`,
	};
}
