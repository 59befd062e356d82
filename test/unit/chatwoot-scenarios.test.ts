import {
	conversationBody,
	created,
	iso,
	reopenAsPendingSequence,
	statusChanged,
	updated,
	type ConversationState,
} from '../fixtures/chatwoot-payloads';
import { changes, chatwootDelivery, harness, NOW_SECONDS, permutations } from './pipeline-helpers';

const S1_CHANGE = {
	platform: 'chatwoot',
	conversationId: 128,
	conversationNumber: null,
	accountId: 1,
	mailboxId: null,
	inboxId: 4,
	status: 'pending',
	previousStatus: 'resolved',
	previousStatusSource: 'payload',
	platformStatus: 'pending',
	previousPlatformStatus: 'resolved',
	cause: 'bot_inbox',
	isNewConversation: false,
	changedAt: '2026-06-20T09:14:05.300Z',
	actor: { type: 'contact', id: 42, name: 'Ana Souza', email: 'ana@example.org' },
	contact: { id: 42, name: 'Ana Souza', email: 'ana@example.org', phone: '+5511999990000' },
	assignee: { id: 7, name: 'Alex Agent', email: null, type: 'agent' },
	subject: null,
	conversationUrl: 'https://chat.example.com/app/accounts/1/conversations/128',
	event: ['conversation_updated'],
	dedupeKey: 'chatwoot:1:128:resolved>pending@1781946845',
};

describe('Chatwoot: a resolved conversation reopened as pending by an incoming message (S1)', () => {
	const orders = permutations([0, 1, 2, 3]).map((order) => [order.join(' '), order] as const);

	it.each(orders)('arriving together in order %s gives exactly one change, resolved -> pending, cause bot_inbox', async (_name, order) => {
		const sequence = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		const outcomes = await h.deliverConcurrently(order.map((index) => chatwootDelivery(sequence[index])));
		expect(changes(outcomes)).toEqual([S1_CHANGE]);
		expect(outcomes.map((outcome) => outcome.httpStatus)).toEqual([200, 200, 200, 200]);
	});

	it.each(orders)('one by one in order %s, after the trigger saw the resolve, gives exactly one change', async (_name, order) => {
		const sequence = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		h.memory.set('chatwoot:1:128', { s: 'resolved', t: (NOW_SECONDS - 600) * 1000 });
		const found = [];
		for (const index of order) found.push(...changes([await h.deliver(chatwootDelivery(sequence[index]))]));
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({ status: 'pending', previousStatus: 'resolved', cause: 'bot_inbox' });
		expect(h.memory.get('chatwoot:1:128')?.s).toBe('pending');
	});

	it('without its companion, conversation_status_changed is reported after the wait, previous status from memory', async () => {
		const h = harness('chatwoot');
		h.memory.set('chatwoot:1:128', { s: 'resolved', t: (NOW_SECONDS - 600) * 1000 });
		const [statusEvent] = reopenAsPendingSequence(128, NOW_SECONDS);
		const started = h.clock.ms;
		const [change] = changes([await h.deliver(chatwootDelivery(statusEvent))]);
		expect(h.clock.ms - started).toBe(2000);
		expect(change).toMatchObject({
			status: 'pending',
			previousStatus: 'resolved',
			previousStatusSource: 'memory',
			previousPlatformStatus: 'resolved',
			cause: 'bot_inbox',
			event: ['conversation_status_changed'],
			changedAt: '2026-06-20T09:14:05.400Z',
		});
	});

	it('alone and with nothing remembered, it is reported with an unknown previous status', async () => {
		const h = harness('chatwoot');
		const [statusEvent] = reopenAsPendingSequence(128, NOW_SECONDS);
		const [change] = changes([await h.deliver(chatwootDelivery(statusEvent))]);
		expect(change).toMatchObject({ status: 'pending', previousStatus: null, previousStatusSource: null, cause: 'unknown' });
	});

	it('a duplicate conversation_updated (Chatwoot sometimes sends it twice) is not a second change', async () => {
		const [, statusDiff] = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		const outcomes = [await h.deliver(chatwootDelivery(statusDiff)), await h.deliver(chatwootDelivery(statusDiff))];
		expect(changes(outcomes)).toHaveLength(1);
		expect(outcomes[1]).toMatchObject({ httpStatus: 200, ignored: 'status is still pending: not a change' });
	});
});

describe('Chatwoot: other changes', () => {
	const base: ConversationState = { id: 131, inboxId: 2, status: 'open', createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS + 0.5 };

	it('a new conversation in a bot inbox is reported once, as new, with cause bot_inbox, whatever arrives first', async () => {
		const state: ConversationState = { ...base, status: 'pending', createdAt: NOW_SECONDS, latestMessageType: 0 };
		const deliveries = [
			created(state),
			statusChanged(state),
			updated(state, [
				{ status: { previous_value: 'open', current_value: 'pending' } },
				{ updated_at: { previous_value: iso(NOW_SECONDS), current_value: iso(NOW_SECONDS + 0.5) } },
			]),
		];
		for (const order of permutations([0, 1, 2])) {
			const h = harness('chatwoot');
			const found = changes(await h.deliverConcurrently(order.map((index) => chatwootDelivery(deliveries[index]))));
			expect(found).toHaveLength(1);
			expect(found[0]).toMatchObject({
				status: 'pending',
				previousStatus: null,
				isNewConversation: true,
				cause: 'bot_inbox',
			});
		}
	});

	it('a new conversation outside bot inboxes has cause conversation_created and can be filtered out', async () => {
		const state: ConversationState = { ...base, createdAt: NOW_SECONDS, latestMessageType: 0 };
		const kept = changes([await harness('chatwoot').deliver(chatwootDelivery(created(state)))]);
		expect(kept[0]).toMatchObject({ status: 'open', previousStatus: null, cause: 'conversation_created', isNewConversation: true });
		const filtered = await harness('chatwoot', {}, { includeNewConversations: false }).deliver(chatwootDelivery(created(state)));
		expect(filtered).toMatchObject({ httpStatus: 200, ignored: 'filtered out: new conversations are not included' });
	});

	it('an agent resolving a conversation: open -> resolved, cause unknown, no actor', async () => {
		const state: ConversationState = { ...base, status: 'resolved', latestMessageType: 1, latestMessageSender: 'user' };
		const diff = updated(state, [{ status: { previous_value: 'open', current_value: 'resolved' } }]);
		const [change] = changes([await harness('chatwoot').deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ status: 'resolved', previousStatus: 'open', cause: 'unknown', actor: null });
		expect(change.changedAt).toBe('2026-06-20T09:14:05.500Z');
	});

	it('snoozing, then the snooze expiring, gives open -> snoozed then snoozed -> open with cause snooze_expired', async () => {
		const h = harness('chatwoot');
		const snoozedUntil = iso(NOW_SECONDS + 60);
		const snoozed: ConversationState = { ...base, status: 'snoozed', snoozedUntil };
		const first = await h.deliver(
			chatwootDelivery(updated(snoozed, [
				{ status: { previous_value: 'open', current_value: 'snoozed' } },
				{ snoozed_until: { previous_value: null, current_value: snoozedUntil } },
			])),
		);
		const reopened: ConversationState = { ...base, status: 'open', updatedAt: NOW_SECONDS + 61, latestMessageType: 1, latestMessageSender: 'user' };
		const second = await h.deliver(
			chatwootDelivery(updated(reopened, [
				{ status: { previous_value: 'snoozed', current_value: 'open' } },
				{ snoozed_until: { previous_value: snoozedUntil, current_value: null } },
			])),
		);
		expect(changes([first, second]).map(({ previousStatus, status, cause }) => ({ previousStatus, status, cause }))).toEqual([
			{ previousStatus: 'open', status: 'snoozed', cause: 'unknown' },
			{ previousStatus: 'snoozed', status: 'open', cause: 'snooze_expired' },
		]);
	});

	it('a customer message reopening a resolved conversation without a bot: resolved -> open, cause customer_message', async () => {
		const state: ConversationState = { ...base, status: 'open', latestMessageType: 0 };
		const diff = updated(state, [{ status: { previous_value: 'resolved', current_value: 'open' } }]);
		const [change] = changes([await harness('chatwoot').deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ previousStatus: 'resolved', status: 'open', cause: 'customer_message', actor: { type: 'contact', id: 42 } });
	});

	it('an older delivery arriving after a newer change is not reported', async () => {
		const h = harness('chatwoot');
		const newer: ConversationState = { ...base, status: 'open', updatedAt: NOW_SECONDS + 10 };
		const older: ConversationState = { ...base, status: 'resolved', updatedAt: NOW_SECONDS + 5 };
		await h.deliver(chatwootDelivery(updated(newer, [{ status: { previous_value: 'resolved', current_value: 'open' } }])));
		const late = await h.deliver(chatwootDelivery(updated(older, [{ status: { previous_value: 'open', current_value: 'resolved' } }])));
		expect(late).toMatchObject({ httpStatus: 200, ignored: 'delivery is older than the last known status (open) of this conversation' });
	});

	it('payloads before Chatwoot 4.14.2 carry no account: the id comes from the message, else the credential', async () => {
		const state: ConversationState = { ...base, status: 'resolved', accountId: null, latestMessageType: null };
		const diff = updated(state, [{ status: { previous_value: 'open', current_value: 'resolved' } }]);
		const [change] = changes([await harness('chatwoot', { context: { baseUrl: null, accountId: 9, apiUserIds: [] } }).deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ accountId: 9, conversationUrl: null });
	});

	it('conversation_updated without a status change and message events are answered 200 without a change', async () => {
		const h = harness('chatwoot');
		const labels = await h.deliver(chatwootDelivery(updated(base, [{ label_list: { previous_value: [], current_value: ['vip'] } }])));
		expect(labels).toMatchObject({ httpStatus: 200, ignored: 'conversation_updated without a status change' });
		const contactEvent = await h.deliver(chatwootDelivery({ event: 'contact_updated', id: 42 }));
		expect(contactEvent).toMatchObject({ httpStatus: 200, ignored: 'contact_updated is not a conversation event' });
	});

	it('automation webhooks are unsigned: rejected by default, reported with cause automation when accepted', async () => {
		const body = { ...conversationBody({ ...base, status: 'resolved' }), event: 'automation_event.conversation_resolved' };
		const unsigned = { rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } };
		expect(await harness('chatwoot').deliver(unsigned)).toEqual({
			httpStatus: 401,
			message:
				'Unsigned delivery rejected: the delivery has no X-Chatwoot-Signature header. Turn on "Accept Unsigned Deliveries" only for platforms that cannot sign.',
		});
		const h = harness('chatwoot', { acceptUnsigned: true });
		h.memory.set('chatwoot:1:131', { s: 'open', t: (NOW_SECONDS - 60) * 1000 });
		const [change] = changes([await h.deliver(unsigned)]);
		expect(change).toMatchObject({ previousStatus: 'open', status: 'resolved', cause: 'automation', event: ['automation_event.conversation_resolved'] });
	});
});
