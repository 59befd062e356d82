'use strict';
// Example 3 ("Keep Chatwoot and FreeScout statuses in sync") in a real n8n against a Chatwoot and a FreeScout
// simulator, imported and published as a user would: both webhooks registered; conversations paired by their
// customer's e-mail (ids that differ), the pair then kept on both; a FreeScout spam and a Chatwoot snooze survive
// the round trip; a rapid open -> resolved -> open on one side (reopened while its sync is under way), and a change
// on each side 10 ms apart, end with both sides on the last change, with a bounded number of writes and no
// ping-pong.
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
/** Every scenario's pair, made before the workflow is published (so their creation starts nothing). */
const pairs = {};
const SCENARIOS = ['pairing', 'spam', 'snooze', 'rapidChatwoot', 'rapidFreeScout', 'bothChatwootFirst', 'bothFreeScoutFirst'];

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	await chatwoot.start();
	freescout = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 1000, retryIntervalMs: 400, customFieldsModule: true });
	await freescout.start();
	freescout.addCustomField({ mailboxId: 1, name: PAIR_FIELD, type: 'number' });
	// Conversations of other customers first, so the ids of a pair differ.
	freescout.createConversation({ subject: 'Welcome', text: 'Hello' });
	freescout.createConversation({ subject: 'Invoice', text: 'Hi' });
	for (const scenario of SCENARIOS) pairs[scenario] = await newPair(`${scenario.toLowerCase()}@example.org`);
	await chatwoot.idle();
	await freescout.idle(10_000);
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

/** A customer with a conversation on each side, both open. */
async function newPair(email) {
	const { result: contactId } = await chatwoot.createContact({ name: email, email });
	// Assigned to the agent, as in a staffed inbox: auto-assignment then leaves its status changes visible.
	const { result: chatwootId } = await chatwoot.createConversation({
		contactId,
		inboxId: chatwoot.ids().webInboxId,
		assigneeId: chatwoot.ids().agentUserId,
	});
	const customerId = freescout.addCustomer({ firstName: email, email }).id;
	const freescoutId = freescout.createConversation({ subject: `Order of ${email}`, text: 'Where is my order?', customerId });
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

/** Resolves as soon as `condition()` holds (checked every millisecond or so; fails after 20 s). */
async function until(condition) {
	const deadline = Date.now() + 20_000;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`condition not met within 20 s: ${condition}`);
		await sleep(1);
	}
}

/** The next wall-clock instant `ms` milliseconds into a second. */
function nextInstant(ms) {
	const now = Date.now();
	const at = Math.floor(now / 1000) * 1000 + ms;
	return at > now ? at : at + 1000;
}

const sleepUntil = (epochMs) => sleep(Math.max(0, epochMs - Date.now()));

test('activation registers a webhook in both platforms', async () => {
	await stack.n8n.activateWorkflow(workflow.id);
	const [chatwootTrigger, freescoutTrigger] = workflow.triggers;
	expect(chatwoot.webhooks().map((w) => w.url)).toEqual([stack.webhookUrl(chatwootTrigger.webhookId)]);
	expect(freescout.getWebhooks().map((w) => w.url)).toEqual([stack.webhookUrl(freescoutTrigger.webhookId)]);
});

test('the first change pairs conversations with different ids by the customer e-mail, later ones use the kept ids', async () => {
	const { chatwootId, freescoutId } = pairs.pairing;
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
	const { chatwootId, freescoutId } = pairs.spam;
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'spam'))).toBe(2);
	expect(freescoutStatus(freescoutId)).toBe('spam');
	expect(chatwootStatus(chatwootId)).toBe('resolved');
	expect(toggles(chatwootId)).toHaveLength(1);
	expect(puts(freescoutId)).toHaveLength(0);
});

test('Chatwoot snoozed stays snoozed after the full round trip (FreeScout pending, echo pending)', async () => {
	const { chatwootId, freescoutId } = pairs.snooze;
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => chatwoot.setStatus(chatwootId, 'snoozed'))).toBe(2);
	expect(chatwootStatus(chatwootId)).toBe('snoozed');
	expect(freescoutStatus(freescoutId)).toBe('pending');
	expect(puts(freescoutId)).toHaveLength(1);
	expect(toggles(chatwootId)).toHaveLength(0);
});

// One side resolves, and reopens the moment its sync has resolved the other side: the interleaving of issue 11.
const rapidSides = {
	Chatwoot: {
		pair: 'rapidChatwoot',
		set: (ids, status) => chatwoot.setStatus(ids.chatwootId, status),
		otherResolved: (ids) => freescoutStatus(ids.freescoutId) === 'closed',
		writesToOther: (ids) => puts(ids.freescoutId).map((r) => r.body.status),
		writesToItself: (ids) => toggles(ids.chatwootId),
		words: { resolved: 'closed', open: 'active' },
	},
	FreeScout: {
		pair: 'rapidFreeScout',
		set: (ids, status) => freescout.changeStatusFromMenu(ids.freescoutId, status === 'open' ? 'active' : 'closed'),
		otherResolved: (ids) => chatwootStatus(ids.chatwootId) === 'resolved',
		writesToOther: (ids) => toggles(ids.chatwootId).map((r) => r.body.status),
		writesToItself: (ids) => puts(ids.freescoutId),
		words: { resolved: 'resolved', open: 'open' },
	},
};

test.each(['Chatwoot', 'FreeScout'])('rapid open -> resolved -> open on %s, reopened while its sync is under way: both end open, at most two writes per change', async (name) => {
	const side = rapidSides[name];
	const ids = pairs[side.pair];
	chatwoot.resetLogs();
	freescout.clearLogs();
	await afterSettling(async () => {
		const resolving = side.set(ids, 'resolved');
		await until(() => side.otherResolved(ids));
		await side.set(ids, 'open');
		await resolving;
	});
	expect(chatwootStatus(ids.chatwootId)).toBe('open');
	expect(freescoutStatus(ids.freescoutId)).toBe('active');
	// Resolved, then open once or twice (the first change's sync following the reopen, and the reopen's own sync).
	const written = side.writesToOther(ids);
	expect(written[0]).toBe(side.words.resolved);
	expect(written.length).toBeGreaterThanOrEqual(2);
	expect(written.length).toBeLessThanOrEqual(4);
	expect(written.slice(1).every((status) => status === side.words.open)).toBe(true);
	expect(side.writesToItself(ids)).toHaveLength(0);
});

test.each([
	['Chatwoot resolved, then FreeScout pending 10 ms later', 'bothChatwootFirst', 'pending', 'pending'],
	['FreeScout pending, then Chatwoot resolved 10 ms later', 'bothFreeScoutFirst', 'resolved', 'closed'],
])('a change on each side at nearly the same time (%s): both sides end on the later one', async (_title, scenario, chatwootEnd, freescoutEnd) => {
	const { chatwootId, freescoutId } = pairs[scenario];
	const chatwootFirst = scenario === 'bothChatwootFirst';
	chatwoot.resetLogs();
	freescout.clearLogs();
	const executions = await afterSettling(async () => {
		// The first change at the end of a second, the other at the start of the next: 10 ms apart, both made before
		// either execution reads, yet ordered by FreeScout's whole-second clock too. The Chatwoot simulator changes the
		// status at once; its promise waits for the webhook deliveries.
		await sleepUntil(nextInstant(995));
		const chatwootChange = chatwootFirst ? chatwoot.setStatus(chatwootId, 'resolved') : null;
		if (!chatwootFirst) freescout.changeStatusFromMenu(freescoutId, 'pending');
		await sleepUntil(nextInstant(5));
		if (chatwootFirst) freescout.changeStatusFromMenu(freescoutId, 'pending');
		await (chatwootChange ?? chatwoot.setStatus(chatwootId, 'resolved'));
	});
	expect(chatwootStatus(chatwootId)).toBe(chatwootEnd);
	expect(freescoutStatus(freescoutId)).toBe(freescoutEnd);
	// Two changes, each with at most one echo. Only the side that changed first is written (twice at most, when both
	// executions write the same status to it).
	expect(executions).toBeLessThanOrEqual(4);
	if (chatwootFirst) {
		expect(puts(freescoutId)).toHaveLength(0);
		expect(toggles(chatwootId).length).toBeGreaterThanOrEqual(1);
		expect(toggles(chatwootId).length).toBeLessThanOrEqual(2);
	} else {
		expect(toggles(chatwootId)).toHaveLength(0);
		expect(puts(freescoutId).length).toBeGreaterThanOrEqual(1);
		expect(puts(freescoutId).length).toBeLessThanOrEqual(2);
	}
});

test('deactivation deletes both webhooks', async () => {
	await stack.n8n.deactivateWorkflow(workflow.id);
	expect(chatwoot.webhooks()).toHaveLength(0);
	expect(freescout.getWebhooks()).toHaveLength(0);
});
