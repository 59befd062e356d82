/**
 * Real FreeScout deliveries, replayed byte for byte through the core pipeline: the REST API captures (FreeScout
 * 1.8.159, module 1.0.82) and the web-UI captures (FreeScout 1.8.235, module 1.0.82), in their own order and in
 * the orders a failed delivery or the module's undo delay produce.
 */
import { realFreeScoutDeliveries } from '../support/fixtures';
import { FREESCOUT_REAL_UI_KEY } from '../support/test-keys';
import { changes, freescoutDelivery, harness } from './pipeline-helpers';
import type { DeliveryOutcome } from '../../nodes/core/trigger/pipeline';
import type { Delivery } from '../../nodes/core/trigger/types';

interface RealDelivery {
	name: string;
	event: string;
	signature: string;
	body: Buffer;
}

const api: RealDelivery[] = realFreeScoutDeliveries('freescout-real');
const ui: RealDelivery[] = realFreeScoutDeliveries('freescout-real-ui');

function asReceived(capture: RealDelivery): Delivery {
	return { rawBody: capture.body, headers: { 'x-freescout-event': capture.event, 'x-freescout-signature': capture.signature } };
}

function capture(captures: RealDelivery[], prefix: string): RealDelivery {
	const found = captures.find((entry) => entry.name.startsWith(prefix));
	if (found === undefined) throw new Error(`no capture ${prefix}`);
	return found;
}

const uiHarness = () => harness('freescout', { secret: FREESCOUT_REAL_UI_KEY });

/** "previous -> status (cause)" per reported change, "ignored: reason" otherwise. */
function summary(outcome: DeliveryOutcome): string[] {
	if ('changes' in outcome) {
		return outcome.changes.map(
			(change) => `${change.previousStatus} -> ${change.status} (${change.cause}, ${change.previousStatusSource}${change.superseded ? ', superseded' : ''})`,
		);
	}
	return ['ignored' in outcome ? `ignored: ${outcome.ignored}` : `${outcome.httpStatus}: ${outcome.detail}`];
}

const admin = { type: 'agent', id: 1, name: 'Admin User', email: 'admin@example.com' };
const mark = { type: 'contact', id: 1, name: 'Mark Morrison', email: 'mark@example.org' };

describe('FreeScout through the REST API (captures 001-011)', () => {
	it('the whole sequence gives exactly the status changes that happened, with causes and actors', () => {
		const h = harness('freescout');
		const results = api.map((delivery) => [delivery.name, ...summary(h.deliver(asReceived(delivery)))]);
		expect(results).toEqual([
			['001-convo.created', 'null -> open (conversation_created, null)'],
			['002-convo.agent.reply.created', 'open -> resolved (agent, memory)'],
			['003-convo.customer.reply.created', 'resolved -> open (customer_message, memory)'],
			['004-convo.status', 'open -> resolved (agent, memory)'],
			['005-convo.status', 'resolved -> open (agent, memory)'],
			['006-convo.status', 'open -> pending (agent, memory)'],
			['007-convo.status', 'pending -> open (agent, memory)'],
			['008-convo.assigned', "ignored: convo.assigned does not change a conversation's status"],
			['009-convo.note.created', 'ignored: status is still open: not a change'],
			['010-convo.note.created', 'open -> resolved (agent, memory)'],
			['011-convo.status', 'resolved -> open (agent, memory)'],
		]);
		const actors = changes(api.map((delivery) => harness('freescout').deliver(asReceived(delivery)))).map((change) => change.actor);
		expect(actors.slice(0, 2)).toEqual([mark, admin]);
	});

	it('a status change through the API (line item by the API user) has cause api', () => {
		const h = harness('freescout', { context: { baseUrl: null, accountId: null, apiUserIds: [1] } });
		const [change] = changes([h.deliver(asReceived(capture(api, '004')))]);
		expect(change).toMatchObject({ cause: 'api', actor: { ...admin, type: 'api_user' }, conversationUrl: null });
	});

	it('convo.status of a conversation the trigger never saw: reported, the previous status from the thread history', () => {
		const [change] = changes([harness('freescout').deliver(asReceived(capture(api, '005')))]);
		expect(change).toEqual({
			platform: 'freescout',
			conversationId: 1,
			conversationNumber: 1,
			accountId: null,
			mailboxId: 1,
			inboxId: null,
			status: 'open',
			previousStatus: 'resolved',
			previousStatusSource: 'history',
			platformStatus: 'active',
			previousPlatformStatus: 'closed',
			cause: 'agent',
			isNewConversation: false,
			changedAt: '2026-11-22T05:00:44.000Z',
			actor: admin,
			contact: { id: 1, name: 'Mark Morrison', email: 'mark@example.org', phone: null },
			assignee: null,
			subject: 'Printer on fire',
			conversationUrl: 'https://help.example.com/conversation/1',
			event: ['convo.status'],
			superseded: false,
			dedupeKey: 'freescout:1:open@1795323644000#5',
		});
	});

	it('first sight of replies: an agent reply leaving it closed is a change; a customer reply after no close is not', () => {
		expect(summary(harness('freescout').deliver(asReceived(capture(api, '002'))))).toEqual(['open -> resolved (agent, history)']);
		// 003: the close of 002 was made through the API, which records "active": the history shows no close.
		expect(summary(harness('freescout').deliver(asReceived(capture(api, '003'))))).toEqual(['ignored: status is still open: not a change']);
		expect(summary(harness('freescout').deliver(asReceived(capture(api, '009'))))).toEqual(['ignored: status is still open: not a change']);
	});

	it('ten identical retries of a delivery that started an execution give one change', () => {
		const h = harness('freescout');
		const outcomes = Array.from({ length: 10 }, () => h.deliver(asReceived(capture(api, '004'))));
		expect(changes(outcomes)).toHaveLength(1);
		expect(outcomes.slice(1).map((outcome) => ('ignored' in outcome ? outcome.ignored : 'change'))).toEqual(
			Array(9).fill('this delivery already started an execution (a retry)'),
		);
	});

	it('a retry of an old delivery after a newer change is not reported, even after the fingerprints expired', () => {
		const h = harness('freescout');
		h.deliver(asReceived(capture(api, '004')));
		h.deliver(asReceived(capture(api, '005')));
		h.nowMs += 4 * 60 * 60 * 1000;
		expect(h.deliver(asReceived(capture(api, '004')))).toMatchObject({ ignored: 'older than the last known status (open) of this conversation' });
	});

	it('a wrong Secret Key and a missing signature are 401 with no detail for the sender; a broken body is 400', () => {
		const close = capture(api, '004');
		const h = harness('freescout');
		expect(h.deliver(freescoutDelivery('convo.status', close.body, 'another-secret'))).toEqual({
			httpStatus: 401,
			message: 'Signature rejected',
			detail: 'Signature rejected: X-FreeScout-Signature does not match the body and the Secret Key',
		});
		expect(h.deliver({ rawBody: close.body, headers: { 'x-freescout-event': 'convo.status' } })).toEqual({
			httpStatus: 401,
			message: 'Signature rejected',
			detail: "Unsigned delivery rejected: the delivery has no X-FreeScout-Signature header; the webhook's secret is known, so its deliveries must be signed",
		});
		// Where parsing stopped, never a piece of the body (Node's own message quotes one; where it tells no position,
		// the length).
		const broken = /^The body is not valid JSON \((stopped at character \d+ of 8|8 characters)\)$/;
		expect(h.deliver(freescoutDelivery('convo.status', '{"id":1,'))).toEqual({ httpStatus: 400, message: expect.stringMatching(broken), detail: expect.stringMatching(broken) });
	});

	it('the re-serialized body does not verify: signatures are over the raw bytes only', () => {
		const close = capture(api, '004');
		const reserialized = Buffer.from(JSON.stringify(JSON.parse(close.body.toString('utf8'))));
		expect(reserialized.equals(close.body)).toBe(false);
		const outcome = harness('freescout').deliver({
			rawBody: reserialized,
			headers: { 'x-freescout-event': 'convo.status', 'x-freescout-signature': close.signature },
		});
		expect(outcome.httpStatus).toBe(401);
	});
});

describe('FreeScout through the web UI (captures 017-063, conversation 7)', () => {
	it('in the order they arrived: created, Send & Close, customer reply, the delayed reply event, spam, customer reply', () => {
		const h = uiHarness();
		expect(ui.map((delivery) => [delivery.name, ...summary(h.deliver(asReceived(delivery)))])).toEqual([
			['017-convo.created', 'null -> open (conversation_created, null)'],
			['021-convo.status', 'open -> resolved (agent, memory)'],
			['022-convo.customer.reply.created', 'resolved -> open (customer_message, memory)'],
			['023-convo.agent.reply.created', 'ignored: older than the last known status (open) of this conversation'],
			['029-convo.status', 'open -> spam (agent, memory)'],
			['063-convo.customer.reply.created', 'spam -> open (customer_message, memory)'],
		]);
	});

	it('the close and its delayed reply event are one change with one dedupe key, whichever a process sees', () => {
		const [fromStatus] = changes([uiHarness().deliver(asReceived(capture(ui, '021')))]);
		const fromReply = changes([uiHarness().deliver(asReceived(capture(ui, '023')))]);
		expect(fromStatus.dedupeKey).toBe('freescout:7:resolved@1796047462000#21');
		expect(fromReply.map((change) => change.dedupeKey)).toEqual([fromStatus.dedupeKey, 'freescout:7:open@1796047466000#22']);
	});

	it('module 1.0.81 behaviour (no convo.status) with the customer writing inside the undo window: both changes, once', () => {
		const h = uiHarness();
		h.deliver(asReceived(capture(ui, '017')));
		expect(summary(h.deliver(asReceived(capture(ui, '022'))))).toEqual([
			'open -> resolved (agent, memory, superseded)',
			'resolved -> open (customer_message, history)',
		]);
		expect(summary(h.deliver(asReceived(capture(ui, '023'))))).toEqual([
			'ignored: older than the last known status (open) of this conversation',
		]);
	});

	it("the close's delivery failed, the customer's reply came first: the reply shows the close, the close's retry adds nothing", () => {
		const h = uiHarness();
		h.deliver(asReceived(capture(ui, '017')));
		const reply = h.deliver(asReceived(capture(ui, '022')));
		expect(changes([reply]).map((change) => [change.status, change.superseded, change.changedAt])).toEqual([
			['resolved', true, '2026-11-30T14:04:22.000Z'],
			['open', false, '2026-11-30T14:04:26.000Z'],
		]);
		expect(summary(h.deliver(asReceived(capture(ui, '021'))))).toEqual(['ignored: older than the last known status (open) of this conversation']);
	});

	it('a trigger that does not know the conversation: close, customer reopen, spam and reopen are all reported', () => {
		for (const name of ['021', '029']) {
			expect(changes([uiHarness().deliver(asReceived(capture(ui, name)))])).toHaveLength(1);
		}
		expect(summary(uiHarness().deliver(asReceived(capture(ui, '022'))))).toEqual(['resolved -> open (customer_message, history)']);
		expect(summary(uiHarness().deliver(asReceived(capture(ui, '063'))))).toEqual(['spam -> open (customer_message, history)']);
	});
});
