'use strict';
// Example 3 ("Keep Chatwoot and FreeScout statuses in sync") in a real n8n against a Chatwoot and a FreeScout
// simulator, imported and published as a user would: both webhooks registered; conversations paired by their
// customer's e-mail (ids that differ), the pair then kept on both; a FreeScout spam and a Chatwoot snooze survive
// the round trip; a rapid open -> resolved -> open on one side, and a change on each side 10 ms apart, end with
// both sides on the last change, with a bounded number of writes and no ping-pong.
// Every scenario has its own customer, so its pair of conversations is its own.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { startStack, sleep } = require('./support/stack');

const PAIR_FIELD = 'Chatwoot Conversation ID';
const PAIR_ATTRIBUTE = 'freescout_conversation_id';

let stack;
let chatwoot;
let freescout;
let workflow;

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	await chatwoot.start();
	freescout = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 1000, retryIntervalMs: 400, customFieldsModule: true });
	await freescout.start();
	freescout.addCustomField({ mailboxId: 1, name: PAIR_FIELD, type: 'number' });
	// Conversations of other customers first, so the ids of a pair differ.
	freescout.createConversation({ subject: 'Welcome', text: 'Hello' });
	freescout.createConversation({ subject: 'Invoice', text: 'Hi' });
	stack = await startStack();
	const chatwootApi = await stack.chatwootCredential(chatwoot);
	const freeScoutApi = await stack.freeScoutCredential(freescout);
	workflow = await stack.importExample('chatwoot-freescout-sync.json', { credentials: { chatwootApi, freeScoutApi } });
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await chatwoot?.stop();
	await freescout?.stop();
});

/** A customer with a conversation on each side, both open; made while nothing listens or before the change. */
async function newPair(email) {
	const { result: contactId } = await chatwoot.createContact({ name: email, email });
	// Assigned to the agent, as in a staffed inbox: auto-assignment then leaves its status changes visible.
	const { result: chatwootId } = await chatwoot.createConversation({
		contactId,
		inboxId: chatwoot.ids().webInboxId,
		assigneeId: chatwoot.ids().agentId,
	});
	const customerId = freescout.addCustomer({ firstName: email, email }).id;
	const freescoutId = freescout.createConversation({ subject: `Order of ${email}`, text: 'Where is my order?', customerId });
	await chatwoot.idle();
	await freescout.idle(10_000);
	return { chatwootId, freescoutId };
}

const chatwootStatus = (id) => chatwoot.getConversation(id).status;
const freescoutStatus = (id) => freescout.getConversation(id).status;
const toggles = (id) => chatwoot.requests().filter((r) => r.method === 'POST' && r.path.endsWith(`/conversations/${id}/toggle_status`));
const puts = (id) => freescout.apiRequests.filter((r) => r.method === 'PUT' && r.path === `/api/conversations/${id}`);
const pairFieldOf = (id) => (freescout.getConversation(id, { withThreads: false }).customFields ?? []).find((f) => f.name === PAIR_FIELD)?.value;

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

/** Runs `act`, settles, and returns the new executions (all must have succeeded). */
async function afterSettling(act) {
	const before = (await stack.n8n.listExecutions(workflow.id)).length;
	await act();
	const executions = await settle();
	expect(executions.every((e) => e.status === 'success')).toBe(true);
	return executions.length - before;
}

/** Resolves when the wall clock is `ms` into a second. */
async function atMillisecond(ms) {
	while (Date.now() % 1000 < ms - 50 || Date.now() % 1000 > ms) await sleep(10);
	while (Date.now() % 1000 < ms) await sleep(1);
}

test('activation registers a webhook in both platforms', async () => {
	await stack.n8n.activateWorkflow(workflow.id);
	const [chatwootTrigger, freescoutTrigger] = workflow.triggers;
	expect(chatwoot.webhooks().map((w) => w.url)).toEqual([stack.webhookUrl(chatwootTrigger.webhookId)]);
	expect(freescout.getWebhooks().map((w) => w.url)).toEqual([stack.webhookUrl(freescoutTrigger.webhookId)]);
});

test('the first change pairs conversations with different ids by the customer e-mail, later ones use the kept ids', async () => {
	const { chatwootId, freescoutId } = await newPair('ana@example.org');
	expect(freescoutId).not.toBe(chatwootId);
	chatwoot.resetLogs();
	freescout.clearLogs();
	const executions = await afterSettling(() => chatwoot.setStatus(chatwootId, 'resolved'));
	// The change, and its echo from FreeScout, which writes nothing.
	expect(executions).toBe(2);
	expect(freescoutStatus(freescoutId)).toBe('closed');
	expect(puts(freescoutId)).toHaveLength(1);
	expect(toggles(chatwootId)).toHaveLength(0);
	expect(freescout.getConversation(1).status).toBe('active');
	expect(chatwoot.conversationApiPayload(chatwootId).custom_attributes).toEqual({ [PAIR_ATTRIBUTE]: freescoutId });
	expect(String(pairFieldOf(freescoutId))).toBe(String(chatwootId));

	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'active'))).toBe(2);
	expect(chatwootStatus(chatwootId)).toBe('open');
	expect(toggles(chatwootId)).toHaveLength(1);
	expect(puts(freescoutId)).toHaveLength(0);
	// Found through the kept ids: no customer lookup on either side.
	expect(chatwoot.requests().filter((r) => r.path.includes('/contacts/'))).toEqual([]);
	expect(freescout.apiRequests.filter((r) => r.method === 'GET' && r.path === '/api/conversations')).toEqual([]);
});

test('FreeScout spam stays spam after the full round trip (Chatwoot resolved, echo resolved)', async () => {
	const { chatwootId, freescoutId } = await newPair('spam@example.org');
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'spam'))).toBe(2);
	expect(freescoutStatus(freescoutId)).toBe('spam');
	expect(chatwootStatus(chatwootId)).toBe('resolved');
	expect(toggles(chatwootId)).toHaveLength(1);
	expect(puts(freescoutId)).toHaveLength(0);
});

test('Chatwoot snoozed stays snoozed after the full round trip (FreeScout pending, echo pending)', async () => {
	const { chatwootId, freescoutId } = await newPair('snooze@example.org');
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => chatwoot.setStatus(chatwootId, 'snoozed'))).toBe(2);
	expect(chatwootStatus(chatwootId)).toBe('snoozed');
	expect(freescoutStatus(freescoutId)).toBe('pending');
	expect(puts(freescoutId)).toHaveLength(1);
	expect(toggles(chatwootId)).toHaveLength(0);
});

test('rapid open -> resolved -> open on Chatwoot ends open on both sides, at most two writes per change', async () => {
	const { chatwootId, freescoutId } = await newPair('rapid-cw@example.org');
	await afterSettling(() => chatwoot.setStatus(chatwootId, 'pending'));
	await afterSettling(() => chatwoot.setStatus(chatwootId, 'open'));
	chatwoot.resetLogs();
	freescout.clearLogs();
	await afterSettling(async () => {
		await chatwoot.setStatus(chatwootId, 'resolved');
		await chatwoot.setStatus(chatwootId, 'open');
	});
	expect(chatwootStatus(chatwootId)).toBe('open');
	expect(freescoutStatus(freescoutId)).toBe('active');
	expect(puts(freescoutId).length).toBeLessThanOrEqual(4);
	expect(toggles(chatwootId)).toHaveLength(0);
});

test('rapid open -> closed -> open on FreeScout ends open on both sides, at most two writes per change', async () => {
	const { chatwootId, freescoutId } = await newPair('rapid-fs@example.org');
	await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'pending'));
	await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'active'));
	chatwoot.resetLogs();
	freescout.clearLogs();
	await afterSettling(() => {
		freescout.changeStatusFromMenu(freescoutId, 'closed');
		freescout.changeStatusFromMenu(freescoutId, 'active');
	});
	expect(freescoutStatus(freescoutId)).toBe('active');
	expect(chatwootStatus(chatwootId)).toBe('open');
	expect(toggles(chatwootId).length).toBeLessThanOrEqual(4);
	expect(puts(freescoutId)).toHaveLength(0);
});

test.each([
	['Chatwoot resolved, then FreeScout pending 10 ms later', 'chatwoot', 'pending', 'pending'],
	['FreeScout pending, then Chatwoot resolved 10 ms later', 'freescout', 'resolved', 'closed'],
])('a change on each side at nearly the same time (%s): both sides end on the later one', async (_title, first, chatwootEnd, freescoutEnd) => {
	const { chatwootId, freescoutId } = await newPair(`both-${first}@example.org`);
	await afterSettling(() => chatwoot.setStatus(chatwootId, 'resolved'));
	await afterSettling(() => chatwoot.setStatus(chatwootId, 'open'));
	chatwoot.resetLogs();
	freescout.clearLogs();
	const executions = await afterSettling(async () => {
		// The first change at the end of a second, the other at the start of the next: 10 ms apart, yet ordered
		// by FreeScout's whole-second clock too.
		await atMillisecond(995);
		if (first === 'chatwoot') await chatwoot.setStatus(chatwootId, 'resolved');
		else freescout.changeStatusFromMenu(freescoutId, 'pending');
		await atMillisecond(5);
		if (first === 'chatwoot') freescout.changeStatusFromMenu(freescoutId, 'pending');
		else await chatwoot.setStatus(chatwootId, 'resolved');
	});
	expect(chatwootStatus(chatwootId)).toBe(chatwootEnd);
	expect(freescoutStatus(freescoutId)).toBe(freescoutEnd);
	// Two changes, each with at most one echo; one write, to the side that changed first.
	expect(executions).toBeLessThanOrEqual(4);
	expect(toggles(chatwootId).length + puts(freescoutId).length).toBe(1);
});

test('deactivation deletes both webhooks', async () => {
	await stack.n8n.deactivateWorkflow(workflow.id);
	expect(chatwoot.webhooks()).toHaveLength(0);
	expect(freescout.getWebhooks()).toHaveLength(0);
});
