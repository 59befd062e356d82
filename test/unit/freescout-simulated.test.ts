/**
 * FreeScout scenarios the real captures do not cover (UI actions, module versions, spam), with deliveries
 * produced by the FreeScout simulator and fed through the core exactly as received.
 */
import { createFreeScoutSimulator, startWebhookReceiver } from '../simulators/freescout';
import { changes, FREESCOUT_SECRET, harness } from './pipeline-helpers';
import type { DeliveryOutcome } from '../../nodes/core/trigger/pipeline';

interface Simulated {
	sim: ReturnType<typeof createFreeScoutSimulator>;
	receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
	/** Feeds every delivery received so far (and not fed yet) through one trigger's core. */
	feed(): Promise<DeliveryOutcome[]>;
	stop(): Promise<void>;
}

async function simulated(moduleVersion: string): Promise<Simulated> {
	const sim = createFreeScoutSimulator({ moduleVersion, secretKey: FREESCOUT_SECRET, undoDelayMs: 5 });
	await sim.start();
	const receiver = await startWebhookReceiver();
	sim.addWebhook(receiver.url, ['convo.created', 'convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created']);
	const core = harness('freescout', { context: { baseUrl: null, accountId: null, apiUserIds: [] } });
	let fed = 0;
	return {
		sim,
		receiver,
		async feed() {
			await sim.idle();
			const outcomes = [];
			for (const request of receiver.received.slice(fed)) {
				core.clock.ms = Date.now();
				outcomes.push(await core.deliver({ rawBody: request.body, headers: request.headers }));
			}
			fed = receiver.received.length;
			return outcomes;
		},
		async stop() {
			await receiver.close();
			await sim.stop();
		},
	};
}

const summary = (outcomes: DeliveryOutcome[]) =>
	changes(outcomes).map(({ previousStatus, status, cause, event }) => [previousStatus, status, cause, event[0]]);

describe.each(['1.0.81', '1.0.82'])('FreeScout module %s', (moduleVersion) => {
	let env: Simulated;
	beforeEach(async () => {
		env = await simulated(moduleVersion);
	});
	afterEach(() => env.stop());

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
			['open', 'resolved', 'agent', moduleVersion === '1.0.81' ? 'convo.agent.reply.created' : 'convo.status'],
		]);
	});

	it('close from the status menu, then a customer e-mail reopening it: two changes', async () => {
		const id = env.sim.createConversation();
		await env.feed();
		env.sim.changeStatusFromMenu(id, 'closed', 2);
		env.sim.customerEmailReply(id, 'It is broken again');
		expect(summary(await env.feed())).toEqual([
			['open', 'resolved', 'agent', 'convo.status'],
			['resolved', 'open', 'customer_message', 'convo.customer.reply.created'],
		]);
	});

	it('a customer writing to a spam conversation changes nothing', async () => {
		const id = env.sim.createConversation();
		env.sim.changeStatusFromMenu(id, 'spam', 2);
		env.sim.customerEmailReply(id, 'buy now');
		expect(summary(await env.feed())).toEqual([
			[null, 'open', 'conversation_created', 'convo.created'],
			['open', 'spam', 'agent', 'convo.status'],
		]);
	});
});

describe('FreeScout deliveries answered with an error', () => {
	it('are retried with identical bytes; the trigger reports the change once', async () => {
		const sim = createFreeScoutSimulator({ secretKey: FREESCOUT_SECRET, retryIntervalMs: 2 });
		await sim.start();
		const receiver = await startWebhookReceiver({ respond: (_request: unknown, count: number) => (count < 10 ? 500 : 200) });
		sim.addWebhook(receiver.url, ['convo.status']);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed', 2);
		await receiver.waitFor(10, 10000);
		await sim.idle();
		const core = harness('freescout');
		core.clock.ms = Date.now();
		const outcomes = [];
		for (const request of receiver.received) outcomes.push(await core.deliver({ rawBody: request.body, headers: request.headers }));
		expect(new Set(receiver.received.map((request) => request.bodyText)).size).toBe(1);
		expect(receiver.received).toHaveLength(10);
		expect(changes(outcomes)).toHaveLength(1);
		await receiver.close();
		await sim.stop();
	});
});
