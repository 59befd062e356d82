/**
 * Reads one FreeScout (API & Webhooks module) delivery into the status points it shows. Facts it relies on (real
 * deliveries win over documents):
 * - the event name is only in X-FreeScout-Event; the conversation's `status` and `updatedAt` are a snapshot taken
 *   when the event fired, while `_embedded.threads` is read when the delivery is sent (newest first, may include
 *   threads newer than the event, same-second threads in any order; thread ids only grow);
 * - status evidence in threads: a status line item (`changed-ticket-status`) carries the status it set; a reply or
 *   note made in the web UI carries the status it set when that is not `active` (API replies and notes always say
 *   `active`, which is no evidence); a customer thread carries the status the customer's message left, `active`;
 * - a customer reply that reopens a conversation, and a reply or note that sets a status through the API, fire no
 *   convo.status; from module 1.0.82 a reply-and-close fires convo.status and, after the undo delay, the reply event
 *   with the same conversation snapshot;
 * - convo.status is no proof of a change: the list's bulk status action re-sets a status the conversation already
 *   has, with a line item and convo.status (core ConversationsController, bulk_conversation_change_status), so
 *   it counts like any other status the conversation shows;
 * - a merge moves the other conversation's threads, status line items included, into this one, keeping their
 *   ids and times, then adds a `merged` line item carrying this conversation's own status at the merge (core
 *   Conversation::mergeConversations, Thread::create). The module shows no trace of which thread came from where,
 *   so threads older than the newest merge are no evidence of this conversation's history; the merge line item
 *   is (see merge.ts).
 * - delete, restore and delete-forever keep the status and fire only convo.deleted, convo.restored and
 *   convo.deleted_forever, which the trigger does not subscribe to; their line items carry no status.
 * Localized action.text, preview, threadsCount and closedAt are never used; closedByUser only in a convo.status that
 * closes and has no thread of its own (every close sets it).
 */
import { integer, isoMs, joinName, list, record, text, type JsonRecord } from '../../core/json';
import type { Actor } from '../../core/types';
import {
	ignored,
	type ChangeFields,
	type Explanation,
	type OwnPoint,
	type ParseContext,
	type ParseResult,
	type Stamp,
	type StatusPoint,
} from '../../core/trigger/types';
import { isMergeLineItem, ownHistory } from './merge';
import { freescoutStatuses } from './status';

type FreeScoutEvent =
	| 'convo.created'
	| 'convo.status'
	| 'convo.customer.reply.created'
	| 'convo.agent.reply.created'
	| 'convo.note.created';

/** Every event the parser reads; convo.created only matters when new conversations are reported. */
export const FREESCOUT_STATUS_EVENTS: readonly FreeScoutEvent[] = [
	'convo.status',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
	'convo.note.created',
	'convo.created',
];

const STATUS_LINE_ITEM = 'changed-ticket-status';

/** A thread that shows a status, with the point it proves. */
interface Evidence {
	thread: JsonRecord;
	point: StatusPoint;
}

export function parseFreeScout(body: unknown, event: string | null, context: ParseContext): ParseResult {
	if (event === null) return ignored('the delivery has no X-FreeScout-Event header: not a FreeScout webhook');
	if (!(FREESCOUT_STATUS_EVENTS as readonly string[]).includes(event)) {
		return ignored(`${event} does not change a conversation's status`);
	}
	const payload = record(body);
	const conversationId = integer(payload?.id);
	const platformStatus = text(payload?.status);
	const status = platformStatus === null ? null : freescoutStatuses.toStatus(platformStatus);
	if (payload === null || conversationId === null || platformStatus === null || status === null) {
		return ignored(`${event} has no conversation id or no known status`);
	}

	const threads = list(record(payload._embedded)?.threads)
		.map(record)
		.filter((thread): thread is JsonRecord => thread !== null && (thread.state ?? 'published') === 'published');
	const evidence = ownHistory(threads).flatMap((thread) => {
		const point = evidenceOf(thread, context);
		return point === null ? [] : [{ thread, point }];
	});
	const updatedAt = isoMs(payload.updatedAt) ?? 0;
	const own = ownPoint(event as FreeScoutEvent, payload, threads, evidence, updatedAt, context);
	return {
		platform: 'freescout',
		event,
		conversationKey: String(conversationId),
		own: { ...own, status, platformStatus },
		history: evidence.map((entry) => entry.point),
		fields: conversationFields(payload, conversationId, context, event === 'convo.created'),
	};
}

type OwnParts = Omit<OwnPoint, 'status' | 'platformStatus'>;

function ownPoint(
	event: FreeScoutEvent,
	payload: JsonRecord,
	threads: JsonRecord[],
	evidence: Evidence[],
	updatedAt: number,
	context: ParseContext,
): OwnParts {
	const base = { previousPlatformStatus: null, firstSight: 'no-change' as const };
	switch (event) {
		case 'convo.created': {
			const actor = personActor(record(payload.createdBy), context);
			return {
				...base,
				kind: 'created',
				// The conversation's first thread: threads read when the delivery is sent may include later ones.
				at: stampOf(oldest(threads), updatedAt),
				explain: () => ({ cause: 'conversation_created', actor }),
			};
		}
		case 'convo.status': {
			// The change's own thread: the newest line item, reply or note showing the new status, not newer than the
			// event (customer messages fire no convo.status); without one (an API reply that set it records "active"),
			// the newest thread up to the event. A status like the one before is no change (a bulk re-close): the
			// point is a state, and a change when nothing earlier is known.
			const notLater = (thread: JsonRecord) => (isoMs(thread.createdAt) ?? 0) <= updatedAt;
			const ownThread = newest(
				evidence.map((entry) => entry.thread),
				(thread) => thread.type !== 'customer' && text(thread.status) === text(payload.status) && notLater(thread),
			);
			// Without one, a close still names its closer: FreeScout sets closedByUser on every close (also when the
			// Send & Close reply was undone and is a draft now, which deliveries leave out).
			const closer = text(payload.status) === 'closed' ? record(payload.closedByUser) : null;
			const author = record(ownThread?.createdBy) ?? closer ?? record(newestOfType(threads, 'message')?.createdBy);
			const explanation = authorExplanation(author, context);
			return {
				...base,
				kind: 'state',
				firstSight: 'change',
				at: ownThread !== null ? stampOf(ownThread, updatedAt) : atEvent(newest(threads, notLater), updatedAt),
				explain: () => explanation,
			};
		}
		case 'convo.customer.reply.created': {
			const actor = personActor(record(payload.customer), context);
			return {
				...base,
				kind: 'state',
				at: stampOf(newestOfType(threads, 'customer'), updatedAt),
				explain: () => ({ cause: 'customer_message', actor }),
			};
		}
		case 'convo.agent.reply.created':
		case 'convo.note.created': {
			const thread = newestOfType(threads, event === 'convo.note.created' ? 'note' : 'message');
			const explanation = authorExplanation(record(thread?.createdBy), context);
			// Rule: an agent's reply or note that leaves the conversation closed, pending or spam changed it.
			const leavesInactive = text(payload.status) !== 'active';
			return {
				...base,
				kind: 'state',
				firstSight: leavesInactive ? 'change' : 'no-change',
				at: stampOf(thread, updatedAt),
				explain: () => explanation,
			};
		}
	}
}

/** The status a thread proves, or null when it proves none (see the file comment). */
function evidenceOf(thread: JsonRecord, context: ParseContext): StatusPoint | null {
	const platformStatus = text(thread.status);
	const status = platformStatus === null ? null : freescoutStatuses.toStatus(platformStatus);
	if (platformStatus === null || status === null) return null;
	const at = stampOf(thread, 0);
	const author = record(thread.createdBy);
	switch (thread.type) {
		case 'lineitem':
			// The status a merge line item shows was not set by the merge: whoever set it is unknown here.
			if (isMergeLineItem(thread)) return { status, platformStatus, at, explain: () => ({ cause: 'unknown', actor: null }) };
			if (text(record(thread.action)?.type) !== STATUS_LINE_ITEM) return null;
			return { status, platformStatus, at, explain: () => authorExplanation(author, context) };
		case 'message':
		case 'note':
			if (platformStatus === 'active') return null;
			return { status, platformStatus, at, explain: () => authorExplanation(author, context) };
		case 'customer': {
			const actor = personActor(author ?? record(thread.customer), context);
			return { status, platformStatus, at, explain: () => ({ cause: 'customer_message', actor }) };
		}
		default:
			return null;
	}
}

/** A thread's stamp: its createdAt (whole seconds) and its id; the conversation's updatedAt when there is none. */
function stampOf(thread: JsonRecord | null | undefined, fallbackMs: number): Stamp {
	if (thread === null || thread === undefined) return { t: fallbackMs, k: 0 };
	return { t: isoMs(thread.createdAt) ?? fallbackMs, k: integer(thread.id) ?? 0 };
}

/**
 * When an event without a thread of its own happened: the conversation's updatedAt, after the newest thread up to
 * it (an undone reply leaves no thread, and the thread before it may be much older).
 */
function atEvent(before: JsonRecord | null, updatedAt: number): Stamp {
	const stamp = stampOf(before, updatedAt);
	return stamp.t < updatedAt ? { t: updatedAt, k: stamp.k } : stamp;
}

/** The newest thread that matches: same-second threads come in any order, the highest id is the newest. */
function newest(threads: JsonRecord[], matches: (thread: JsonRecord) => boolean): JsonRecord | null {
	let found: JsonRecord | null = null;
	for (const thread of threads) {
		if (matches(thread) && (found === null || (integer(thread.id) ?? 0) > (integer(found.id) ?? 0))) found = thread;
	}
	return found;
}

function oldest(threads: JsonRecord[]): JsonRecord | null {
	let found: JsonRecord | null = null;
	for (const thread of threads) {
		if (found === null || (integer(thread.id) ?? 0) < (integer(found.id) ?? 0)) found = thread;
	}
	return found;
}

function newestOfType(threads: JsonRecord[], type: string): JsonRecord | null {
	return newest(threads, (thread) => thread.type === type);
}

function authorExplanation(author: JsonRecord | null, context: ParseContext): Explanation {
	const actor = personActor(author, context);
	if (actor === null) return { cause: 'unknown', actor: null };
	if (actor.type === 'api_user') return { cause: 'api', actor };
	return { cause: actor.type === 'contact' ? 'customer_message' : 'agent', actor };
}

/** FreeScout's short person form: {id, type: "user"|"customer", firstName, lastName, email}. */
function personActor(person: JsonRecord | null, context: ParseContext): Actor | null {
	if (person === null) return null;
	const id = integer(person.id);
	const name = joinName(text(person.firstName), text(person.lastName));
	const email = text(person.email);
	if (person.type === 'customer') return { type: 'contact', id, name, email };
	const type = id !== null && context.apiUserIds.includes(id) ? 'api_user' : 'agent';
	return { type, id, name, email };
}

function conversationFields(
	payload: JsonRecord,
	conversationId: number,
	context: ParseContext,
	isNewConversation: boolean,
): ChangeFields {
	const customer = record(payload.customer);
	const assignee = record(payload.assignee);
	return {
		conversationId,
		conversationNumber: integer(payload.number),
		accountId: null,
		mailboxId: integer(payload.mailboxId),
		inboxId: null,
		contact:
			customer === null
				? null
				: {
						id: integer(customer.id),
						name: joinName(text(customer.firstName), text(customer.lastName)),
						email: text(customer.email),
						phone: null,
					},
		assignee:
			assignee === null
				? null
				: {
						id: integer(assignee.id),
						name: joinName(text(assignee.firstName), text(assignee.lastName)),
						email: text(assignee.email),
						type: 'agent',
					},
		subject: text(payload.subject),
		conversationUrl: context.baseUrl !== null ? `${context.baseUrl}/conversation/${conversationId}` : null,
		isNewConversation,
	};
}
