/**
 * The FreeScout simulator on what admins do besides the status menu: merges (against the real merge capture of
 * test/fixtures/freescout-real-merge), deletes, restores, emptying Deleted, and the queue worker that keeps the
 * webhook list it read at its first job.
 */
import { createHmac } from 'crypto';
import { readFixture, phpJsonEncode } from './freescout';
import { requestJson } from './http-util';
import { FREESCOUT_REAL_MERGE_KEY, FREESCOUT_TEST_API_KEY } from '../support/test-keys';
import { simulatorsPerTest, type FreeScoutDelivery as Delivery, type FreeScoutSim as Sim } from '../support/simulators';

interface Thread {
	id: number;
	type: string;
	status: string;
	action: { type: string; text: string };
}

const API_KEY: string = FREESCOUT_TEST_API_KEY;
const EVERY_CONVERSATION_EVENT = [
	'convo.created',
	'convo.status',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
	'convo.note.created',
	'convo.deleted',
	'convo.deleted_forever',
	'convo.restored',
];
const at = (iso: string) => Date.parse(iso);

const simulators = simulatorsPerTest();

/** A started simulator (undo window long unless given) and a receiver for its deliveries. */
async function started(options: Record<string, unknown> = {}) {
	const sim = await simulators.freescout({ apiKey: API_KEY, undoDelayMs: 600000, ...options });
	const receiver = await simulators.receiver();
	return { sim, receiver };
}

async function api(sim: Sim, method: string, path: string, body?: unknown) {
	return requestJson({
		method,
		url: `${sim.url}/api${path}`,
		headers: { 'X-FreeScout-API-Key': API_KEY, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

const events = (sim: Sim) => (sim.getDeliveries() as Delivery[]).map((delivery) => `${delivery.event}:${delivery.conversationId}`);
const lastBody = (sim: Sim) => JSON.parse((sim.getDeliveries() as Delivery[]).slice(-1)[0].bodyText);
const threadShape = (threads: Thread[]) => threads.map((thread) => `${thread.id}:${thread.type}:${thread.status}:${thread.action.type}`);

describe('merge', () => {
	const realReply = () => readFixture('024-convo.customer.reply.created.body.raw', 'freescout-real-merge') as Buffer;

	/** The real session (fixtures README) with the captured clock: 11 and 12 created, 12 closed, 12 merged into 11, a reply on 11. */
	async function replayMergeSession() {
		let clock = at('2026-12-04T18:37:45Z');
		const { sim, receiver } = await started({ secretKey: FREESCOUT_REAL_MERGE_KEY, now: () => clock });
		sim.addCustomer({ id: 2, firstName: null, lastName: null, email: 'cust@example.org' });
		sim.addCustomer({ id: 12, firstName: 'Cust', lastName: null, email: 'cust-15455@example.org' });
		sim.addWebhook(`${receiver.url}/hook`, EVERY_CONVERSATION_EVENT);
		const create = async (subject: string) => {
			const customer = { id: 2 };
			const created = await api(sim, 'POST', '/conversations', {
				type: 'email', mailboxId: 1, subject, customer, threads: [{ type: 'customer', customer, text: `Hello ${subject}` }],
			});
			return created.json.id as number;
		};
		const target = await create('D merge target');
		clock = at('2026-12-04T18:37:46Z');
		const merged = await create('D merged away');
		clock = at('2026-12-04T18:37:49Z');
		sim.changeStatusFromMenu(merged, 'closed', 1);
		await sim.idle();
		clock = at('2026-12-04T18:37:55Z');
		sim.mergeFromUi(target, [merged], 1);
		await sim.idle();
		clock = at('2026-12-04T18:37:58Z');
		await api(sim, 'POST', `/conversations/${target}/threads`, { type: 'customer', text: 'after merge', customer: { id: 12 } });
		await sim.idle();
		return { sim, target, merged };
	}

	it("the customer's reply after the merge lists the merged conversation's threads under a merged line item, as the real 024 does", async () => {
		const { sim, target, merged } = await replayMergeSession();
		expect(events(sim)).toEqual([
			`convo.created:${target}`,
			`convo.created:${merged}`,
			`convo.status:${merged}`,
			// The merge deletes the merged conversation (convo.deleted) and sends nothing for the target.
			`convo.deleted:${merged}`,
			`convo.customer.reply.created:${target}`,
		]);
		const mine = lastBody(sim);
		const real = JSON.parse(realReply().toString('utf8'));
		// Real thread ids 29 (target's first), 30 and 33 (moved: the merged one's first and its close), 36 (merged),
		// 39 (the reply); in the simulator 1, 2, 3, 4 and 7 (5 and 6 are the merged conversation's own line items).
		const simId = new Map([[29, 1], [30, 2], [33, 3], [36, 4], [39, 7]]);
		expect(threadShape(mine._embedded.threads)).toEqual(threadShape(real._embedded.threads).map((entry) => {
			const [id, ...rest] = entry.split(':');
			return [simId.get(Number(id)), ...rest].join(':');
		}));
		expect(threadShape(mine._embedded.threads)).toEqual([
			'7:customer:active:',
			'4:lineitem:active:merged',
			'3:lineitem:closed:changed-ticket-status',
			'2:customer:active:',
			'1:customer:active:',
		]);
		// Key by key once the ids are the simulator's. The `customer` of the conversation and of its threads is left
		// out: the real instance changed customers in steps the capture's README does not list.
		real.id = target;
		real.number = target;
		for (const thread of real._embedded.threads) {
			thread.id = simId.get(thread.id);
			thread.action.text = thread.action.text.replace('#11', `#${target}`);
		}
		const withoutCustomers = (body: { customer?: unknown; _embedded: { threads: Array<{ customer?: unknown }> } }) => {
			delete body.customer;
			for (const thread of body._embedded.threads) delete thread.customer;
			return phpJsonEncode(body);
		};
		expect(JSON.parse(withoutCustomers(mine))).toEqual(JSON.parse(withoutCustomers(real)));
		expect(withoutCustomers(mine)).toBe(withoutCustomers(real));
	});

	it('the real 024 is signed with its instance\'s Secret Key', () => {
		const headers = JSON.parse((readFixture('024-convo.customer.reply.created.headers.json', 'freescout-real-merge') as Buffer).toString('utf8'));
		expect(createHmac('sha1', FREESCOUT_REAL_MERGE_KEY).update(realReply()).digest('base64')).toBe(headers.signature);
	});

	it('the merged conversation is left deleted with its status and only its own line items; the target keeps its status', async () => {
		const { sim, target, merged } = await replayMergeSession();
		const gone = sim.getConversationRecord(merged)!;
		expect([gone.state, gone.status]).toEqual(['deleted', 'closed']);
		expect(gone.threads.map((thread: { type: string; actionType: string; status: string }) => `${thread.type}:${thread.actionType}:${thread.status}`)).toEqual([
			'lineitem:merged:closed',
			'lineitem:deleted-ticket:nochange',
		]);
		expect(sim.getConversation(target)!.status).toBe('active');
	});

	it('merging an open conversation into a closed one: the merged line item carries the closed status of the target', async () => {
		let clock = at('2030-01-02T10:00:00Z');
		const { sim } = await started({ now: () => (clock += 1000) });
		const target = sim.createConversation({ text: 'target' });
		const merged = sim.createConversation({ text: 'merged' });
		sim.changeStatusFromMenu(target, 'closed', 1);
		sim.mergeFromUi(target, [merged], 1);
		await sim.idle();
		const threads: Thread[] = sim.getConversation(target)!._embedded.threads;
		expect(threads.map((thread) => `${thread.type}:${thread.status}:${thread.action.type}`)).toEqual([
			'lineitem:closed:merged',
			'lineitem:closed:changed-ticket-status',
			'customer:active:',
			'customer:active:',
		]);
		expect(sim.getConversation(target)!.status).toBe('closed');
	});
});

describe('delete, restore, empty Deleted', () => {
	it('delete keeps the status and sends convo.deleted; restore sends convo.restored; neither writes a status line item', async () => {
		let clock = at('2030-01-02T10:00:00Z');
		const { sim, receiver } = await started({ now: () => (clock += 1000) });
		sim.addWebhook(`${receiver.url}/hook`, EVERY_CONVERSATION_EVENT);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed', 1);
		sim.deleteFromUi(id, 1);
		await sim.idle();
		const deleted = lastBody(sim);
		expect([deleted.status, deleted.state, deleted._embedded.threads[0].action.type, deleted._embedded.threads[0].status]).toEqual([
			'closed', 'deleted', 'deleted-ticket', 'nochange',
		]);
		expect(sim.restoreFromUi(id, 1)).toBe(true);
		await sim.idle();
		const restored = lastBody(sim);
		expect([restored.status, restored.state, restored._embedded.threads[0].action.type, restored._embedded.threads[0].status]).toEqual([
			'closed', 'published', 'restore-ticket', 'nochange',
		]);
		expect(events(sim)).toEqual([`convo.created:${id}`, `convo.status:${id}`, `convo.deleted:${id}`, `convo.restored:${id}`]);
	});

	it('a customer writing to a deleted closed conversation publishes it and makes it active with only convo.customer.reply.created', async () => {
		const { sim, receiver } = await started();
		sim.addWebhook(`${receiver.url}/hook`, EVERY_CONVERSATION_EVENT);
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed', 1);
		sim.deleteFromUi(id, 1);
		await sim.idle();
		sim.clearLogs();
		sim.customerEmailReply(id, 'Still there?');
		await sim.idle();
		expect(events(sim)).toEqual([`convo.customer.reply.created:${id}`]);
		expect([lastBody(sim).status, lastBody(sim).state]).toEqual(['active', 'published']);
	});

	it('emptying Deleted, and the bulk delete of one already deleted, send convo.deleted_forever with no threads left', async () => {
		const { sim, receiver } = await started();
		sim.addWebhook(`${receiver.url}/hook`, EVERY_CONVERSATION_EVENT);
		const a = sim.createConversation({ text: 'a' });
		const b = sim.createConversation({ text: 'b' });
		sim.deleteFromUi([a, b], 1);
		await sim.idle();
		sim.clearLogs();
		sim.deleteFromUi([a], 1);
		sim.emptyDeletedFolder(1);
		await sim.idle();
		expect(events(sim)).toEqual([`convo.deleted_forever:${a}`, `convo.deleted_forever:${b}`]);
		expect((sim.getDeliveries() as Delivery[]).map((delivery) => JSON.parse(delivery.bodyText)._embedded.threads)).toEqual([[], []]);
		expect(sim.getConversation(a)).toBeNull();
	});
});

describe("the queue worker's webhook list", () => {
	it('a webhook created after the worker read the list misses queued events (not the immediate ones) until queue:restart', async () => {
		const { sim, receiver } = await started({ undoDelayMs: 20 });
		const early = sim.addWebhook(`${receiver.url}/early`, EVERY_CONVERSATION_EVENT);
		// FreeScout has been in use: the worker's first job reads the list (the early webhook only).
		sim.createConversation({ by: 'user', text: 'an agent opens a conversation' });
		await sim.idle();
		expect(sim.queueWorkerWebhookIds()).toEqual([early.id]);
		const late = sim.addWebhook(`${receiver.url}/late`, EVERY_CONVERSATION_EVENT);
		const id = sim.createConversation();
		await sim.idle();
		sim.clearLogs();

		sim.replyFromUi(id, { status: 'closed', text: 'Send & Close' });
		await sim.idle();
		const byWebhook = () => (sim.getDeliveries() as Delivery[]).map((delivery) => `${delivery.event}->${delivery.webhookId}`);
		expect(byWebhook()).toEqual([
			`convo.status->${early.id}`,
			`convo.status->${late.id}`,
			// The delayed reply event goes out from the worker, which does not know the late webhook.
			`convo.agent.reply.created->${early.id}`,
		]);

		sim.restartQueueWorker();
		sim.clearLogs();
		sim.replyFromUi(id, { status: 'pending', text: 'Reply' });
		await sim.idle();
		expect(byWebhook()).toEqual([
			`convo.status->${early.id}`,
			`convo.status->${late.id}`,
			`convo.agent.reply.created->${early.id}`,
			`convo.agent.reply.created->${late.id}`,
		]);
	});

	it('a deleted webhook keeps getting queued events until queue:restart', async () => {
		const { sim, receiver } = await started({ undoDelayMs: 20, moduleVersion: '1.0.81' });
		const created = await api(sim, 'POST', '/webhooks', { url: `${receiver.url}/hook`, events: EVERY_CONVERSATION_EVENT });
		const id = sim.createConversation();
		sim.replyFromUi(id, { status: 'pending' });
		await sim.idle();
		expect((await api(sim, 'DELETE', `/webhooks/${created.json.id}`)).status).toBe(204);
		sim.clearLogs();
		sim.replyFromUi(id, { status: 'closed' });
		sim.customerEmailReply(id);
		await sim.idle();
		expect(events(sim)).toEqual([`convo.agent.reply.created:${id}`]);
		sim.restartQueueWorker();
		sim.clearLogs();
		sim.replyFromUi(id, { status: 'closed' });
		await sim.idle();
		expect(events(sim)).toEqual([]);
	});

	it('queueWorkerCache: false reads the list for every event', async () => {
		const { sim, receiver } = await started({ undoDelayMs: 20, queueWorkerCache: false, moduleVersion: '1.0.81' });
		sim.createConversation({ by: 'user' });
		await sim.idle();
		sim.addWebhook(`${receiver.url}/late`, EVERY_CONVERSATION_EVENT);
		const id = sim.createConversation();
		sim.replyFromUi(id, { status: 'closed' });
		await sim.idle();
		expect(events(sim)).toEqual([`convo.created:${id}`, `convo.agent.reply.created:${id}`]);
		expect(sim.queueWorkerWebhookIds()).toBeNull();
	});
});
