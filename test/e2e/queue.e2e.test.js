'use strict';
// Queue mode of the test runtime (support/queue-stack.js) on the n8n line E2E_N8N_VERSION selects: Redis
// and PostgreSQL from Debian, one main, two `n8n webhook` processes behind the round-robin proxy and one
// worker. Deliveries reach both webhook processes, the worker runs every execution, and after a restart
// of every process the workflow is still active. Skipped, with the reason, where Redis or PostgreSQL
// cannot be installed.
const crypto = require('node:crypto');
const { nodeItems } = require('./runtime/n8n');
const { startQueueStack, queueModeUnavailable } = require('./support/queue-stack');
const { webhookNodeWorkflow } = require('./support/stack');

const unavailable = queueModeUnavailable();
if (unavailable) console.warn(`SKIPPED queue-mode e2e tests: ${unavailable}`);
const describeQueue = unavailable ? describe.skip : describe;

const WEBHOOK_PATH = `e2e-queue-${crypto.randomUUID()}`;

describeQueue('queue mode: main, 2 webhook processes, 1 worker', () => {
	let stack;
	let workflow;
	let delivered = 0;

	/** `count` deliveries through the proxy, one after the other; resolves with their HTTP statuses. */
	async function deliver(count) {
		const statuses = [];
		for (let i = 0; i < count; i += 1) {
			delivered += 1;
			const response = await fetch(stack.n8n.webhookUrl(WEBHOOK_PATH), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ n: delivered }),
			});
			statuses.push(response.status);
		}
		return statuses;
	}

	/** Execution ids the worker logged as started since its last (re)start. */
	const workerExecutions = () =>
		[...stack.workers[0].currentLog().matchAll(/Worker started execution (\d+)/g)].map((match) => match[1]);

	beforeAll(async () => {
		stack = await startQueueStack({ webhookProcesses: 2, workers: 1 });
		workflow = await stack.n8n.createWorkflow(webhookNodeWorkflow('Queue probe', WEBHOOK_PATH));
	}, 240_000);

	afterAll(async () => {
		await stack?.stop();
	});

	test('deliveries are spread over both webhook processes and the worker runs every execution', async () => {
		await stack.activateWorkflow(workflow.id);
		expect(await deliver(4)).toEqual([200, 200, 200, 200]);
		const executions = await stack.exactlyExecutions(workflow.id, 4, { quietMs: 1000 });
		expect(executions.map((execution) => execution.status)).toEqual(['success', 'success', 'success', 'success']);

		const targets = stack.proxy.log.map((entry) => entry.target);
		const [first, second] = stack.webhooks.map((webhook) => webhook.baseUrl);
		expect(targets).toEqual([first, second, first, second]);
		for (const webhook of stack.webhooks) expect(webhook.currentLog()).toMatch(/Enqueued execution \d+/);
		expect(workerExecutions().sort()).toEqual(executions.map((execution) => String(execution.id)).sort());

		const bodies = [];
		for (const execution of executions) bodies.push(nodeItems(await stack.n8n.getExecution(execution.id), 'Webhook')[0].body.n);
		expect(bodies.sort()).toEqual([1, 2, 3, 4]);
	});

	test('restart of every process: the workflow is still active and the new worker runs the executions', async () => {
		await stack.restart();
		expect(await deliver(2)).toEqual([200, 200]);
		const executions = await stack.exactlyExecutions(workflow.id, 6, { quietMs: 1000 });
		expect(executions.slice(0, 2).map((execution) => execution.status)).toEqual(['success', 'success']);
		expect(workerExecutions().sort()).toEqual(executions.slice(0, 2).map((execution) => String(execution.id)).sort());
	});

	test('deactivation: both webhook processes answer 404, no further execution', async () => {
		await stack.deactivateWorkflow(workflow.id);
		expect(await deliver(2)).toEqual([404, 404]);
		await stack.exactlyExecutions(workflow.id, 6, { quietMs: 1000 });
	});
});
