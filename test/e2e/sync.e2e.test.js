'use strict';
// Example 3 ("Keep Chatwoot and FreeScout statuses in sync") in a real n8n against a Chatwoot and a FreeScout
// simulator, imported and published as a user would: both webhooks registered; conversations paired by their
// customer's e-mail (ids that differ), the pair then kept on both; a FreeScout spam and a Chatwoot snooze survive
// the round trip; a rapid open -> resolved -> open on one side (reopened while its sync is under way), and a change
// on each side 10 ms apart, end with both sides on the last change, with a bounded number of writes and no
// ping-pong. Pairing by e-mail refuses what cannot be the same request (a conversation closed two years ago, a
// resolved one) with an item that says why and nothing written, and two changes of one customer's conversations at
// once claim the one counterpart once.
// Every scenario has its own customer, so its pair of conversations is its own.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { nodeItems } = require('./runtime/n8n');
const { startStack, sleep } = require('./support/stack');

const SYNC_NODE = 'Sync to the other platform';
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** How far the FreeScout simulator's clock is moved back (to create a conversation years ago). */
let freescoutClockOffsetMs = 0;

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
	freescout = createFreeScoutSimulator({
		moduleVersion: '1.0.82',
		undoDelayMs: 1000,
		retryIntervalMs: 400,
		customFieldsModule: true,
		now: () => Date.now() + freescoutClockOffsetMs,
	});
	await freescout.start();
	const pairField = freescout.addCustomField({ mailboxId: 1, name: PAIR_FIELD, type: 'number' });
	// Conversations of other customers first, so the ids of a pair differ.
	freescout.createConversation({ subject: 'Welcome', text: 'Hello' });
	freescout.createConversation({ subject: 'Invoice', text: 'Hi' });
	for (const scenario of SCENARIOS) pairs[scenario] = await newPair(`${scenario.toLowerCase()}@example.org`);
	// The changes on both sides at once test the sync rules for a pair, so these pairs exist beforehand: before it
	// exists, the side whose counterpart was already resolved is not paired by e-mail (docs/action.md, Limits).
	for (const scenario of ['bothChatwootFirst', 'bothFreeScoutFirst']) {
		const { chatwootId, freescoutId } = pairs[scenario];
		await chatwoot.setCustomAttributes(chatwootId, { [PAIR_ATTRIBUTE]: freescoutId });
		freescout.setCustomFieldFromUi(freescoutId, pairField.id, String(chatwootId));
	}
	await refusalScenarios();
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

/** Conversations that pairing must refuse or share out, made before publishing like the pairs above. */
const refusals = {};
async function refusalScenarios() {
	// A new Chatwoot conversation; the customer's only FreeScout conversation was closed two years ago.
	const oldCustomer = freescout.addCustomer({ firstName: 'Olga', email: 'olga@example.org' }).id;
	freescoutClockOffsetMs = -2 * YEAR_MS;
	const oldFreeScoutId = freescout.createConversation({ subject: 'Order of 2024', text: 'Hi', customerId: oldCustomer });
	freescout.changeStatusFromMenu(oldFreeScoutId, 'closed');
	freescoutClockOffsetMs = 0;
	const olga = await chatwoot.createContact({ name: 'Olga', email: 'olga@example.org' });
	const olgaChat = await chatwoot.createConversation({ contactId: olga.result, inboxId: chatwoot.ids().webInboxId, assigneeId: chatwoot.ids().agentUserId });
	refusals.old = { chatwootId: olgaChat.result, freescoutId: oldFreeScoutId };

	// A FreeScout conversation; the customer's only Chatwoot conversation is resolved.
	const rex = await chatwoot.createContact({ name: 'Rex', email: 'rex@example.org' });
	const rexChat = await chatwoot.createConversation({ contactId: rex.result, inboxId: chatwoot.ids().webInboxId, assigneeId: chatwoot.ids().agentUserId });
	await chatwoot.setStatus(rexChat.result, 'resolved');
	const rexMail = freescout.createConversation({ subject: 'Rex again', text: 'Hi', customerId: freescout.addCustomer({ firstName: 'Rex', email: 'rex@example.org' }).id });
	refusals.resolved = { chatwootId: rexChat.result, freescoutId: rexMail };

	// Two Chatwoot conversations of one customer, one FreeScout conversation.
	const tia = await chatwoot.createContact({ name: 'Tia', email: 'tia@example.org' });
	const chats = [];
	for (let i = 0; i < 2; i++) {
		chats.push((await chatwoot.createConversation({ contactId: tia.result, inboxId: chatwoot.ids().webInboxId, assigneeId: chatwoot.ids().agentUserId })).result);
	}
	const tiaMail = freescout.createConversation({ subject: 'Tia', text: 'Hi', customerId: freescout.addCustomer({ firstName: 'Tia', email: 'tia@example.org' }).id });
	refusals.twoClaims = { chatwootIds: chats, freescoutId: tiaMail };
}

/** The Sync node's items of the `count` newest executions. */
async function syncItems(count) {
	const executions = (await stack.n8n.listExecutions(workflow.id)).sort((a, b) => Number(b.id) - Number(a.id)).slice(0, count);
	const items = [];
	for (const execution of executions) items.push(...nodeItems(await stack.n8n.getExecution(execution.id), SYNC_NODE));
	return items;
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

test("a new Chatwoot conversation is not paired with the customer's FreeScout conversation closed two years ago: the item says why, nothing is written", async () => {
	const { chatwootId, freescoutId } = refusals.old;
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => chatwoot.setStatus(chatwootId, 'resolved'))).toBe(1);
	const [item] = await syncItems(1);
	expect(item).toMatchObject({ conversationId: null, pairedBy: null, writes: 0, skipped: 'not paired: no conversation of olga@example.org on FreeScout' });
	expect(freescout.apiRequests.filter((r) => r.method !== 'GET')).toEqual([]);
	expect(freescoutStatus(freescoutId)).toBe('closed');
	expect(pairFieldOf(freescoutId) ?? '').toBe('');
	expect(chatwoot.conversationApiPayload(chatwootId).custom_attributes).toEqual({});
});

test("a FreeScout change is not paired with the customer's resolved Chatwoot conversation: the candidate and its refusal are in the item", async () => {
	const { chatwootId, freescoutId } = refusals.resolved;
	chatwoot.resetLogs();
	freescout.clearLogs();
	expect(await afterSettling(() => freescout.changeStatusFromMenu(freescoutId, 'pending'))).toBe(1);
	const [item] = await syncItems(1);
	expect(item).toMatchObject({ conversationId: null, pairedBy: null, writes: 0 });
	expect(item.candidates).toEqual([
		expect.objectContaining({ conversationId: chatwootId, status: 'resolved', refused: 'resolved: only open or pending conversations are paired by e-mail' }),
	]);
	expect(item.skipped).toMatch(/^not paired: no conversation of rex@example.org on Chatwoot can be the same request/);
	expect(chatwoot.requests().filter((r) => r.method !== 'GET')).toEqual([]);
	expect(chatwootStatus(chatwootId)).toBe('resolved');
	expect(pairFieldOf(freescoutId) ?? '').toBe('');
});

test("two of a customer's Chatwoot conversations resolved at once: one claims the FreeScout conversation, the other's item says why and writes nothing", async () => {
	const { chatwootIds, freescoutId } = refusals.twoClaims;
	chatwoot.resetLogs();
	freescout.clearLogs();
	// Both changes, then the echo of the one write.
	const executions = await afterSettling(() => Promise.all(chatwootIds.map((id) => chatwoot.setStatus(id, 'resolved'))));
	expect(executions).toBe(3);
	const winner = Number(pairFieldOf(freescoutId));
	expect(chatwootIds).toContain(winner);
	const loser = chatwootIds.find((id) => id !== winner);
	expect(freescoutStatus(freescoutId)).toBe('closed');
	expect(puts(freescoutId)).toHaveLength(1);
	expect(chatwoot.conversationApiPayload(winner).custom_attributes).toEqual({ [PAIR_ATTRIBUTE]: freescoutId });
	expect(chatwoot.conversationApiPayload(loser).custom_attributes).toEqual({});
	const lost = (await syncItems(3)).find((item) => item.source.conversationId === loser && item.source.platform === 'chatwoot');
	expect(lost).toMatchObject({ conversationId: null, pairedBy: null, writes: 0 });
	// Refused by the claim (both ran at once) or, had the first finished before, by the candidate rules.
	expect(lost.skipped).toMatch(new RegExp(`(was paired with Chatwoot conversation ${winner} meanwhile|paired with Chatwoot conversation ${winner})`));
});

test('deactivation deletes both webhooks', async () => {
	await stack.n8n.deactivateWorkflow(workflow.id);
	expect(chatwoot.webhooks()).toHaveLength(0);
	expect(freescout.getWebhooks()).toHaveLength(0);
});
