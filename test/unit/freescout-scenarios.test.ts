import { realFreeScoutDeliveries } from '../support/fixtures';
import { changes, freescoutDelivery, harness } from './pipeline-helpers';
import type { Delivery } from '../../nodes/core/trigger/types';

interface RealDelivery {
	name: string;
	event: string;
	signature: string;
	body: Buffer;
}

const real: RealDelivery[] = realFreeScoutDeliveries();

function asReceived(capture: RealDelivery): Delivery {
	return {
		rawBody: capture.body,
		headers: { 'x-freescout-event': capture.event, 'x-freescout-signature': capture.signature },
	};
}

const admin = { type: 'agent', id: 1, name: 'Admin User', email: 'admin@example.com' };
const mark = { type: 'contact', id: 1, name: 'Mark Morrison', email: 'mark@example.org' };

describe('FreeScout: the real deliveries of a live instance (module 1.0.82), replayed byte for byte', () => {
	it('every real signature verifies against the raw bytes with the real Secret Key', async () => {
		const h = harness('freescout');
		for (const capture of real) {
			const outcome = await h.deliver(asReceived(capture));
			expect(outcome.httpStatus).toBe(200);
		}
	});

	it('the whole sequence gives exactly the status changes that happened, with causes and actors', async () => {
		const h = harness('freescout');
		const results = [];
		for (const capture of real) {
			const outcome = await h.deliver(asReceived(capture));
			results.push([capture.name, 'change' in outcome ? outcome.change : 'ignored' in outcome ? outcome.ignored : outcome.message]);
		}
		const summary = results.map(([name, result]) =>
			typeof result === 'string'
				? [name, result]
				: [name, result.previousStatus, result.status, result.cause, result.actor, result.previousStatusSource],
		);
		expect(summary).toEqual([
			['001-convo.created', null, 'open', 'conversation_created', mark, null],
			['002-convo.agent.reply.created', 'open', 'resolved', 'agent', admin, 'memory'],
			['003-convo.customer.reply.created', 'resolved', 'open', 'customer_message', mark, 'memory'],
			['004-convo.status', 'open', 'resolved', 'agent', admin, 'memory'],
			['005-convo.status', 'resolved', 'open', 'agent', admin, 'memory'],
			['006-convo.status', 'open', 'pending', 'agent', admin, 'memory'],
			['007-convo.status', 'pending', 'open', 'agent', admin, 'memory'],
			['008-convo.assigned', "convo.assigned does not change a conversation's status"],
			['009-convo.note.created', 'status is still open: not a change'],
			['010-convo.note.created', 'open', 'resolved', 'agent', admin, 'memory'],
			['011-convo.status', 'resolved', 'open', 'agent', admin, 'memory'],
		]);
	});

	it('a status change through the API (line item by the API user) has cause api', async () => {
		const h = harness('freescout', { context: { baseUrl: null, accountId: null, apiUserIds: [1] } });
		const putClosed = real.find((capture) => capture.name === '004-convo.status') as RealDelivery;
		const [change] = changes([await h.deliver(asReceived(putClosed))]);
		expect(change).toMatchObject({
			cause: 'api',
			actor: { ...admin, type: 'api_user' },
			conversationUrl: null,
		});
	});

	it('the first delivery of a conversation the trigger never saw: convo.status is reported, a reply is not', async () => {
		const close = real.find((capture) => capture.name === '005-convo.status') as RealDelivery;
		const [change] = changes([await harness('freescout').deliver(asReceived(close))]);
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
			dedupeKey: 'freescout:1:resolved>open@1795323644',
		});
		const reply = real.find((capture) => capture.name === '003-convo.customer.reply.created') as RealDelivery;
		expect(await harness('freescout').deliver(asReceived(reply))).toMatchObject({
			httpStatus: 200,
			ignored: 'first delivery seen for this conversation and it does not say whether the status changed (now open)',
		});
	});

	it('ten identical retries of one delivery give one change', async () => {
		const h = harness('freescout');
		const close = real.find((capture) => capture.name === '004-convo.status') as RealDelivery;
		const outcomes = [];
		for (let attempt = 0; attempt < 10; attempt++) outcomes.push(await h.deliver(asReceived(close)));
		expect(changes(outcomes)).toHaveLength(1);
		expect(outcomes.slice(1).map((outcome) => ('ignored' in outcome ? outcome.ignored : 'change'))).toEqual(
			Array(9).fill('this delivery was already handled (a retry)'),
		);
	});

	it('a retry of an old delivery arriving after a newer change is not reported', async () => {
		const h = harness('freescout');
		const [closed, reopened] = ['004-convo.status', '005-convo.status'].map(
			(name) => real.find((capture) => capture.name === name) as RealDelivery,
		);
		await h.deliver(asReceived(reopened));
		const late = await h.deliver(asReceived(closed));
		expect(late).toMatchObject({ ignored: 'delivery is older than the last known status (open) of this conversation' });
	});

	it('a wrong Secret Key is 401, a missing signature is 401, a broken body is 400', async () => {
		const close = real.find((capture) => capture.name === '004-convo.status') as RealDelivery;
		const h = harness('freescout');
		expect(await h.deliver(freescoutDelivery('convo.status', close.body, 'another-secret'))).toEqual({
			httpStatus: 401,
			message: 'Signature rejected: X-FreeScout-Signature does not match the body and the Secret Key',
		});
		expect(await h.deliver({ rawBody: close.body, headers: { 'x-freescout-event': 'convo.status' } })).toMatchObject({
			httpStatus: 401,
		});
		expect(await h.deliver(freescoutDelivery('convo.status', '{"id":1,'))).toEqual({
			httpStatus: 400,
			// The parser's own words follow after the prefix; they differ between Node versions.
			message: expect.stringMatching(/^The body is not valid JSON: .+/),
		});
	});

	it('the re-serialized body does not verify: signatures are over the raw bytes only', async () => {
		const close = real.find((capture) => capture.name === '004-convo.status') as RealDelivery;
		const reserialized = Buffer.from(JSON.stringify(JSON.parse(close.body.toString('utf8'))));
		expect(reserialized.equals(close.body)).toBe(false);
		const outcome = await harness('freescout').deliver({
			rawBody: reserialized,
			headers: { 'x-freescout-event': 'convo.status', 'x-freescout-signature': close.signature },
		});
		expect(outcome.httpStatus).toBe(401);
	});
});
