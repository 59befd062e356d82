'use strict';
// Chatwoot with assignment V2, the default of every account created on 4.13.0 or later, in a real n8n (regular
// mode, on the line E2E_N8N_VERSION selects): a trigger-only workflow reporting every change. Status changes are
// announced normally and the AssignmentJob assigns later in a save of its own: that assignment, a manual one and
// the periodic run start no execution; S1 (resolved + customer message -> pending), Force Open and a snooze running
// out give one item each with the right cause. The older, hiding system: trigger-state.e2e.test.js.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { nodeItems } = require('./runtime/n8n');
const { startStack } = require('./support/stack');
const { TRIGGER, createTriggerWorkflow, settledExecutionCount, storedStatus } = require('./support/trigger-workflow');

let stack;
let chatwoot;
let workflow;

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	expect(chatwoot.features.assignmentV2).toBe(true);
	await chatwoot.start();
	stack = await startStack();
	const credential = await stack.chatwootCredential(chatwoot);
	workflow = await createTriggerWorkflow(stack, { name: 'Chatwoot assignment V2', platform: 'chatwoot', credential });
}, 240_000);

afterAll(async () => {
	await stack?.stop();
	await chatwoot?.stop();
});

/** "previous>status:cause" of every item of the workflow's executions, oldest first. */
async function changes() {
	const found = [];
	for (const execution of (await stack.n8n.listExecutions(workflow.id)).reverse()) {
		const full = await stack.n8n.getExecution(execution.id);
		for (const item of nodeItems(full, TRIGGER)) found.push(`${item.previousStatus}>${item.status}:${item.cause}`);
	}
	return found;
}

// n8n answers a delivery before it records its execution: counts are read once they stop growing.
const executionCount = () => settledExecutionCount(stack, workflow.id);
const toTrigger = () => chatwoot.deliveries().filter((delivery) => delivery.url.includes('/webhook/'));

test('a new conversation: one item; the AssignmentJob assigning it a moment later starts nothing', async () => {
	const before = await executionCount();
	chatwoot.resetLogs();
	const { result: id } = await chatwoot.createConversation({ inboxId: chatwoot.ids().webInboxId });
	await chatwoot.idle();
	expect(toTrigger().map((delivery) => [delivery.event, delivery.status])).toEqual([
		['conversation_created', 200],
		['conversation_updated', 200],
	]);
	expect(chatwoot.getConversation(id).assigneeId).toBe(chatwoot.ids().agentUserId);
	await stack.exactlyExecutions(workflow.id, before + 1, { quietMs: 1500 });
	expect((await changes()).slice(-1)).toEqual(['null>open:conversation_created']);
});

test('S1 with assignment V2: resolved + customer message -> pending, then Force Open -> open; one item each', async () => {
	chatwoot.setAgentOnline(chatwoot.ids().agentUserId, false);
	const { result: id } = await chatwoot.createConversation({ inboxId: chatwoot.ids().apiInboxId });
	await chatwoot.setStatus(id, 'resolved');
	await chatwoot.idle();
	chatwoot.setAgentOnline(chatwoot.ids().agentUserId, true);
	const before = await executionCount();

	await chatwoot.receiveMessage(id, 'Voltei');
	await chatwoot.idle();
	await stack.exactlyExecutions(workflow.id, before + 1);
	await chatwoot.setStatus(id, 'open');
	await chatwoot.idle(); // the status events, then the AssignmentJob's assignment
	expect(chatwoot.getConversation(id)).toMatchObject({ status: 'open', assigneeId: chatwoot.ids().agentUserId });
	await stack.exactlyExecutions(workflow.id, before + 2, { quietMs: 1500 });
	expect((await changes()).slice(-2)).toEqual(['resolved>pending:bot_inbox', 'pending>open:bot_handoff']);
});

test('a snooze running out: snoozed -> open, snooze_expired; "until next reply" never runs out', async () => {
	const { result: id } = await chatwoot.createConversation({ inboxId: chatwoot.ids().webInboxId });
	await chatwoot.idle();
	await chatwoot.setStatus(id, 'snoozed');
	await chatwoot.idle();
	const snoozed = await executionCount();
	expect((await chatwoot.expireSnooze(id)).deliveries).toEqual([]);

	await chatwoot.setStatus(id, 'snoozed', { snoozedUntil: Math.floor(Date.now() / 1000) + 1 });
	await new Promise((resolve) => setTimeout(resolve, 1100));
	expect((await chatwoot.runSnoozeReopenJob()).result).toEqual([id]);
	await chatwoot.idle();
	await stack.exactlyExecutions(workflow.id, snoozed + 1, { quietMs: 1500 });
	expect((await changes()).slice(-2)).toEqual(['open>snoozed:unknown', 'snoozed>open:snooze_expired']);
});

test('a manual assignment, an automation assign_agent and the periodic run start nothing', async () => {
	chatwoot.setAgentOnline(chatwoot.ids().agentUserId, false);
	const { result: id } = await chatwoot.createConversation({ inboxId: chatwoot.ids().webInboxId });
	const { result: other } = await chatwoot.createConversation({ inboxId: chatwoot.ids().webInboxId });
	await chatwoot.idle();
	chatwoot.setAgentOnline(chatwoot.ids().agentUserId, true);
	const before = await executionCount();
	chatwoot.resetLogs();
	await chatwoot.assign(id, chatwoot.ids().agentUserId);
	await chatwoot.automationAssign(id, chatwoot.ids().adminUserId);
	chatwoot.setAssignmentPolicy(chatwoot.ids().webInboxId);
	expect((await chatwoot.runPeriodicAssignment()).result).toBe(1);
	await chatwoot.idle();
	expect(chatwoot.getConversation(other).assigneeId).toBe(chatwoot.ids().agentUserId);
	expect(toTrigger().map((delivery) => delivery.status)).toEqual([200, 200, 200]);
	await stack.exactlyExecutions(workflow.id, before, { quietMs: 1500 });
});

test("'Look Up Who Changed It': the agent bot's failure and an agent's resolve are named, and the memory is still saved", async () => {
	const credential = await stack.chatwootCredential(chatwoot);
	const created = await createTriggerWorkflow(stack, {
		name: 'Chatwoot who changed it',
		platform: 'chatwoot',
		credential,
		options: { lookUpWhoChanged: true },
	});
	const { result: id } = await chatwoot.createConversation({ inboxId: chatwoot.ids().apiInboxId });
	await chatwoot.idle();
	await stack.exactlyExecutions(created.id, 1);

	await chatwoot.receiveMessage(id, 'Anyone there?');
	await chatwoot.botWebhookFailure(id);
	await chatwoot.idle();
	await stack.exactlyExecutions(created.id, 2);
	await chatwoot.setStatus(id, 'resolved', { as: 'agent' });
	await chatwoot.idle();
	await stack.exactlyExecutions(created.id, 3, { quietMs: 1500 });

	const items = [];
	for (const execution of (await stack.n8n.listExecutions(created.id)).reverse()) {
		for (const item of nodeItems(await stack.n8n.getExecution(execution.id), TRIGGER)) {
			items.push(`${item.previousStatus}>${item.status}:${item.cause}:${item.actor?.type}:${item.actor?.name}`);
		}
	}
	expect(items.slice(-2)).toEqual(['pending>open:bot_failure:system:null', 'open>resolved:agent:agent:Alex Agent']);
	expect(await storedStatus(stack, created.id, `${chatwoot.ids().accountId}:${id}`)).toBe('resolved');
});
