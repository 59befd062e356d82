'use strict';
// The example workflows in n8n's queue mode (support/queue-stack.js: PostgreSQL, Redis, one main, two
// `n8n webhook` processes behind a proxy that takes them in turn, one worker): the deliveries of one change
// land on different processes, each reading and writing the trigger's memory in the shared database, and each
// change still starts exactly one execution with the right previous status. Skipped, with the reason, where
// Redis or PostgreSQL cannot be installed.
const crypto = require('node:crypto');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createEvolutionClient } = require('../simulators/evolution-client');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { nodeItems } = require('./runtime/n8n');
const { startQueueStack, queueModeUnavailable } = require('./support/queue-stack');
const { sleep, TRIGGER_TYPE } = require('./support/stack');

const unavailable = queueModeUnavailable();
if (unavailable) console.warn(`SKIPPED queue-mode trigger tests: ${unavailable}`);
const describeQueue = unavailable ? describe.skip : describe;

describeQueue('queue mode: the examples over two webhook processes', () => {
	let stack;
	const sims = [];

	beforeAll(async () => {
		stack = await startQueueStack({ webhookProcesses: 2, workers: 1 });
	}, 300_000);

	afterAll(async () => {
		await stack?.stop();
		for (const sim of sims) await sim.stop();
	});

	/** The trigger items of the workflow's newest execution. */
	async function newestItems(workflowId, triggerName) {
		const [newest] = await stack.n8n.listExecutions(workflowId);
		return nodeItems(await stack.n8n.getExecution(newest.id), triggerName);
	}

	test('Chatwoot S1 (example 1, auto-assignment on): one execution, resolved -> pending, and the conversation ends open', async () => {
		const sim = createChatwootSimulator({ version: '4.15.1' });
		await sim.start();
		sims.push(sim);
		const credential = await stack.chatwootCredential(sim);
		const workflow = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
		await stack.activateWorkflow(workflow.id);
		const evolution = createEvolutionClient({ chatwootUrl: sim.url, token: sim.tokens().administrator });

		const first = await evolution.receiveMessage({ phone: '5511987650009', text: 'Oi' });
		await sim.idle();
		await stack.exactlyExecutions(workflow.id, 1, { timeoutMs: 60_000 });
		await sim.idle();
		expect(sim.getConversation(first.conversationId).status).toBe('open');
		await sim.setStatus(first.conversationId, 'resolved');
		await sim.idle();

		await evolution.receiveMessage({ phone: '5511987650009', text: 'Voltei' });
		await sim.idle();
		const executions = await stack.exactlyExecutions(workflow.id, 2, { timeoutMs: 60_000, quietMs: 4000 });
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success']);
		expect(await newestItems(workflow.id, 'Resolved to Pending')).toMatchObject([
			{ conversationId: first.conversationId, status: 'pending', previousStatus: 'resolved', cause: 'bot_inbox' },
		]);
		await sim.idle();
		expect(sim.getConversation(first.conversationId).status).toBe('open');
		const targets = new Set(stack.proxy.log.filter((entry) => entry.path.includes('/webhook/')).map((entry) => entry.target));
		expect(targets.size).toBe(2);
	});

	describe.each(['1.0.81', '1.0.82'])('FreeScout module %s (example 2)', (moduleVersion) => {
		let sim;
		let workflow;
		let conversationId;
		let expected = 0;

		beforeAll(async () => {
			sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: 1000, retryIntervalMs: 500 });
			await sim.start();
			sims.push(sim);
			const credential = await stack.freeScoutCredential(sim, { name: `FreeScout ${moduleVersion}` });
			workflow = await stack.importExample('freescout-close-and-reopen.json', {
				credentials: { freeScoutApi: credential },
				name: `FreeScout queue ${moduleVersion}`,
				newWebhookIds: true,
			});
			await stack.activateWorkflow(workflow.id);
		});

		async function oneMore() {
			await sim.flushDelayed();
			await sim.idle(30_000);
			expected += 1;
			await stack.exactlyExecutions(workflow.id, expected, { timeoutMs: 60_000, quietMs: 3000 });
			return await newestItems(workflow.id, 'Closed or Reopened');
		}

		test('close via "Send & Close": one execution, open -> resolved', async () => {
			conversationId = sim.createConversation({ subject: `Queue ${moduleVersion}`, text: 'Help' });
			await sim.idle(30_000);
			sim.replyFromUi(conversationId, { text: 'Done.', status: 'closed' });
			expect(await oneMore()).toMatchObject([{ conversationId, status: 'resolved', previousStatus: 'open' }]);
		});

		test('the customer reopens: one execution, resolved -> open', async () => {
			sim.customerEmailReply(conversationId, 'Not done');
			expect(await oneMore()).toMatchObject([{ conversationId, status: 'open', previousStatus: 'resolved' }]);
		});

		test('a close whose answer was lost is retried on the other process: still one execution', async () => {
			sim.clearLogs();
			stack.proxy.failNext({ count: 1, status: 502, forward: true });
			sim.changeStatusFromMenu(conversationId, 'closed', 1);
			await sim.waitForDeliveries((log) => log.some((delivery) => delivery.responseStatus === 200), 60_000);
			expect(await oneMore()).toMatchObject([{ conversationId, status: 'resolved', previousStatus: 'open' }]);
			expect(sim.deliveries.map((delivery) => delivery.responseStatus)).toEqual([502, 200]);
		});
	});

	test('a burst: 50 Chatwoot conversations x 4 changes sent by 8 parallel jobs in random order, every n8n process restarted in the middle: each change exactly once', async () => {
		// Nobody online: no auto-assignment hides a status diff, so each change is one conversation_updated. Chatwoot
		// gives up on a delivery after 5 s; n8n on this shared 2-core machine can take longer under the burst.
		const sim = createChatwootSimulator({ version: '4.15.1', onlineAgents: [], deliveryConcurrency: 8, webhookTimeoutMs: 60_000 });
		await sim.start();
		sims.push(sim);
		const ids = [];
		for (let index = 0; index < 50; index++) ids.push((await sim.createConversation({ inboxId: sim.ids().webInboxId })).result);
		await sim.idle();
		const credential = await stack.chatwootCredential(sim, { name: 'Chatwoot burst' });
		const workflow = await stack.n8n.createWorkflow({
			name: 'Chatwoot burst',
			nodes: [
				{
					// New conversations are not reported: the activation's priming knows the 50 as open.
					parameters: { platform: 'chatwoot', filters: { includeNewConversations: false }, options: {} },
					id: 'burst-trigger',
					name: 'Burst Trigger',
					type: TRIGGER_TYPE,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId: crypto.randomUUID(),
					credentials: { chatwootApi: { id: credential.id, name: credential.name } },
				},
			],
			connections: {},
		});
		await stack.activateWorkflow(workflow.id);
		sim.resetLogs();

		// Every change is made while Chatwoot's queue holds its deliveries, then the backlog is sent shuffled. (Not
		// pending: open -> pending within seconds of the creation is how a bot inbox's new conversation shows.)
		// A conversation's changes are separate actions, a few milliseconds apart at least (Chatwoot's stamps are in ms).
		sim.pauseDeliveries();
		const operations = [];
		for (const status of ['resolved', 'open', 'snoozed', 'open']) {
			operations.push(...ids.map((id) => sim.setStatus(id, status)));
			await sleep(20);
		}
		sim.resumeDeliveries({ shuffle: 18 });
		await sim.waitForDeliveries(100, 120_000);
		// Chatwoot never retries: the restart happens while it holds the rest, after the deliveries in flight.
		sim.pauseDeliveries();
		while (sim.deliveriesInFlight() > 0) await sleep(100);
		// n8n answers a webhook before it queues the execution (its own Webhook node's too), so a restart in that gap can
		// lose an execution whatever the trigger does (seen once on 1.123.81): the restart waits for the answered ones.
		await stack.exactlyExecutions(workflow.id, sim.deliveries().length, { timeoutMs: 120_000, quietMs: 1000 });
		await stack.restart();
		sim.resumeDeliveries();
		await Promise.all(operations);
		expect(sim.deliveries().filter((delivery) => delivery.status !== 200).map((delivery) => delivery.status ?? delivery.error)).toEqual([]);
		expect(sim.deliveries()).toHaveLength(200);
		// Each delivery states its own change: none may be answered as ignored.
		const ignored = sim.deliveries().map((delivery) => JSON.parse(delivery.responseBody)).filter((body) => body.ignored !== undefined);
		expect(ignored).toEqual([]);

		const executions = await stack.exactlyExecutions(workflow.id, 200, { timeoutMs: 180_000, quietMs: 5000 });
		const items = [];
		for (const execution of executions.reverse()) items.push(...nodeItems(await stack.n8n.getExecution(execution.id), 'Burst Trigger'));
		expect(new Set(items.map((item) => item.dedupeKey)).size).toBe(200);
		for (const id of ids) {
			const changes = items.filter((item) => item.conversationId === id);
			expect(changes.map((item) => `${item.previousStatus}>${item.status}`).sort()).toEqual(['open>resolved', 'open>snoozed', 'resolved>open', 'snoozed>open']);
			// A change reported as late has a newer one; the newest is never late.
			const newest = changes.reduce((a, b) => (Date.parse(a.changedAt) >= Date.parse(b.changedAt) ? a : b));
			expect(`${newest.previousStatus}>${newest.status}:${newest.late === true}`).toBe('snoozed>open:false');
		}
	}, 480_000);
});
