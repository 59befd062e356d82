'use strict';
// The trigger in a real n8n (regular mode, on the line E2E_N8N_VERSION selects), every change reported:
// - its memory across restarts: n8n saves a webhook call's static data before the execution starts only when the
//   trigger answered the request itself (nodes/n8n/static-data.ts); the memory must be in the database after a
//   change that started an execution, survive a restart, and a retry of a delivery whose answer was lost must start
//   nothing; deliveries FreeScout still holds at a restart or at activation are each reported once;
// - the changes to open that Chatwoot's older auto-assignment system hides (no status diff in any delivery): an
//   account created before 4.13.0 (assignmentV2: false), auto-assignment on and an agent online. Assignment V2,
//   the default since 4.13.0: chatwoot-assignment.e2e.test.js.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { nodeItems } = require('./runtime/n8n');
const { sleep, startStack } = require('./support/stack');
const { TRIGGER, createTriggerWorkflow, storedStatus: storedStatusIn } = require('./support/trigger-workflow');

let stack;
let freescout;
let chatwoot;

beforeAll(async () => {
	freescout = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 500, retryIntervalMs: 1500 });
	await freescout.start();
	chatwoot = createChatwootSimulator({ version: '4.15.1', assignmentV2: false });
	await chatwoot.start();
	stack = await startStack();
}, 240_000);

afterAll(async () => {
	await stack?.stop();
	await freescout?.stop();
	await chatwoot?.stop();
});

const triggerWorkflow = (name, platform, credential) => createTriggerWorkflow(stack, { name, platform, credential });
const storedStatus = (workflowId, key) => storedStatusIn(stack, workflowId, key);

/** "previous>status" of every item of the workflow's executions, oldest first. */
async function changes(workflowId) {
	const found = [];
	for (const execution of (await stack.n8n.listExecutions(workflowId)).reverse()) {
		const full = await stack.n8n.getExecution(execution.id);
		for (const item of nodeItems(full, TRIGGER)) found.push(`${item.previousStatus}>${item.status}:${item.previousStatusSource}`);
	}
	return found;
}

describe('FreeScout', () => {
	let workflow;

	beforeAll(async () => {
		const credential = await stack.freeScoutCredential(freescout);
		workflow = await triggerWorkflow('FreeScout memory', 'freescout', credential);
	});

	test('a close made through the API is in the database after its execution; after a restart the customer reply is a reopen', async () => {
		const id = freescout.createConversation({ subject: 'Restart me', text: 'Hello' });
		await freescout.idle(10_000);
		await stack.exactlyExecutions(workflow.id, 1, { quietMs: 1000 });
		// An API reply that closes it: only convo.agent.reply.created, whose thread records "active" (no evidence).
		const response = await fetch(`${freescout.url}/api/conversations/${id}/threads`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'X-FreeScout-API-Key': freescout.apiKey },
			body: JSON.stringify({ type: 'message', text: 'Closing this.', user: 1, status: 'closed' }),
		});
		expect(response.status).toBe(201);
		await freescout.flushDelayed();
		await freescout.idle(10_000);
		await stack.exactlyExecutions(workflow.id, 2);
		expect(await storedStatus(workflow.id, String(id))).toBe('resolved');

		await stack.restart();
		// Its thread list shows no close (the API reply recorded "active"): only the memory knows it was closed.
		freescout.customerEmailReply(id, 'Still broken');
		await freescout.idle(10_000);
		await stack.exactlyExecutions(workflow.id, 3);
		expect(await changes(workflow.id)).toEqual(['null>open:null', 'open>resolved:memory', 'resolved>open:memory']);
	});

	test("a delivery processed but whose answer was lost, n8n restarted before FreeScout's retry: no second execution", async () => {
		const before = (await stack.n8n.listExecutions(workflow.id)).length + 1;
		const id = freescout.createConversation({ subject: 'Retry me', text: 'Hello' });
		await freescout.idle(10_000);
		await stack.exactlyExecutions(workflow.id, before, { quietMs: 1000 });
		freescout.clearLogs();
		// The first attempt reaches n8n, whose answer the sender never gets; every retry fails before n8n until the
		// restart is done, so the one that gets through is answered by the restarted n8n.
		stack.proxy.failNext({ count: 1, status: 502, forward: true });
		stack.proxy.failNext({ count: Infinity, status: 503, forward: false });
		freescout.changeStatusFromMenu(id, 'closed', 1);
		await stack.exactlyExecutions(workflow.id, before + 1, { quietMs: 500 });
		await stack.restart();
		stack.proxy.clearFailures();
		const restartedAt = Date.now();
		await freescout.waitForDeliveries((log) => log.some((delivery) => delivery.responseStatus === 200), 120_000);
		await stack.exactlyExecutions(workflow.id, before + 1);
		const forwarded = stack.proxy.log.filter((entry) => entry.forwardedStatus !== null && entry.path.includes('/webhook/'));
		expect(forwarded.filter((entry) => entry.at >= restartedAt).map((entry) => entry.forwardedStatus)).toEqual([200]);
		expect(new Set(freescout.deliveries.map((delivery) => delivery.bodyText)).size).toBe(1);
	});
});

/** The trigger items of the workflow's executions, oldest first. */
async function items(workflowId) {
	const found = [];
	for (const execution of (await stack.n8n.listExecutions(workflowId)).reverse()) {
		found.push(...nodeItems(await stack.n8n.getExecution(execution.id), TRIGGER));
	}
	return found;
}

describe('FreeScout: deliveries it still holds when n8n restarts or the trigger is activated', () => {
	test('three changes whose deliveries failed, n8n restarted, FreeScout retrying after it: each change exactly once', async () => {
		const credential = await stack.freeScoutCredential(freescout, { name: 'FreeScout held deliveries' });
		const workflow = await triggerWorkflow('FreeScout held deliveries', 'freescout', credential);
		const id = freescout.createConversation({ subject: 'Held', text: 'Hello' });
		await freescout.idle(10_000);
		await stack.exactlyExecutions(workflow.id, 1, { quietMs: 1000 });
		freescout.clearLogs();
		// n8n unreachable: every attempt fails before it, until the restart is done.
		stack.proxy.failNext({ count: Infinity, status: 503, forward: false });
		freescout.changeStatusFromMenu(id, 'closed', 1);
		freescout.customerEmailReply(id, 'It is not solved');
		freescout.changeStatusFromMenu(id, 'closed', 1);
		await freescout.waitForDeliveries((log) => new Set(log.map((delivery) => delivery.bodyText)).size >= 3, 30_000);
		// n8n 1.x checks every active trigger at this start, while FreeScout still holds all three.
		await stack.restart();
		stack.proxy.clearFailures();
		await freescout.idle(120_000);
		expect(freescout.deliveries.filter((delivery) => delivery.responseStatus === 200).length).toBeGreaterThanOrEqual(3);
		// A FreeScout delivery carries the thread history: the first one through may report all three changes.
		await stack.n8n.waitForExecutions(workflow.id, 2);
		await sleep(3000);
		const reported = (await items(workflow.id)).slice(1);
		expect(reported.map((item) => `${item.previousStatus}>${item.status}`).sort()).toEqual(['open>resolved', 'open>resolved', 'resolved>open']);
		expect(new Set(reported.map((item) => item.dedupeKey)).size).toBe(3);
	});

	test("a close whose delivery FreeScout still holds (the reply's undo window) when the trigger is activated: reported once", async () => {
		const held = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 600_000, retryIntervalMs: 1500 });
		await held.start();
		try {
			const id = held.createConversation({ subject: 'Before activation', text: 'Hello' });
			await held.idle(10_000);
			// Closed now; its event waits in FreeScout's queue while the trigger registers and reads the current status.
			held.replyFromUi(id, { text: 'Done.', status: 'closed' });
			const credential = await stack.freeScoutCredential(held, { name: 'FreeScout queued at activation' });
			const workflow = await triggerWorkflow('FreeScout queued at activation', 'freescout', credential);
			expect(held.getConversation(id, { withThreads: false }).status).toBe('closed');
			held.flushDelayed();
			await held.idle(30_000);
			expect(held.deliveries.map((delivery) => [delivery.event, delivery.responseStatus])).toContainEqual(['convo.agent.reply.created', 200]);
			await stack.exactlyExecutions(workflow.id, 1);
			expect((await items(workflow.id)).map((item) => `${item.previousStatus}>${item.status}`)).toEqual(['open>resolved']);
		} finally {
			await held.stop();
		}
	});
});

describe('Chatwoot', () => {
	let workflow;

	beforeAll(async () => {
		const credential = await stack.chatwootCredential(chatwoot);
		workflow = await triggerWorkflow('Chatwoot memory', 'chatwoot', credential);
	});

	/** A conversation of `inboxId` that nobody is assigned to (nobody was online when it was created). */
	async function unassignedConversation(inboxId) {
		chatwoot.setAgentOnline(chatwoot.ids().agentUserId, false);
		const { result: id } = await chatwoot.createConversation({ inboxId });
		chatwoot.setAgentOnline(chatwoot.ids().agentUserId, true);
		return id;
	}

	/** The deliveries of one operation whose only change is an assignment: the status diff is hidden. */
	const onlyAssignment = (deliveries) =>
		deliveries.length === 1 && Object.keys(deliveries[0].json.changed_attributes[0])[0] === 'assignee_id';

	test('a bot handing over (pending -> open by its token) and a snooze expiring: one item each, with the cause', async () => {
		const executions = (await stack.n8n.listExecutions(workflow.id)).length;
		const pending = await unassignedConversation(chatwoot.ids().apiInboxId);
		const snoozed = await unassignedConversation(chatwoot.ids().webInboxId);
		await chatwoot.setStatus(snoozed, 'snoozed', { snoozedUntil: Math.floor(Date.now() / 1000) + 3600 });
		await chatwoot.idle();
		await stack.exactlyExecutions(workflow.id, executions + 3, { quietMs: 1000 });
		expect(onlyAssignment((await chatwoot.setStatus(pending, 'open', { as: 'bot' })).deliveries)).toBe(true);
		expect(onlyAssignment((await chatwoot.expireSnooze(snoozed)).deliveries)).toBe(true);
		await chatwoot.idle();
		await stack.exactlyExecutions(workflow.id, executions + 5);
		expect((await changes(workflow.id)).slice(-2).sort()).toEqual(['pending>open:memory', 'snoozed>open:memory']);
	});

	test('a resolve in the database; after a restart, a reopen that auto-assignment hides still has its previous status', async () => {
		const executions = (await stack.n8n.listExecutions(workflow.id)).length;
		const id = await unassignedConversation(chatwoot.ids().webInboxId);
		await chatwoot.setStatus(id, 'resolved');
		await chatwoot.idle();
		await stack.exactlyExecutions(workflow.id, executions + 2);
		expect(await storedStatus(workflow.id, `${chatwoot.ids().accountId}:${id}`)).toBe('resolved');

		await stack.restart();
		const { deliveries } = await chatwoot.receiveMessage(id, 'It broke again');
		await chatwoot.idle();
		// No status diff reaches n8n: only the assignment shows that the conversation became open.
		expect(deliveries.map((delivery) => Object.keys(delivery.json.changed_attributes?.[0] ?? {})[0])).toContain('assignee_id');
		await stack.exactlyExecutions(workflow.id, executions + 3);
		expect((await changes(workflow.id)).slice(-3)).toEqual(['null>open:null', 'open>resolved:payload', 'resolved>open:memory']);
	});
});
