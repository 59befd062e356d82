/**
 * FreeScout scenarios the real captures do not cover (UI actions, module versions, spam), with deliveries
 * produced by the FreeScout simulator and fed through the core exactly as received.
 */
import { changes, FREESCOUT_SECRET, harness } from './pipeline-helpers';
import type { DeliveryOutcome } from '../../nodes/core/trigger/pipeline';
import { simulatorsPerTest, type FreeScoutSim, type Simulators, type WebhookReceiver } from '../support/simulators';

interface Simulated {
	sim: FreeScoutSim;
	receiver: WebhookReceiver;
	/** Feeds every delivery received so far (and not fed yet) through one trigger's core. */
	feed(): Promise<DeliveryOutcome[]>;
	/** That core, and how many deliveries it was fed. */
	core: ReturnType<typeof harness>;
	fedCount(): number;
}

/** A FreeScout simulator delivering every conversation event to a receiver, and one trigger core to feed them to. */
async function simulated(simulators: Simulators, moduleVersion: string): Promise<Simulated> {
	const sim = await simulators.freescout({ moduleVersion, secretKey: FREESCOUT_SECRET, undoDelayMs: 5 });
	const receiver = await simulators.receiver();
	sim.addWebhook(receiver.url, ['convo.created', 'convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created']);
	const core = harness('freescout', { context: { baseUrl: null, accountId: null, apiUserIds: [] } });
	let fed = 0;
	return {
		sim,
		receiver,
		core,
		fedCount: () => fed,
		async feed() {
			await sim.idle();
			const outcomes = [];
			for (const request of receiver.received.slice(fed)) {
				core.nowMs = Date.now();
				outcomes.push(core.deliver({ rawBody: request.body, headers: request.headers }));
			}
			fed = receiver.received.length;
			return outcomes;
		},
	};
}

const summary = (outcomes: DeliveryOutcome[]) =>
	changes(outcomes).map(({ previousStatus, status, cause, event, superseded }) => [previousStatus, status, cause, event[0], superseded]);

describe.each(['1.0.81', '1.0.82'])('FreeScout module %s', (moduleVersion) => {
	const simulators = simulatorsPerTest();
	let env: Simulated;
	beforeEach(async () => {
		env = await simulated(simulators, moduleVersion);
	});

	it('close via the reply form ("send & close") gives exactly one change', async () => {
		const id = env.sim.createConversation({ subject: 'Order 55' });
		await env.feed();
		env.sim.replyFromUi(id, { text: 'Fixed, closing.', status: 'closed' });
		const outcomes = await env.feed();
		const events = env.receiver.received.slice(1).map((request) => request.headers['x-freescout-event']);
		expect(events).toEqual(
			moduleVersion === '1.0.81' ? ['convo.agent.reply.created'] : ['convo.status', 'convo.agent.reply.created'],
		);
		expect(summary(outcomes)).toEqual([
			['open', 'resolved', 'agent', moduleVersion === '1.0.81' ? 'convo.agent.reply.created' : 'convo.status', false],
		]);
	});

	it('close from the status menu, then a customer e-mail reopening it at once: two changes, once each', async () => {
		const id = env.sim.createConversation();
		await env.feed();
		env.sim.changeStatusFromMenu(id, 'closed', 2);
		env.sim.customerEmailReply(id, 'It is broken again');
		// The close's delivery is sent after the reply was saved: its threads already show the reopen.
		expect(summary(await env.feed())).toEqual([
			['open', 'resolved', 'agent', 'convo.status', true],
			['resolved', 'open', 'customer_message', 'convo.status', false],
		]);
	});

	it('a customer e-mail to a spam conversation keeps it spam: one change, to spam', async () => {
		const id = env.sim.createConversation();
		await env.feed();
		env.sim.changeStatusFromMenu(id, 'spam', 2);
		env.sim.customerEmailReply(id, 'buy now');
		expect(summary(await env.feed())).toEqual([['open', 'spam', 'agent', 'convo.status', false]]);
	});
});

describe('FreeScout deliveries out of order, or only some of them', () => {
	const simulators = simulatorsPerTest();
	let env: Simulated;
	beforeEach(async () => {
		env = await simulated(simulators, '1.0.82');
	});

	/** The deliveries received so far that were not fed yet, without feeding them. */
	async function pending(): Promise<Array<{ body: Buffer; headers: Record<string, string> }>> {
		await env.sim.idle();
		return env.receiver.received.slice(env.fedCount());
	}

	it('two changes in the same second delivered in reverse: the thread ids order them, both reported, the last one current', async () => {
		const id = env.sim.createConversation();
		await env.feed();
		env.sim.changeStatusFromMenu(id, 'closed', 2);
		env.sim.changeStatusFromMenu(id, 'active', 2);
		const [close, reopen] = await pending();
		const core = env.core;
		const outcomes = [reopen, close].map((request) => core.deliver({ rawBody: request.body, headers: request.headers }));
		expect(changes(outcomes).map(({ previousStatus, status, superseded }) => [previousStatus, status, superseded])).toEqual([
			['open', 'resolved', true],
			['resolved', 'open', false],
		]);
		expect(core.known(String(id))?.status).toBe('open');
	});

	it('close, customer reopen, close again, seen only from the last convo.status: the close is reported', async () => {
		const id = env.sim.createConversation();
		env.sim.changeStatusFromMenu(id, 'closed', 2);
		env.sim.customerEmailReply(id, 'One more question');
		env.sim.changeStatusFromMenu(id, 'closed', 2);
		const received = await pending();
		const last = received[received.length - 1];
		expect(last.headers['x-freescout-event']).toBe('convo.status');
		const outcome = harness('freescout', { context: { baseUrl: null, accountId: null, apiUserIds: [] } }).deliver({ rawBody: last.body, headers: last.headers });
		expect(changes([outcome]).map(({ previousStatus, previousStatusSource, status }) => [previousStatus, previousStatusSource, status])).toEqual([
			['open', 'history', 'resolved'],
		]);
	});
});

describe('FreeScout deliveries answered with an error', () => {
	const simulators = simulatorsPerTest();

	it('are retried with identical bytes; the trigger reports the change once', async () => {
		const sim = await simulators.freescout({ secretKey: FREESCOUT_SECRET, retryIntervalMs: 2 });
		const receiver = await simulators.receiver({ respond: (_request: unknown, count: number) => (count < 10 ? 500 : 200) });
		sim.addWebhook(receiver.url, ['convo.status']);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed', 2);
		await receiver.waitFor(10, 10000);
		await sim.idle();
		const core = harness('freescout');
		core.nowMs = Date.now();
		const outcomes = receiver.received.map((request: { body: Buffer; headers: Record<string, string> }) =>
			core.deliver({ rawBody: request.body, headers: request.headers }),
		);
		expect(new Set(receiver.received.map((request) => request.bodyText)).size).toBe(1);
		expect(receiver.received).toHaveLength(10);
		expect(changes(outcomes).map(({ previousStatus, status, cause, event }) => [previousStatus, status, cause, event])).toEqual([
			['open', 'resolved', 'agent', ['convo.status']],
		]);
	});
});
