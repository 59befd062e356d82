/**
 * The Conversation Status Trigger for FreeScout, in-process through n8n-core against the FreeScout simulator and
 * the real deliveries of test/fixtures/freescout-real.
 */
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { createFreeScoutSimulator } from '../simulators/freescout';
import { dateNowFrom } from '../support/clock';
import { capturedAt, realFreeScoutDeliveries } from '../support/fixtures';
import { FREESCOUT_REAL_KEY } from '../support/test-keys';
import { createTriggerHarness } from '../support/n8n-webhook-harness';

type Sim = ReturnType<typeof createFreeScoutSimulator>;
type Harness = ReturnType<typeof createTriggerHarness>;

const EVENTS = [
	'convo.status',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
	'convo.note.created',
	'convo.created',
];

const sims: Sim[] = [];
const harnesses: Harness[] = [];

afterEach(async () => {
	while (harnesses.length > 0) await harnesses.pop()?.close();
	while (sims.length > 0) await sims.pop()?.stop();
});

async function simulator(moduleVersion = '1.0.82'): Promise<Sim> {
	const sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: 30, retryIntervalMs: 20 });
	await sim.start();
	sims.push(sim);
	return sim;
}

function trigger(
	sim: Sim | null,
	options: Record<string, unknown> = {},
	filters: Record<string, unknown> = {},
	webhookSecret = sim?.secretKey ?? FREESCOUT_REAL_KEY,
): Harness {
	const harness = createTriggerHarness({
		nodeClass: ConversationStatusTrigger,
		parameters: { platform: 'freescout', options, filters },
		credentials: {
			freeScoutApi: {
				baseUrl: sim?.url ?? 'http://127.0.0.1:9',
				apiKey: sim?.apiKey ?? 'unused',
				webhookSecret,
				defaultUserId: 0,
				ignoreSslIssues: false,
			},
		},
	});
	harnesses.push(harness);
	return harness;
}

async function activeTrigger(sim: Sim, options: Record<string, unknown> = {}, filters: Record<string, unknown> = {}) {
	const harness = trigger(sim, options, filters);
	await harness.listen();
	await harness.activate();
	return harness;
}

function changes(harness: Harness): string[] {
	return harness.executions.flatMap((run) =>
		run.items.map((item) => `${item.previousStatus}>${item.status}:${item.cause}`),
	);
}

function apiCalls(sim: Sim): string[] {
	return sim.getApiRequests().map((request: { method: string; path: string; status: number }) => `${request.method} ${request.path} ${request.status}`);
}

describe('webhook lifecycle', () => {
	test('create posts the URL and events and keeps the Resource-ID; checkExists trusts it (no list route: 405); delete removes it', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		await harness.listen();

		expect(await harness.activate()).toEqual({ existed: false });
		const [webhook] = sim.getWebhooks();
		expect(webhook).toMatchObject({ url: harness.webhookUrl(), events: EVENTS });
		expect(harness.staticData().webhook).toEqual({ id: String(webhook.id), url: harness.webhookUrl(), secret: null, events: EVENTS });
		expect(sim.getApiRequests()[0].body).toEqual({ url: harness.webhookUrl(), events: EVENTS });

		expect(await harness.activate()).toEqual({ existed: true });
		expect(sim.getWebhooks()).toHaveLength(1);

		expect(await harness.remove()).toBe(true);
		expect(sim.getWebhooks()).toEqual([]);
		expect(harness.staticData().webhook).toBeUndefined();
		// Each activation also reads the conversations that were updated last, to prime the memory.
		expect(apiCalls(sim)).toEqual([
			'POST /api/webhooks 201',
			'GET /api/conversations 200',
			'GET /api/webhooks 405',
			'GET /api/conversations 200',
			`DELETE /api/webhooks/${webhook.id} 204`,
		]);
	});

	test('a webhook already deleted in FreeScout is fine on delete (404)', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		await harness.activate();
		const id = harness.staticData().webhook.id;
		const response = await fetch(`${sim.url}/api/webhooks/${id}`, {
			method: 'DELETE',
			headers: { 'X-FreeScout-API-Key': sim.apiKey },
		});
		expect(response.status).toBe(204);

		expect(await harness.remove()).toBe(true);
		expect(apiCalls(sim).slice(-1)).toEqual([`DELETE /api/webhooks/${id} 404`]);
		expect(harness.staticData().webhook).toBeUndefined();
	});

	test('a wrong API key fails activation with what to check', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		harness.credentialsHelper.setCredentials('freeScoutApi', {
			baseUrl: sim.url,
			apiKey: 'wrong',
			webhookSecret: sim.secretKey,
			ignoreSslIssues: false,
		});
		await expect(harness.activate()).rejects.toMatchObject({
			message: 'FreeScout could not create the webhook (HTTP 401): Not Authorized',
			description: expect.stringContaining('API key'),
		});
	});

	test('a failed delete is logged (never swallowed) and the id is kept for the next try', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		await harness.activate();
		const id = harness.staticData().webhook.id;
		harness.credentialsHelper.setCredentials('freeScoutApi', {
			baseUrl: sim.url,
			apiKey: 'wrong',
			webhookSecret: sim.secretKey,
			ignoreSslIssues: false,
		});
		expect(await harness.remove()).toBe(false);
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringMatching(new RegExp(`HTTP 401.*Webhook ${id} .*delete it by hand`)),
		});
		expect(harness.staticData().webhook.id).toBe(id);
		expect(sim.getWebhooks()).toHaveLength(1);
	});

	test('an unreachable FreeScout is logged on delete and is a clear error on activation', async () => {
		const harness = trigger(null);
		await expect(harness.activate()).rejects.toMatchObject({
			message: 'Could not reach FreeScout at http://127.0.0.1:9',
			description: expect.stringContaining('POST /api/webhooks got no answer'),
		});
		harness.setStaticData({ webhook: { id: '7', url: harness.webhookUrl(), secret: null } });
		expect(await harness.remove()).toBe(false);
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringContaining('could not reach FreeScout to delete webhook 7'),
		});
	});

	test('test URLs register their own webhook and clean up', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		await harness.activate({ test: true });
		expect(sim.getWebhooks().map((webhook: { url: string }) => webhook.url)).toEqual([harness.webhookUrl({ test: true })]);
		expect(await harness.remove({ test: true })).toBe(true);
		expect(sim.getWebhooks()).toEqual([]);
		expect(harness.staticData().webhook).toBeUndefined();
	});

	test('with "Register Webhook Automatically" off nothing remote is touched; a hand-made webhook still works', async () => {
		const sim = await simulator();
		const harness = trigger(sim, { registerWebhook: false });
		await harness.listen();
		expect(await harness.activate()).toEqual({ existed: true });
		expect(await harness.remove()).toBe(true);
		// Only the read that primes the memory: nothing is created or deleted.
		expect(apiCalls(sim)).toEqual(['GET /api/conversations 200']);

		sim.addWebhook(harness.webhookUrl(), EVENTS);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed');
		await sim.idle();
		expect(apiCalls(sim)).toEqual(['GET /api/conversations 200']);
		expect(changes(harness)).toEqual(['null>open:conversation_created', 'open>resolved:agent']);
	});

	test('a private webhook URL is warned about', async () => {
		const sim = await simulator();
		const harness = trigger(sim);
		await harness.activate();
		expect(harness.logs).toContainEqual({
			level: 'warn',
			message: expect.stringMatching(/localhost.*FreeScout can only deliver to it when it runs on the same host/),
		});
	});
});

describe('deliveries', () => {
	// The captured deliveries are delivered at the time they were fresh: FreeScout's replay window refuses old ones.
	beforeEach(() => dateNowFrom(capturedAt()));
	afterEach(() => jest.restoreAllMocks());

	test('the real FreeScout deliveries, replayed byte for byte, give one item per real change', async () => {
		const harness = trigger(null, { registerWebhook: false }, {}, FREESCOUT_REAL_KEY);
		const results = [];
		for (const delivery of realFreeScoutDeliveries()) {
			const result = await harness.deliver({
				body: delivery.body,
				headers: {
					'Content-Type': 'application/json',
					'X-FreeScout-Event': delivery.event,
					'X-FreeScout-Signature': delivery.signature,
				},
			});
			results.push(`${delivery.name}:${result.status}:${result.items.map((item) => `${item.previousStatus}>${item.status}`).join(',')}`);
		}
		expect(results).toEqual([
			'001-convo.created:200:null>open',
			'002-convo.agent.reply.created:200:open>resolved',
			'003-convo.customer.reply.created:200:resolved>open',
			'004-convo.status:200:open>resolved',
			'005-convo.status:200:resolved>open',
			'006-convo.status:200:open>pending',
			'007-convo.status:200:pending>open',
			'008-convo.assigned:200:',
			'009-convo.note.created:200:',
			'010-convo.note.created:200:open>resolved',
			'011-convo.status:200:resolved>open',
		]);
		expect(harness.executions).toHaveLength(9);
		// The memory persists in the node's static data (what survives an n8n restart).
		expect(harness.storedStatuses()).toEqual({ '1': 'open' });
	});

	test('a wrong and a missing signature get 401 and start nothing', async () => {
		const harness = trigger(null, { registerWebhook: false }, {}, FREESCOUT_REAL_KEY);
		const [created] = realFreeScoutDeliveries();
		const wrong = await harness.deliver({
			body: created.body,
			headers: { 'X-FreeScout-Event': created.event, 'X-FreeScout-Signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
		});
		expect(wrong).toMatchObject({ status: 401, executed: false });
		const missing = await harness.deliver({ body: created.body, headers: { 'X-FreeScout-Event': created.event } });
		expect(missing).toMatchObject({ status: 401, executed: false });
		const otherSecret = trigger(null, { registerWebhook: false }, {}, 'f'.repeat(32));
		const reSigned = await otherSecret.deliver({
			body: created.body,
			headers: { 'X-FreeScout-Event': created.event, 'X-FreeScout-Signature': created.signature },
		});
		expect(reSigned.status).toBe(401);
		expect(harness.executions).toEqual([]);
		expect(otherSecret.executions).toEqual([]);
	});

	test('ten identical retries of one delivery, one after the other and at once, start one execution', async () => {
		const harness = trigger(null, { registerWebhook: false }, {}, FREESCOUT_REAL_KEY);
		const deliveries = realFreeScoutDeliveries();
		const request = (delivery: (typeof deliveries)[number]) => ({
			body: delivery.body,
			headers: { 'X-FreeScout-Event': delivery.event, 'X-FreeScout-Signature': delivery.signature },
		});
		await harness.deliver(request(deliveries[0]));
		const closing = deliveries.find((delivery) => delivery.name.startsWith('004'));
		if (closing === undefined) throw new Error('fixture 004 missing');
		const sequential = [];
		for (let attempt = 0; attempt < 5; attempt++) sequential.push(await harness.deliver(request(closing)));
		const concurrent = await Promise.all(Array.from({ length: 5 }, () => harness.deliver(request(closing))));
		expect([...sequential, ...concurrent].map((result) => result.status)).toEqual(Array(10).fill(200));
		expect([...sequential, ...concurrent].filter((result) => result.executed)).toHaveLength(1);
		expect(harness.executions).toHaveLength(2);
	});

	test('what an execution learned survives a restart: a retry and an older reply then add nothing, the next change has its previous status', async () => {
		const harness = trigger(null, { registerWebhook: false }, {}, FREESCOUT_REAL_KEY);
		const deliveries = realFreeScoutDeliveries();
		const request = (prefix: string) => {
			const delivery = deliveries.find((entry) => entry.name.startsWith(prefix));
			if (delivery === undefined) throw new Error(`fixture ${prefix} missing`);
			return { body: delivery.body, headers: { 'X-FreeScout-Event': delivery.event, 'X-FreeScout-Signature': delivery.signature } };
		};
		const summary = () => harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`));
		// It started an execution, and n8n still saved what it learned (the write is repeated after the execution started).
		expect((await harness.deliver(request('004'))).executed).toBe(true);
		expect(harness.storedStatuses()).toEqual({ '1': 'resolved' });
		harness.restart();
		expect(await harness.deliver(request('004'))).toMatchObject({ executed: false });
		expect(await harness.deliver(request('003'))).toMatchObject({ executed: false });
		harness.restart();
		for (const prefix of ['005', '006', '007']) {
			await harness.deliver(request(prefix));
			harness.restart();
		}
		// 008 is an assignment, 009 a note that leaves it open: no item.
		await harness.deliver(request('008'));
		harness.restart();
		await harness.deliver(request('009'));
		expect(harness.storedStatuses()).toEqual({ '1': 'open' });
		expect(summary()).toEqual(['open>resolved', 'resolved>open', 'open>pending', 'pending>open']);
	});

	test.each(['1.0.81', '1.0.82'])('close via "send" in the reply form (module %s) -> exactly one item', async (version) => {
		const sim = await simulator(version);
		const harness = await activeTrigger(sim);
		const id = sim.createConversation();
		await sim.idle();
		const before = harness.executions.length;

		sim.replyFromUi(id, { text: 'Solved, closing', status: 'closed' });
		await sim.idle();
		const events = sim.getDeliveries().map((delivery: { event: string }) => delivery.event);
		expect(events.slice(1)).toEqual(
			version === '1.0.81' ? ['convo.agent.reply.created'] : ['convo.status', 'convo.agent.reply.created'],
		);
		expect(harness.executions.slice(before).flatMap((run) => run.items)).toEqual([
			expect.objectContaining({ platform: 'freescout', conversationId: id, previousStatus: 'open', status: 'resolved' }),
		]);
	});

	test('a customer reply reopening a closed conversation -> exactly one item', async () => {
		const sim = await simulator();
		const harness = await activeTrigger(sim);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed');
		await sim.idle();
		const before = harness.executions.length;

		sim.customerEmailReply(id, 'It is broken again');
		await sim.idle();
		expect(harness.executions.slice(before).flatMap((run) => run.items)).toEqual([
			expect.objectContaining({ previousStatus: 'resolved', status: 'open', cause: 'customer_message' }),
		]);
	});

	test('"Include Raw Payload" adds the body under raw', async () => {
		const sim = await simulator();
		const harness = await activeTrigger(sim, { includeRawPayload: true });
		const id = sim.createConversation();
		await sim.idle();
		const [item] = harness.executions[0].items;
		expect(item.raw).toEqual(sim.getDeliveries()[0].bodyText && JSON.parse(sim.getDeliveries()[0].bodyText));
		expect(item.raw.id).toBe(id);
	});

	test.each([
		['To Status', { toStatuses: ['resolved'] }, ['open>resolved:agent']],
		['From Status', { fromStatuses: ['resolved'] }, ['resolved>open:customer_message']],
		['From Status unknown', { fromStatuses: ['unknown'] }, ['null>open:conversation_created']],
		['Mailbox IDs (other)', { mailboxIds: '2' }, []],
		['Mailbox IDs', { mailboxIds: '1' }, ['null>open:conversation_created', 'open>resolved:agent', 'resolved>open:customer_message']],
		['Causes', { causes: ['customer_message'] }, ['resolved>open:customer_message']],
		['no new conversations', { includeNewConversations: false }, ['open>resolved:agent', 'resolved>open:customer_message']],
	])('filter %s %j', async (_name, filters, expected) => {
		const sim = await simulator();
		const harness = await activeTrigger(sim, {}, filters);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed');
		sim.customerEmailReply(id, 'Again');
		await sim.idle();
		expect(harness.requests.map((request) => request.status).every((status) => status === 200)).toBe(true);
		expect(changes(harness)).toEqual(expected);
	});
});

describe('activation: priming, parameters, the subscription', () => {
	test('primes the memory with the conversations updated last; a reply that closes one then has its previous status', async () => {
		// A clock of its own that stays near the real one: FreeScout's replay window refuses deliveries showing old times.
		let now = Math.floor(Date.now() / 1000) * 1000 - 120_000;
		const sim = createFreeScoutSimulator({ moduleVersion: '1.0.81', undoDelayMs: 30, now: () => now });
		await sim.start();
		sims.push(sim);
		const pending = sim.createConversation({ subject: 'Waiting for parts' });
		sim.changeStatusFromMenu(pending, 'pending', 1);
		const harness = trigger(sim, {}, { includeNewConversations: false });
		await harness.listen();
		await harness.activate();
		const list = sim.getApiRequests().find((request: { path: string }) => request.path === '/api/conversations');
		expect(list.query).toMatchObject({ sortField: 'updatedAt', sortOrder: 'desc', state: 'published', status: 'active,pending,closed,spam', page: '1' });
		expect(harness.storedStatuses()).toEqual({ [pending]: 'pending' });

		// Module 1.0.81: the close comes only as the reply event, whose own thread says closed.
		now += 60_000;
		sim.replyFromUi(pending, { text: 'Parts arrived, closing.', status: 'closed' });
		await sim.idle();
		await sim.flushDelayed();
		await sim.idle();
		expect(changes(harness)).toEqual(['pending>resolved:agent']);
	});

	test('a Mailbox IDs filter that is not a list of numbers fails the activation, before anything is registered', async () => {
		const sim = await simulator();
		const harness = trigger(sim, {}, { mailboxIds: '1;x' });
		await expect(harness.activate()).rejects.toMatchObject({ message: '"x" in Mailbox IDs is not a number' });
		expect(sim.getWebhooks()).toEqual([]);
	});

	test('without new conversations convo.created is not subscribed; FreeScout cannot update a webhook, so a change re-registers it', async () => {
		const sim = await simulator();
		const without = trigger(sim, {}, { includeNewConversations: false });
		await without.activate();
		expect(sim.getWebhooks().map((webhook: { events: string[] }) => webhook.events)).toEqual([EVENTS.slice(0, 4)]);
		const withNew = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'freescout', options: {}, filters: {} },
			credentials: { freeScoutApi: { baseUrl: sim.url, apiKey: sim.apiKey, webhookSecret: sim.secretKey, defaultUserId: 0, ignoreSslIssues: false } },
			webhookId: without.node.webhookId,
			nodeId: without.node.id,
		});
		harnesses.push(withNew);
		withNew.setStaticData(without.staticData());
		expect(await withNew.activate()).toEqual({ existed: false });
		expect(sim.getWebhooks().map((webhook: { events: string[] }) => webhook.events)).toEqual([EVENTS]);
		expect(apiCalls(sim).filter((call) => call.includes('webhooks'))).toEqual([
			'POST /api/webhooks 201',
			'GET /api/webhooks 405',
			'DELETE /api/webhooks/1 204',
			'POST /api/webhooks 201',
		]);
	});
});

describe('priming is weaker than a delivery', () => {
	async function closedWhileQueued(line: '1.x' | '2.x') {
		const sim = await simulator();
		const harness = await activeTrigger(sim);
		const id = sim.createConversation({ subject: 'Queued close' });
		await sim.idle();
		// The close's delivery waits in FreeScout's queue (here: held by the test) while n8n starts again.
		harness.capture(true);
		sim.changeStatusFromMenu(id, 'closed', 1);
		await sim.idle();
		harness.capture(false);
		const queued = harness.captured.filter((request) => request.headers['x-freescout-event'] === 'convo.status');
		expect(queued).toHaveLength(1);
		if (line === '1.x') {
			// n8n 1.x calls checkExists at every start: priming reads the conversation, already closed.
			await harness.startLike1x();
			expect(harness.storedStatuses()[String(id)]).toBe('resolved');
		} else {
			harness.restart();
		}
		const before = harness.executions.length;
		for (const request of queued) await harness.deliver({ body: request.body, headers: request.headers });
		await harness.deliver({ body: queued[0].body, headers: queued[0].headers });
		return { items: harness.executions.slice(before).flatMap((run) => run.items) };
	}

	test('n8n 1.x start: priming read the status the close led to, the queued close still gives its item once, not late', async () => {
		const { items } = await closedWhileQueued('1.x');
		expect(items.map((item) => `${item.previousStatus}>${item.status}`)).toEqual(['open>resolved']);
		expect(items[0]).toMatchObject({ late: false, superseded: false });
	});

	test('n8n 2.x start (no checkExists): the queued close gives its item once, not late', async () => {
		const { items } = await closedWhileQueued('2.x');
		expect(items.map((item) => `${item.previousStatus}>${item.status}`)).toEqual(['open>resolved']);
		expect(items[0]).toMatchObject({ late: false, superseded: false });
	});
});
