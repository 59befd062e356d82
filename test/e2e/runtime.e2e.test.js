'use strict';
// The test runtime itself, on the n8n line E2E_N8N_VERSION selects (default 2.41.1): the same methods
// activate, deliver, count and read executions on every line; a trigger whose activation fails makes
// activateWorkflow() throw with the trigger's error; restart() keeps the database, so a workflow that was
// active receives webhooks again, and credentials and static data are still there.
const crypto = require('node:crypto');
const { nodeItems } = require('./runtime/n8n');
const { freePort } = require('./runtime/processes');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { startStack, prepareExample, webhookNodeWorkflow } = require('./support/stack');

const WEBHOOK_PATH = `e2e-runtime-${crypto.randomUUID()}`;

let stack;
let workflow;
let chatwoot;

const deliver = (body) =>
	fetch(stack.n8n.webhookUrl(WEBHOOK_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	await chatwoot.start();
	stack = await startStack();
	workflow = await stack.n8n.createWorkflow(webhookNodeWorkflow('Runtime probe', WEBHOOK_PATH));
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await chatwoot?.stop();
});

test('an activated workflow receives a webhook through the proxy and its execution can be read', async () => {
	await stack.activateWorkflow(workflow.id);
	const response = await deliver({ n: 1 });
	expect(response.status).toBe(200);
	const [execution] = await stack.exactlyExecutions(workflow.id, 1, { quietMs: 500 });
	expect(execution.status).toBe('success');
	const full = await stack.n8n.getExecution(execution.id);
	expect(nodeItems(full, 'Webhook')[0].body).toEqual({ n: 1 });
	expect(stack.proxy.log.map((entry) => [entry.path, entry.forwardedStatus])).toEqual([
		[`/webhook/${WEBHOOK_PATH}`, 200],
	]);
});

test('a trigger whose activation fails makes activateWorkflow() throw with its error', async () => {
	const unreachable = `http://127.0.0.1:${await freePort()}`;
	const credential = await stack.n8n.createCredential({
		name: 'Chatwoot nowhere',
		type: 'chatwootApi',
		data: { baseUrl: unreachable, accountId: 1, accessToken: 'token', webhookSecret: '', ignoreSslIssues: false },
	});
	const failing = await stack.n8n.createWorkflow(
		prepareExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential }, newWebhookIds: true, name: 'Cannot register' }),
	);
	await expect(stack.activateWorkflow(failing.id)).rejects.toThrow(`Activating workflow ${failing.id} failed`);
});

test('restart keeps the database: workflows stay active and receive webhooks, credentials and static data are kept', async () => {
	// The package's trigger registers its webhook in Chatwoot on activation and keeps its id in static data.
	const credential = await stack.chatwootCredential(chatwoot);
	const registering = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
	await stack.activateWorkflow(registering.id);
	expect(chatwoot.webhooks()).toHaveLength(1);
	const staticDataBefore = (await stack.n8n.getWorkflow(registering.id)).staticData;
	expect(staticDataBefore).toEqual(expect.any(Object));
	const credentialsBefore = (await stack.n8n.rest('GET', '/rest/credentials')).data.map((c) => c.name).sort();
	const pidBefore = stack.n8n.pid;

	await stack.restart();

	expect(stack.n8n.pid).not.toBe(pidBefore);
	expect((await stack.n8n.rest('GET', '/rest/credentials')).data.map((c) => c.name).sort()).toEqual(credentialsBefore);
	expect((await stack.n8n.getWorkflow(registering.id)).staticData).toEqual(staticDataBefore);
	expect((await stack.n8n.getWorkflow(workflow.id)).active).toBe(true);
	const response = await deliver({ n: 2 });
	expect(response.status).toBe(200);
	const [newest] = await stack.exactlyExecutions(workflow.id, 2, { quietMs: 500 });
	expect(nodeItems(await stack.n8n.getExecution(newest.id), 'Webhook')[0].body).toEqual({ n: 2 });
	// Deactivating after the restart finds the registered webhook through the kept static data.
	await stack.deactivateWorkflow(registering.id);
	expect(chatwoot.webhooks()).toHaveLength(0);
});

test('deactivation: the webhook is gone (404), no further execution', async () => {
	await stack.deactivateWorkflow(workflow.id);
	const response = await deliver({ n: 3 });
	expect(response.status).toBe(404);
	await stack.exactlyExecutions(workflow.id, 2, { quietMs: 500 });
});
