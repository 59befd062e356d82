'use strict';
// Example 2 ("FreeScout: every close and reopen, whatever the module version") in a real n8n against two
// FreeScout simulators, module 1.0.81 and 1.0.82 (one imported copy of the example each, its own
// credential): registration, close-via-send from the UI, customer reopen, retried deliveries, a bad
// signature, a merge and a bulk close, deregistration. The undo delay and the retry schedule are compressed.
const { createFreeScoutSimulator, signBody } = require('../simulators/freescout');
const { nodeItems } = require('./runtime/n8n');
const { startStack } = require('./support/stack');

const TRIGGER = 'Closed or Reopened';
const SET = 'Build notification';
const UNDO_DELAY_MS = 1500;
const RETRY_INTERVAL_MS = 400;

let stack;
const setups = {}; // moduleVersion -> { sim, workflow, webhookUrl, expected, conversationId }

beforeAll(async () => {
	stack = await startStack();
	for (const moduleVersion of ['1.0.81', '1.0.82']) {
		const sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: UNDO_DELAY_MS, retryIntervalMs: RETRY_INTERVAL_MS });
		await sim.start();
		const credential = await stack.freeScoutCredential(sim, { name: `FreeScout ${moduleVersion}` });
		const workflow = await stack.importExample('freescout-close-and-reopen.json', {
			credentials: { freeScoutApi: credential },
			name: `FreeScout close and reopen (module ${moduleVersion})`,
			newWebhookIds: moduleVersion !== '1.0.82',
		});
		setups[moduleVersion] = { sim, workflow, webhookUrl: stack.webhookUrl(workflow.triggers[0].webhookId), expected: 0 };
	}
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	for (const { sim } of Object.values(setups)) await sim.stop();
});

async function latestExecution(workflow) {
	const [newest] = await stack.n8n.listExecutions(workflow.id);
	return await stack.n8n.getExecution(newest.id);
}

/** Waits for one more execution (and no other) and returns its trigger item and Set item. */
async function expectOneMoreExecution(setup) {
	await setup.sim.idle(30_000);
	setup.expected += 1;
	const executions = await stack.exactlyExecutions(setup.workflow.id, setup.expected, { quietMs: UNDO_DELAY_MS + 1500 });
	expect(executions[0].status).toBe('success');
	const execution = await latestExecution(setup.workflow);
	return { change: nodeItems(execution, TRIGGER)[0], notification: nodeItems(execution, SET)[0] };
}

describe.each(['1.0.81', '1.0.82'])('module %s', (moduleVersion) => {
	test('activation registers the webhook in FreeScout', async () => {
		const { sim, workflow, webhookUrl } = setups[moduleVersion];
		await stack.n8n.activateWorkflow(workflow.id);
		const hooks = sim.getWebhooks().filter((hook) => hook.url === webhookUrl);
		expect(hooks).toHaveLength(1);
		expect(hooks[0].events).toEqual(
			expect.arrayContaining(['convo.status', 'convo.agent.reply.created', 'convo.customer.reply.created']),
		);
	});

	test('S2: close-via-send from the UI -> exactly one execution, status resolved', async () => {
		const setup = setups[moduleVersion];
		const { sim } = setup;
		setup.conversationId = sim.createConversation({ subject: `Printer on fire (${moduleVersion})`, text: 'Help!' });
		await sim.idle(30_000);
		await stack.exactlyExecutions(setup.workflow.id, setup.expected, { quietMs: 1000 }); // new: not included

		sim.replyFromUi(setup.conversationId, { text: 'Fixed, closing.', status: 'closed' });
		const { change, notification } = await expectOneMoreExecution(setup);
		expect(change).toMatchObject({
			platform: 'freescout',
			conversationId: setup.conversationId,
			status: 'resolved',
			previousStatus: 'open',
		});
		expect(notification.notification).toMatch(/^Closed: FreeScout conversation #\d+ "Printer on fire/);
		expect(sim.getConversation(setup.conversationId).status).toBe('closed');
		const events = sim.deliveries.filter((d) => d.url === setup.webhookUrl).map((d) => d.event);
		expect(events).toContain('convo.agent.reply.created');
		if (moduleVersion === '1.0.82') expect(events).toContain('convo.status');
	});

	test('customer reopen (only convo.customer.reply.created) -> exactly one execution', async () => {
		const setup = setups[moduleVersion];
		setup.sim.customerEmailReply(setup.conversationId, 'It is on fire again');
		const { change, notification } = await expectOneMoreExecution(setup);
		expect(change).toMatchObject({ conversationId: setup.conversationId, status: 'open', previousStatus: 'resolved' });
		expect(notification.notification).toMatch(/^Reopened: /);
	});

	test('a delivery n8n processed but the sender saw fail (502) is retried -> still one execution', async () => {
		const setup = setups[moduleVersion];
		const { sim } = setup;
		sim.clearLogs();
		stack.proxy.failNext({ count: 1, status: 502, forward: true });
		sim.changeStatusFromMenu(setup.conversationId, 'closed');
		const { change } = await expectOneMoreExecution(setup);
		expect(change.status).toBe('resolved');
		const attempts = sim.deliveries.filter((d) => d.url === setup.webhookUrl && d.event === 'convo.status');
		expect(attempts.map((d) => d.responseStatus)).toEqual([502, 200]);
		expect(attempts[1].bodyText).toBe(attempts[0].bodyText);
	});

	test('a delivery that never reached n8n (503) is retried -> exactly one execution', async () => {
		const setup = setups[moduleVersion];
		const { sim } = setup;
		sim.clearLogs();
		stack.proxy.failNext({ count: 1, status: 503, forward: false });
		sim.customerEmailReply(setup.conversationId, 'Still burning');
		const { change } = await expectOneMoreExecution(setup);
		expect(change.status).toBe('open');
		const attempts = sim.deliveries.filter((d) => d.url === setup.webhookUrl);
		expect(attempts.map((d) => d.responseStatus)).toEqual([503, 200]);
	});

	test('a bad signature -> 401, no execution', async () => {
		const setup = setups[moduleVersion];
		const { sim } = setup;
		sim.setStatusSilently(setup.conversationId, 'closed');
		const body = JSON.stringify(sim.getConversation(setup.conversationId)).replace(/\//g, '\\/');
		const response = await fetch(stack.directWebhookUrl(setup.workflow.triggers[0].webhookId), {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-freescout-event': 'convo.status',
				'x-freescout-signature': signBody(body, `${sim.secretKey}-wrong`),
			},
			body,
		});
		expect(response.status).toBe(401);
		await stack.exactlyExecutions(setup.workflow.id, setup.expected, { quietMs: 1500 });
		sim.setStatusSilently(setup.conversationId, 'active');
	});

	test('admins: a merge and a bulk close that includes a closed conversation -> one execution per real change', async () => {
		const setup = setups[moduleVersion];
		const { sim } = setup;
		const target = sim.createConversation({ subject: `Merge target (${moduleVersion})`, text: 'First' });
		const merged = sim.createConversation({ subject: `Merged away (${moduleVersion})`, text: 'Second' });
		await sim.idle(30_000);
		sim.changeStatusFromMenu(merged, 'closed');
		expect((await expectOneMoreExecution(setup)).change).toMatchObject({ conversationId: merged, status: 'resolved', previousStatus: 'open' });

		// The merge moves the closed conversation's threads, its closing line item too, into the target: nothing changed.
		sim.mergeFromUi(target, [merged]);
		sim.customerEmailReply(target, 'One more detail');
		await sim.idle(30_000);
		await stack.exactlyExecutions(setup.workflow.id, setup.expected, { quietMs: UNDO_DELAY_MS + 1500 });

		sim.changeStatusFromMenu(setup.conversationId, 'closed');
		expect((await expectOneMoreExecution(setup)).change).toMatchObject({ conversationId: setup.conversationId, status: 'resolved' });
		sim.clearLogs();
		// The bulk action re-closes the closed one too (a line item and convo.status): only the target changed.
		sim.bulkChangeStatusFromUi([target, setup.conversationId], 'closed');
		const { change } = await expectOneMoreExecution(setup);
		expect(change).toMatchObject({ conversationId: target, status: 'resolved', previousStatus: 'open' });
		// FreeScout's bulk action goes in id order.
		expect(sim.deliveries.filter((d) => d.url === setup.webhookUrl).map((d) => `${d.event}:${d.conversationId}`)).toEqual(
			[setup.conversationId, target].sort((a, b) => a - b).map((id) => `convo.status:${id}`),
		);
	});

	test('deactivation deletes the webhook from FreeScout', async () => {
		const { sim, workflow, webhookUrl } = setups[moduleVersion];
		await stack.n8n.deactivateWorkflow(workflow.id);
		expect(sim.getWebhooks().filter((hook) => hook.url === webhookUrl)).toHaveLength(0);
	});
});
