/**
 * The Conversation Status Trigger for Chatwoot, in-process through n8n-core (HookContext / WebhookContext /
 * WorkflowExecute) against the Chatwoot simulator: webhook lifecycle, signatures, S1, filters, raw payload.
 */
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { DEFAULT_SUBSCRIPTIONS } from '../simulators/chatwoot';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { chatwootCredentials, simulatorsPerTest, type ChatwootSim } from '../support/simulators';

type Harness = ReturnType<typeof createTriggerHarness>;

/** conversation_updated carries every status change; conversation_created is for new conversations (included by default). */
const EVENTS = ['conversation_created', 'conversation_updated'];

const simulators = simulatorsPerTest();
let sim: ChatwootSim;
const harnesses: Harness[] = [];

beforeEach(async () => {
	sim = await simulators.chatwoot();
});

afterEach(async () => {
	while (harnesses.length > 0) await harnesses.pop()?.close();
});

function credentials(role: 'administrator' | 'agent' = 'administrator', webhookSecret = '') {
	return chatwootCredentials(sim, { accessToken: sim.tokens()[role], webhookSecret });
}

function trigger(
	options: Record<string, unknown> = {},
	filters: Record<string, unknown> = {},
	cred = credentials(),
): Harness {
	const harness = createTriggerHarness({
		nodeClass: ConversationStatusTrigger,
		parameters: { platform: 'chatwoot', options, filters },
		credentials: { chatwootApi: cred },
	});
	harnesses.push(harness);
	return harness;
}

function webhookCalls(): Array<{ method: string; path: string; status: number }> {
	return sim
		.requests()
		.filter((request: { path: string }) => request.path.includes('/webhooks'))
		.map((request: { method: string; path: string; status: number }) => ({
			method: request.method,
			path: request.path,
			status: request.status,
		}));
}

async function apiCall(method: string, path: string, body?: unknown): Promise<number> {
	const response = await fetch(`${sim.url}${path}`, {
		method,
		headers: { 'Content-Type': 'application/json', api_access_token: sim.tokens().administrator },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return response.status;
}

const webhooksPath = () => `/api/v1/accounts/${sim.ids().accountId}/webhooks`;

describe('webhook lifecycle', () => {
	test('create registers the URL with the needed events and keeps id and secret; checkExists keeps it; delete removes it', async () => {
		const harness = trigger();
		await harness.listen();

		expect(await harness.activate()).toEqual({ existed: false });
		const [webhook] = sim.webhooks();
		expect(webhook.url).toBe(harness.webhookUrl());
		expect([...webhook.subscriptions].sort()).toEqual(EVENTS);
		expect(harness.staticData().webhook).toEqual({ id: String(webhook.id), url: harness.webhookUrl(), secret: webhook.secret, events: EVENTS });
		expect(webhookCalls()).toEqual([{ method: 'POST', path: webhooksPath(), status: 200 }]);

		expect(await harness.activate()).toEqual({ existed: true });
		expect(webhookCalls().slice(1)).toEqual([{ method: 'GET', path: webhooksPath(), status: 200 }]);
		expect(sim.webhooks()).toHaveLength(1);

		expect(await harness.remove()).toBe(true);
		expect(sim.webhooks()).toEqual([]);
		expect(harness.staticData().webhook).toBeUndefined();
		expect(webhookCalls().slice(2)).toEqual([{ method: 'DELETE', path: `${webhooksPath()}/${webhook.id}`, status: 200 }]);
	});

	test('a webhook deleted in Chatwoot is forgotten and registered again', async () => {
		const harness = trigger();
		await harness.activate();
		const oldId = harness.staticData().webhook.id;
		expect(await apiCall('DELETE', `${webhooksPath()}/${oldId}`)).toBe(200);

		expect(await harness.activate()).toEqual({ existed: false });
		const [webhook] = sim.webhooks();
		expect(String(webhook.id)).not.toBe(oldId);
		expect(harness.staticData().webhook).toEqual({ id: String(webhook.id), url: harness.webhookUrl(), secret: webhook.secret, events: EVENTS });
		expect(harness.logs).toContainEqual({ level: 'info', message: expect.stringContaining(`webhook ${oldId} no longer exists`) });
	});

	test('422 "Url has already been taken" adopts the existing webhook: its id, its secret, our subscriptions', async () => {
		const harness = trigger();
		const existing = sim.addWebhook({ url: harness.webhookUrl(), subscriptions: ['message_created'], name: 'by hand' });

		await harness.activate();
		expect(webhookCalls().map((call) => `${call.method} ${call.status}`)).toEqual(['POST 422', 'GET 200', 'PATCH 200']);
		const [webhook] = sim.webhooks();
		expect(webhook.id).toBe(existing.id);
		expect([...webhook.subscriptions].sort()).toEqual(EVENTS);
		expect(harness.staticData().webhook).toEqual({ id: String(existing.id), url: harness.webhookUrl(), secret: existing.secret, events: EVENTS });
	});

	test('a webhook whose subscriptions were changed is repaired in place', async () => {
		const harness = trigger();
		await harness.activate();
		const id = harness.staticData().webhook.id;
		expect(await apiCall('PATCH', `${webhooksPath()}/${id}`, { subscriptions: ['message_created'] })).toBe(200);

		expect(await harness.activate()).toEqual({ existed: true });
		expect([...sim.webhooks()[0].subscriptions].sort()).toEqual(EVENTS);
		expect(sim.webhooks()).toHaveLength(1);
	});

	test("an agent's token cannot register: the error says an administrator's token is needed", async () => {
		const harness = trigger({}, {}, credentials('agent'));
		await expect(harness.activate()).rejects.toMatchObject({
			message: expect.stringContaining('Chatwoot could not create the webhook (HTTP 401)'),
			description: expect.stringContaining("administrator's access token"),
		});
		expect(sim.webhooks()).toEqual([]);
	});

	test('a failed delete is logged with the webhook to remove by hand, and the id is kept', async () => {
		const harness = trigger();
		await harness.activate();
		const id = harness.staticData().webhook.id;
		harness.credentialsHelper.setCredentials('chatwootApi', credentials('agent'));

		expect(await harness.remove()).toBe(false);
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringMatching(new RegExp(`HTTP 401.*administrator.*Webhook ${id} .*delete it by hand`)),
		});
		expect(harness.staticData().webhook.id).toBe(id);
		expect(sim.webhooks()).toHaveLength(1);
	});

	test('deleting a webhook that is already gone succeeds', async () => {
		const harness = trigger();
		await harness.activate();
		expect(await apiCall('DELETE', `${webhooksPath()}/${harness.staticData().webhook.id}`)).toBe(200);
		expect(await harness.remove()).toBe(true);
		expect(harness.staticData().webhook).toBeUndefined();
	});

	test('a localhost or private webhook URL is warned about, naming SAFE_FETCH_ALLOW_PRIVATE_NETWORK', async () => {
		const harness = trigger();
		await harness.listen();
		await harness.activate();
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringMatching(/127\.0\.0\.1.*loopback.*SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true/),
		});
	});

	test('test URLs (Listen for test event) register their own webhook and clean up, leaving production alone', async () => {
		const harness = trigger();
		await harness.activate();
		await harness.activate({ test: true });
		expect(sim.webhooks().map((webhook: { url: string }) => webhook.url).sort()).toEqual(
			[harness.webhookUrl(), harness.webhookUrl({ test: true })].sort(),
		);
		expect(harness.staticData({ test: true }).webhook.url).toBe(harness.webhookUrl({ test: true }));

		expect(await harness.remove({ test: true })).toBe(true);
		expect(sim.webhooks().map((webhook: { url: string }) => webhook.url)).toEqual([harness.webhookUrl()]);
		expect(harness.staticData().webhook.url).toBe(harness.webhookUrl());
	});

	test('with "Register Webhook Automatically" off nothing remote is touched and the credential secret verifies', async () => {
		const harness = trigger({ registerWebhook: false });
		await harness.listen();
		const byHand = sim.addWebhook({ url: harness.webhookUrl(), subscriptions: EVENTS });
		harness.credentialsHelper.setCredentials('chatwootApi', credentials('administrator', byHand.secret));
		sim.resetLogs();

		expect(await harness.activate()).toEqual({ existed: true });
		expect(await harness.remove()).toBe(true);
		// Only the read that primes the memory: nothing is created, changed or deleted.
		expect(sim.requests().map((request: { method: string; path: string }) => `${request.method} ${request.path}`)).toEqual([
			`GET /api/v1/accounts/${sim.ids().accountId}/conversations`,
		]);
		expect(harness.staticData().webhook).toBeUndefined();

		const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		await sim.idle(); // assignment V2's later assignment: a delivery that starts nothing
		await sim.setStatus(id, 'resolved');
		expect(harness.requests.map((request) => request.status)).toEqual([200, 200, 200]);
		expect(harness.executions.map((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`))).toEqual([
			['null>open'],
			['open>resolved'],
		]);
	});
});

describe('deliveries', () => {
	async function activeTrigger(options: Record<string, unknown> = {}, filters: Record<string, unknown> = {}) {
		const harness = trigger(options, filters);
		await harness.listen();
		await harness.activate();
		return harness;
	}

	/** A conversation in the bot inbox, resolved by an agent: what S1 starts from. */
	async function resolvedBotConversation(): Promise<number> {
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		await sim.setStatus(id, 'resolved');
		return id;
	}

	test('S1 live: a customer message reopens a resolved bot-inbox conversation -> exactly one item, resolved -> pending, bot_inbox', async () => {
		const harness = await activeTrigger();
		const id = await resolvedBotConversation();
		const before = harness.executions.length;

		const { deliveries } = await sim.receiveMessage(id, 'Hello again');
		// The registered webhook has neither message_created nor conversation_status_changed: nothing in them is new.
		expect(deliveries.map((delivery: { event: string; status: number }) => `${delivery.event}:${delivery.status}`)).toEqual([
			'conversation_updated:200',
			'conversation_updated:200',
		]);
		const items = harness.executions.slice(before).flatMap((run) => run.items);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			platform: 'chatwoot',
			conversationId: id,
			accountId: sim.ids().accountId,
			inboxId: sim.ids().apiInboxId,
			status: 'pending',
			previousStatus: 'resolved',
			cause: 'bot_inbox',
			isNewConversation: false,
		});
		expect(items[0].raw).toBeUndefined();
	});

	/**
	 * S1's four deliveries (status_changed, updated [status], message_created, updated [waiting_since]) as a hand-made
	 * webhook with Chatwoot's default subscriptions receives them, captured byte for byte with their signatures.
	 */
	async function capturedS1() {
		const harness = trigger({ registerWebhook: false });
		await harness.listen();
		const byHand = sim.addWebhook({ url: harness.webhookUrl(), subscriptions: DEFAULT_SUBSCRIPTIONS });
		harness.credentialsHelper.setCredentials('chatwootApi', credentials('administrator', byHand.secret));
		const id = await resolvedBotConversation();
		harness.capture(true);
		await sim.receiveMessage(id, 'Hello again');
		harness.capture(false);
		const s1 = harness.captured.splice(0);
		expect(s1.map((delivery) => JSON.parse(delivery.body.toString('utf8')).event)).toEqual([
			'conversation_status_changed',
			'conversation_updated',
			'message_created',
			'conversation_updated',
		]);
		return { harness, id, s1 };
	}

	test.each([
		['reversed, one after the other', 'reversed'],
		['all four at once', 'concurrent'],
		['updated first, then the rest at once', 'updated-first'],
	])('S1 %s -> exactly one item, resolved -> pending, bot_inbox', async (_name, order) => {
		const { harness, id, s1 } = await capturedS1();
		const before = harness.executions.length;
		expect(harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`))).toEqual([
			'null>pending',
			'pending>resolved',
		]);

		let results: Array<{ status: number; items: unknown[] }>;
		if (order === 'reversed') {
			results = [];
			for (const delivery of [...s1].reverse()) results.push(await harness.deliver(delivery));
		} else if (order === 'concurrent') {
			results = await Promise.all(s1.map((delivery) => harness.deliver(delivery)));
		} else {
			const first = await harness.deliver(s1[1]);
			results = [first, ...(await Promise.all([s1[0], s1[2], s1[3]].map((delivery) => harness.deliver(delivery))))];
		}
		expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200]);
		const items = harness.executions.slice(before).flatMap((run) => run.items);
		expect(items).toEqual([
			expect.objectContaining({ conversationId: id, status: 'pending', previousStatus: 'resolved', cause: 'bot_inbox' }),
		]);
	});

	test('S1 replayed to a trigger that saw nothing before still gives one item with the exact previous status', async () => {
		const { harness: live, s1 } = await capturedS1();
		// A second trigger node with the same webhook secret but an empty memory.
		const fresh = trigger({ registerWebhook: false }, {}, live.credentialsHelper.credentials.chatwootApi);

		await Promise.all(s1.map((delivery) => fresh.deliver(delivery)));
		expect(fresh.executions.flatMap((run) => run.items)).toEqual([
			expect.objectContaining({ status: 'pending', previousStatus: 'resolved', previousStatusSource: 'payload' }),
		]);
	});

	test('a wrong signature and a missing signature get 401 and start nothing', async () => {
		const { harness, s1 } = await capturedS1();
		const [delivery] = s1;
		const before = harness.executions.length;

		const tampered = await harness.deliver({
			headers: { ...delivery.headers, 'x-chatwoot-signature': `sha256=${'0'.repeat(64)}` },
			body: delivery.body,
		});
		// The sender learns only that the signature was refused; the reason goes to n8n's log.
		expect(tampered).toMatchObject({ status: 401, executed: false, body: { message: 'Signature rejected' } });

		const bodyChanged = await harness.deliver({
			headers: delivery.headers,
			body: Buffer.from(delivery.body.toString('utf8').replace('"pending"', '"open"')),
		});
		expect(bodyChanged.status).toBe(401);

		const unsignedHeaders = { ...delivery.headers };
		delete unsignedHeaders['x-chatwoot-signature'];
		delete unsignedHeaders['x-chatwoot-timestamp'];
		const unsigned = await harness.deliver({ headers: unsignedHeaders, body: delivery.body });
		expect(unsigned).toMatchObject({ status: 401, body: { message: 'Signature rejected' } });

		expect(harness.executions.length).toBe(before);
		expect(harness.logs.filter((log) => log.level === 'warn').map((log) => log.message)).toEqual([
			'Conversation Status Trigger: Signature rejected: X-Chatwoot-Signature does not match the body and the webhook secret',
			'Conversation Status Trigger: Signature rejected: X-Chatwoot-Signature does not match the body and the webhook secret',
			"Conversation Status Trigger: Unsigned delivery rejected: the delivery has no X-Chatwoot-Signature header; the webhook's secret is known, so its deliveries must be signed",
		]);
	});

	test('"Accept Unsigned Deliveries" lets automation webhooks through only while no secret is known', async () => {
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		await sim.setStatus(id, 'resolved');

		// The registered webhook came with a secret: an unsigned delivery did not come from it, option or not.
		const registered = await activeTrigger({ acceptUnsigned: true });
		const before = registered.executions.length;
		await sim.sendAutomationEvent(registered.webhookUrl(), id, 'conversation_opened');
		expect(registered.requests.slice(-1)[0]).toMatchObject({ status: 401, body: { message: 'Signature rejected' } });
		expect(registered.executions.length).toBe(before);
		expect(registered.logs.map((log) => log.message)).toContain(
			"Conversation Status Trigger: Unsigned delivery rejected: the delivery has no X-Chatwoot-Signature header; the webhook's secret is known, so its deliveries must be signed",
		);

		// A webhook made by hand (an automation rule's) and no secret in the credential: the option applies.
		const byHand = trigger({ acceptUnsigned: true, registerWebhook: false });
		await byHand.listen();
		await sim.sendAutomationEvent(byHand.webhookUrl(), id, 'conversation_opened');
		expect(byHand.requests.slice(-1)[0].status).toBe(200);
		expect(byHand.executions.flatMap((run) => run.items.map((item) => `${item.status}:${item.cause}`))).toEqual(['resolved:automation']);

		// The same with a secret in the credential: refused again.
		const withSecret = trigger({ acceptUnsigned: true, registerWebhook: false }, {}, credentials('administrator', 'hand-made-secret'));
		await withSecret.listen();
		await sim.sendAutomationEvent(withSecret.webhookUrl(), id, 'conversation_resolved');
		expect(withSecret.requests.slice(-1)[0].status).toBe(401);
		expect(withSecret.executions).toEqual([]);
	});

	test('an unparsable body gets 400 with a message', async () => {
		const harness = trigger({ acceptUnsigned: true });
		const result = await harness.deliver({ body: '{"event": "conversation_updated", ', headers: {} });
		expect(result).toMatchObject({ status: 400, executed: false, body: { message: expect.stringContaining('not valid JSON') } });
		// Nothing of the body goes back to the sender.
		expect(JSON.stringify(result.body)).not.toContain('conversation_updated');
	});

	test('"Include Raw Payload" adds the delivery body under raw', async () => {
		const harness = await activeTrigger({ includeRawPayload: true });
		const id = await resolvedBotConversation();
		const before = harness.executions.length;
		const { deliveries } = await sim.receiveMessage(id, 'Hello again');
		const items = harness.executions.slice(before).flatMap((run) => run.items);
		expect(items).toHaveLength(1);
		const source = deliveries.find(
			(delivery: { json: { event: string } }) => delivery.json.event === items[0].event[0],
		);
		expect(items[0].raw).toEqual(source.json);
	});

	test.each([
		['To Status', { toStatuses: ['open'] }, []],
		['To Status', { toStatuses: ['pending', 'resolved'] }, ['null>pending', 'pending>resolved', 'resolved>pending']],
		['From Status', { fromStatuses: ['resolved'] }, ['resolved>pending']],
		['From Status unknown', { fromStatuses: ['unknown'] }, ['null>pending']],
		['Inbox IDs (other inbox)', { inboxIds: '99, 100' }, []],
		['Inbox IDs', { inboxIds: '1' }, ['null>pending', 'pending>resolved', 'resolved>pending']],
		['Causes', { causes: ['bot_inbox'] }, ['resolved>pending']],
		['Causes', { causes: ['conversation_created', 'unknown'] }, ['null>pending', 'pending>resolved']],
		['no new conversations', { includeNewConversations: false }, ['pending>resolved', 'resolved>pending']],
	])('filter %s %j', async (_name, filters, expected) => {
		const harness = await activeTrigger({}, filters);
		const id = await resolvedBotConversation();
		await sim.receiveMessage(id, 'Hello again');
		expect(harness.requests.every((request) => request.status === 200)).toBe(true);
		expect(
			harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`)),
		).toEqual(expected);
	});
});

describe.each([
	['the older assignment system, which hides them', false],
	['assignment V2 (the default since 4.13.0), which announces them and assigns later', true],
])('changes with an agent online under %s', (_name, assignmentV2) => {
	beforeEach(async () => {
		await simulators.stopAll();
		// A manual clock (moved by the tests) so that a snooze can run out minutes after the customer wrote.
		sim = await simulators.chatwoot({ assignmentV2, startTime: Date.now() });
	});

	/** Each step a second after the one before, as people and jobs take time (the simulator's manual clock). */
	const later = () => sim.advanceTime(1000);

	/** The trigger active with every change reported, and a conversation of `inbox` that nobody is assigned to. */
	async function setup(inbox: 'api' | 'web', filters: Record<string, unknown> = {}) {
		const harness = trigger({}, filters);
		await harness.listen();
		await harness.activate();
		// With nobody online at creation, the conversation stays unassigned, so a later change to open is auto-assigned.
		sim.setAgentOnline(sim.ids().agentUserId, false);
		const { result: id } = await sim.createConversation({ inboxId: inbox === 'api' ? sim.ids().apiInboxId : sim.ids().webInboxId });
		later();
		await sim.idle();
		sim.setAgentOnline(sim.ids().agentUserId, true);
		return { harness, id };
	}

	const summary = (harness: Harness) =>
		harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}:${item.cause}`));

	/** The deliveries of one operation as `event [changed attributes]`. */
	const shapes = (deliveries: Array<{ json: { event: string; changed_attributes: Array<Record<string, unknown>> | null } }>) =>
		deliveries.map((delivery) => `${delivery.json.event} [${(delivery.json.changed_attributes ?? []).map((entry) => Object.keys(entry)[0]).join(',')}]`);
	const hidden = ['conversation_updated [assignee_id,updated_at]'];
	const announced = ['conversation_updated [status,updated_at]'];

	test('S1, then the bot hands over (pending -> open by its token): resolved -> pending, then pending -> open', async () => {
		const { harness, id } = await setup('api');
		await sim.setStatus(id, 'resolved');
		later();
		await sim.receiveMessage(id, 'Hello again');
		later();
		await sim.sendMessage(id, 'Let me get a human', { as: 'bot' });
		later();
		const handoff = await sim.setStatus(id, 'open', { as: 'bot' });
		later();
		await sim.idle();
		expect(shapes(handoff.deliveries).filter((shape) => !shape.includes('waiting_since'))).toEqual(assignmentV2 ? announced : hidden);
		expect(summary(harness)).toEqual(['null>pending:conversation_created', 'pending>resolved:unknown', 'resolved>pending:bot_inbox', 'pending>open:bot_handoff']);
		expect(sim.getConversation(id)).toMatchObject({ status: 'open', assigneeId: sim.ids().agentUserId });
	});

	test("the agent bot failing right after the customer's message: pending -> open (bot_handoff without the look-up)", async () => {
		const { harness, id } = await setup('api');
		await sim.receiveMessage(id, 'Anyone there?');
		later();
		const failure = await sim.botWebhookFailure(id);
		later();
		await sim.idle();
		expect(shapes(failure.deliveries)).toEqual(assignmentV2 ? announced : hidden);
		expect(summary(harness).slice(-1)).toEqual(['pending>open:bot_handoff']);
	});

	test('a snooze expiring: snoozed -> open, cause snooze_expired; "until next reply" never expires', async () => {
		const { harness, id } = await setup('web');
		await sim.receiveMessage(id, 'Ping');
		later();
		await sim.setStatus(id, 'snoozed');
		later();
		expect((await sim.expireSnooze(id)).deliveries).toEqual([]);
		await sim.setStatus(id, 'snoozed', { snoozedUntil: Math.floor(sim.now() / 1000) + 3600 });
		later();
		sim.advanceTime(3600 * 1000);
		const expiry = await sim.runSnoozeReopenJob();
		later();
		await sim.idle();
		expect(shapes(expiry.deliveries)).toEqual(assignmentV2 ? ['conversation_updated [status,snoozed_until,updated_at]'] : hidden);
		expect(summary(harness).slice(-2)).toEqual(['open>snoozed:unknown', 'snoozed>open:snooze_expired']);
	});

	test('a customer message reopening a resolved conversation of an inbox without a bot: resolved -> open', async () => {
		const { harness, id } = await setup('web');
		await sim.setStatus(id, 'resolved');
		later();
		await sim.receiveMessage(id, 'It happened again');
		later();
		await sim.idle();
		expect(summary(harness).slice(-2)).toEqual(['open>resolved:unknown', 'resolved>open:customer_message']);
	});

	test('assignments alone (the AssignmentJob, manual, automation) give nothing, also with new conversations excluded', async () => {
		const { harness, id } = await setup('web', { includeNewConversations: false });
		const before = harness.executions.length;
		sim.setAgentOnline(sim.ids().agentUserId, false);
		const { result: other } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		later();
		sim.setAgentOnline(sim.ids().agentUserId, true);
		await sim.assign(id, sim.ids().agentUserId);
		later();
		await sim.automationAssign(other, sim.ids().adminUserId);
		later();
		sim.setAssignmentPolicy(sim.ids().webInboxId);
		await sim.runPeriodicAssignment();
		later();
		await sim.idle();
		expect(harness.executions.length).toBe(before);
		expect(harness.requests.every((request) => request.status === 200)).toBe(true);
	});

	test("'Look Up Who Changed It': one read per item names the agent, the bot, or the agent bot's failure", async () => {
		const { harness: plain } = await setup('api');
		await plain.close();
		const harness = trigger({ lookUpWhoChanged: true });
		await harness.listen();
		await harness.activate();
		sim.setAgentOnline(sim.ids().agentUserId, false);
		const { result: failing } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		later();
		const { result: handedOver } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		later();
		const { result: forced } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		later();
		await sim.idle();
		sim.setAgentOnline(sim.ids().agentUserId, true);
		const itemsBefore = harness.executions.length;
		sim.resetLogs();

		await sim.receiveMessage(failing, 'Anyone there?');
		later();
		await sim.botWebhookFailure(failing);
		later();
		await sim.sendMessage(handedOver, 'A human will help you', { as: 'bot' });
		later();
		await sim.setStatus(handedOver, 'open', { as: 'bot' });
		later();
		await sim.setStatus(forced, 'open');
		later();
		await sim.setStatus(forced, 'resolved', { as: 'agent' });
		later();
		await sim.idle();
		const described = harness.executions
			.slice(itemsBefore)
			.flatMap((run) => run.items.map((item) => `${item.conversationId} ${item.previousStatus}>${item.status}:${item.cause}:${item.actor?.type}:${item.actor?.name}`));
		expect(described).toEqual([
			`${failing} pending>open:bot_failure:system:null`,
			`${handedOver} pending>open:bot_handoff:bot:WhatsApp Bot`,
			`${forced} pending>open:agent:agent:Ada Admin`,
			`${forced} open>resolved:agent:agent:Alex Agent`,
		]);
		const reads = sim.requests().filter((request: { method: string; path: string }) => request.method === 'GET' && request.path.endsWith('/messages'));
		expect(reads).toHaveLength(4);
	});

	test('an assignee who left the inbox: the reopen is reported (older system: behind assignee_id X -> Y)', async () => {
		const { harness, id } = await setup('web');
		const { adminUserId, agentUserId, webInboxId } = sim.ids();
		sim.setInboxMembers(webInboxId, [adminUserId, agentUserId]);
		await sim.assign(id, adminUserId);
		later();
		await sim.setStatus(id, 'resolved');
		later();
		sim.setInboxMembers(webInboxId, [agentUserId]);
		await sim.receiveMessage(id, 'Still broken');
		later();
		await sim.idle();
		expect(summary(harness).slice(-2)).toEqual(['open>resolved:unknown', 'resolved>open:customer_message']);
	});
});

describe('priming the memory on activation', () => {
	test('the most recently active conversations, page by page, up to Remembered Conversations; the first change then has its previous status', async () => {
		sim.setAgentOnline(sim.ids().agentUserId, false);
		const ids: number[] = [];
		for (let index = 0; index < 30; index++) ids.push((await sim.createConversation({ inboxId: sim.ids().webInboxId })).result);
		await sim.setStatus(ids[29], 'resolved');
		sim.setAgentOnline(sim.ids().agentUserId, true);
		sim.resetLogs();

		const harness = trigger({ rememberedConversations: 27 });
		await harness.listen();
		await harness.activate();
		const lists = sim.requests().filter((request: { path: string }) => request.path.endsWith('/conversations'));
		expect(lists.map((request: { query: Record<string, string> }) => request.query.page)).toEqual(['1', '2']);
		expect(lists[0].query).toMatchObject({ status: 'all', assignee_type: 'all', sort_by: 'last_activity_at_desc' });
		const memory = harness.storedMemory();
		expect(memory.c).toHaveLength(27);
		expect(harness.storedStatuses()[`${sim.ids().accountId}:${ids[29]}`]).toBe('resolved');

		// The customer reopens it; auto-assignment hides the status diff: the primed memory gives the previous status.
		await sim.receiveMessage(ids[29], 'Back again');
		expect(harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`))).toEqual(['resolved>open']);
	});

	test.each([
		// [CONVERSATION_RESULTS_PER_PAGE, conversations, pages asked for]
		[25, 20, ['1']],
		[10, 30, ['1', '2', '3']],
		[25, 30, ['1', '2', '3']], // a shorter last page after the first: one more request, answered empty
		[7, 30, ['1', '2', '3', '4', '5', '6']], // 7 + 7 + 7 + 7 + 2, then the empty page 6
	])('the page size comes from the answers (CONVERSATION_RESULTS_PER_PAGE %i, %i conversations)', async (perPage, count, pages) => {
		await simulators.stopAll();
		sim = await simulators.chatwoot({ conversationsPerPage: perPage, onlineAgents: [] });
		for (let index = 0; index < count; index++) await sim.createConversation({ inboxId: sim.ids().webInboxId });
		sim.resetLogs();
		const harness = trigger();
		await harness.listen();
		await harness.activate();
		const lists = sim.requests().filter((request: { path: string }) => request.path.endsWith('/conversations'));
		expect(lists.map((request: { query: Record<string, string> }) => request.query.page)).toEqual(pages);
		expect(harness.storedMemory().c).toHaveLength(count);
	});

	test('a failed priming is a warning, not a failed activation', async () => {
		const harness = trigger({ registerWebhook: false });
		sim.rateLimit({ count: 1 });
		expect(await harness.activate()).toEqual({ existed: true });
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringMatching(
				/^Conversation Status Trigger: could not read the current status of Chatwoot's conversations \(GET \/api\/v1\/accounts\/1\/conversations answered HTTP 429, not a conversation list\); it starts with 0 known/,
			),
		});
		expect(harness.storedMemory()).toEqual({ v: 3, c: [], f: [] });
	});

	test('an n8n 1.x start primes again: a resolve whose delivery was lost while n8n was down, then a reopen auto-assignment hides', async () => {
		const harness = trigger();
		await harness.listen();
		await harness.activate();
		// Unassigned (nobody online when it was created), so that auto-assignment hides the reopen's status diff.
		sim.setAgentOnline(sim.ids().agentUserId, false);
		const id = (await sim.createConversation({ inboxId: sim.ids().webInboxId })).result;
		sim.setAgentOnline(sim.ids().agentUserId, true);
		// n8n is down: Chatwoot's delivery of the resolve fails and is never retried.
		harness.capture(true);
		await sim.setStatus(id, 'resolved');
		harness.capture(false);
		await harness.startLike1x();
		// The customer writes: the reopen's only delivery is an assignment, no status diff.
		await sim.receiveMessage(id, 'It broke again');
		expect(harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`))).toEqual(['null>open', 'resolved>open']);
	});

	test('test listening (Listen for test event) does not prime', async () => {
		const harness = trigger();
		await harness.activate({ test: true });
		expect(sim.requests().filter((request: { path: string }) => request.path.endsWith('/conversations'))).toEqual([]);
	});
});

describe('activation checks the parameters and keeps the subscription minimal', () => {
	test('an Inbox IDs filter that is not a list of numbers fails the activation, before anything is registered', async () => {
		const harness = trigger({}, { inboxIds: '1, two' });
		await expect(harness.activate()).rejects.toMatchObject({ message: '"two" in Inbox IDs is not a number' });
		expect(sim.webhooks()).toEqual([]);
	});

	test('without new conversations, conversation_created is not subscribed; turning it on again updates the webhook', async () => {
		const without = trigger({}, { includeNewConversations: false });
		await without.activate();
		expect(sim.webhooks()[0].subscriptions).toEqual(['conversation_updated']);
		const withNew = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'chatwoot', options: {}, filters: {} },
			credentials: { chatwootApi: credentials() },
			webhookId: without.node.webhookId,
			nodeId: without.node.id,
		});
		harnesses.push(withNew);
		withNew.setStaticData(without.staticData());
		expect(await withNew.activate()).toEqual({ existed: true });
		expect([...sim.webhooks()[0].subscriptions].sort()).toEqual(EVENTS);
		expect(sim.webhooks()).toHaveLength(1);
	});
});
