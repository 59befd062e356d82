'use strict';
// Example 3 ("Keep Chatwoot and FreeScout statuses in sync") in a real n8n against a Chatwoot and a
// FreeScout simulator: both webhooks registered; a change on either side is applied to the other one and
// the echo of that write ends the chain (Sync Status writes only when the status differs): no loop.
// The example pairs Chatwoot conversation N with FreeScout conversation N, so one of each is created.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { startStack, sleep } = require('./support/stack');

let stack;
let chatwoot;
let freescout;
let workflow;
let chatwootId;
let freescoutId;

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	await chatwoot.start();
	freescout = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 1000, retryIntervalMs: 400 });
	await freescout.start();
	stack = await startStack();
	const chatwootApi = await stack.chatwootCredential(chatwoot);
	const freeScoutApi = await stack.freeScoutCredential(freescout);
	workflow = await stack.importExample('chatwoot-freescout-sync.json', { credentials: { chatwootApi, freeScoutApi } });
	// A pair of conversations (same id on both sides), created before the sync is switched on.
	({ result: chatwootId } = await chatwoot.createConversation({ inboxId: chatwoot.ids().webInboxId }));
	freescoutId = freescout.createConversation({ subject: 'Order 1234', text: 'Where is my order?' });
	expect(chatwootId).toBe(freescoutId);
	await chatwoot.idle();
	await freescout.idle(10_000);
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await chatwoot?.stop();
	await freescout?.stop();
});

const toggles = () => chatwoot.requests().filter((r) => r.method === 'POST' && /toggle_status$/.test(r.path));
const puts = () => freescout.apiRequests.filter((r) => r.method === 'PUT');

/** Waits until both simulators are idle and the execution count stops growing for `quietMs`. */
async function settle(quietMs = 4000) {
	let last = -1;
	for (;;) {
		await chatwoot.idle();
		await freescout.idle(30_000);
		await sleep(quietMs);
		const executions = await stack.n8n.listExecutions(workflow.id);
		const running = executions.some((e) => !['success', 'error', 'crashed', 'canceled'].includes(e.status));
		if (!running && executions.length === last) return executions;
		last = executions.length;
	}
}

test('activation registers a webhook in both platforms', async () => {
	await stack.n8n.activateWorkflow(workflow.id);
	const [chatwootTrigger, freescoutTrigger] = workflow.triggers;
	expect(chatwoot.webhooks().map((w) => w.url)).toEqual([stack.webhookUrl(chatwootTrigger.webhookId)]);
	expect(freescout.getWebhooks().map((w) => w.url)).toEqual([stack.webhookUrl(freescoutTrigger.webhookId)]);
});

test('Chatwoot resolved -> FreeScout closed, and the echo does not loop', async () => {
	const before = (await stack.n8n.listExecutions(workflow.id)).length;
	await chatwoot.setStatus(chatwootId, 'resolved');
	await freescout.waitForDeliveries((log) => log.some((d) => d.event === 'convo.status'), 20_000);
	const executions = await settle();
	expect(freescout.getConversation(freescoutId).status).toBe('closed');
	expect(chatwoot.getConversation(chatwootId).status).toBe('resolved');
	// One execution for the Chatwoot change, one for its FreeScout echo, which writes nothing.
	expect(executions.length - before).toBe(2);
	expect(executions.every((e) => e.status === 'success')).toBe(true);
	expect(puts()).toHaveLength(1);
	expect(toggles()).toHaveLength(0);
});

test('FreeScout reopened -> Chatwoot open, and the echo does not loop', async () => {
	const before = (await stack.n8n.listExecutions(workflow.id)).length;
	const putsBefore = puts().length;
	freescout.changeStatusFromMenu(freescoutId, 'active');
	const executions = await settle();
	expect(chatwoot.getConversation(chatwootId).status).toBe('open');
	expect(freescout.getConversation(freescoutId).status).toBe('active');
	expect(executions.length - before).toBe(2);
	expect(executions.every((e) => e.status === 'success')).toBe(true);
	expect(toggles()).toHaveLength(1);
	expect(puts()).toHaveLength(putsBefore);
});

test('deactivation deletes both webhooks', async () => {
	await stack.n8n.deactivateWorkflow(workflow.id);
	expect(chatwoot.webhooks()).toHaveLength(0);
	expect(freescout.getWebhooks()).toHaveLength(0);
});
