/**
 * Reads one FreeScout (API & Webhooks module) delivery into an observation of a conversation's status.
 * Facts it relies on (real deliveries win over documents): the event name is only in X-FreeScout-Event; the
 * conversation's own `status` is a snapshot taken when the event fired and is the truth; threads are read at send
 * time (newest first, may include newer threads, same-second threads unordered); customer, reply and note threads
 * record "active" whatever they set, only status line items carry their status, so history is a hint at most;
 * a customer reply that reopens a conversation and a reply/note that sets a status through the API fire no
 * convo.status. Localized action.text, preview, threadsCount and stale closedAt/closedBy are never used.
 */
import { integer, isoMs, joinName, list, record, text, type JsonRecord } from '../../core/json';
import { observation, type ObservationBase } from '../../core/trigger/observation';
import type { Actor, Cause } from '../../core/types';
import { ignored, type ChangeFields, type Observation, type ParseContext, type ParseResult } from '../../core/trigger/types';
import { freescoutStatuses } from './status';

type FreeScoutEvent =
	| 'convo.created'
	| 'convo.status'
	| 'convo.customer.reply.created'
	| 'convo.agent.reply.created'
	| 'convo.note.created';

export const FREESCOUT_STATUS_EVENTS: readonly FreeScoutEvent[] = [
	'convo.status',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
	'convo.note.created',
	'convo.created',
];

const STATUS_LINE_ITEM = 'changed-ticket-status';

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
		.filter((thread): thread is JsonRecord => thread !== null);
	const base: ObservationBase = {
		platform: 'freescout',
		event,
		conversationKey: `freescout:${conversationId}`,
		fields: conversationFields(payload, conversationId, context, event === 'convo.created'),
	};
	const observedAt = isoMs(payload.updatedAt) ?? 0;
	const observe = (kind: Observation['kind'], hint: string | null, explain: Observation['explain']) =>
		observation(base, {
			status,
			platformStatus,
			previousPlatformStatus: null,
			previousPlatformStatusHint: hint,
			observedAt,
			kind,
			weak: false,
			explain,
		});

	switch (event as FreeScoutEvent) {
		case 'convo.created': {
			const actor = personActor(record(payload.createdBy), context);
			return observe('created', null, () => ({ cause: 'conversation_created', actor }));
		}
		case 'convo.status': {
			const lineItems = statusLineItems(threads);
			// The change's own line item is the newest one with the new status; the one before it hints the previous.
			const ownIndex = lineItems.findIndex((item) => text(item.status) === platformStatus);
			const own = ownIndex === -1 ? null : lineItems[ownIndex];
			const earlier = ownIndex === -1 ? null : lineItems[ownIndex + 1];
			const author = own !== null ? record(own.createdBy) : record(newestOfType(threads, 'message')?.createdBy);
			const explanation = authorExplanation(author, context);
			return observe('transition', earlier ? text(earlier.status) : null, () => explanation);
		}
		case 'convo.customer.reply.created': {
			const actor = personActor(record(payload.customer), context);
			return observe('state', hintBefore(threads, 'customer'), () => ({ cause: 'customer_message', actor }));
		}
		case 'convo.agent.reply.created':
		case 'convo.note.created': {
			const threadType = event === 'convo.note.created' ? 'note' : 'message';
			const explanation = authorExplanation(record(newestOfType(threads, threadType)?.createdBy), context);
			return observe('state', hintBefore(threads, threadType), () => explanation);
		}
	}
}

function statusLineItems(threads: JsonRecord[]): JsonRecord[] {
	return threads.filter(
		(thread) => thread.type === 'lineitem' && text(record(thread.action)?.type) === STATUS_LINE_ITEM,
	);
}

function newestOfType(threads: JsonRecord[], type: string): JsonRecord | null {
	return threads.find((thread) => thread.type === type) ?? null;
}

/** The status of the newest status line item older than the newest thread of the given type. */
function hintBefore(threads: JsonRecord[], type: string): string | null {
	const index = threads.findIndex((thread) => thread.type === type);
	if (index === -1) return null;
	const earlier = statusLineItems(threads.slice(index + 1))[0];
	return earlier ? text(earlier.status) : null;
}

function authorExplanation(author: JsonRecord | null, context: ParseContext): { cause: Cause; actor: Actor | null } {
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
