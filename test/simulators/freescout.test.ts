import { createHmac } from 'crypto';
import {
	createFreeScoutSimulator,
	startWebhookReceiver,
	readFixture,
	listFixtures,
	phpJsonEncode,
	REAL_UI_SECRET_KEY,
} from './freescout';
import { requestJson } from './http-util';
import { FREESCOUT_REAL_KEY, FREESCOUT_TEST_API_KEY } from '../support/test-keys';
import { simulatorsPerTest, type FreeScoutDelivery as Delivery, type FreeScoutSim as Sim, type WebhookReceiver as Receiver } from '../support/simulators';

const REAL_SECRET: string = FREESCOUT_REAL_KEY;
const API_KEY: string = FREESCOUT_TEST_API_KEY;
const ALL_CONVO_EVENTS = [
	'convo.created',
	'convo.status',
	'convo.assigned',
	'convo.note.created',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
];


const hmac = (body: Buffer | string, secret: string) => createHmac('sha1', secret).update(body).digest('base64');

const realCaptures = listFixtures()
	.filter((f: string) => f.endsWith('.body.raw'))
	.map((f: string) => {
		const headers = JSON.parse(readFixture(f.replace('.body.raw', '.headers.json')).toString('utf8'));
		return { file: f, body: readFixture(f) as Buffer, event: headers.event as string, signature: headers.signature as string, userAgent: headers.user_agent as string };
	});

const uiCaptures = listFixtures('freescout-real-ui')
	.filter((f: string) => f.endsWith('.body.raw'))
	.map((f: string) => {
		const headers = JSON.parse(readFixture(f.replace('.body.raw', '.headers.json'), 'freescout-real-ui').toString('utf8'));
		return { file: f, body: readFixture(f, 'freescout-real-ui') as Buffer, event: headers.event as string, signature: headers.signature as string };
	});

async function api(sim: Sim, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
	return requestJson({
		method,
		url: `${sim.url}/api${path}`,
		headers: Object.assign({ 'X-FreeScout-API-Key': API_KEY, 'Content-Type': 'application/json' }, headers),
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

/** The API calls made against the real instance, in order (fixtures README), with the second each happened. */
const REAL_SEQUENCE: Array<[string, string, string, Record<string, unknown>]> = [
	['04:59:05', 'POST', '/conversations', {
		type: 'email', mailboxId: 1, subject: 'Printer on fire', customer: { email: 'mark@example.org' },
		threads: [{ type: 'customer', customer: { email: 'mark@example.org' }, text: 'Hello, my printer is on fire. Path: C:/temp/x "quoted" & <b>bold</b> café ☃' }],
	}],
	['04:59:23', 'POST', '/conversations/1/threads', { type: 'message', text: 'We sent a fireman. Closing.', user: 1, status: 'closed' }],
	['05:00:08', 'POST', '/conversations/1/threads', { type: 'customer', text: 'Fire is back!', customer: { id: 1 } }],
	['05:00:20', 'PUT', '/conversations/1', { status: 'active', byUser: 1 }],
	['05:00:36', 'PUT', '/conversations/1', { status: 'closed', byUser: 1 }],
	['05:00:40', 'PUT', '/conversations/1', { status: 'closed', byUser: 1 }],
	['05:00:44', 'PUT', '/conversations/1', { status: 'active', byUser: 1 }],
	['05:00:56', 'PUT', '/conversations/1', { status: 'pending', byUser: 1 }],
	['05:01:00', 'PUT', '/conversations/1', { status: 'open', byUser: 1 }],
	['05:01:31', 'PUT', '/conversations/1', { assignTo: 1, byUser: 1 }],
	['05:01:35', 'POST', '/conversations/1/threads', { type: 'note', text: 'Internal: call the fire dept', user: 1 }],
	['05:01:39', 'POST', '/conversations/1/threads', { type: 'note', text: 'Closing via note', user: 1, status: 'closed' }],
	['05:01:43', 'PUT', '/conversations/1', { status: 'active', assignTo: 0, byUser: 1 }],
];

/** Simulators and receivers started in a test are stopped after it (the helpers below start theirs here). */
const simulators = simulatorsPerTest();

/** Replays REAL_SEQUENCE; `timeOf(hhmmss, stepIndex)` sets the simulator clock before each call. */
async function replay(timeOf: (hms: string, i: number) => number) {
	let clock = timeOf(REAL_SEQUENCE[0][0], 0);
	const sim = await simulators.freescout({ moduleVersion: '1.0.82', secretKey: REAL_SECRET, apiKey: API_KEY, undoDelayMs: 15, retryIntervalMs: 2, now: () => clock });
	const receiver = await simulators.receiver();
	const created = await api(sim, 'POST', '/webhooks', { url: `${receiver.url}/freescout`, events: ALL_CONVO_EVENTS });
	expect(created.status).toBe(201);
	const statuses: number[] = [];
	for (let i = 0; i < REAL_SEQUENCE.length; i++) {
		const [hms, method, path, body] = REAL_SEQUENCE[i];
		clock = timeOf(hms, i);
		const res = await api(sim, method, path, body);
		statuses.push(res.status);
		await sim.idle();
	}
	return { deliveries: sim.getDeliveries() as Delivery[], received: receiver.received.slice(), statuses, sim };
}

/** A started simulator (undo window long unless given) with a receiver subscribed to every conversation event. */
async function simWithReceiver(options: Record<string, unknown>) {
	const sim = await simulators.freescout({ apiKey: API_KEY, undoDelayMs: 600000, ...options });
	const receiver = await simulators.receiver();
	sim.addWebhook(`${receiver.url}/hook`, ALL_CONVO_EVENTS);
	return { sim, receiver };
}

const TIMESTAMP = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/g;
const FRIENDLY = /"friendly":"[^"]*"/g;
const normalizeTimes = (s: string) => s.replace(TIMESTAMP, '"<time>"').replace(FRIENDLY, '"friendly":"<time-ago>"');

describe('PHP json_encode emulation', () => {
	it('re-encodes every real capture to the identical bytes', () => {
		expect(realCaptures).toHaveLength(11);
		for (const c of realCaptures) {
			expect(phpJsonEncode(JSON.parse(c.body.toString('utf8')))).toBe(c.body.toString('utf8'));
		}
	});

	it('escapes and prints numbers like PHP', () => {
		expect(phpJsonEncode({ p: 'a/b', q: 'say "hi"\\', u: 'café ☃ 😀', c: '\u0001\n\t\x7f' })).toBe(
			'{"p":"a\\/b","q":"say \\"hi\\"\\\\","u":"caf\\u00e9 \\u2603 \\ud83d\\ude00","c":"\\u0001\\n\\t\x7f"}',
		);
		expect(phpJsonEncode([1, -2, 0.1, 1.5, 0.0001, 0.00001, 1e17, 1.5e-7, null, true, {}, []])).toBe(
			'[1,-2,0.1,1.5,0.0001,1.0e-5,1.0e+17,1.5e-7,null,true,[],[]]',
		);
		// The signature test vector from the reference.
		const body = phpJsonEncode({ id: 1042, number: 1042, status: 'closed', subject: 'Café refund', body: '<div>ok</div>' });
		expect(body).toBe('{"id":1042,"number":1042,"status":"closed","subject":"Caf\\u00e9 refund","body":"<div>ok<\\/div>"}');
		expect(hmac(body, '5f4dcc3b5aa765d61d8327deb882cf99')).toBe('5k3JAjF8bEFDgmZcZRUnUOegkP0=');
	});

	it('the real fixtures are signed with the real Secret Key', () => {
		for (const c of realCaptures) expect(hmac(c.body, REAL_SECRET)).toBe(c.signature);
	});
});

describe('replay of the real capture sequence (module 1.0.82)', () => {
	it('with the captured clock: every delivery is byte-identical to the real one, signature included', async () => {
		const { deliveries, received, statuses } = await replay((hms) => Date.parse(`2026-11-22T${hms}Z`));
		expect(statuses).toEqual([201, 201, 201, 204, 204, 204, 204, 204, 204, 204, 201, 201, 204]);
		expect(deliveries.map((d) => d.event)).toEqual(realCaptures.map((c) => c.event));
		expect(received).toHaveLength(11);
		realCaptures.forEach((real, i) => {
			const d = deliveries[i];
			expect(d.bodyText).toBe(real.body.toString('utf8'));
			expect(d.signature).toBe(real.signature);
			// What reached the receiver: raw bytes, headers, and an independently checked signature.
			const r = received[i];
			expect(r.body.equals(real.body)).toBe(true);
			expect(r.method).toBe('POST');
			expect(r.headers['content-type']).toBe('application/json');
			expect(r.headers['x-freescout-event']).toBe(real.event);
			expect(r.headers['x-freescout-signature']).toBe(hmac(r.body, REAL_SECRET));
			expect(r.headers['user-agent']).toBe(real.userAgent);
		});
	});

	it('with a different clock: equal to the real deliveries once timestamps (and time-ago strings) are normalized', async () => {
		const start = Date.UTC(2031, 0, 2, 3, 4, 5);
		const { deliveries, received } = await replay((_hms, i) => start + i * 7000);
		expect(deliveries.map((d) => d.event)).toEqual(realCaptures.map((c) => c.event));
		realCaptures.forEach((real, i) => {
			const mine = deliveries[i].bodyText;
			expect(mine).not.toBe(real.body.toString('utf8'));
			expect(normalizeTimes(mine)).toBe(normalizeTimes(real.body.toString('utf8')));
			// Structure checks spelled out: status, thread ids/types/statuses/action types.
			const a = JSON.parse(mine);
			const b = JSON.parse(real.body.toString('utf8'));
			expect(Object.keys(a)).toEqual(Object.keys(b));
			expect(a.status).toBe(b.status);
			const shape = (t: { id: number; type: string; status: string; action: { type: string } }) => `${t.id}:${t.type}:${t.status}:${t.action.type}`;
			expect(a._embedded.threads.map(shape)).toEqual(b._embedded.threads.map(shape));
			expect(received[i].headers['x-freescout-signature']).toBe(hmac(received[i].body, REAL_SECRET));
		});
		expect(deliveries.map((d) => `${d.event}:${d.status}`)).toEqual([
			'convo.created:active',
			'convo.agent.reply.created:closed',
			'convo.customer.reply.created:active',
			'convo.status:closed',
			'convo.status:active',
			'convo.status:pending',
			'convo.status:active',
			'convo.assigned:active',
			'convo.note.created:active',
			'convo.note.created:closed',
			'convo.status:active',
		]);
	});
});

type Thread = { id: number; type: string; status: string; createdAt: string; source: { type: string }; action: { text: string } };
type Conversation = {
	id: number;
	number: number;
	status: string;
	updatedAt: string;
	userUpdatedAt: string | null;
	closedAt: string | null;
	_embedded: { threads: Thread[] };
};
const at = (iso: string) => Date.parse(iso);
const TWO_MAILBOXES = [{ id: 1, name: 'Support', email: 'support@example.com' }, { id: 2, name: 'Sales', email: 'sales@example.com' }];

/**
 * The web UI session of payloads/freescout-real-ui (conversation 7), replayed with the captured clock: `clock` is
 * set to each action's second, and to 14:04:37 when the Send & Close's undo window ends.
 */
async function replayUiSession() {
	let clock = at('2026-11-30T14:04:02Z');
	const { sim, receiver } = await simWithReceiver({ secretKey: REAL_UI_SECRET_KEY, now: () => clock });
	sim.addCustomer({ id: 7, firstName: 'Cust7', lastName: null, email: 'cust7@example.org' });
	const customer = { id: 7 };
	const created = await api(sim, 'POST', '/conversations', {
		type: 'email', mailboxId: 1, subject: 'Conv 7', customer, threads: [{ type: 'customer', customer, text: 'Need help 7' }],
	});
	const id: number = created.json.id;
	await sim.waitForDeliveries(1);
	clock = at('2026-11-30T14:04:22Z');
	sim.replyFromUi(id, { text: '<div>UI reply and close conv 7 (race)</div>', status: 'closed', userId: 1 });
	await sim.waitForDeliveries(2);
	clock = at('2026-11-30T14:04:26Z');
	await api(sim, 'POST', `/conversations/${id}/threads`, { type: 'customer', text: 'Customer answers conv 7 within the undo window', customer });
	await sim.waitForDeliveries(3);
	clock = at('2026-11-30T14:04:37Z');
	sim.flushDelayed();
	await sim.waitForDeliveries(4);
	clock = at('2026-11-30T14:05:38Z');
	sim.changeStatusFromMenu(id, 'spam', 1);
	await sim.waitForDeliveries(5);
	clock = at('2026-11-30T14:14:34Z');
	await api(sim, 'POST', `/conversations/${id}/threads`, { type: 'customer', text: 'Customer writes to spam conv 7', customer });
	await sim.idle();
	const threadIds: number[] = sim.getConversationRecord(id)!.threads.map((t: { id: number }) => t.id);
	return { id, threadIds, deliveries: sim.getDeliveries() as Delivery[], received: receiver.received.slice() };
}

/** A capture with the simulator's ids in place of the real instance's (conversation 7, threads 17, 21, 22, 27, 49). */
function withSimulatorIds(capture: Buffer, conversationId: number, threadIds: number[]) {
	const body = JSON.parse(capture.toString('utf8'));
	const threadId = new Map([17, 21, 22, 27, 49].map((real, i) => [real, threadIds[i]]));
	body.id = conversationId;
	body.number = conversationId;
	for (const t of body._embedded.threads) {
		t.id = threadId.get(t.id);
		t.action.text = t.action.text.replace('#7', `#${conversationId}`);
	}
	return body;
}

describe('real web UI captures (FreeScout 1.8.235, module 1.0.82)', () => {
	it('are signed with that instance\'s Secret Key', () => {
		expect(uiCaptures.map((c) => `${c.file}:${c.event}`)).toEqual([
			'017-convo.created.body.raw:convo.created',
			'021-convo.status.body.raw:convo.status',
			'022-convo.customer.reply.created.body.raw:convo.customer.reply.created',
			'023-convo.agent.reply.created.body.raw:convo.agent.reply.created',
			'029-convo.status.body.raw:convo.status',
			'063-convo.customer.reply.created.body.raw:convo.customer.reply.created',
		]);
		for (const c of uiCaptures) expect(hmac(c.body, REAL_UI_SECRET_KEY)).toBe(c.signature);
	});

	it('replaying the session gives the captured events and bodies: key by key, thread order and statuses, and byte for byte once ids are mapped', async () => {
		const { id, threadIds, deliveries, received } = await replayUiSession();
		expect(deliveries.map((d) => d.event)).toEqual(uiCaptures.map((c) => c.event));
		expect(received.map((r) => r.headers['x-freescout-event'])).toEqual(uiCaptures.map((c) => c.event));
		uiCaptures.forEach((capture, i) => {
			const mine = JSON.parse(deliveries[i].bodyText);
			const real = withSimulatorIds(capture.body, id, threadIds);
			expect(mine).toEqual(real);
			expect(Object.keys(mine)).toEqual(Object.keys(real));
			mine._embedded.threads.forEach((t: Thread, k: number) => expect(Object.keys(t)).toEqual(Object.keys(real._embedded.threads[k])));
			expect(deliveries[i].bodyText).toBe(phpJsonEncode(real));
			expect(received[i].headers['x-freescout-signature']).toBe(hmac(received[i].body, REAL_UI_SECRET_KEY));
		});
		// The facts spelled out: the UI reply records closed; the delayed reply event keeps the close's snapshot
		// but lists the newer customer reply; a customer reply to spam makes it active.
		const shape = (i: number) => {
			const b = JSON.parse(deliveries[i].bodyText);
			return `${b.status} ${b.updatedAt.slice(11)} | ` + b._embedded.threads.map((t: Thread) => `${threadIds.indexOf(t.id) + 1}:${t.type}:${t.status}`).join(' ');
		};
		expect(uiCaptures.map((_c, i) => shape(i))).toEqual([
			'active 14:04:02Z | 1:customer:active',
			'closed 14:04:22Z | 2:message:closed 1:customer:active',
			'active 14:04:26Z | 3:customer:active 2:message:closed 1:customer:active',
			'closed 14:04:22Z | 3:customer:active 2:message:closed 1:customer:active',
			'spam 14:05:38Z | 4:lineitem:spam 3:customer:active 2:message:closed 1:customer:active',
			'active 14:14:34Z | 5:customer:active 4:lineitem:spam 3:customer:active 2:message:closed 1:customer:active',
		]);
	});

	it('the delayed reply event of a Send & Close repeats its convo.status byte for byte (signature included) when nothing happened in between', async () => {
		let clock = at('2030-02-03T04:05:06Z');
		const { sim } = await simWithReceiver({ now: () => clock });
		const id = sim.createConversation({ text: 'Broken' });
		await sim.idle();
		sim.clearLogs();
		clock += 20000;
		sim.replyFromUi(id, { text: 'Fixed', status: 'closed', userId: 1 });
		await sim.waitForDeliveries(1);
		clock += 15000;
		sim.flushDelayed();
		await sim.idle();
		const [status, reply] = sim.getDeliveries() as Delivery[];
		expect([status.event, reply.event]).toEqual(['convo.status', 'convo.agent.reply.created']);
		expect(reply.bodyText).toBe(status.bodyText);
		expect(reply.signature).toBe(status.signature);
	});
});

describe('status paths', () => {
	let sim: Sim;
	let receiver: Receiver;
	async function setup(moduleVersion: string, respond?: (req: unknown, n: number) => number) {
		// Each clock read is one second later, so threads never share an instant (same-instant threads keep id order).
		let clock = Date.UTC(2030, 4, 6, 7, 8, 9);
		sim = createFreeScoutSimulator({ moduleVersion, apiKey: API_KEY, undoDelayMs: 40, retryIntervalMs: 2, now: () => (clock += 1000) });
		await sim.start();
		receiver = await startWebhookReceiver({ respond });
		sim.addWebhook(`${receiver.url}/hook`, ALL_CONVO_EVENTS);
	}
	afterEach(async () => {
		await receiver.close();
		await sim.stop();
	});
	const events = () => (sim.getDeliveries() as Delivery[]).map((d) => `${d.event}:${d.status}`);
	const bodyOf = (i: number) => JSON.parse((sim.getDeliveries() as Delivery[])[i].bodyText);

	it('1.0.81: "send & close" from the UI sends only the reply event, after the undo delay', async () => {
		await setup('1.0.81');
		const id = sim.createConversation({ subject: 'Help', text: 'Broken' });
		const other = sim.createConversation({ subject: 'Other', text: 'Hi' });
		await sim.idle();
		sim.clearLogs();
		sim.replyFromUi(id, { text: 'Fixed, closing', status: 'closed', userId: 1 });
		// A change made after the reply is sent first: the reply waits out its undo window.
		sim.changeStatusFromMenu(other, 'pending', 1);
		await sim.idle();
		expect(events()).toEqual(['convo.status:pending', 'convo.agent.reply.created:closed']);
		const body = bodyOf(1);
		expect(body._embedded.threads[0]).toMatchObject({ type: 'message', status: 'closed', body: 'Fixed, closing' });
		expect(body.closedBy).toBe(1);
	});

	it('1.0.82: "send & close" from the UI sends convo.status at once, then the reply event after the undo delay', async () => {
		await setup('1.0.82');
		const id = sim.createConversation({ subject: 'Help', text: 'Broken' });
		await sim.idle();
		sim.clearLogs();
		sim.replyFromUi(id, { text: 'Fixed, closing', status: 'closed', userId: 1 });
		const first = await sim.waitForDeliveries(1, 2000);
		expect(first.map((d: Delivery) => d.event)).toEqual(['convo.status']);
		expect(sim.isIdle()).toBe(false); // the reply event is still inside its undo window
		await sim.idle();
		expect(events()).toEqual(['convo.status:closed', 'convo.agent.reply.created:closed']);
		const status = bodyOf(0);
		expect(status.threadsCount).toBe(1); // snapshot from before the reply thread
		expect(status._embedded.threads.map((t: { type: string; status: string }) => `${t.type}:${t.status}`)).toEqual(['message:closed', 'customer:active']);
		expect(status.closedBy).toBe(1);
	});

	it('API reply with status: 1.0.82 sends only the reply event, 1.0.87 sends convo.status first', async () => {
		await setup('1.0.82');
		let id = sim.createConversation({ text: 'Broken' });
		await sim.idle();
		sim.clearLogs();
		expect((await api(sim, 'POST', `/conversations/${id}/threads`, { type: 'message', text: 'Done', user: 1, status: 'closed' })).status).toBe(201);
		await sim.idle();
		expect(events()).toEqual(['convo.agent.reply.created:closed']);
		expect(bodyOf(0)._embedded.threads[0]).toMatchObject({ type: 'message', status: 'active' });
		expect(bodyOf(0).closedAt).toBeNull();
		await receiver.close();
		await sim.stop();

		await setup('1.0.87');
		id = sim.createConversation({ text: 'Broken' });
		await sim.idle();
		sim.clearLogs();
		await api(sim, 'POST', `/conversations/${id}/threads`, { type: 'message', text: 'Done', user: 1, status: 'closed' });
		await sim.idle();
		expect(events()).toEqual(['convo.status:closed', 'convo.agent.reply.created:closed']);
		expect(bodyOf(0).closedBy).toBe(1);
	});

	it('a customer reply reopens a closed conversation with only convo.customer.reply.created', async () => {
		await setup('1.0.82');
		const id = sim.createConversation({ text: 'Broken' });
		sim.changeStatusFromMenu(id, 'closed', 2);
		await sim.idle();
		const closedAt = sim.getConversation(id)!.closedAt;
		sim.clearLogs();
		sim.customerEmailReply(id, 'Still broken');
		await sim.idle();
		expect(events()).toEqual(['convo.customer.reply.created:active']);
		const body = bodyOf(0);
		expect(body._embedded.threads[0]).toMatchObject({ type: 'customer', status: 'active', source: { type: 'email', via: 'customer' } });
		expect(body._embedded.threads[1]).toMatchObject({ type: 'lineitem', status: 'closed', action: { type: 'changed-ticket-status', text: 'Jane Agent marked as Closed conversation #1' } });
		expect(body.closedAt).toBe(closedAt);
		expect(body.closedBy).toBeNull();
	});

	it('a customer e-mail leaves spam alone (its thread records spam); a customer reply through the API reactivates it', async () => {
		await setup('1.0.82');
		const id = sim.createConversation({ text: 'Buy now' });
		sim.changeStatusFromMenu(id, 'spam', 1);
		await sim.idle();
		sim.clearLogs();
		sim.customerEmailReply(id, 'Buy more');
		await sim.idle();
		await api(sim, 'POST', `/conversations/${id}/threads`, { type: 'customer', text: 'And more', customer: { id: 1 } });
		await sim.idle();
		expect(events()).toEqual(['convo.customer.reply.created:spam', 'convo.customer.reply.created:active']);
		const threads = bodyOf(1)._embedded.threads.map((t: { type: string; status: string; source: { type: string } }) => `${t.type}:${t.status}:${t.source.type}`);
		expect(threads).toEqual(['customer:active:api', 'customer:spam:email', 'lineitem:spam:web', 'customer:active:email']);
		expect(sim.getConversation(id)!.status).toBe('active');
	});

	it('retries 10 times with identical bytes while the receiver answers 500, on the compressed schedule', async () => {
		await setup('1.0.82', () => 500);
		const id = sim.createConversation({ text: 'Broken' });
		await sim.waitForDeliveries(1, 2000);
		// Changed after the first attempt: the queued convo.created keeps its stale snapshot.
		sim.changeStatusFromMenu(id, 'closed', 1);
		await sim.idle();
		const all = sim.getDeliveries() as Array<Delivery & { startedAt: number }>;
		const created = all.filter((d) => d.event === 'convo.created');
		const status = all.filter((d) => d.event === 'convo.status');
		expect(all).toHaveLength(20);
		expect(created.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(status.map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(all.every((d) => d.responseStatus === 500)).toBe(true);
		expect(new Set(created.map((d) => d.bodyText)).size).toBe(1);
		expect(new Set(created.map((d) => d.signature)).size).toBe(1);
		expect(JSON.parse(created[9].bodyText).status).toBe('active');
		expect(JSON.parse(status[9].bodyText).status).toBe('closed');
		// Waits of max(1, (attempts - 1) x 2) "minutes" of retryIntervalMs (2 ms) between attempts.
		const minutes = [1, 2, 4, 6, 8, 10, 12, 14, 16];
		created.slice(1).forEach((d, i) => expect(d.startedAt - created[i].startedAt).toBeGreaterThanOrEqual(minutes[i] * 2 - 1));
		expect(receiver.received).toHaveLength(20);
		for (const r of receiver.received) {
			expect(r.headers['x-freescout-signature']).toBe(hmac(r.body, sim.secretKey));
		}
		expect(sim.getConversation(id)!.status).toBe('closed');
	});

	it('stops retrying after a 2xx', async () => {
		await setup('1.0.82', (_req, n) => (n <= 3 ? 503 : 204));
		sim.createConversation({ text: 'Broken' });
		await sim.idle();
		expect((sim.getDeliveries() as Delivery[]).map((d) => `${d.attempt}:${d.responseStatus}`)).toEqual(['1:503', '2:503', '3:503', '4:204']);
		expect(receiver.received).toHaveLength(4);
		expect(new Set(receiver.received.map((r) => r.bodyText)).size).toBe(1);
	});
});

describe('UI status paths and the times FreeScout records (whole seconds)', () => {
	let sim: Sim;
	let clock = 0;
	beforeEach(async () => {
		clock = at('2030-01-02T10:00:00.700Z');
		({ sim } = await simWithReceiver({ now: () => clock }));
	});
	const events = () => (sim.getDeliveries() as Delivery[]).map((d) => `${d.event}:${d.conversationId}:${d.status}`);
	const bodies = () => (sim.getDeliveries() as Delivery[]).map((d) => JSON.parse(d.bodyText) as Conversation);

	it('a UI reply records the status it set (pending, or the unchanged status) on its message thread; API replies and notes record active', async () => {
		const id = sim.createConversation({ text: 'Broken' });
		const actions = [
			() => sim.replyFromUi(id, { text: 'Try this', status: 'pending', userId: 1 }),
			() => sim.replyFromUi(id, { text: 'And this', status: 'pending', userId: 2 }),
			() => api(sim, 'POST', `/conversations/${id}/threads`, { type: 'message', text: 'Via API', user: 1, status: 'closed' }),
			() => api(sim, 'POST', `/conversations/${id}/threads`, { type: 'note', text: 'Note via API', user: 1, status: 'spam' }),
		];
		for (const act of actions) {
			clock += 1000;
			await act();
		}
		sim.flushDelayed();
		await sim.idle();
		const threads = sim.getConversation(id)!._embedded.threads.map((t: Thread) => `${t.type}:${t.status}:${t.source.type}`);
		expect(threads).toEqual(['note:active:api', 'message:active:api', 'message:pending:web', 'message:pending:web', 'customer:active:email']);
		// Only the first UI reply changed the status; API replies and notes fire no convo.status (module 1.0.82).
		expect(events()).toEqual([
			`convo.created:${id}:active`,
			`convo.status:${id}:pending`,
			`convo.note.created:${id}:spam`,
			`convo.agent.reply.created:${id}:pending`,
			`convo.agent.reply.created:${id}:pending`,
			`convo.agent.reply.created:${id}:closed`,
		]);
	});

	it('status times: PUT, status menu, Send & Close, UI pending, API reply/note with status and customer replies set updatedAt, userUpdatedAt, closedAt and the status thread as FreeScout does', async () => {
		const id = sim.createConversation({ text: 'Broken', source: 'api' });
		const steps: Array<[string, () => Promise<unknown> | unknown]> = [
			['10:00:10.900', () => api(sim, 'PUT', `/conversations/${id}`, { status: 'closed', byUser: 1 })],
			['10:00:20.100', () => api(sim, 'POST', `/conversations/${id}/threads`, { type: 'customer', text: 'Still broken', customer: { id: 1 } })],
			['10:00:30.000', () => sim.changeStatusFromMenu(id, 'pending', 2)],
			['10:00:40.999', () => sim.replyFromUi(id, { text: 'Done', status: 'closed', userId: 2 })],
			['10:00:50.500', () => sim.customerEmailReply(id, 'Not done')],
			['10:01:00.000', () => sim.replyFromUi(id, { text: 'Wait', status: 'pending', userId: 1 })],
			['10:01:10.000', () => api(sim, 'POST', `/conversations/${id}/threads`, { type: 'message', text: 'Closing', user: 1, status: 'closed' })],
			['10:01:20.000', () => api(sim, 'POST', `/conversations/${id}/threads`, { type: 'note', text: 'Reopen', user: 1, status: 'active' })],
		];
		const seen: string[] = [];
		const summary = () => {
			const c = sim.getConversation(id) as Conversation;
			const t = c._embedded.threads[0];
			const time = (v: string | null) => (v ? v.slice(11, 19) : '-');
			return `${c.status} upd ${time(c.updatedAt)} user ${time(c.userUpdatedAt)} closed ${time(c.closedAt)} | ${t.type}:${t.status}@${time(t.createdAt)}`;
		};
		seen.push(summary());
		for (const [hms, act] of steps) {
			clock = at(`2030-01-02T${hms}Z`);
			await act();
			seen.push(summary());
		}
		expect(seen).toEqual([
			'active upd 10:00:00 user - closed - | customer:active@10:00:00',
			'closed upd 10:00:10 user 10:00:10 closed 10:00:10 | lineitem:closed@10:00:10',
			// A customer reply reopens without a status thread and leaves userUpdatedAt and closedAt alone.
			'active upd 10:00:20 user 10:00:10 closed 10:00:10 | customer:active@10:00:20',
			'pending upd 10:00:30 user 10:00:30 closed 10:00:10 | lineitem:pending@10:00:30',
			'closed upd 10:00:40 user 10:00:40 closed 10:00:40 | message:closed@10:00:40',
			'active upd 10:00:50 user 10:00:40 closed 10:00:40 | customer:active@10:00:50',
			'pending upd 10:01:00 user 10:01:00 closed 10:00:40 | message:pending@10:01:00',
			// An API reply closes without touching closedAt (module 1.0.82) and records active.
			'closed upd 10:01:10 user 10:01:10 closed 10:00:40 | message:active@10:01:10',
			'active upd 10:01:20 user 10:01:20 closed 10:00:40 | note:active@10:01:20',
		]);
	});

	it('bulk close: one convo.status per selected conversation, in id order, all in the same second, also for one already closed', async () => {
		const a = sim.createConversation({ text: 'a' });
		const b = sim.createConversation({ text: 'b' });
		const c = sim.createConversation({ text: 'c' });
		sim.createConversation({ text: 'not selected' });
		clock = at('2030-01-02T10:05:00.100Z');
		sim.changeStatusFromMenu(b, 'closed', 1);
		await sim.idle();
		sim.clearLogs();
		clock = at('2030-01-02T10:06:00.300Z');
		expect(sim.bulkChangeStatusFromUi([c, a, b, 99], 'closed', 2)).toEqual([a, b, c]);
		await sim.idle();
		expect(events()).toEqual([`convo.status:${a}:closed`, `convo.status:${b}:closed`, `convo.status:${c}:closed`]);
		for (const body of bodies()) {
			expect([body.updatedAt, body.userUpdatedAt, body.closedAt, body._embedded.threads[0].createdAt]).toEqual(Array(4).fill('2030-01-02T10:06:00Z'));
			expect(body._embedded.threads[0]).toMatchObject({ type: 'lineitem', status: 'closed', action: { text: `Jane Agent marked as Closed conversation #${body.number}` } });
		}
		const lineItems = sim.getConversation(b)!._embedded.threads.filter((t: Thread) => t.type === 'lineitem').map((t: Thread) => t.action.text);
		expect(lineItems).toEqual([`Jane Agent marked as Closed conversation #${b}`, `Admin User marked as Closed conversation #${b}`]);
		// The single-conversation menu refuses an unchanged status.
		expect(sim.changeStatusFromMenu(a, 'closed', 1)).toBe(false);
	});

	it('"Not Spam" restores the status of the newest non-spam status line item (active when there is none)', async () => {
		const id = sim.createConversation({ text: 'x' });
		const other = sim.createConversation({ text: 'y' });
		clock += 1000;
		sim.changeStatusFromMenu(id, 'pending', 1);
		clock += 1000;
		sim.changeStatusFromMenu(id, 'spam', 1);
		sim.changeStatusFromMenu(other, 'spam', 1);
		clock += 1000;
		expect(sim.changeStatusFromMenu(id, 'not_spam', 1)).toBe(true);
		expect(sim.changeStatusFromMenu(other, 'not_spam', 1)).toBe(true);
		await sim.idle();
		expect(events().slice(-2)).toEqual([`convo.status:${id}:pending`, `convo.status:${other}:active`]);
	});
});

describe('REST API', () => {
	let sim: Sim;
	beforeAll(async () => {
		sim = createFreeScoutSimulator({ apiKey: API_KEY, undoDelayMs: 5, retryIntervalMs: 1 });
		await sim.start();
	});
	afterAll(async () => {
		await sim.stop();
	});
	beforeEach(() => sim.reset());

	it('GET /api/webhooks answers 405 with Allow: POST, OPTIONS, even without a key', async () => {
		const res = await requestJson({ method: 'GET', url: `${sim.url}/api/webhooks` });
		expect(res.status).toBe(405);
		expect(res.headers.allow).toBe('POST, OPTIONS');
	});

	it('rejects a wrong or missing key with 401 {"message":"Not Authorized"}', async () => {
		const missing = await requestJson({ method: 'GET', url: `${sim.url}/api/mailboxes` });
		expect(missing.status).toBe(401);
		expect(missing.body).toBe('{"message":"Not Authorized"}');
		const wrong = await api(sim, 'GET', '/mailboxes', undefined, { 'X-FreeScout-API-Key': 'nope' });
		expect(wrong.status).toBe(401);
		const query = await requestJson({ method: 'GET', url: `${sim.url}/api/mailboxes?pageSize=1&api_key=${API_KEY}` });
		expect(query.status).toBe(200);
		expect(query.json).toEqual({
			_embedded: { mailboxes: [expect.objectContaining({ id: 1, name: 'Support', email: 'support@example.com' })] },
			page: { size: 1, totalElements: 1, totalPages: 1, number: 1 },
		});
	});

	it('without the API & Webhooks module every /api/ address is the HTML 404 page, whatever the key', async () => {
		const bare = createFreeScoutSimulator({ apiKey: API_KEY, apiModule: false });
		await bare.start();
		try {
			for (const path of ['/mailboxes?pageSize=1', '/webhooks', '/conversations/1']) {
				const res = await api(bare, 'GET', path);
				expect([path, res.status, res.headers['content-type'], res.json]).toEqual([path, 404, 'text/html; charset=UTF-8', null]);
			}
		} finally {
			await bare.stop();
		}
	});

	it('PUT always answers 204 with an empty text/html body; invalid status strings become active', async () => {
		const id = sim.createConversation({ text: 'x' });
		for (const body of [{ status: 'active', byUser: 1 }, { status: 'pending', byUser: 1 }, { status: 'open', byUser: 1 }, { foo: 'bar' }, { status: 'active', byUser: 1 }]) {
			const res = await api(sim, 'PUT', `/conversations/${id}`, body);
			expect(res.status).toBe(204);
			expect(res.body).toBe('');
			expect(res.headers['content-type']).toBe('text/html; charset=UTF-8');
		}
		expect(sim.getConversation(id)!.status).toBe('active');
		// Only real changes leave a line item. Whether these PUTs share a second decides the thread order, so read by id.
		const lineItems = sim
			.getConversation(id)!
			._embedded.threads.filter((t: { type: string }) => t.type === 'lineitem')
			.sort((a: { id: number }, b: { id: number }) => a.id - b.id);
		expect(lineItems.map((t: { status: string }) => t.status)).toEqual(['pending', 'active']);
	});

	it('PUT without byUser answers 400 with the _embedded.errors shape', async () => {
		const id = sim.createConversation({ text: 'x' });
		const res = await api(sim, 'PUT', `/conversations/${id}`, { status: 'closed' });
		expect(res.status).toBe(400);
		expect(res.body).toBe('{"message":"Error occurred","_embedded":{"errors":[{"path":"byUser","message":"byUser parameter is required.","source":"JSON"}]}}');
		const noUser = await api(sim, 'PUT', `/conversations/${id}`, { status: 'closed', byUser: 99 });
		expect(noUser.json._embedded.errors[0]).toEqual({ path: 'byUser', message: 'User not found.', source: 'JSON' });
		expect(sim.getConversation(id)!.status).toBe('active');
	});

	it('unknown conversations answer 404 {"message":"Not Found","_embedded":{"errors":[]}}', async () => {
		for (const [method, path, body] of [['GET', '/conversations/77', undefined], ['PUT', '/conversations/77', { status: 'closed', byUser: 1 }], ['POST', '/conversations/77/threads', { type: 'note', text: 'x', user: 1 }]] as const) {
			const res = await api(sim, method, path, body);
			expect(res.status).toBe(404);
			expect(res.body).toBe('{"message":"Not Found","_embedded":{"errors":[]}}');
		}
	});

	it('GET conversation embeds threads unless embed lacks "threads"; list filters by status list and pages', async () => {
		const a = sim.createConversation({ text: 'a' });
		const b = sim.createConversation({ text: 'b' });
		sim.createConversation({ text: 'c' });
		sim.changeStatusFromMenu(a, 'closed', 1);
		sim.changeStatusFromMenu(b, 'pending', 1);
		expect((await api(sim, 'GET', `/conversations/${a}`)).json._embedded.threads).toHaveLength(2);
		expect((await api(sim, 'GET', `/conversations/${a}?embed=threads,tags`)).json._embedded.threads).toHaveLength(2);
		expect((await api(sim, 'GET', `/conversations/${a}?embed=tags`)).json._embedded).toEqual({ threads: [] });
		const list = await api(sim, 'GET', '/conversations?status=closed,pending&state=published&pageSize=1&page=2&sortField=number&sortOrder=asc');
		expect(list.json.page).toEqual({ size: 1, totalElements: 2, totalPages: 2, number: 2 });
		expect(list.json._embedded.conversations.map((c: { id: number; status: string }) => `${c.id}:${c.status}`)).toEqual([`${b}:pending`]);
		expect(list.json._embedded.conversations[0]._embedded).toEqual({ threads: [] });
		const bogus = await api(sim, 'GET', '/conversations?status=open');
		expect(bogus.json.page.totalElements).toBe(3);
	});

	it('webhooks: 201 with Resource-ID, unknown events dropped, 400 when none left, no de-duplication, DELETE 204 then 404', async () => {
		const one = await api(sim, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/a', events: ['convo.status', 'convo.nope'] });
		expect(one.status).toBe(201);
		expect(one.headers['resource-id']).toBe('1');
		expect(one.body).toBe('{"id":1,"url":"http:\\/\\/127.0.0.1:9\\/a","events":["convo.status"],"lastRunTime":null,"lastRunError":""}');
		const two = await api(sim, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/a', events: 'convo.status,convo.created' });
		expect(two.status).toBe(201);
		expect(two.json.events).toEqual(['convo.status', 'convo.created']);
		const none = await api(sim, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/a', events: ['convo.nope'] });
		expect(none.status).toBe(400);
		expect(none.body).toBe('{"message":"Error occurred","_embedded":{"errors":[]}}');
		expect((await api(sim, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/a' })).json._embedded.errors[0].path).toBe('events');
		expect(sim.getWebhooks()).toHaveLength(2);
		expect((await api(sim, 'DELETE', '/webhooks/1')).status).toBe(204);
		expect((await api(sim, 'DELETE', '/webhooks/1')).status).toBe(404);
	});

	it('GET /api/users lists users newest first in the full user form', async () => {
		const res = await api(sim, 'GET', '/users');
		expect(res.status).toBe(200);
		expect(res.json._embedded.users.map((u: { id: number; firstName: string; role: string }) => `${u.id}:${u.firstName}:${u.role}`)).toEqual(['2:Jane:user', '1:Admin:admin']);
		expect(res.json.page).toEqual({ size: 50, totalElements: 2, totalPages: 1, number: 1 });
	});

	it('an agent-created conversation via the API is pending and its convo.created waits for the undo delay', async () => {
		const receiver = await startWebhookReceiver();
		try {
			sim.addWebhook(`${receiver.url}/h`, ['convo.created']);
			const res = await api(sim, 'POST', '/conversations', {
				type: 'email', mailboxId: 1, subject: 'Outbound', customer: { email: 'new@example.net', firstName: 'New' },
				threads: [{ type: 'message', text: 'Hi there', user: 2 }],
			});
			expect(res.status).toBe(201);
			expect(res.headers['resource-id']).toBe(String(res.json.id));
			expect(res.json).toMatchObject({ status: 'pending', source: { type: 'api', via: 'user' }, createdBy: { type: 'user', id: 2 }, customer: { id: 2, email: 'new@example.net' } });
			expect(sim.getFiredEvents()).toEqual([expect.objectContaining({ event: 'convo.created', delayMs: 5 })]);
			await sim.idle();
			expect(receiver.received).toHaveLength(1);
			expect(JSON.parse(receiver.received[0].bodyText)).toMatchObject({ threadsCount: 0, preview: '', status: 'pending' });
		} finally {
			await receiver.close();
		}
	});
});

describe('GET /api/conversations (list)', () => {
	let sim: Sim;
	let clock = 0;
	const T = (s: number) => at('2030-03-04T09:00:00Z') + s * 1000;
	/**
	 * A (mailbox 1, Mark) and B (mailbox 2, Ann) created in the same second, C (mailbox 1, Ann) 5 s later, D (agent
	 * created, pending) at 9 s; then A closed and C marked spam in the same second (20 s), B assigned (30 s), and
	 * Mark answers A (40 s, reopened).
	 */
	async function start(options: Record<string, unknown> = {}) {
		clock = T(0) + 400;
		sim = createFreeScoutSimulator(Object.assign({
			apiKey: API_KEY,
			undoDelayMs: 600000,
			now: () => clock,
			mailboxes: TWO_MAILBOXES,
		}, options));
		await sim.start();
		sim.addCustomer({ firstName: 'Ann', lastName: 'Lee', email: 'Ann@Example.org' });
		const a = sim.createConversation({ subject: 'Printer on fire', text: 'a', customerId: 1, mailboxId: 1 });
		const b = sim.createConversation({ subject: 'Refund', text: 'b', customerId: 2, mailboxId: 2 });
		clock = T(5);
		const c = sim.createConversation({ subject: 'printer jam', text: 'c', customerId: 2, mailboxId: 1 });
		clock = T(9);
		const d = sim.createConversation({ subject: 'Hello', text: 'd', customerId: 1, mailboxId: 1, by: 'user', userId: 1 });
		clock = T(20) + 100;
		sim.changeStatusFromMenu(a, 'closed', 1);
		clock = T(20) + 900;
		sim.changeStatusFromMenu(c, 'spam', 1);
		clock = T(30);
		sim.assignFromUi(b, 2, 1);
		clock = T(40);
		sim.customerEmailReply(a, 'Again');
		return { a, b, c, d };
	}
	afterEach(async () => {
		await sim.stop();
	});
	const list = async (query: string) => {
		const res = await api(sim, 'GET', `/conversations${query}`);
		expect(res.status).toBe(200);
		return res.json as { _embedded: { conversations: Array<Conversation & { _embedded: { threads: unknown[] } }> }; page: Record<string, number> };
	};
	const ids = async (query: string) => (await list(query))._embedded.conversations.map((c) => c.id);

	it('no default filter (every status), newest created first, threads left out, 50 a page', async () => {
		const { a, b, c, d } = await start();
		const all = await list('');
		// A and B share their creation second: FreeScout leaves their order to the database; here ties go by id.
		expect(all._embedded.conversations.map((x) => `${x.id}:${x.status}`)).toEqual([`${d}:pending`, `${c}:spam`, `${b}:active`, `${a}:active`]);
		expect(all.page).toEqual({ size: 50, totalElements: 4, totalPages: 1, number: 1 });
		for (const x of all._embedded.conversations) expect(x._embedded).toEqual({ threads: [] });
		expect(await ids('?sortField=bogus&sortOrder=sideways')).toEqual([d, c, b, a]);
		expect(await ids('?embed=threads')).toEqual([d, c, b, a]);
		expect((await list('?embed=threads'))._embedded.conversations[0]._embedded.threads).toHaveLength(1);
	});

	it('each item is the conversation as GET /api/conversations/{id} shows it without threads (status, updatedAt, userUpdatedAt, closedAt, ...)', async () => {
		await start();
		const items = (await list('?sortField=updatedAt'))._embedded.conversations;
		for (const item of items) {
			const single = await api(sim, 'GET', `/conversations/${item.id}?embed=none`);
			expect(phpJsonEncode(item)).toBe(single.body);
		}
		const time = (v: string | null) => (v ? v.slice(11) : '-');
		expect(items.map((x) => `${x.status} ${time(x.updatedAt)} ${time(x.userUpdatedAt)} ${time(x.closedAt)}`)).toEqual([
			'active 09:00:40Z 09:00:20Z 09:00:20Z',
			'active 09:00:30Z 09:00:30Z -',
			'spam 09:00:20Z 09:00:20Z -',
			'pending 09:00:09Z 09:00:09Z -',
		]);
	});

	it('the most recently updated first, page by page (updatedAt has whole seconds; same-second ties by id, or reversed with listTieOrder)', async () => {
		const { a, b, c, d } = await start();
		// Make B and D share their update second with A's reopen.
		clock = T(40) + 700;
		sim.changeStatusFromMenu(d, 'closed', 1);
		sim.changeStatusFromMenu(b, 'pending', 1);
		const pages = [];
		for (const page of [1, 2, 3]) pages.push(await list(`?sortField=updatedAt&sortOrder=desc&pageSize=2&page=${page}`));
		expect(pages.map((p) => p._embedded.conversations.map((x) => x.id))).toEqual([[d, b], [a, c], []]);
		expect(pages.map((p) => p.page)).toEqual([
			{ size: 2, totalElements: 4, totalPages: 2, number: 1 },
			{ size: 2, totalElements: 4, totalPages: 2, number: 2 },
			{ size: 2, totalElements: 4, totalPages: 2, number: 3 },
		]);
		expect(await ids('?sortField=updatedAt&sortOrder=asc')).toEqual([c, a, b, d]);
		await sim.stop();
		await start({ listTieOrder: 'against-sort' });
		clock = T(40) + 700;
		sim.changeStatusFromMenu(d, 'closed', 1);
		sim.changeStatusFromMenu(b, 'pending', 1);
		expect(await ids('?sortField=updatedAt')).toEqual([a, b, d, c]);
		expect(await ids('')).toEqual([d, c, a, b]);
	});

	it('paging: page past the end is empty, an invalid page is page 1, pageSize 0 means 50', async () => {
		const { a } = await start();
		expect(await list('?pageSize=3&page=2')).toEqual({ _embedded: { conversations: [expect.objectContaining({ id: a })] }, page: { size: 3, totalElements: 4, totalPages: 2, number: 2 } });
		expect((await list('?page=0')).page).toEqual({ size: 50, totalElements: 4, totalPages: 1, number: 1 });
		expect((await list('?page=x&pageSize=0')).page).toEqual({ size: 50, totalElements: 4, totalPages: 1, number: 1 });
		expect((await list('?page=9&pageSize=3')).page).toEqual({ size: 3, totalElements: 4, totalPages: 2, number: 9 });
	});

	it('filters as ApiController::listConversations applies them', async () => {
		const { a, b, c, d } = await start();
		const cases: Array<[string, number[]]> = [
			['?status=active', [b, a]],
			['?status=closed,spam', [c]],
			['?status=%20pending%20', [d]],
			['?status=open', [d, c, b, a]],
			['?status=open,pending', [d]],
			['?status=open,bogus', [d, c, b, a]],
			['?state=published&status=active,pending', [d, b, a]],
			['?state=deleted', []],
			['?state=bogus', [d, c, b, a]],
			['?mailboxId=2', [b]],
			['?mailboxId=1,2', [d, c, b, a]],
			['?customerEmail=ANN@example.ORG', [c, b]],
			['?customerId=1', [d, a]],
			['?assignedTo=', [d, c, a]],
			['?assignedTo=2', [b]],
			['?updatedSince=2030-03-04T09:00:30.999Z', [b, a]],
			['?updatedSince=2030-03-04T09:00:40', [a]],
			['?createdSince=2030-03-04T09:00:05Z', [d, c]],
			['?number=3', [c]],
			['?subject=printer', []],
			['?subject=printer%25', [c, a]],
			['?subject=REFUND', [b]],
			['?createdByUserId=1', [d]],
			['?createdByCustomerId=2', [c, b]],
			['?type=phone', []],
			['?type=bogus', [d, c, b, a]],
			['?customerPhone=777', []],
			['?tag=vip', [d, c, b, a]],
		];
		for (const [query, expected] of cases) expect([query, await ids(query)]).toEqual([query, expected]);
		expect((await api(sim, 'GET', '/conversations?updatedSince=not-a-date')).status).toBe(500);
	});

	it('module 1.0.87 matches subject as a substring', async () => {
		const { a, c } = await start({ moduleVersion: '1.0.87' });
		expect(await ids('?subject=printer')).toEqual([c, a]);
	});
});

describe('Custom Fields and Tags modules (pairing support)', () => {
	let sim: Sim;
	let clock = 0;
	async function start(options: Record<string, unknown>) {
		clock = at('2030-05-06T07:00:00Z');
		({ sim } = await simWithReceiver(Object.assign({ now: () => clock, mailboxes: TWO_MAILBOXES }, options)));
	}
	const customFieldsOf = (id: number) => (sim.getConversation(id) as { customFields?: unknown }).customFields;
	const NOT_ACTIVE = (name: string) => `{"message":"${name} module is not installed or not activated","_embedded":{"errors":[]}}`;

	it('without the modules: 400 from their routes (404 first for an unknown mailbox), no customFields key, tag filter and embed=tags ignored', async () => {
		await start({});
		const id = sim.createConversation({ text: 'x' });
		const other = sim.createConversation({ text: 'y' });
		const answers = [
			await api(sim, 'GET', '/mailboxes/1/custom_fields'),
			await api(sim, 'PUT', `/conversations/${id}/custom_fields`, { customFields: [{ id: 1, value: 'x' }] }),
			await api(sim, 'GET', '/tags'),
			await api(sim, 'PUT', `/conversations/${id}/tags`, { tags: ['x'] }),
		];
		expect(answers.map((r) => `${r.status} ${r.body}`)).toEqual([
			`400 ${NOT_ACTIVE('Custom Fields')}`,
			`400 ${NOT_ACTIVE('Custom Fields')}`,
			`400 ${NOT_ACTIVE('Tags')}`,
			`400 ${NOT_ACTIVE('Tags')}`,
		]);
		expect((await api(sim, 'GET', '/mailboxes/9/custom_fields')).status).toBe(404);
		const conversation = await api(sim, 'GET', `/conversations/${id}?embed=threads,tags`);
		expect(Object.keys(conversation.json)).not.toContain('customFields');
		expect(Object.keys(conversation.json._embedded)).toEqual(['threads']);
		const tagged = await api(sim, 'GET', '/conversations?tag=x');
		expect(tagged.json._embedded.conversations.map((c: Conversation) => c.id)).toEqual([other, id]);
	});

	it('custom fields: the mailbox\'s fields, PUT {customFields:[{id,value}]} answers 204, values show after _embedded in the conversation; no webhook, updatedAt unchanged', async () => {
		await start({ customFieldsModule: true });
		const chatwootId = sim.addCustomField({ mailboxId: 1, name: 'Chatwoot ID', type: 'number' });
		const priority = sim.addCustomField({ mailboxId: 1, name: 'Priority', type: 'dropdown', options: ['Low', 'Medium', 'High'] });
		const region = sim.addCustomField({ mailboxId: 2, name: 'Region' });
		expect([chatwootId.sortOrder, priority.sortOrder, region.sortOrder]).toEqual([1, 2, 3]);
		const fields = await api(sim, 'GET', '/mailboxes/1/custom_fields');
		expect(fields.status).toBe(200);
		expect(fields.body).toBe(
			'{"_embedded":{"custom_fields":[' +
				'{"id":1,"name":"Chatwoot ID","type":"number","options":"","required":false,"sortOrder":1},' +
				'{"id":2,"name":"Priority","type":"dropdown","options":{"1":"Low","2":"Medium","3":"High"},"required":false,"sortOrder":2}]},' +
				'"page":{"size":50,"totalElements":2,"totalPages":1,"number":1}}',
		);
		expect((await api(sim, 'GET', '/mailboxes/9/custom_fields')).status).toBe(404);

		const id = sim.createConversation({ text: 'x' });
		await sim.idle();
		const before = sim.getConversation(id)!;
		expect(customFieldsOf(id)).toEqual([
			{ id: 1, name: 'Chatwoot ID', value: '', text: '' },
			{ id: 2, name: 'Priority', value: '', text: '' },
		]);
		sim.clearLogs();
		clock += 60000;
		const put = await api(sim, 'PUT', `/conversations/${id}/custom_fields`, {
			customFields: [{ id: 1, value: 42 }, { id: '2', value: '3' }, { id: region.id, value: 'EU' }, { id: 99, value: 'x' }, { value: 'no id' }, { id: 1 }],
		});
		expect([put.status, put.body, put.headers['content-type']]).toEqual([204, '', 'text/html; charset=UTF-8']);
		// "" becomes null in Laravel's middleware, so it is skipped like a missing value: it cannot clear a field.
		expect((await api(sim, 'PUT', `/conversations/${id}/custom_fields`, { customFields: [{ id: 1, value: '' }] })).status).toBe(204);
		const after = await api(sim, 'GET', `/conversations/${id}`);
		expect(Object.keys(after.json).slice(-2)).toEqual(['_embedded', 'customFields']);
		expect(after.json.customFields).toEqual([
			{ id: 1, name: 'Chatwoot ID', value: '42', text: '' },
			{ id: 2, name: 'Priority', value: '3', text: 'High' },
		]);
		expect(after.json.updatedAt).toBe(before.updatedAt);
		await sim.idle();
		expect(sim.getFiredEvents()).toEqual([]);
		expect(sim.getDeliveries()).toEqual([]);
		// The field of mailbox 2 was stored but only a mailbox-2 conversation would show it; the list carries values too.
		const listed = await api(sim, 'GET', '/conversations');
		expect(listed.json._embedded.conversations[0].customFields).toEqual(after.json.customFields);
	});

	it('custom fields: 400 without customFields, 404 for an unknown conversation, 500 when customFields is not a list', async () => {
		await start({ customFieldsModule: true });
		sim.addCustomField({ name: 'Chatwoot ID' });
		const id = sim.createConversation({ text: 'x' });
		const missing = await api(sim, 'PUT', `/conversations/${id}/custom_fields`, { custom_fields: [{ id: 1, value: 'x' }] });
		expect([missing.status, missing.body]).toEqual([
			400,
			'{"message":"Error occurred","_embedded":{"errors":[{"path":"customFields","message":"`customFields` parameter is required","source":"JSON"}]}}',
		]);
		expect((await api(sim, 'PUT', '/conversations/99/custom_fields', { customFields: [] })).status).toBe(404);
		expect((await api(sim, 'PUT', `/conversations/${id}/custom_fields`, { customFields: 'x' })).status).toBe(500);
		expect(customFieldsOf(id)).toEqual([{ id: 1, name: 'Chatwoot ID', value: '', text: '' }]);
	});

	it('custom fields in webhooks: read when the delivery is sent, so a queued event shows a value set after it fired; set on create too', async () => {
		await start({ customFieldsModule: true });
		const field = sim.addCustomField({ name: 'Chatwoot ID', type: 'number' });
		const created = await api(sim, 'POST', '/conversations', {
			type: 'email', mailboxId: 1, subject: 'Pair me', customer: { email: 'mark@example.org' },
			threads: [{ type: 'customer', text: 'Hi', customer: { email: 'mark@example.org' } }],
			customFields: [{ id: field.id, value: 17 }],
		});
		expect(created.status).toBe(201);
		expect(created.json.customFields).toEqual([{ id: field.id, name: 'Chatwoot ID', value: '17', text: '' }]);
		await sim.idle();
		expect(JSON.parse((sim.getDeliveries() as Delivery[])[0].bodyText).customFields).toEqual(created.json.customFields);
		sim.replyFromUi(created.json.id, { text: 'Done', status: 'closed', userId: 1 });
		await sim.waitForDeliveries(2);
		expect(sim.setCustomFieldFromUi(created.json.id, field.id, 18)).toBe(true);
		expect(sim.setCustomFieldFromUi(created.json.id, field.id, '18')).toBe(false);
		sim.flushDelayed();
		await sim.idle();
		const values = (sim.getDeliveries() as Delivery[]).map((d) => `${d.event}:${JSON.parse(d.bodyText).customFields[0].value}`);
		expect(values).toEqual(['convo.created:17', 'convo.status:17', 'convo.agent.reply.created:18']);
	});

	it('tags: PUT {tags:[...]} replaces the list (trimmed, lower-cased); embed=tags, ?tag= and GET /api/tags show them; no webhook, updatedAt unchanged', async () => {
		await start({ tagsModule: true });
		const a = sim.createConversation({ text: 'a' });
		const b = sim.createConversation({ text: 'b' });
		await sim.idle();
		sim.clearLogs();
		const updatedAt = sim.getConversation(a)!.updatedAt;
		clock += 60000;
		const put = await api(sim, 'PUT', `/conversations/${a}/tags`, { tags: ['  Chatwoot-42 ', 'VIP', ['nested'], ''] });
		expect([put.status, put.body]).toEqual([204, '']);
		expect(sim.getConversationTags(a)).toEqual(['chatwoot-42', 'vip']);
		await api(sim, 'PUT', `/conversations/${b}/tags`, { tags: ['vip'] });

		const withTags = await api(sim, 'GET', `/conversations/${a}?embed=tags`);
		expect(withTags.json._embedded).toEqual({ threads: [], tags: [{ id: 1, name: 'chatwoot-42' }, { id: 2, name: 'vip' }] });
		expect(withTags.json.updatedAt).toBe(updatedAt);
		expect(Object.keys((await api(sim, 'GET', `/conversations/${a}?embed=threads,tags`)).json._embedded)).toEqual(['threads', 'tags']);
		expect((await api(sim, 'GET', `/conversations/${a}`)).json._embedded.tags).toBeUndefined();
		const byTag = async (tag: string) => (await api(sim, 'GET', `/conversations?tag=${tag}`)).json._embedded.conversations.map((c: Conversation) => c.id);
		expect(await byTag('CHATWOOT-42')).toEqual([a]);
		expect(await byTag('vip')).toEqual([b, a]);
		expect(await byTag('unknown')).toEqual([]);
		expect(await byTag('')).toEqual([b, a]);
		const tags = await api(sim, 'GET', '/tags');
		expect(tags.body).toBe(
			'{"_embedded":{"tags":[{"id":1,"name":"chatwoot-42","counter":1,"color":0},{"id":2,"name":"vip","counter":2,"color":0}]},' +
				'"page":{"size":50,"totalElements":2,"totalPages":1,"number":1}}',
		);
		expect((await api(sim, 'GET', `/tags?conversationId=${b}`)).json._embedded.tags).toEqual([{ id: 2, name: 'vip', counter: 2, color: 0 }]);
		await sim.idle();
		expect(sim.getFiredEvents()).toEqual([]);
	});

	it('tags: counters go up on every PUT that lists a tag the conversation already has; a tag whose counter drops to 0 is deleted', async () => {
		await start({ tagsModule: true });
		const a = sim.createConversation({ text: 'a' });
		const counters = async () => (await api(sim, 'GET', '/tags')).json._embedded.tags.map((t: { name: string; counter: number }) => `${t.name}:${t.counter}`);
		await api(sim, 'PUT', `/conversations/${a}/tags`, { tags: ['once', 'twice'] });
		await api(sim, 'PUT', `/conversations/${a}/tags`, { tags: ['twice'] });
		expect(await counters()).toEqual(['twice:2']);
		await api(sim, 'PUT', `/conversations/${a}/tags`, { tags: [] });
		expect(await counters()).toEqual(['twice:1']);
		expect(sim.getConversationTags(a)).toEqual([]);
		const missing = await api(sim, 'PUT', `/conversations/${a}/tags`, {});
		expect([missing.status, missing.json._embedded.errors[0].path]).toEqual([400, 'tags']);
		expect((await api(sim, 'PUT', '/conversations/99/tags', { tags: [] })).status).toBe(404);
	});
});
