'use strict';
// Example 1 ("Chatwoot: reopen as Open, not Pending") in a real n8n against the Chatwoot simulator, fed
// like EvolutionAPI feeds WhatsApp messages: webhook registration, S1 (resolved + customer message ->
// pending -> Force Open), new bot-inbox conversations, a bad signature, deregistration.
const crypto = require('node:crypto');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createEvolutionClient } = require('../simulators/evolution-client');
const { nodeItems } = require('./runtime/n8n');
const { startStack } = require('./support/stack');

const TRIGGER = 'Resolved to Pending';
const ACTION = 'Force Open';

let sim;
let stack;
let workflow;
let evolution;
let webhookUrl;
let conversationId;
let expected = 0; // executions of example 1 so far

beforeAll(async () => {
	sim = createChatwootSimulator({ version: '4.15.1' });
	await sim.start();
	stack = await startStack();
	const credential = await stack.chatwootCredential(sim);
	workflow = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
	webhookUrl = stack.webhookUrl(workflow.triggers[0].webhookId);
	evolution = createEvolutionClient({ chatwootUrl: sim.url, token: sim.tokens().administrator });
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await sim?.stop();
});

/** Waits for exactly one more execution of example 1, checks it succeeded; returns it with the trigger's item. */
async function oneMoreExecution() {
	expected += 1;
	const [newest] = await stack.exactlyExecutions(workflow.id, expected);
	expect(newest.status).toBe('success');
	const execution = await stack.n8n.getExecution(newest.id);
	const [change] = nodeItems(execution, TRIGGER);
	return { execution, change };
}

test('activation registers a signed account webhook in Chatwoot', async () => {
	expect(sim.webhooks()).toHaveLength(0);
	await stack.n8n.activateWorkflow(workflow.id);
	const hooks = sim.webhooks();
	expect(hooks).toHaveLength(1);
	expect(hooks[0].url).toBe(webhookUrl);
	// conversation_updated carries every change (also those auto-assignment hides); conversation_created the new ones.
	expect([...hooks[0].subscriptions].sort()).toEqual(['conversation_created', 'conversation_updated']);
	expect(typeof hooks[0].secret).toBe('string');
});

test('a new WhatsApp conversation that the bot inbox makes pending is opened (option "new conversations")', async () => {
	const first = await evolution.receiveMessage({ phone: '5511987650001', text: 'Oi, preciso de ajuda' });
	expect(first.created).toBe(true);
	conversationId = first.conversationId;
	await sim.idle();
	const { change } = await oneMoreExecution();
	expect(change).toMatchObject({
		platform: 'chatwoot',
		conversationId,
		status: 'pending',
		previousStatus: null,
		isNewConversation: true,
	});
	await sim.idle(); // the echo of Force Open (pending -> open) is delivered but filtered out
	expect(sim.getConversation(conversationId).status).toBe('open');
});

test('S1: a resolved conversation gets a WhatsApp message -> ends open, exactly one execution', async () => {
	await sim.setStatus(conversationId, 'resolved');
	await sim.idle();
	await stack.exactlyExecutions(workflow.id, expected, { quietMs: 1500 }); // open -> resolved: filtered out
	sim.resetLogs();

	const reply = await evolution.receiveMessage({ phone: '5511987650001', text: 'Voltei, ainda não funcionou' });
	expect(reply.created).toBe(false);
	expect(reply.conversationId).toBe(conversationId);
	await sim.idle();
	// The reopen reached n8n as its conversation_updated deliveries (status diff, then waiting_since), the echo of
	// Force Open follows; every delivery was answered 2xx.
	const s1 = sim.deliveries().filter((d) => d.url === webhookUrl);
	expect(s1.slice(0, 2).map((d) => Object.keys(d.json.changed_attributes[0])[0])).toEqual(['status', 'waiting_since']);
	for (const delivery of s1) expect([delivery.event, delivery.status]).toEqual(['conversation_updated', 200]);

	const { execution, change } = await oneMoreExecution();
	expect(change).toMatchObject({
		conversationId,
		status: 'pending',
		previousStatus: 'resolved',
		cause: 'bot_inbox',
		isNewConversation: false,
	});
	expect(nodeItems(execution, ACTION)).toHaveLength(1);
	await sim.idle();
	expect(sim.getConversation(conversationId).status).toBe('open');
});

test('S1 with the deliveries in reversed order -> still exactly one execution, ends open', async () => {
	await sim.setStatus(conversationId, 'resolved');
	await sim.idle();
	sim.setDeliveryOrder('reversed');
	try {
		await evolution.receiveMessage({ phone: '5511987650001', text: 'Mais uma coisa' });
		await sim.idle();
	} finally {
		sim.setDeliveryOrder('natural');
	}
	await oneMoreExecution();
	await sim.idle();
	expect(sim.getConversation(conversationId).status).toBe('open');
});

test('a delivery with a bad signature -> 401 and no execution', async () => {
	const [hook] = sim.webhooks();
	const body = JSON.stringify({
		event: 'conversation_status_changed',
		id: conversationId,
		status: 'pending',
		changed_attributes: null,
	});
	const timestamp = String(Math.floor(Date.now() / 1000));
	const wrong = crypto.createHmac('sha256', `${hook.secret}x`).update(`${timestamp}.${body}`).digest('hex');
	const response = await fetch(stack.directWebhookUrl(workflow.triggers[0].webhookId), {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'x-chatwoot-timestamp': timestamp,
			'x-chatwoot-signature': `sha256=${wrong}`,
			'x-chatwoot-delivery': crypto.randomUUID(),
		},
		body,
	});
	expect(response.status).toBe(401);
	await stack.exactlyExecutions(workflow.id, expected, { quietMs: 1500 });
});

test('deactivation deletes the webhook from Chatwoot', async () => {
	await stack.n8n.deactivateWorkflow(workflow.id);
	expect(sim.webhooks().filter((hook) => hook.url === webhookUrl)).toHaveLength(0);
});
