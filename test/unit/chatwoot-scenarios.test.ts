/** Chatwoot deliveries through the core pipeline: which real changes they show, whatever their order. */
import {
	autoAssignedOpen,
	conversationBody,
	created,
	iso,
	messageCreated,
	reopenAsPendingSequence,
	statusChanged,
	updated,
	type AttributeDiff,
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
	late: false,
	superseded: false,
	dedupeKey: 'chatwoot:1:128:pending@1781946845300',
};

const ms = (seconds: number) => Math.round(seconds * 1000);

describe('Chatwoot: a resolved conversation reopened as pending by an incoming message (S1)', () => {
	const orders = permutations([0, 1, 2, 3]).map((order) => [order.join(' '), order] as const);

	it.each(orders)('in order %s, nothing remembered: exactly one change, resolved -> pending, cause bot_inbox', (_name, order) => {
		const sequence = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		const outcomes = h.deliverAll(order.map((index) => chatwootDelivery(sequence[index])));
		expect(changes(outcomes)).toEqual([S1_CHANGE]);
		expect(outcomes.map((outcome) => outcome.httpStatus)).toEqual([200, 200, 200, 200]);
		expect(h.known('1:128')).toEqual({ status: 'pending', t: ms(NOW_SECONDS + 0.3), k: 0 });
	});

	it.each(orders)('in order %s, after the trigger saw the resolve: exactly one change', (_name, order) => {
		const sequence = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		h.memory.learnInferred('1:128', 'resolved', { t: ms(NOW_SECONDS - 600), k: 0 });
		expect(changes(h.deliverAll(order.map((index) => chatwootDelivery(sequence[index]))))).toEqual([S1_CHANGE]);
	});

	it('conversation_status_changed and the waiting_since update alone report nothing, and leave the memory as it was', () => {
		const [statusEvent, , , waitingSince] = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		h.memory.learnInferred('1:128', 'resolved', { t: ms(NOW_SECONDS - 600), k: 0 });
		expect(h.deliver(chatwootDelivery(statusEvent))).toMatchObject({
			httpStatus: 200,
			ignored: 'conversation_status_changed reports no status change (status pending when the payload was built)',
		});
		expect(h.deliver(chatwootDelivery(waitingSince))).toMatchObject({
			ignored: 'conversation_updated reports no status change (status pending when the payload was built)',
		});
		expect(h.known('1:128')?.status).toBe('resolved');
	});

	it('the same conversation_updated twice (Chatwoot sometimes sends it twice) is one change', () => {
		const [, statusDiff] = reopenAsPendingSequence(128, NOW_SECONDS);
		const h = harness('chatwoot');
		const outcomes = h.deliverAll([chatwootDelivery(statusDiff), chatwootDelivery(statusDiff)]);
		expect(changes(outcomes)).toHaveLength(1);
		expect(outcomes[1]).toEqual({
			httpStatus: 200,
			ignored: 'already known: the trigger has this status (pending) from this same event',
			body: expect.anything(),
		});
	});

	it('a payload built after a later change still reports the diff it carries (status and time from the diff)', () => {
		const [, statusDiff] = reopenAsPendingSequence(128, NOW_SECONDS);
		const builtLate = { ...statusDiff, status: 'open', updated_at: NOW_SECONDS + 2.5 };
		const [change] = changes([harness('chatwoot').deliver(chatwootDelivery(builtLate))]);
		expect(change).toMatchObject({ status: 'pending', previousStatus: 'resolved', changedAt: '2026-06-20T09:14:05.300Z' });
	});
});

describe('Chatwoot: a change hidden by auto-assignment (no status diff, only the assignment)', () => {
	const conversation: ConversationState = { id: 140, inboxId: 4, status: 'pending', createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS + 1.25 };

	it('pending -> open (bot handoff, Force Open) is a change, previous status from memory, cause bot_handoff', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'pending', { t: ms(NOW_SECONDS - 10), k: 0 });
		const [change] = changes([h.deliver(chatwootDelivery(autoAssignedOpen(conversation, NOW_SECONDS + 1.25)))]);
		expect(change).toMatchObject({
			status: 'open',
			previousStatus: 'pending',
			previousStatusSource: 'memory',
			cause: 'bot_handoff',
			changedAt: '2026-06-20T09:14:06.250Z',
			dedupeKey: 'chatwoot:1:140:open@1781946846250',
		});
	});

	it('snoozed -> open without a contact message is the snooze expiring', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'snoozed', { t: ms(NOW_SECONDS - 10), k: 0 });
		const [change] = changes([h.deliver(chatwootDelivery(autoAssignedOpen({ ...conversation, latestMessageType: 1, latestMessageSender: 'user' }, NOW_SECONDS + 1)))]);
		expect(change).toMatchObject({ previousStatus: 'snoozed', status: 'open', cause: 'snooze_expired', actor: null });
	});

	it('resolved -> open by a contact message in an inbox without a bot: cause customer_message, the contact as actor', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 10), k: 0 });
		const [change] = changes([h.deliver(chatwootDelivery(autoAssignedOpen({ ...conversation, latestMessageType: 0 }, NOW_SECONDS + 1)))]);
		expect(change).toMatchObject({ previousStatus: 'resolved', status: 'open', cause: 'customer_message', actor: { type: 'contact', id: 42 } });
	});

	it('for a conversation the trigger does not know, an assignment shows no change: never a made-up null -> open', () => {
		const h = harness('chatwoot');
		expect(h.deliver(chatwootDelivery(autoAssignedOpen(conversation, NOW_SECONDS + 1)))).toMatchObject({
			httpStatus: 200,
			ignored: 'first delivery seen for this conversation, and it does not show whether the status changed (now open)',
		});
		// It is remembered as open: a later change has its previous status.
		expect(h.known('1:140')).toMatchObject({ status: 'open' });
	});

	it('the older system hides a reopen behind X -> Y when the assignee left the inbox: resolved -> open', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 10), k: 0 });
		const reassigned = updated({ ...conversation, status: 'open', latestMessageType: 0 }, [
			{ assignee_id: { previous_value: 5, current_value: 7 } },
			{ updated_at: { previous_value: iso(NOW_SECONDS - 10), current_value: iso(NOW_SECONDS + 1) } },
		]);
		const [change] = changes([h.deliver(chatwootDelivery(reassigned))]);
		expect(change).toMatchObject({ previousStatus: 'resolved', status: 'open', previousStatusSource: 'memory', cause: 'customer_message' });
	});

	it('an unassignment, or an assignment of a conversation that is not open, is never a change', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 10), k: 0 });
		const unassigned = updated({ ...conversation, status: 'open' }, [
			{ assignee_id: { previous_value: 7, current_value: null } },
			{ updated_at: { previous_value: iso(NOW_SECONDS - 10), current_value: iso(NOW_SECONDS + 1) } },
		]);
		expect(h.deliver(chatwootDelivery(unassigned))).toMatchObject({ httpStatus: 200, ignored: expect.stringContaining('reports no status change') });
		const pendingAssigned = updated({ ...conversation, status: 'pending' }, [
			{ assignee_id: { previous_value: null, current_value: 7 } },
			{ updated_at: { previous_value: iso(NOW_SECONDS + 1), current_value: iso(NOW_SECONDS + 2) } },
		]);
		expect(h.deliver(chatwootDelivery(pendingAssigned))).toMatchObject({ httpStatus: 200, ignored: expect.stringContaining('reports no status change') });
	});

	it('snoozed -> open behind an assignment: customer_message only when the contact wrote just before, else snooze_expired', () => {
		const wroteLongAgo = { ...conversation, latestMessageType: 0 as const, updatedAt: NOW_SECONDS - 3600 };
		const expired = updated({ ...wroteLongAgo, status: 'open' }, [
			{ assignee_id: { previous_value: null, current_value: 7 } },
			{ updated_at: { previous_value: iso(NOW_SECONDS - 3600), current_value: iso(NOW_SECONDS + 1) } },
		]);
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'snoozed', { t: ms(NOW_SECONDS - 3500), k: 0 });
		expect(changes([h.deliver(chatwootDelivery(expired))])[0]).toMatchObject({ previousStatus: 'snoozed', status: 'open', cause: 'snooze_expired', actor: null });

		const h2 = harness('chatwoot');
		h2.memory.learnInferred('1:140', 'snoozed', { t: ms(NOW_SECONDS - 3500), k: 0 });
		const [byMessage] = changes([h2.deliver(chatwootDelivery(autoAssignedOpen({ ...conversation, latestMessageType: 0 }, NOW_SECONDS + 1)))]);
		expect(byMessage).toMatchObject({ previousStatus: 'snoozed', status: 'open', cause: 'customer_message', actor: { type: 'contact', id: 42 } });
	});

	it("a payload built late that already shows the contact's next message, seconds after the reopen: still customer_message", () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 600), k: 0 });
		const late = autoAssignedOpen({ ...conversation, latestMessageType: 0, updatedAt: NOW_SECONDS + 4 }, NOW_SECONDS + 1);
		expect(changes([h.deliver(chatwootDelivery(late))])[0]).toMatchObject({ previousStatus: 'resolved', status: 'open', cause: 'customer_message' });
		// An agent reopening it a minute after the contact last wrote: not the contact's doing.
		const h2 = harness('chatwoot');
		h2.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 600), k: 0 });
		const byAgent = autoAssignedOpen({ ...conversation, latestMessageType: 0, updatedAt: NOW_SECONDS - 60 }, NOW_SECONDS + 1);
		expect(changes([h2.deliver(chatwootDelivery(byAgent))])[0]).toMatchObject({ previousStatus: 'resolved', status: 'open', cause: 'unknown', actor: null });
	});

	it('assigning an open conversation is no change', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:140', 'open', { t: ms(NOW_SECONDS - 10), k: 0 });
		expect(h.deliver(chatwootDelivery(autoAssignedOpen(conversation, NOW_SECONDS + 1)))).toMatchObject({
			httpStatus: 200,
			ignored: 'status is still open: not a change',
		});
	});

	it('S1 followed by Force Open with auto-assignment, in every order: resolved -> pending, then pending -> open', () => {
		const sequence = reopenAsPendingSequence(140, NOW_SECONDS);
		const echo = autoAssignedOpen(conversation, NOW_SECONDS + 1.25);
		for (const order of permutations([0, 1, 3])) {
			const h = harness('chatwoot');
			h.memory.learnInferred('1:140', 'resolved', { t: ms(NOW_SECONDS - 600), k: 0 });
			const found = changes(h.deliverAll([...order.map((index) => chatwootDelivery(sequence[index])), chatwootDelivery(echo)]));
			expect(found.map(({ previousStatus, status }) => `${previousStatus} -> ${status}`)).toEqual(['resolved -> pending', 'pending -> open']);
		}
	});
});

describe('Chatwoot: new conversations', () => {
	const base: ConversationState = { id: 131, inboxId: 2, status: 'open', createdAt: NOW_SECONDS, updatedAt: NOW_SECONDS + 0.5 };

	it('in a bot inbox (Chatwoot 4.15: conversation_created only): one change, new, pending, cause bot_inbox', () => {
		const state: ConversationState = { ...base, status: 'pending', latestMessageType: 0 };
		const [change] = changes([harness('chatwoot').deliver(chatwootDelivery(created(state)))]);
		expect(change).toMatchObject({
			status: 'pending',
			previousStatus: null,
			isNewConversation: true,
			cause: 'bot_inbox',
			changedAt: '2026-06-20T09:14:05.000Z',
			dedupeKey: 'chatwoot:1:131:pending@1781946845000',
		});
	});

	it('older Chatwoot that also sends status_changed + updated (open -> pending among the creation diffs): still one change, in any order', () => {
		const state: ConversationState = { ...base, status: 'pending', latestMessageType: 0 };
		const creationDiffs: AttributeDiff[][] = [
			[{ status: { previous_value: 'open', current_value: 'pending' } }],
			[
				{ status: { previous_value: 'open', current_value: 'pending' } },
				{ updated_at: { previous_value: null, current_value: iso(NOW_SECONDS + 0.5) } },
			],
			[
				{ id: { previous_value: null, current_value: 131 } },
				{ status: { previous_value: 'open', current_value: 'pending' } },
				{ created_at: { previous_value: null, current_value: iso(NOW_SECONDS) } },
				{ updated_at: { previous_value: iso(NOW_SECONDS), current_value: iso(NOW_SECONDS + 0.5) } },
			],
		];
		for (const diff of creationDiffs) {
			const deliveries = [created(state), statusChanged(state), updated(state, diff)];
			for (const order of permutations([0, 1, 2])) {
				const found = changes(harness('chatwoot').deliverAll(order.map((index) => chatwootDelivery(deliveries[index]))));
				expect(found).toHaveLength(1);
				expect(found[0]).toMatchObject({ status: 'pending', previousStatus: null, isNewConversation: true, cause: 'bot_inbox' });
			}
		}
	});

	it('open -> pending seconds after the creation by a later save (an automation, an integration) is its own change', () => {
		const opened: ConversationState = { ...base, status: 'open', updatedAt: NOW_SECONDS, latestMessageType: 0 };
		const pending: ConversationState = { ...opened, status: 'pending', updatedAt: NOW_SECONDS + 3 };
		const moved = updated(pending, [
			{ status: { previous_value: 'open', current_value: 'pending' } },
			{ updated_at: { previous_value: iso(NOW_SECONDS), current_value: iso(NOW_SECONDS + 3) } },
		]);
		for (const order of [[0, 1], [1, 0]]) {
			const deliveries = [created(opened), moved];
			const found = changes(harness('chatwoot').deliverAll(order.map((index) => chatwootDelivery(deliveries[index]))));
			expect(found.map(({ previousStatus, status, isNewConversation }) => ({ previousStatus, status, isNewConversation }))).toEqual(
				order[0] === 0
					? [
							{ previousStatus: null, status: 'open', isNewConversation: true },
							{ previousStatus: 'open', status: 'pending', isNewConversation: false },
						]
					: // The creation's delivery came after the newer change: reported too, late (issue 18: late changes are reported).
						[
							{ previousStatus: 'open', status: 'pending', isNewConversation: false },
							{ previousStatus: null, status: 'open', isNewConversation: true },
						],
			);
		}
	});

	it('outside bot inboxes: cause conversation_created; filtered out when new conversations are not included', () => {
		const state: ConversationState = { ...base, latestMessageType: 0 };
		const [kept] = changes([harness('chatwoot').deliver(chatwootDelivery(created(state)))]);
		expect(kept).toMatchObject({ status: 'open', previousStatus: null, cause: 'conversation_created', isNewConversation: true });
		const h = harness('chatwoot', {}, { includeNewConversations: false });
		expect(h.deliver(chatwootDelivery(created(state)))).toMatchObject({
			httpStatus: 200,
			ignored: 'filtered out: unknown -> open: new conversations are not included',
		});
		// Filtered out, but remembered: the first change after it has its previous status.
		const [resolved] = changes([h.deliver(chatwootDelivery(updated({ ...state, status: 'resolved', updatedAt: NOW_SECONDS + 9 }, [{ status: { previous_value: 'open', current_value: 'resolved' } }])))]);
		expect(resolved).toMatchObject({ previousStatus: 'open', status: 'resolved' });
	});
});

describe('Chatwoot: other changes', () => {
	const base: ConversationState = { id: 131, inboxId: 2, status: 'open', createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS + 0.5 };

	it('an agent resolving a conversation: open -> resolved, cause unknown, no actor', () => {
		const state: ConversationState = { ...base, status: 'resolved', latestMessageType: 1, latestMessageSender: 'user' };
		const diff = updated(state, [{ status: { previous_value: 'open', current_value: 'resolved' } }]);
		const [change] = changes([harness('chatwoot').deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ status: 'resolved', previousStatus: 'open', cause: 'unknown', actor: null });
		expect(change.changedAt).toBe('2026-06-20T09:14:05.500Z');
	});

	it('snoozing, then the snooze expiring, gives open -> snoozed then snoozed -> open with cause snooze_expired', () => {
		const h = harness('chatwoot');
		const snoozedUntil = iso(NOW_SECONDS + 60);
		const snoozed: ConversationState = { ...base, status: 'snoozed', snoozedUntil };
		const reopened: ConversationState = { ...base, status: 'open', updatedAt: NOW_SECONDS + 61, latestMessageType: 1, latestMessageSender: 'user' };
		const found = changes(
			h.deliverAll([
				chatwootDelivery(
					updated(snoozed, [
						{ status: { previous_value: 'open', current_value: 'snoozed' } },
						{ snoozed_until: { previous_value: null, current_value: snoozedUntil } },
					]),
				),
				chatwootDelivery(
					updated(reopened, [
						{ status: { previous_value: 'snoozed', current_value: 'open' } },
						{ snoozed_until: { previous_value: snoozedUntil, current_value: null } },
					]),
				),
			]),
		);
		expect(found.map(({ previousStatus, status, cause }) => ({ previousStatus, status, cause }))).toEqual([
			{ previousStatus: 'open', status: 'snoozed', cause: 'unknown' },
			{ previousStatus: 'snoozed', status: 'open', cause: 'snooze_expired' },
		]);
	});

	it('a customer message reopening a resolved conversation without a bot: resolved -> open, cause customer_message', () => {
		const state: ConversationState = { ...base, status: 'open', latestMessageType: 0 };
		const diff = updated(state, [{ status: { previous_value: 'resolved', current_value: 'open' } }]);
		const [change] = changes([harness('chatwoot').deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ previousStatus: 'resolved', status: 'open', cause: 'customer_message', actor: { type: 'contact', id: 42 } });
	});

	it('an older transition arriving after a newer one is reported once, marked late and superseded, with its real time', () => {
		const h = harness('chatwoot');
		const newer: ConversationState = { ...base, status: 'open', updatedAt: NOW_SECONDS + 10 };
		const older: ConversationState = { ...base, status: 'resolved', updatedAt: NOW_SECONDS + 5 };
		const [reopen] = changes([h.deliver(chatwootDelivery(updated(newer, [{ status: { previous_value: 'resolved', current_value: 'open' } }])))]);
		expect(reopen).toMatchObject({ previousStatus: 'resolved', previousStatusSource: 'payload', status: 'open' });
		const late = h.deliver(chatwootDelivery(updated(older, [{ status: { previous_value: 'open', current_value: 'resolved' } }])));
		expect(changes([late])).toMatchObject([
			{ previousStatus: 'open', status: 'resolved', late: true, superseded: true, changedAt: new Date(ms(NOW_SECONDS + 5)).toISOString() },
		]);
		expect(reopen).toMatchObject({ late: false, superseded: false });
		// Delivered again (Chatwoot's own retry, another process): nothing more.
		const again = h.deliver(chatwootDelivery(updated(older, [{ status: { previous_value: 'open', current_value: 'resolved' } }])));
		expect(again).toMatchObject({ httpStatus: 200, ignored: 'already known: the trigger has this status (resolved) from this same event' });
	});

	it('a stated transition is reported even when the memory already had that status (a change in between was missed)', () => {
		const h = harness('chatwoot');
		h.memory.learnInferred('1:131', 'resolved', { t: ms(NOW_SECONDS - 100), k: 0 });
		const state: ConversationState = { ...base, status: 'resolved' };
		const [change] = changes([h.deliver(chatwootDelivery(updated(state, [{ status: { previous_value: 'open', current_value: 'resolved' } }])))]);
		expect(change).toMatchObject({ previousStatus: 'open', previousStatusSource: 'payload', status: 'resolved' });
	});

	it('payloads before Chatwoot 4.14.2 carry no account: the id comes from the message, else the credential', () => {
		const state: ConversationState = { ...base, status: 'resolved', accountId: null, latestMessageType: null };
		const diff = updated(state, [{ status: { previous_value: 'open', current_value: 'resolved' } }]);
		const [change] = changes([harness('chatwoot', { context: { baseUrl: null, accountId: 9, apiUserIds: [] } }).deliver(chatwootDelivery(diff))]);
		expect(change).toMatchObject({ accountId: 9, conversationUrl: null, dedupeKey: 'chatwoot:9:131:resolved@1781946845500' });
	});

	it('conversation_updated without a status change, message and contact events are answered 200 without a change', () => {
		const h = harness('chatwoot');
		expect(h.deliver(chatwootDelivery(updated(base, [{ label_list: { previous_value: [], current_value: ['vip'] } }])))).toMatchObject({
			httpStatus: 200,
			ignored: 'conversation_updated reports no status change (status open when the payload was built)',
		});
		expect(h.deliver(chatwootDelivery(messageCreated(base)))).toMatchObject({ ignored: 'message_created is not a status change on its own' });
		expect(h.deliver(chatwootDelivery({ event: 'contact_updated', id: 42 }))).toMatchObject({
			httpStatus: 200,
			ignored: 'contact_updated is not a conversation event',
		});
	});

	it('automation webhooks are unsigned: refused by default (the sender learns only that), reported with cause automation when accepted', () => {
		const body = { ...conversationBody({ ...base, status: 'resolved' }), event: 'automation_event.conversation_resolved' };
		const unsigned = { rawBody: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } };
		expect(harness('chatwoot').deliver(unsigned)).toEqual({
			httpStatus: 401,
			message: 'Signature rejected',
			detail: "Unsigned delivery rejected: the delivery has no X-Chatwoot-Signature header; the webhook's secret is known, so its deliveries must be signed",
		});
		// The option counts only while no secret is known: with one, the webhook signs, so an unsigned body is not its.
		expect(harness('chatwoot', { acceptUnsigned: true }).deliver(unsigned)).toMatchObject({ httpStatus: 401 });
		const h = harness('chatwoot', { acceptUnsigned: true, secret: null });
		h.memory.learnInferred('1:131', 'open', { t: ms(NOW_SECONDS - 60), k: 0 });
		const [change] = changes([h.deliver(unsigned)]);
		expect(change).toMatchObject({ previousStatus: 'open', status: 'resolved', cause: 'automation', event: ['automation_event.conversation_resolved'] });
	});
});
