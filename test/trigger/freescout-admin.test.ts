/**
 * The trigger against the FreeScout simulator when admins merge, bulk-change, delete and restore conversations,
 * and when FreeScout's queue worker does not know the trigger's webhook yet: on modules 1.0.81 and 1.0.82, with
 * one n8n process and with two (queue mode's webhook processes, taking the deliveries in turn, sharing static data
 * the way n8n does).
 */
import { createFreeScoutSimulator } from '../simulators/freescout';
import { createTriggerHarness } from '../support/n8n-webhook-harness';

type Sim = ReturnType<typeof createFreeScoutSimulator>;
type Harness = ReturnType<typeof createTriggerHarness>;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A fresh module instance of the trigger per n8n process. */
function loadNodeClass(): unknown {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const n8nWorkflow = require('n8n-workflow');
	let loaded: unknown;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => n8nWorkflow);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		loaded = require('../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node').ConversationStatusTrigger;
	});
	return loaded;
}

async function simulator(moduleVersion: string, options: Record<string, unknown> = {}): Promise<Sim> {
	const sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: 30, retryIntervalMs: 20, ...options });
	await sim.start();
	cleanups.push(() => sim.stop());
	return sim;
}

async function activeTrigger(sim: Sim, processes: number): Promise<Harness> {
	const harness = createTriggerHarness({
		loadNodeClass,
		processes,
		parameters: { platform: 'freescout', options: {}, filters: {} },
		credentials: { freeScoutApi: { baseUrl: sim.url, apiKey: sim.apiKey, webhookSecret: sim.secretKey, defaultUserId: 0, ignoreSslIssues: false } },
	});
	cleanups.push(() => harness.close());
	await harness.listen();
	await harness.activate();
	return harness;
}

/** "conversation: previous>status" of every item, in order. */
function items(harness: Harness): string[] {
	return harness.executions.flatMap((run) => run.items.map((item) => `${item.conversationId}: ${item.previousStatus}>${item.status}`));
}

const MODULES_AND_PROCESSES: Array<[string, number]> = [
	['1.0.82', 1],
	['1.0.82', 2],
	['1.0.81', 1],
	['1.0.81', 2],
];

describe.each(MODULES_AND_PROCESSES)('module %s, %i n8n process(es)', (moduleVersion, processes) => {
	test('a closed conversation merged into an open one: no item for the merge or the reply that lists its threads; the next close is open>resolved', async () => {
		const sim = await simulator(moduleVersion);
		const harness = await activeTrigger(sim, processes);
		const target = sim.createConversation({ text: 'target' });
		const merged = sim.createConversation({ text: 'merged away' });
		sim.changeStatusFromMenu(merged, 'closed');
		await sim.idle();
		sim.mergeFromUi(target, [merged]);
		sim.customerEmailReply(target, 'after the merge');
		await sim.idle();
		expect(items(harness)).toEqual([`${target}: null>open`, `${merged}: null>open`, `${merged}: open>resolved`]);
		sim.changeStatusFromMenu(target, 'closed');
		await sim.idle();
		expect(items(harness).slice(3)).toEqual([`${target}: open>resolved`]);
	});

	test('an open conversation merged into a closed one, then the customer writes: only the real reopen of the target', async () => {
		const sim = await simulator(moduleVersion);
		const harness = await activeTrigger(sim, processes);
		const target = sim.createConversation({ text: 'target' });
		const merged = sim.createConversation({ text: 'merged away' });
		await sim.idle();
		sim.replyFromUi(target, { status: 'closed', text: 'Send & Close' });
		await sim.idle();
		sim.mergeFromUi(target, [merged]);
		sim.customerEmailReply(target, 'after the merge');
		await sim.idle();
		expect(items(harness)).toEqual([`${target}: null>open`, `${merged}: null>open`, `${target}: open>resolved`, `${target}: resolved>open`]);
	});

	test('a bulk close of an open and an already closed conversation: one item, for the open one', async () => {
		const sim = await simulator(moduleVersion);
		const harness = await activeTrigger(sim, processes);
		const open = sim.createConversation({ text: 'open' });
		const closed = sim.createConversation({ text: 'closed' });
		sim.changeStatusFromMenu(closed, 'closed');
		await sim.idle();
		const before = items(harness).length;
		sim.clearLogs();
		sim.bulkChangeStatusFromUi([open, closed], 'closed');
		await sim.idle();
		expect(sim.getDeliveries().map((delivery: { event: string; conversationId: number }) => `${delivery.event}:${delivery.conversationId}`)).toEqual([
			`convo.status:${open}`,
			`convo.status:${closed}`,
		]);
		expect(items(harness).slice(before)).toEqual([`${open}: open>resolved`]);
	});

	test('delete, restore and a customer writing to a deleted closed conversation: only the reopen', async () => {
		const sim = await simulator(moduleVersion);
		const harness = await activeTrigger(sim, processes);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed');
		await sim.idle();
		sim.clearLogs();
		sim.deleteFromUi(id);
		sim.restoreFromUi(id);
		sim.deleteFromUi(id);
		await sim.idle();
		// The trigger subscribes to none of convo.deleted, convo.restored, convo.deleted_forever.
		expect(sim.getDeliveries()).toEqual([]);
		sim.customerEmailReply(id, 'Is anyone there?');
		await sim.idle();
		expect(items(harness)).toEqual([`${id}: null>open`, `${id}: open>resolved`, `${id}: resolved>open`]);
		sim.deleteFromUi(id);
		sim.emptyDeletedFolder();
		await sim.idle();
		expect(items(harness)).toHaveLength(3);
	});
});

describe("FreeScout's queue worker does not know the trigger's webhook until queue:restart", () => {
	/** A FreeScout in use: its queue worker already read the webhook list (without the trigger's) before activation. */
	async function workerStartedBefore(moduleVersion: string, processes: number) {
		const sim = await simulator(moduleVersion);
		sim.createConversation({ by: 'user', text: 'an agent wrote earlier' });
		await sim.idle();
		const harness = await activeTrigger(sim, processes);
		const id = sim.createConversation();
		await sim.idle();
		return { sim, harness, id };
	}

	test.each([1, 2])('module 1.0.81, %i process(es): a Send & Close reaches nobody; after queue:restart it is reported', async (processes) => {
		const { sim, harness, id } = await workerStartedBefore('1.0.81', processes);
		sim.replyFromUi(id, { status: 'closed', text: 'Send & Close' });
		await sim.idle();
		// The effect: on 1.0.81 the delayed reply event is the only report of the close, and the worker sends it to nobody.
		expect(sim.getFiredEvents().slice(-1)[0]).toMatchObject({ event: 'convo.agent.reply.created' });
		expect(items(harness)).toEqual([`${id}: null>open`]);

		// The remedy.
		sim.restartQueueWorker();
		sim.customerEmailReply(id, 'Thanks, but one more thing');
		await sim.idle();
		// The customer's reply (sent from the web request) lists the missed close: it is reported late, then the reopen.
		expect(items(harness)).toEqual([`${id}: null>open`, `${id}: open>resolved`, `${id}: resolved>open`]);
		sim.replyFromUi(id, { status: 'closed', text: 'Done now' });
		await sim.idle();
		expect(items(harness).slice(3)).toEqual([`${id}: open>resolved`]);
	});

	test('module 1.0.81: deactivated and activated again, the worker still has the URL from the earlier webhook; not after it restarted meanwhile', async () => {
		// Each FreeScout action a second after the one before (the activation's read of the conversation list stamps
		// what it reads after every thread of that second).
		let clock = Date.now();
		const sim = await simulator('1.0.81', { now: () => (clock += 1000) });
		const harness = await activeTrigger(sim, 1);
		const id = sim.createConversation();
		await sim.idle();
		sim.replyFromUi(id, { status: 'pending' });
		await sim.idle();
		await harness.remove();
		await harness.activate();
		sim.replyFromUi(id, { status: 'closed' });
		await sim.idle();
		expect(items(harness)).toEqual([`${id}: null>open`, `${id}: open>pending`, `${id}: pending>resolved`]);

		await harness.remove();
		sim.restartQueueWorker();
		sim.createConversation({ by: 'user' });
		await sim.idle();
		await harness.activate();
		sim.replyFromUi(id, { status: 'pending' });
		await sim.idle();
		expect(items(harness)).toHaveLength(3);
	});

	test('activation tells to restart the queue worker (n8n log), and so does the node while FreeScout is selected', async () => {
		const sim = await simulator('1.0.82');
		const harness = await activeTrigger(sim, 1);
		const [webhook] = sim.getWebhooks();
		expect(harness.logs).toContainEqual({
			level: 'info',
			message: expect.stringMatching(new RegExp(`^Conversation Status Trigger: webhook ${webhook.id} registered\\. After the first activation, run 'php artisan queue:restart'`)),
		});
		const trigger = new (loadNodeClass() as new () => { description: { properties: Array<{ name: string; displayName: string }> } })();
		const notice = trigger.description.properties.find((property) => property.name === 'freescoutNotice');
		expect(notice?.displayName).toContain("run 'php artisan queue:restart'");
	});

	test('module 1.0.82: the close is reported at once by convo.status; only its delayed duplicate is missing', async () => {
		const { sim, harness, id } = await workerStartedBefore('1.0.82', 1);
		sim.clearLogs();
		sim.replyFromUi(id, { status: 'closed', text: 'Send & Close' });
		await sim.idle();
		expect(sim.getDeliveries().map((delivery: { event: string }) => delivery.event)).toEqual(['convo.status']);
		expect(items(harness)).toEqual([`${id}: null>open`, `${id}: open>resolved`]);
	});
});
