/**
 * Fidelity tests of the Chatwoot simulator against the project's Chatwoot reference notes:
 * routes, status codes and error bodies, signing, payload key order and types, the resolved + incoming
 * four-event sequence, toggle_status semantics, rate limiting and delivery semantics.
 * The expected key orders and values below are written out by hand from the reference.
 */
import { createHmac } from 'crypto';
import { createChatwootSimulator } from './chatwoot';
import { createEvolutionClient } from './evolution-client';
import { requestJson, startReceiver } from './http-util';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Sim = ReturnType<typeof createChatwootSimulator>;
type Receiver = Awaited<ReturnType<typeof startReceiver>>;

const T0 = Date.UTC(2026, 5, 20, 9, 0, 0); // 2026-06-20T09:00:00.000Z
const T0S = T0 / 1000; // 1781946000
const iso = (offsetSeconds: number) => new Date(T0 + offsetSeconds * 1000).toISOString();

interface Env {
	sim: Sim;
	url: string;
	recv: Receiver;
	tokens: { administrator: string; agent: string; bot: string };
	api: (method: string, path: string, body?: unknown, token?: string | null, header?: string) => Promise<any>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
	while (cleanups.length) await cleanups.pop()!();
});

async function setup(options: Record<string, unknown> = {}): Promise<Env> {
	const sim = createChatwootSimulator({ startTime: T0, ...options });
	const { url } = await sim.start();
	const recv = await startReceiver();
	cleanups.push(async () => {
		await sim.stop();
		await recv.close();
	});
	const tokens = sim.tokens();
	const api = (method: string, path: string, body?: unknown, token: string | null = tokens.administrator, header = 'api_access_token') => {
		const headers: Record<string, string> = { Accept: 'application/json' };
		if (token !== null) headers[header] = token;
		if (body !== undefined) headers['Content-Type'] = 'application/json';
		return requestJson({ method, url: url + path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	};
	return { sim, url, recv, tokens, api };
}

const ALL_CONVERSATION_EVENTS = ['conversation_created', 'conversation_status_changed', 'conversation_updated', 'message_created'];

async function hook(env: Env, subscriptions = ALL_CONVERSATION_EVENTS, url = env.recv.url + '/hook'): Promise<any> {
	const res = await env.api('POST', '/api/v1/accounts/1/webhooks', { url, subscriptions, name: 'n8n' });
	expect(res.status).toBe(200);
	return res.json.payload.webhook;
}

const summary = (deliveries: any[]) =>
	deliveries.map((d) => [d.event, d.json.status === undefined ? d.json.conversation.status : d.json.status, d.json.changed_attributes]);

describe('auth and error bodies', () => {
	test('token errors, bot restrictions, accounts, unknown records and routes', async () => {
		const env = await setup();
		const { api, tokens } = env;
		const cases: Array<[string, string, string | null, number, unknown]> = [
			['GET', '/api/v1/profile', null, 401, { errors: ['You need to sign in or sign up before continuing.'] }],
			['GET', '/api/v1/profile', 'nope', 401, { error: 'Invalid Access Token' }],
			['GET', '/api/v1/profile', tokens.bot, 401, { error: 'Access to this endpoint is not authorized for bots' }],
			['GET', '/api/v1/accounts/1/webhooks', tokens.bot, 401, { error: 'Access to this endpoint is not authorized for bots' }],
			['GET', '/api/v1/accounts/1/conversations', tokens.bot, 401, { error: 'Access to this endpoint is not authorized for bots' }],
			['GET', '/api/v1/accounts/1/webhooks', tokens.agent, 401, { error: 'You are not authorized to do this action' }],
			['GET', '/api/v1/accounts/2/conversations', tokens.administrator, 401, { error: 'You are not authorized to access this account' }],
			['GET', '/api/v1/accounts/77/conversations', tokens.administrator, 404, { error: 'Resource could not be found' }],
			['GET', '/api/v1/accounts/1/conversations/999', tokens.administrator, 404, { error: 'Resource could not be found' }],
			['GET', '/api/v1/accounts/1/conversations/999', tokens.bot, 404, { error: 'Resource could not be found' }],
			['DELETE', '/api/v1/accounts/1/webhooks/42', tokens.administrator, 404, { error: 'Resource could not be found' }],
			['GET', '/api/v1/nowhere', tokens.administrator, 404, { status: 404, error: 'Not Found' }],
		];
		for (const [method, path, token, status, body] of cases) {
			const res = await api(method, path, undefined, token);
			expect([method, path, res.status, res.json]).toEqual([method, path, status, body]);
		}
		env.sim.suspendAccount(true);
		const suspended = await api('GET', '/api/v1/accounts/1/inboxes');
		expect([suspended.status, suspended.json]).toEqual([401, { error: 'Account is suspended' }]);
	});

	test('every GET under /app is the dashboard page, with or without a token, even for an API path behind it', async () => {
		const { api } = await setup();
		const pages: Array<[string, string | null]> = [
			['/app', null],
			['/app/accounts/1/dashboard', null],
			['/app/accounts/1/dashboard/api/v1/accounts/1/inboxes', 'nope'],
		];
		for (const [path, token] of pages) {
			const res = await api('GET', path, undefined, token);
			expect([path, res.status, res.headers['content-type'], res.json]).toEqual([path, 200, 'text/html; charset=utf-8', null]);
			expect(res.body).toContain('<div id="app"></div>');
		}
		const post = await api('POST', '/app/accounts/1/dashboard', {});
		expect([post.status, post.json]).toEqual([404, { status: 404, error: 'Not Found' }]);
	});

	test('profile answers user tokens; Api-Access-Token header works like api_access_token', async () => {
		const { api, tokens } = await setup();
		const res = await api('GET', '/api/v1/profile', undefined, tokens.agent, 'Api-Access-Token');
		expect(res.status).toBe(200);
		expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
		expect([res.json.id, res.json.role, res.json.access_token, res.json.account_id]).toEqual([2, 'agent', tokens.agent, 1]);
		expect(res.json.accounts).toHaveLength(1);
		expect([res.json.accounts[0].id, res.json.accounts[0].role, res.json.accounts[0].status]).toEqual([1, 'agent', 'active']);
		const admin = await api('GET', '/api/v1/profile');
		expect([admin.status, admin.json.id, admin.json.role]).toEqual([200, 1, 'administrator']);
	});
});

describe('account webhooks CRUD', () => {
	test('create, duplicate, invalid, list, update, delete', async () => {
		const env = await setup();
		const { api } = env;
		const created = await api('POST', '/api/v1/accounts/1/webhooks', {
			url: 'http://127.0.0.1:9/n8n',
			subscriptions: ['conversation_status_changed', 'conversation_updated'],
			name: 'n8n',
			inbox_id: null,
		});
		expect(created.status).toBe(200);
		const secret = created.json.payload.webhook.secret;
		expect(secret).toMatch(/^[1-9A-HJ-NP-Za-km-z]{24}$/);
		expect(created.json).toEqual({
			payload: {
				webhook: {
					id: 1,
					name: 'n8n',
					url: 'http://127.0.0.1:9/n8n',
					account_id: 1,
					subscriptions: ['conversation_status_changed', 'conversation_updated'],
					secret,
				},
			},
		});
		expect(Object.keys(created.json.payload.webhook)).toEqual(['id', 'name', 'url', 'account_id', 'subscriptions', 'secret']);

		const dup = await api('POST', '/api/v1/accounts/1/webhooks', { webhook: { url: 'http://127.0.0.1:9/n8n', subscriptions: ['message_created'] } });
		expect([dup.status, dup.json]).toEqual([422, { message: 'Url has already been taken', attributes: ['url'] }]);
		const badSubs = await api('POST', '/api/v1/accounts/1/webhooks', { url: 'http://127.0.0.1:9/b', subscriptions: ['conversation_opened'] });
		expect([badSubs.status, badSubs.json]).toEqual([422, { message: 'Subscriptions Invalid events', attributes: ['subscriptions'] }]);
		const emptySubs = await api('POST', '/api/v1/accounts/1/webhooks', { url: 'http://127.0.0.1:9/b', subscriptions: [] });
		expect([emptySubs.status, emptySubs.json]).toEqual([422, { message: 'Subscriptions Invalid events', attributes: ['subscriptions'] }]);
		const badUrl = await api('POST', '/api/v1/accounts/1/webhooks', { url: 'ftp://x', subscriptions: [] });
		expect([badUrl.status, badUrl.json]).toEqual([422, { message: 'Url is invalid, Subscriptions Invalid events', attributes: ['url', 'subscriptions'] }]);

		const wrapped = await api('POST', '/api/v1/accounts/1/webhooks', { webhook: { url: 'http://127.0.0.1:9/second', inbox_id: 2, secret: 'chosen-by-me' } });
		expect(wrapped.status).toBe(200);
		expect(wrapped.json.payload.webhook.secret).not.toBe('chosen-by-me');
		expect(wrapped.json.payload.webhook.secret).toMatch(/^[1-9A-HJ-NP-Za-km-z]{24}$/);
		expect(wrapped.json.payload.webhook.subscriptions).toEqual([
			'conversation_status_changed',
			'conversation_updated',
			'conversation_created',
			'contact_created',
			'contact_updated',
			'message_created',
			'message_updated',
			'webwidget_triggered',
		]);
		expect(wrapped.json.payload.webhook.inbox).toEqual({ id: 2, name: 'Website' });

		const list = await api('GET', '/api/v1/accounts/1/webhooks');
		expect(list.status).toBe(200);
		expect(list.json.payload.webhooks.map((w: any) => [w.id, w.url])).toEqual([
			[1, 'http://127.0.0.1:9/n8n'],
			[2, 'http://127.0.0.1:9/second'],
		]);

		const patched = await api('PATCH', '/api/v1/accounts/1/webhooks/1', { subscriptions: ['conversation_status_changed'] });
		expect([patched.status, patched.json.payload.webhook.subscriptions, patched.json.payload.webhook.secret]).toEqual([
			200,
			['conversation_status_changed'],
			secret,
		]);
		const putDup = await api('PUT', '/api/v1/accounts/1/webhooks/2', { url: 'http://127.0.0.1:9/n8n' });
		expect([putDup.status, putDup.json]).toEqual([422, { message: 'Url has already been taken', attributes: ['url'] }]);

		const del = await api('DELETE', '/api/v1/accounts/1/webhooks/1');
		expect([del.status, del.body, del.headers['content-length']]).toEqual([200, '', '0']);
		const after = await api('GET', '/api/v1/accounts/1/webhooks');
		expect(after.json.payload.webhooks.map((w: any) => w.id)).toEqual([2]);
		const agentPost = await api('POST', '/api/v1/accounts/1/webhooks', { url: 'http://127.0.0.1:9/z' }, env.tokens.agent);
		expect([agentPost.status, agentPost.json]).toEqual([401, { error: 'You are not authorized to do this action' }]);
	});

	test('before 4.11.2 a webhook has no secret and deliveries carry no X-Chatwoot-* header at all (no delivery id either)', async () => {
		const env = await setup({ version: '4.11.1' });
		const w = await hook(env, ['conversation_created']);
		expect('secret' in w).toBe(false);
		await env.sim.createConversation({ inboxId: 2 });
		expect(env.recv.requests).toHaveLength(1);
		const h = env.recv.requests[0].headers;
		expect([h['x-chatwoot-delivery'], h['x-chatwoot-timestamp'], h['x-chatwoot-signature']]).toEqual([undefined, undefined, undefined]);
		const current = await setup({ version: '4.11.2' });
		await hook(current, ['conversation_created']);
		await current.sim.createConversation({ inboxId: 2 });
		expect(current.recv.requests[0].headers['x-chatwoot-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect('account' in JSON.parse(env.recv.requests[0].body)).toBe(false);
	});
});

describe('signing', () => {
	test('X-Chatwoot-Signature is HMAC-SHA256(secret, "<ts>.<raw body>"), new delivery id per target', async () => {
		const env = await setup();
		const other = await startReceiver();
		cleanups.push(() => other.close());
		const w1 = await hook(env, ['conversation_created']);
		const w2 = await hook(env, ['conversation_created'], other.url + '/second');
		const before = Math.floor(Date.now() / 1000);
		await env.sim.createConversation({ inboxId: 2 });
		const after = Math.floor(Date.now() / 1000);
		expect([env.recv.requests.length, other.requests.length]).toEqual([1, 1]);
		for (const [req, secret] of [
			[env.recv.requests[0], w1.secret],
			[other.requests[0], w2.secret],
		] as Array<[any, string]>) {
			const ts = req.headers['x-chatwoot-timestamp'];
			expect(Number(ts)).toBeGreaterThanOrEqual(before);
			expect(Number(ts)).toBeLessThanOrEqual(after);
			const expected = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${req.body}`).digest('hex');
			expect(req.headers['x-chatwoot-signature']).toBe(expected);
			const bodyOnly = 'sha256=' + createHmac('sha256', secret).update(req.body).digest('hex');
			expect(req.headers['x-chatwoot-signature']).not.toBe(bodyOnly);
			expect([req.method, req.headers['content-type'], req.headers['accept']]).toEqual(['POST', 'application/json', 'application/json']);
		}
		expect(env.recv.requests[0].body).toBe(other.requests[0].body);
		expect(env.recv.requests[0].headers['x-chatwoot-delivery']).not.toBe(other.requests[0].headers['x-chatwoot-delivery']);
	});

	test('API inbox webhook_url gets every conversation event unfiltered, signed with the inbox secret from 4.13.0', async () => {
		for (const [version, signed] of [
			['4.15.1', true],
			['4.12.0', false],
		] as Array<[string, boolean]>) {
			const env = await setup({ version, apiInboxWebhookUrl: null });
			const inboxRecv = await startReceiver();
			cleanups.push(() => inboxRecv.close());
			env.sim.setApiInboxWebhookUrl(inboxRecv.url + '/evolution');
			const { result: id } = await env.sim.createConversation({ inboxId: 1 });
			await env.sim.setStatus(id, 'resolved');
			await env.sim.receiveMessage(id, 'hola');
			expect(inboxRecv.requests.map((r) => JSON.parse(r.body).event)).toEqual([
				'conversation_created',
				'conversation_status_changed',
				'conversation_updated',
				'conversation_status_changed',
				'conversation_updated',
				'message_created',
				'conversation_updated',
			]);
			const req = inboxRecv.requests[5];
			const ts = req.headers['x-chatwoot-timestamp'];
			if (signed) {
				const sig = 'sha256=' + createHmac('sha256', env.sim.inboxSecret(1)).update(`${ts}.${req.body}`).digest('hex');
				expect(req.headers['x-chatwoot-signature']).toBe(sig);
			} else {
				expect([ts, req.headers['x-chatwoot-signature']]).toEqual([undefined, undefined]);
			}
			expect(new Set(env.sim.deliveries().map((d: any) => d.target))).toEqual(new Set(['api_inbox']));
		}
	});
});

describe('payload shapes', () => {
	const CONVERSATION_KEYS = [
		'additional_attributes',
		'can_reply',
		'channel',
		'contact_inbox',
		'id',
		'inbox_id',
		'messages',
		'labels',
		'meta',
		'status',
		'custom_attributes',
		'snoozed_until',
		'unread_count',
		'first_reply_created_at',
		'priority',
		'waiting_since',
		'agent_last_seen_at',
		'contact_last_seen_at',
		'last_activity_at',
		'timestamp',
		'created_at',
		'updated_at',
	];
	const MESSAGE_KEYS = [
		'id',
		'content',
		'account_id',
		'inbox_id',
		'conversation_id',
		'message_type',
		'created_at',
		'updated_at',
		'private',
		'status',
		'source_id',
		'content_type',
		'content_attributes',
		'sender_type',
		'sender_id',
		'external_source_ids',
		'additional_attributes',
		'processed_message_content',
		'sentiment',
		'conversation',
		'sender',
	];

	test('conversation_status_changed key order, types and values (4.15.1 has account, 4.14.1 not)', async () => {
		for (const [version, withAccount] of [
			['4.15.1', true],
			['4.14.1', false],
		] as Array<[string, boolean]>) {
			const env = await setup({ version });
			await hook(env, ['conversation_status_changed']);
			const { result: contactId } = await env.sim.createContact({ name: 'Carlos Ruiz', phoneNumber: '+5491155550000', email: 'carlos@example.com' });
			const { result: id } = await env.sim.createConversation({ contactId, inboxId: 2 });
			env.sim.advanceTime(30_000);
			await env.sim.receiveMessage(id, 'Is my order <shipped> & paid?');
			env.sim.advanceTime(60_000);
			await env.sim.setStatus(id, 'resolved');
			expect(env.recv.requests).toHaveLength(1);
			const raw = env.recv.requests[0].body;
			const body = JSON.parse(raw);
			expect(Object.keys(body)).toEqual([...CONVERSATION_KEYS, ...(withAccount ? ['account'] : []), 'event', 'changed_attributes']);
			expect(Object.keys(body.messages[0])).toEqual(MESSAGE_KEYS);
			expect(Object.keys(body.meta)).toEqual(['sender', 'assignee', 'assignee_type', 'team', 'hmac_verified']);
			expect(Object.keys(body.contact_inbox)).toEqual(['id', 'contact_id', 'inbox_id', 'source_id', 'created_at', 'updated_at', 'hmac_verified', 'pubsub_token']);
			expect([body.id, body.inbox_id, body.channel, body.status, body.event, body.changed_attributes]).toEqual([
				id,
				2,
				'Channel::WebWidget',
				'resolved',
				'conversation_status_changed',
				null,
			]);
			expect([body.waiting_since, body.snoozed_until, body.created_at, body.last_activity_at, body.timestamp, body.unread_count]).toEqual([
				0,
				null,
				T0S,
				T0S + 30,
				T0S + 30,
				1,
			]);
			expect(raw).toContain(`"updated_at":${T0S + 90}.0,`);
			expect(raw).toContain('"content":"Is my order \\u003cshipped\\u003e \\u0026 paid?"');
			expect([body.messages[0].message_type, body.messages[0].created_at, body.messages[0].updated_at, body.messages[0].sender_type]).toEqual([
				0,
				T0S + 30,
				iso(30),
				'Contact',
			]);
			expect(body.meta.sender).toEqual({
				additional_attributes: {},
				custom_attributes: {},
				email: 'carlos@example.com',
				id: contactId,
				identifier: null,
				name: 'Carlos Ruiz',
				phone_number: '+5491155550000',
				thumbnail: '',
				blocked: false,
				type: 'contact',
			});
			if (withAccount) expect(body.account).toEqual({ id: 1, name: 'Acme Support' });
		}
	});

	test('message_created top level: string message_type, ISO created_at, inbox {id,name}, contact webhook_data sender', async () => {
		const env = await setup();
		await hook(env, ['message_created']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		env.sim.advanceTime(1500);
		await env.sim.receiveMessage(id, 'hello');
		const body = JSON.parse(env.recv.requests[0].body);
		expect(Object.keys(body)).toEqual([
			'account',
			'additional_attributes',
			'content_attributes',
			'content_type',
			'content',
			'conversation',
			'created_at',
			'id',
			'inbox',
			'message_type',
			'private',
			'sender',
			'source_id',
			'event',
		]);
		expect([body.message_type, body.created_at, body.inbox, body.content_type, body.event]).toEqual([
			'incoming',
			'2026-06-20T09:00:01.500Z',
			{ id: 2, name: 'Website' },
			'text',
			'message_created',
		]);
		expect(Object.keys(body.sender)).toEqual(['account', 'additional_attributes', 'avatar', 'custom_attributes', 'email', 'id', 'identifier', 'name', 'phone_number', 'thumbnail', 'blocked']);
		expect(Object.keys(body.conversation)).toEqual([...CONVERSATION_KEYS, 'account']);
		expect(body.conversation.messages[0].message_type).toBe(0);
	});

	test('GET conversation answers the API partial, not the webhook shape', async () => {
		const env = await setup();
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		const res = await env.api('GET', `/api/v1/accounts/1/conversations/${id}`, undefined, env.tokens.bot);
		expect(res.status).toBe(200);
		expect(Object.keys(res.json)).toEqual([
			'meta',
			'id',
			'messages',
			'account_id',
			'uuid',
			'additional_attributes',
			'agent_last_seen_at',
			'assignee_last_seen_at',
			'can_reply',
			'contact_last_seen_at',
			'custom_attributes',
			'inbox_id',
			'labels',
			'muted',
			'snoozed_until',
			'status',
			'created_at',
			'updated_at',
			'timestamp',
			'first_reply_created_at',
			'unread_count',
			'last_non_activity_message',
			'last_activity_at',
			'priority',
			'waiting_since',
			'sla_policy_id',
		]);
		expect([res.json.id, res.json.status, res.json.account_id, res.json.meta.channel, res.json.muted, res.json.waiting_since]).toEqual([
			id,
			'pending',
			1,
			'Channel::Api',
			false,
			T0S,
		]);
	});
});

describe('status logic and event sequences', () => {
	test('S1: resolved + incoming message in a bot inbox fires the four real events in order', async () => {
		const env = await setup();
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		env.sim.advanceTime(60_000);
		const resolved = await env.sim.setStatus(id, 'resolved');
		expect(summary(resolved.deliveries)).toEqual([
			['conversation_status_changed', 'resolved', null],
			[
				'conversation_updated',
				'resolved',
				[{ status: { previous_value: 'pending', current_value: 'resolved' } }, { updated_at: { previous_value: iso(0), current_value: iso(60) } }],
			],
		]);
		env.sim.advanceTime(3_600_000);
		env.sim.resetLogs();
		env.recv.requests.length = 0;
		const { deliveries } = await env.sim.receiveMessage(id, 'Hi again');
		expect(summary(deliveries)).toEqual([
			['conversation_status_changed', 'pending', null],
			[
				'conversation_updated',
				'pending',
				[{ status: { previous_value: 'resolved', current_value: 'pending' } }, { updated_at: { previous_value: iso(60), current_value: iso(3660) } }],
			],
			['message_created', 'pending', undefined],
			[
				'conversation_updated',
				'pending',
				[{ waiting_since: { previous_value: null, current_value: iso(3660) } }, { updated_at: { previous_value: iso(3660), current_value: iso(3660) } }],
			],
		]);
		// built late: every payload shows the state after the whole operation; updated_at moved three times in the
		// same clock second (the status save, set_conversation_activity, the waiting_since save): +1 µs each
		for (const d of deliveries) {
			const conv = d.json.event === 'message_created' ? d.json.conversation : d.json;
			expect([conv.status, conv.waiting_since, conv.last_activity_at, conv.messages[0].content]).toEqual(['pending', T0S + 3660, T0S + 3660, 'Hi again']);
			expect(d.body).toContain(`"updated_at":${T0S + 3660}.000002`);
		}
		expect(env.recv.requests.map((r) => JSON.parse(r.body).event)).toEqual([
			'conversation_status_changed',
			'conversation_updated',
			'message_created',
			'conversation_updated',
		]);
		expect(env.sim.getConversation(id).status).toBe('pending');
	});

	test('new conversation: created only (4.15.1), pending in a bot inbox, open in a plain one', async () => {
		const env = await setup();
		await hook(env);
		const bot = await env.sim.createConversation({ inboxId: 1, status: 'open' });
		expect(summary(bot.deliveries)).toEqual([['conversation_created', 'pending', undefined]]);
		expect('changed_attributes' in bot.deliveries[0].json).toBe(false);
		const plain = await env.sim.createConversation({ inboxId: 2 });
		expect(summary(plain.deliveries)).toEqual([['conversation_created', 'open', undefined]]);
	});

	test('botInboxCreationEvents: the older capture adds status_changed + updated open -> pending', async () => {
		const env = await setup({ botInboxCreationEvents: true });
		await hook(env);
		const bot = await env.sim.createConversation({ inboxId: 1, status: 'open' });
		expect(summary(bot.deliveries)).toEqual([
			['conversation_created', 'pending', undefined],
			['conversation_status_changed', 'pending', null],
			['conversation_updated', 'pending', [{ status: { previous_value: 'open', current_value: 'pending' } }]],
		]);
		const plain = await env.sim.createConversation({ inboxId: 2 });
		expect(summary(plain.deliveries)).toEqual([['conversation_created', 'open', undefined]]);
	});

	test('POST /conversations: explicit open becomes pending in a bot inbox; blocked contact resolved; invalid status 500', async () => {
		const env = await setup();
		const { result: contactId } = await env.sim.createContact({ name: 'Ana' });
		const inBot = await env.api('POST', '/api/v1/accounts/1/conversations', { contact_id: String(contactId), inbox_id: '1', status: 'open' });
		expect([inBot.status, inBot.json.id, inBot.json.status]).toEqual([200, 1, 'pending']);
		const inPlain = await env.api('POST', '/api/v1/accounts/1/conversations', { contact_id: contactId, inbox_id: 2, status: 'open' });
		expect([inPlain.status, inPlain.json.id, inPlain.json.status]).toEqual([200, 2, 'open']);
		const bad = await env.api('POST', '/api/v1/accounts/1/conversations', { contact_id: contactId, inbox_id: 2, status: 'closed' });
		expect([bad.status, bad.json]).toEqual([500, { status: 500, error: 'Internal Server Error' }]);
		const { result: blocked } = await env.sim.createContact({ name: 'Spam', blocked: true });
		const res = await env.api('POST', '/api/v1/accounts/1/conversations', { contact_id: blocked, inbox_id: 1 });
		expect(res.json.status).toBe('resolved');
		const noInbox = await env.api('POST', '/api/v1/accounts/1/conversations', { contact_id: contactId, inbox_id: 9 });
		expect([noInbox.status, noInbox.json]).toEqual([404, { error: 'Resource could not be found' }]);
	});

	test.each([
		['no bot', () => undefined, 2, 'open'],
		['agent bot', (s: Sim) => s.attachBot(2), 2, 'pending'],
		['enabled Dialogflow hook', (s: Sim) => s.setDialogflow(2, true), 2, 'pending'],
		['disabled Dialogflow hook', (s: Sim) => s.setDialogflow(2, false), 2, 'open'],
		['Captain with quota', (s: Sim) => s.setCaptain(2, { id: 3, name: 'Cap' }), 2, 'pending'],
		['Captain without quota', (s: Sim) => s.setCaptain(2, { quotaExhausted: true }), 2, 'open'],
		['muted conversation', (s: Sim) => s.setMuted(1, true), 2, 'resolved'],
	])('resolved + incoming message with %s -> %#', async (_name, arrange, inboxId, expected) => {
		const env = await setup();
		const { result: id } = await env.sim.createConversation({ inboxId });
		await env.sim.setStatus(id, 'resolved');
		arrange(env.sim);
		await env.sim.receiveMessage(id, 'back again');
		expect(env.sim.getConversation(id).status).toBe(expected);
	});

	test('snoozed + incoming -> open; outgoing messages never reopen; snooze expiry opens', async () => {
		const env = await setup();
		await hook(env, ['conversation_status_changed', 'conversation_updated']);
		const { result: a } = await env.sim.createConversation({ inboxId: 2 });
		const snooze = await env.api('POST', `/api/v1/accounts/1/conversations/${a}/toggle_status`, { status: 'snoozed', snoozed_until: T0S + 86400 });
		expect(snooze.json).toEqual({ meta: {}, payload: { success: true, conversation_id: a, current_status: 'snoozed', snoozed_until: '2026-06-21T09:00:00.000Z' } });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(10_000);
		const { deliveries } = await env.sim.receiveMessage(a, 'wake up');
		expect(summary(deliveries)).toEqual([
			['conversation_status_changed', 'open', null],
			[
				'conversation_updated',
				'open',
				[
					{ status: { previous_value: 'snoozed', current_value: 'open' } },
					{ snoozed_until: { previous_value: '2026-06-21T09:00:00.000Z', current_value: null } },
					{ updated_at: { previous_value: iso(0), current_value: iso(10) } },
				],
			],
		]);

		await env.sim.setStatus(a, 'resolved');
		await env.sim.sendMessage(a, 'one more thing', { as: 'agent' });
		await env.sim.sendMessage(a, 'bot says hi', { as: 'bot' });
		expect(env.sim.getConversation(a).status).toBe('resolved');

		// "Snoozed until next reply" has no snoozed_until and never expires.
		await env.sim.setStatus(a, 'snoozed');
		expect(env.sim.getConversation(a).snoozedUntil).toBe(null);
		const never = await env.sim.expireSnooze(a);
		expect([never.result, never.deliveries]).toEqual(['snoozed', []]);
		expect((await env.sim.runSnoozeReopenJob()).result).toEqual([]);
		// A snooze until a time: the job reopens it once that time has come, if it is no more than 3 days old.
		await env.sim.setStatus(a, 'snoozed', { snoozedUntil: T0S + 3600 });
		expect((await env.sim.runSnoozeReopenJob()).result).toEqual([]);
		env.sim.advanceTime(3600 * 1000);
		const expired = await env.sim.runSnoozeReopenJob();
		expect([expired.result, summary(expired.deliveries).map((s) => s[0])]).toEqual([[a], ['conversation_status_changed', 'conversation_updated']]);
		expect(env.sim.getConversation(a).status).toBe('open');
		// Snoozed until a time more than 3 days ago (the job did not run meanwhile): never reopened.
		await env.sim.setStatus(a, 'snoozed', { snoozedUntil: Math.floor(env.sim.now() / 1000) + 60 });
		env.sim.advanceTime((3 * 24 * 3600 + 120) * 1000);
		expect((await env.sim.runSnoozeReopenJob()).result).toEqual([]);
		expect((await env.sim.expireSnooze(a)).result).toBe('snoozed');
	});
});

describe('auto-assignment, older system (assignmentV2: false: accounts created before 4.13.0)', () => {
	const legacy = (options: Record<string, unknown> = {}) => setup({ assignmentV2: false, ...options });
	const AGENT = 2;
	const ADMIN = 1;
	const keysOf = (d: any) => (Array.isArray(d.json.changed_attributes) ? d.json.changed_attributes.map((c: any) => Object.keys(c)[0]) : d.json.changed_attributes);
	const assignedTo = (id: number) => [{ assignee_id: { previous_value: null, current_value: id } }];
	const statusHook = ['conversation_created', 'conversation_status_changed', 'conversation_updated', 'message_created'];

	/** A pending bot-inbox conversation with its creation events drained. */
	async function pendingConversation(env: Env) {
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(2000);
		return id;
	}

	test('defaults: enabled on both inboxes, the agent is their only member and online, the administrator offline', async () => {
		const env = await legacy();
		expect([env.sim.inboxMembers(1), env.sim.inboxMembers(2)]).toEqual([[AGENT], [AGENT]]);
		expect([env.sim.agentAvailability(ADMIN), env.sim.agentAvailability(AGENT)]).toEqual(['offline', 'online']);
		const inbox = await env.api('GET', '/api/v1/accounts/1/inboxes/1');
		expect(inbox.json.enable_auto_assignment).toBe(true);
		const profile = await env.api('GET', '/api/v1/profile', undefined, env.tokens.agent);
		expect(profile.json.accounts[0]).toMatchObject({ availability: 'online', availability_status: 'online', auto_offline: true });
		await hook(env, statusHook);
		const id = await pendingConversation(env);
		const { deliveries } = await env.sim.setStatus(id, 'open', { as: 'bot' });
		expect(deliveries.map((d: any) => [d.event, d.json.status, keysOf(d)])).toEqual([['conversation_updated', 'open', ['assignee_id', 'updated_at']]]);
	});

	test('nobody online (onlineAgents: []): the status events as usual and no assignee', async () => {
		const env = await legacy({ onlineAgents: [] });
		await hook(env, statusHook);
		expect(env.sim.agentAvailability(AGENT)).toBe('offline');
		const profile = await env.api('GET', '/api/v1/profile', undefined, env.tokens.agent);
		expect(profile.json.accounts[0]).toMatchObject({ availability: 'online', availability_status: 'offline', auto_offline: true });
		const id = await pendingConversation(env);
		const { deliveries } = await env.sim.setStatus(id, 'open', { as: 'bot' });
		expect(deliveries.map((d: any) => [d.event, keysOf(d)])).toEqual([
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
		]);
		expect(env.sim.getConversation(id).assigneeId).toBe(null);
	});

	test.each([
		['the bot handoff (bot token)', 'bot'],
		['an administrator toggle_status', 'administrator'],
	])('pending -> open by %s with an agent online: only conversation_updated [assignee_id, updated_at]', async (_name, as) => {
		const env = await legacy({ onlineAgents: [AGENT] });
		await hook(env, statusHook);
		const id = await pendingConversation(env);
		const token = as === 'bot' ? env.tokens.bot : env.tokens.administrator;
		const res = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }, token);
		expect(res.json.payload).toEqual({ success: as === 'bot' ? null : true, conversation_id: id, current_status: 'open', snoozed_until: null });
		await env.sim.idle();
		const deliveries = env.sim.deliveries();
		expect(deliveries.map((d: any) => [d.event, d.json.status, d.json.changed_attributes])).toEqual([
			['conversation_updated', 'open', [...assignedTo(AGENT), { updated_at: { previous_value: iso(2), current_value: iso(2) } }]],
		]);
		expect(deliveries[0].json.meta.assignee.id).toBe(AGENT);
		expect([env.sim.getConversation(id).status, env.sim.getConversation(id).assigneeId]).toEqual(['open', AGENT]);
	});

	test('agent token: self-assignment after the auto-assignment is a second save only when somebody else was picked', async () => {
		const env = await legacy({ onlineAgents: [AGENT] });
		await hook(env, statusHook);
		const self = await pendingConversation(env);
		await env.api('POST', `/api/v1/accounts/1/conversations/${self}/toggle_status`, { status: 'open' }, env.tokens.agent);
		await env.sim.idle();
		expect(env.sim.deliveries().map((d: any) => [d.event, keysOf(d)])).toEqual([['conversation_updated', ['assignee_id', 'updated_at']]]);

		env.sim.setInboxMembers(1, [ADMIN, AGENT]);
		env.sim.setAgentOnline(AGENT, false);
		env.sim.setAgentOnline(ADMIN, true);
		const other = await pendingConversation(env);
		await env.api('POST', `/api/v1/accounts/1/conversations/${other}/toggle_status`, { status: 'open' }, env.tokens.agent);
		await env.sim.idle();
		expect(env.sim.deliveries().map((d: any) => [d.event, d.json.changed_attributes[0]])).toEqual([
			['conversation_updated', { assignee_id: { previous_value: null, current_value: ADMIN } }],
			['conversation_updated', { assignee_id: { previous_value: ADMIN, current_value: AGENT } }],
		]);
	});

	test('agent-bot failure and snooze expiry open a conversation the same hidden way', async () => {
		const env = await legacy({ onlineAgents: [AGENT] });
		await hook(env, statusHook);
		const failed = await pendingConversation(env);
		const failure = await env.sim.botWebhookFailure(failed);
		expect([failure.result, failure.deliveries.map((d: any) => [d.event, d.json.status, keysOf(d)])]).toEqual([
			'open',
			[['conversation_updated', 'open', ['assignee_id', 'updated_at']]],
		]);
		expect(env.sim.getConversation(failed).messages.map((m: any) => [m.messageType, m.content])).toEqual([
			['activity', 'Conversation was marked open by system due to an error with the agent bot.'],
		]);

		const { result: snoozed } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.assign(snoozed, null);
		await env.sim.setStatus(snoozed, 'snoozed', { snoozedUntil: T0S + 600 });
		await env.sim.idle();
		env.sim.resetLogs();
		const expired = await env.sim.expireSnooze(snoozed);
		expect(expired.deliveries.map((d: any) => [d.event, d.json.status, d.json.snoozed_until, keysOf(d)])).toEqual([
			['conversation_updated', 'open', null, ['assignee_id', 'updated_at']],
		]);
	});

	test('incoming message: resolved or snoozed -> open in an inbox without a bot is hidden; resolved -> pending in a bot inbox is not', async () => {
		const env = await legacy({ onlineAgents: [AGENT] });
		await hook(env, statusHook);
		const { result: plain } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.assign(plain, null);
		await env.sim.setStatus(plain, 'resolved');
		await env.sim.idle();
		env.sim.resetLogs();
		const reopened = await env.sim.receiveMessage(plain, 'back again');
		expect(reopened.deliveries.map((d: any) => [d.event, d.json.status || d.json.conversation.status, keysOf(d)])).toEqual([
			['conversation_updated', 'open', ['assignee_id', 'updated_at']],
			['message_created', 'open', undefined],
			['conversation_updated', 'open', ['waiting_since', 'updated_at']],
		]);

		await env.sim.assign(plain, null);
		await env.sim.setStatus(plain, 'snoozed');
		await env.sim.idle();
		env.sim.resetLogs();
		const woken = await env.sim.receiveMessage(plain, 'wake up');
		expect(woken.deliveries.map((d: any) => [d.event, keysOf(d)])).toEqual([
			['conversation_updated', ['assignee_id', 'updated_at']],
			['message_created', undefined],
		]);

		const bot = await pendingConversation(env);
		await env.sim.setStatus(bot, 'resolved');
		await env.sim.idle();
		env.sim.resetLogs();
		const { deliveries } = await env.sim.receiveMessage(bot, 'again');
		expect(deliveries.map((d: any) => [d.event, keysOf(d)])).toEqual([
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
			['message_created', undefined],
			['conversation_updated', ['waiting_since', 'updated_at']],
		]);
	});

	test('a new open conversation is assigned inside its creation: conversation_created only, showing the assignee', async () => {
		const env = await legacy({ onlineAgents: [AGENT] });
		await hook(env, statusHook);
		const { deliveries, result: id } = await env.sim.createConversation({ inboxId: 2 });
		expect(deliveries.map((d: any) => [d.event, d.json.status, d.json.meta.assignee && d.json.meta.assignee.id])).toEqual([
			['conversation_created', 'open', AGENT],
		]);
		const res = await env.api('GET', `/api/v1/accounts/1/conversations/${id}`);
		expect([res.json.meta.assignee.id, res.json.meta.assignee.availability_status, res.json.meta.assignee_type]).toEqual([AGENT, 'online', 'User']);
	});

	test.each([
		['auto-assignment off for the inbox', (s: Sim) => s.setAutoAssignment(1, false), null],
		['option autoAssignment: false', null, { autoAssignment: false }],
		['the account feature assignment_v2', null, { assignmentV2: true }],
		['the online agent is busy', (s: Sim) => s.setAgentPresence(2, { availability: 'busy' }), null],
		['the online user is not a member', (s: Sim) => s.setInboxMembers(1, [1]), null],
		['the conversation has a member assignee', (s: Sim) => s.assign(1, 2), null],
	])('no hidden change when %s', async (_name, arrange, options) => {
		const env = await legacy({ onlineAgents: [AGENT], ...(options || {}) });
		await hook(env, statusHook);
		const id = await pendingConversation(env);
		if (arrange) await arrange(env.sim);
		await env.sim.idle();
		env.sim.resetLogs();
		const { deliveries } = await env.sim.setStatus(id, 'open', { as: 'bot' });
		expect(deliveries.map((d: any) => [d.event, keysOf(d)])).toEqual([
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
		]);
	});

	test('availability: auto_offline false lists an unconnected agent; an assignee who left the inbox is replaced', async () => {
		const env = await legacy();
		await hook(env, statusHook);
		env.sim.setAgentPresence(AGENT, { autoOffline: false });
		expect(env.sim.agentAvailability(AGENT)).toBe('online');
		const id = await pendingConversation(env);
		await env.sim.assign(id, ADMIN); // the administrator is not a member of inbox 1
		await env.sim.idle();
		env.sim.resetLogs();
		const { deliveries } = await env.sim.setStatus(id, 'open', { as: 'bot' });
		expect(deliveries.map((d: any) => [d.event, d.json.changed_attributes[0]])).toEqual([
			['conversation_updated', { assignee_id: { previous_value: ADMIN, current_value: AGENT } }],
		]);
	});

	test('round robin over online members in membership order; max_assignment_limit (enterprise) skips full agents', async () => {
		const env = await legacy({ onlineAgents: [ADMIN, AGENT], inboxMembers: { 1: [AGENT], 2: [ADMIN, AGENT] } });
		const picks: number[] = [];
		for (let i = 0; i < 4; i++) {
			const { result: id } = await env.sim.createConversation({ inboxId: 2 });
			picks.push(env.sim.getConversation(id).assigneeId);
		}
		expect(picks).toEqual([ADMIN, AGENT, ADMIN, AGENT]);
		env.sim.setAgentOnline(ADMIN, false);
		const { result: next } = await env.sim.createConversation({ inboxId: 2 });
		expect(env.sim.getConversation(next).assigneeId).toBe(AGENT);

		const limited = await legacy({ onlineAgents: [ADMIN, AGENT], inboxMembers: { 1: [AGENT], 2: [ADMIN, AGENT] } });
		limited.sim.setAutoAssignment(2, true, { maxAssignmentLimit: 1 });
		const assignees: Array<number | null> = [];
		for (let i = 0; i < 3; i++) {
			const { result: id } = await limited.sim.createConversation({ inboxId: 2 });
			assignees.push(limited.sim.getConversation(id).assigneeId);
		}
		expect(assignees).toEqual([ADMIN, AGENT, null]);
	});
});

describe('assignment V2 (the default of accounts created on 4.13.0 or later), teams, manual and automation assignment', () => {
	const AGENT = 2;
	const ADMIN = 1;
	const shape = (deliveries: any[]) =>
		deliveries.map((d) => `${d.event} ${d.json.status} [${(d.json.changed_attributes ?? []).map((c: any) => Object.keys(c)[0]).join(',')}]`);

	test('on by default from 4.13.0, off before; the older system stays reachable with assignmentV2: false', () => {
		expect(createChatwootSimulator({ version: '4.15.1' }).features.assignmentV2).toBe(true);
		expect(createChatwootSimulator({ version: '4.13.0' }).features.assignmentV2).toBe(true);
		expect(createChatwootSimulator({ version: '4.12.0' }).features.assignmentV2).toBe(false);
		expect(createChatwootSimulator({ version: '4.15.1', assignmentV2: false }).features.assignmentV2).toBe(false);
	});

	test('a new open conversation: conversation_created unassigned, then the AssignmentJob assigns it in a later save of its own', async () => {
		const env = await setup({ assignmentJobs: 'manual' });
		await hook(env);
		const created = await env.sim.createConversation({ inboxId: 2 });
		expect(shape(created.deliveries)).toEqual(['conversation_created open []']);
		expect(created.deliveries[0].json.meta.assignee).toBe(null);
		expect(env.sim.pendingAssignmentJobs()).toEqual([2]);
		env.sim.advanceTime(1500);
		const job = await env.sim.runAssignmentJobs();
		expect([job.result, shape(job.deliveries)]).toEqual([1, ['conversation_updated open [assignee_id,updated_at]']]);
		expect(job.deliveries[0].json.changed_attributes[0]).toEqual({ assignee_id: { previous_value: null, current_value: AGENT } });
	});

	test('the job runs by itself after the operation that enqueued it (assignmentJobs: auto, the default)', async () => {
		const env = await setup();
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		expect(shape(env.sim.deliveries())).toEqual(['conversation_created open []', 'conversation_updated open [assignee_id,updated_at]']);
		expect(env.sim.getConversation(id).assigneeId).toBe(AGENT);
	});

	test('status changes are announced normally (bot handoff, agent-bot failure, reopen by a message); the assignment follows on its own', async () => {
		for (const change of ['handoff', 'failure', 'message'] as const) {
			const env = await setup({ assignmentJobs: 'manual', attachBot: change !== 'message' });
			await hook(env);
			const { result: id } = await env.sim.createConversation({ inboxId: 1 });
			if (change === 'message') await env.sim.setStatus(id, 'resolved');
			env.sim.resetLogs();
			const step =
				change === 'handoff'
					? await env.sim.setStatus(id, 'open', { as: 'bot' })
					: change === 'failure'
						? await env.sim.botWebhookFailure(id)
						: await env.sim.receiveMessage(id, 'back again');
			expect(shape(step.deliveries).filter((s) => !s.startsWith('message_created'))).toEqual(
				change === 'message'
					? ['conversation_status_changed open []', 'conversation_updated open [status,updated_at]', 'conversation_updated open [waiting_since,updated_at]']
					: change === 'handoff'
						? ['conversation_status_changed open []', 'conversation_updated open [status,updated_at]']
						: ['conversation_status_changed open []', 'conversation_updated open [status,updated_at]'],
			);
			expect(shape((await env.sim.runAssignmentJobs()).deliveries)).toEqual(['conversation_updated open [assignee_id,updated_at]']);
		}
	});

	test('the periodic run assigns the open, unassigned conversations of inboxes with an assignment policy', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		expect(env.sim.getConversation(id).assigneeId).toBe(null); // nobody online at creation
		env.sim.setAgentOnline(AGENT, true);
		expect((await env.sim.runPeriodicAssignment()).result).toBe(0); // no policy on the inbox
		env.sim.setAssignmentPolicy(2);
		env.sim.resetLogs();
		const run = await env.sim.runPeriodicAssignment();
		expect([run.result, shape(run.deliveries)]).toEqual([1, ['conversation_updated open [assignee_id,updated_at]']]);
	});

	test('manual assignment and an automation assign_agent: conversation_updated [assignee_id, updated_at], no status event', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		env.sim.resetLogs();
		const manual = await env.sim.assign(id, AGENT);
		expect(shape(manual.deliveries)).toEqual(['conversation_updated open [assignee_id,updated_at]']);
		const automation = await env.sim.automationAssign(id, ADMIN);
		expect(shape(automation.deliveries)).toEqual(['conversation_updated open [assignee_id,updated_at]']);
		expect(automation.deliveries[0].json.changed_attributes[0]).toEqual({ assignee_id: { previous_value: AGENT, current_value: ADMIN } });
		await env.sim.idle();
		const activities = env.sim.getConversation(id).messages.filter((m: any) => m.messageType === 'activity').map((m: any) => m.content);
		expect(activities).toEqual(['Assigned to Alex Agent by Ada Admin', 'Assigned to Ada Admin by Automation System']);
		const viaApi = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/assignments`, { assignee_id: AGENT });
		expect(viaApi.status).toBe(200);
	});

	test('teams: without allow_auto_assign never auto-assigned (older system: the reopen stays visible); with it, its members only', async () => {
		for (const allowAutoAssign of [false, true]) {
			const env = await setup({ assignmentV2: false, onlineAgents: [] });
			await hook(env);
			const team = env.sim.createTeam({ name: 'Billing', allowAutoAssign, memberIds: [AGENT] });
			const { result: id } = await env.sim.createConversation({ inboxId: 2 });
			const teamed = await env.sim.assignTeam(id, team);
			expect(shape(teamed.deliveries)).toEqual(['conversation_updated open [team_id,updated_at]']);
			expect(teamed.deliveries[0].json.meta.team).toEqual({ id: team, name: 'Billing' });
			await env.sim.setStatus(id, 'resolved');
			env.sim.setAgentOnline(AGENT, true);
			const reopened = await env.sim.receiveMessage(id, 'again');
			expect(shape(reopened.deliveries).filter((s) => !s.startsWith('message_created') && !s.includes('waiting_since'))).toEqual(
				allowAutoAssign ? ['conversation_updated open [assignee_id,updated_at]'] : ['conversation_status_changed open []', 'conversation_updated open [status,updated_at]'],
			);
			expect(env.sim.getConversation(id).assigneeId).toBe(allowAutoAssign ? AGENT : null);
		}
		// V2's job follows the same rule: a team without allow_auto_assign, or whose members are offline, gets nobody.
		const v2 = await setup({ assignmentJobs: 'manual' });
		const closed = v2.sim.createTeam({ allowAutoAssign: false, memberIds: [AGENT] });
		const offline = v2.sim.createTeam({ allowAutoAssign: true, memberIds: [ADMIN] });
		const open = v2.sim.createTeam({ allowAutoAssign: true, memberIds: [AGENT] });
		const ids = [];
		for (const team of [closed, offline, open]) {
			const { result: id } = await v2.sim.createConversation({ inboxId: 2 });
			await v2.sim.assignTeam(id, team);
			ids.push(id);
		}
		expect((await v2.sim.runAssignmentJobs()).result).toBe(1);
		expect(ids.map((id) => v2.sim.getConversation(id).assigneeId)).toEqual([null, null, AGENT]);
	});

	test('an assignee who left the inbox: the older system hides a reopen behind X -> Y; V2 keeps the status events and reassigns nobody', async () => {
		for (const assignmentV2 of [false, true]) {
			const env = await setup({ assignmentV2, onlineAgents: [ADMIN, AGENT], inboxMembers: { 2: [ADMIN, AGENT] } });
			await hook(env);
			const { result: id } = await env.sim.createConversation({ inboxId: 2 });
			await env.sim.idle();
			await env.sim.assign(id, ADMIN);
			await env.sim.setStatus(id, 'resolved');
			env.sim.setInboxMembers(2, [AGENT]);
			env.sim.resetLogs();
			await env.sim.receiveMessage(id, 'still broken');
			await env.sim.idle();
			const updates = env.sim.deliveries().filter((d: any) => d.event.startsWith('conversation_') && !JSON.stringify(d.json.changed_attributes).includes('waiting_since'));
			if (assignmentV2) {
				expect(shape(updates)).toEqual(['conversation_status_changed open []', 'conversation_updated open [status,updated_at]']);
				expect(env.sim.getConversation(id).assigneeId).toBe(ADMIN);
			} else {
				expect(shape(updates)).toEqual(['conversation_updated open [assignee_id,updated_at]']);
				expect(updates[0].json.changed_attributes[0]).toEqual({ assignee_id: { previous_value: ADMIN, current_value: AGENT } });
			}
		}
	});
});

describe('channels: a new conversation after "resolved" (WhatsApp and the like) or a reopen (API channel, web widget)', () => {
	const NEW_CONVERSATION_CHANNELS = ['Channel::Whatsapp', 'Channel::Sms', 'Channel::TwilioSms', 'Channel::Telegram', 'Channel::Line', 'Channel::FacebookPage', 'Channel::Instagram', 'Channel::Tiktok'];

	test.each(NEW_CONVERSATION_CHANNELS)('%s: a message after "resolved" starts a new conversation; the resolved one stays resolved', async (channelType) => {
		const env = await setup();
		await hook(env);
		const inbox = env.sim.addInbox({ channelType });
		const { result: id } = await env.sim.createConversation({ inboxId: inbox });
		await env.sim.setStatus(id, 'resolved');
		await env.sim.idle();
		env.sim.resetLogs();
		const { result: messageId } = await env.sim.receiveMessage(id, 'new question');
		await env.sim.idle();
		const next = env.sim.conversationOfMessage(messageId);
		expect(next).not.toBe(id);
		expect([env.sim.getConversation(id).status, env.sim.getConversation(next).status]).toEqual(['resolved', 'open']);
		expect(env.sim.deliveries().map((d: any) => [d.event, d.conversationId])).toEqual([
			['conversation_created', next],
			['message_created', next],
			['conversation_updated', next], // the AssignmentJob (V2)
		]);
		// A second message lands in the new, unresolved conversation.
		expect(env.sim.conversationOfMessage((await env.sim.receiveMessage(id, 'and another')).result)).toBe(next);
	});

	test('locked to a single conversation, the API channel (EvolutionAPI) and the web widget: the resolved conversation reopens', async () => {
		const env = await setup({ attachBot: false });
		const locked = env.sim.addInbox({ channelType: 'Channel::Whatsapp', lockToSingleConversation: true });
		for (const inbox of [locked, env.sim.ids().apiInboxId, env.sim.ids().webInboxId]) {
			const { result: id } = await env.sim.createConversation({ inboxId: inbox });
			await env.sim.setStatus(id, 'resolved');
			const { result: messageId } = await env.sim.receiveMessage(id, 'back');
			expect([env.sim.conversationOfMessage(messageId), env.sim.getConversation(id).status]).toEqual([id, 'open']);
		}
	});
});

describe('GET .../messages', () => {
	test('the latest 20 messages, oldest first, activity messages included (message_type 2, no sender)', async () => {
		const env = await setup({ onlineAgents: [] });
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.receiveMessage(id, 'Hello');
		env.sim.advanceTime(1000);
		await env.sim.setStatus(id, 'resolved', { as: 'agent' });
		await env.sim.idle();
		const res = await env.api('GET', `/api/v1/accounts/1/conversations/${id}/messages`);
		expect(res.status).toBe(200);
		expect(Object.keys(res.json.meta)).toEqual(['labels', 'additional_attributes', 'contact', 'assignee', 'agent_last_seen_at', 'assignee_last_seen_at']);
		expect(res.json.payload.map((m: any) => [m.message_type, m.content, m.sender?.type ?? null])).toEqual([
			[0, 'Hello', 'contact'],
			[2, 'Conversation was marked resolved by Alex Agent', null],
		]);
		expect(res.json.payload[1].created_at).toBe(T0S + 1);
		for (let i = 0; i < 25; i++) await env.sim.receiveMessage(id, `m${i}`);
		const latest = await env.api('GET', `/api/v1/accounts/1/conversations/${id}/messages`);
		expect(latest.json.payload).toHaveLength(20);
		expect(latest.json.payload[19].content).toBe('m24');
	});
});

describe('CONVERSATION_RESULTS_PER_PAGE', () => {
	test('the conversation list pages by the configured size (25 by default)', async () => {
		for (const [perPage, sizes] of [
			[undefined, [25, 5, 0]],
			[10, [10, 10, 10]],
		] as Array<[number | undefined, number[]]>) {
			const env = await setup(perPage === undefined ? { onlineAgents: [] } : { onlineAgents: [], conversationsPerPage: perPage });
			for (let i = 0; i < 30; i++) await env.sim.createConversation({ inboxId: 2 });
			const got = [];
			for (const page of [1, 2, 3]) {
				const res = await env.api('GET', `/api/v1/accounts/1/conversations?status=all&assignee_type=all&page=${page}`);
				got.push(res.json.data.payload.length);
				expect(res.json.data.meta.all_count).toBe(30);
			}
			expect(got).toEqual(sizes);
		}
	});
});

describe('message callbacks (message.rb L324-333 order)', () => {
	const events = (deliveries: any[]) =>
		deliveries.map((d: any) => [
			d.event,
			d.json.event === 'message_created' ? undefined : Array.isArray(d.json.changed_attributes) ? d.json.changed_attributes.map((c: any) => Object.keys(c)[0]) : null,
		]);

	/** A conversation the Captain inbox (web inbox with an assistant) made pending, its creation drained. */
	async function captainConversation(env: Env) {
		if (!env.sim.webhooks().length) await hook(env, ['conversation_status_changed', 'conversation_updated', 'message_created']);
		env.sim.setCaptain(2, { id: 3, name: 'Cap' });
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		env.sim.resetLogs();
		return id;
	}

	test.each([
		['with quota', false],
		['without quota', true],
	])('Captain inbox %s: a human reply opens the pending conversation before message_created', async (_name, quotaExhausted) => {
		const env = await setup({ onlineAgents: [] });
		const untouched = await captainConversation(env);
		const id = await captainConversation(env);
		expect([env.sim.getConversation(id).status, env.sim.getConversation(untouched).status]).toEqual(['pending', 'pending']);
		env.sim.setCaptain(2, { id: 3, name: 'Cap', quotaExhausted });
		const { deliveries } = await env.sim.sendMessage(id, 'A human here', { as: 'agent' });
		expect(events(deliveries)).toEqual([
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
			['message_created', undefined],
			['conversation_updated', ['first_reply_created_at', 'waiting_since', 'updated_at']],
		]);
		expect(deliveries[2].json.conversation.status).toBe('open');
		// neither a private note nor a bot reply opens it
		await env.sim.sendMessage(untouched, 'note', { as: 'agent', isPrivate: true });
		await env.sim.sendMessage(untouched, 'bot', { as: 'bot' });
		expect(env.sim.getConversation(untouched).status).toBe('pending');
	});

	test('Captain with an agent online, older assignment system: the opening is hidden by the auto-assignment', async () => {
		const env = await setup({ assignmentV2: false });
		const id = await captainConversation(env);
		const { deliveries } = await env.sim.sendMessage(id, 'A human here', { as: 'administrator' });
		expect(events(deliveries)).toEqual([
			['conversation_updated', ['assignee_id', 'updated_at']],
			['message_created', undefined],
			['conversation_updated', ['first_reply_created_at', 'waiting_since', 'updated_at']],
		]);
	});

	test('captainOpensBeforeMessage: false keeps the older model (after message_created, only with quota)', async () => {
		const env = await setup({ onlineAgents: [], captainOpensBeforeMessage: false });
		const id = await captainConversation(env);
		const { deliveries } = await env.sim.sendMessage(id, 'A human here', { as: 'agent' });
		expect(events(deliveries)).toEqual([
			['message_created', undefined],
			['conversation_updated', ['first_reply_created_at', 'waiting_since', 'updated_at']],
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
		]);
		const { result: other } = await env.sim.createConversation({ inboxId: 2 });
		env.sim.setCaptain(2, { quotaExhausted: true });
		await env.sim.sendMessage(other, 'A human here', { as: 'agent' });
		expect(env.sim.getConversation(other).status).toBe('pending');
	});

	test('first human reply: one save of first_reply_created_at + waiting_since; later replies clear waiting_since only', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_updated', 'message_created']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(5000);
		const first = await env.sim.sendMessage(id, 'Hello, how can I help?', { as: 'agent' });
		expect(first.deliveries.map((d: any) => [d.event, d.json.changed_attributes && d.json.changed_attributes.slice(0, 2)])).toEqual([
			['message_created', undefined],
			[
				'conversation_updated',
				[{ first_reply_created_at: { previous_value: null, current_value: iso(5) } }, { waiting_since: { previous_value: iso(0), current_value: null } }],
			],
		]);
		expect(env.sim.getConversation(id)).toMatchObject({ firstReplyCreatedAt: T0S + 5, waitingSince: 0 });
		env.sim.advanceTime(5000);
		await env.sim.receiveMessage(id, 'thanks');
		const second = await env.sim.sendMessage(id, 'You are welcome', { as: 'agent' });
		expect(events(second.deliveries)).toEqual([
			['message_created', undefined],
			['conversation_updated', ['waiting_since', 'updated_at']],
		]);
		const old = await setup({ onlineAgents: [], firstReplySingleUpdate: false });
		await hook(old, ['conversation_updated', 'message_created']);
		const { result: o } = await old.sim.createConversation({ inboxId: 2 });
		await old.sim.idle();
		old.sim.resetLogs();
		expect(events((await old.sim.sendMessage(o, 'hi', { as: 'agent' })).deliveries)).toEqual([
			['message_created', undefined],
			['conversation_updated', ['first_reply_created_at', 'updated_at']],
			['conversation_updated', ['waiting_since', 'updated_at']],
		]);
	});

	test('an incoming message sets waiting_since with updated_at; waitingSinceTouchesUpdatedAt: false keeps the older shape', async () => {
		for (const [options, keys] of [
			[{}, ['waiting_since', 'updated_at']],
			[{ waitingSinceTouchesUpdatedAt: false }, ['waiting_since']],
		] as Array<[Record<string, unknown>, string[]]>) {
			const env = await setup({ onlineAgents: [], ...options });
			await hook(env, ['conversation_updated', 'message_created']);
			const { result: id } = await env.sim.createConversation({ inboxId: 2 });
			await env.sim.sendMessage(id, 'hi', { as: 'agent' });
			await env.sim.idle();
			env.sim.resetLogs();
			env.sim.advanceTime(7000);
			const { deliveries } = await env.sim.receiveMessage(id, 'question');
			expect(events(deliveries)).toEqual([
				['message_created', undefined],
				['conversation_updated', keys],
			]);
			expect(deliveries[1].json.changed_attributes[0]).toEqual({ waiting_since: { previous_value: null, current_value: iso(7) } });
		}
	});

	test('every message moves last_activity_at and updated_at silently (set_conversation_activity); a job\'s status change only updated_at', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_updated']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.sendMessage(id, 'hi', { as: 'agent' });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(30_000);
		const { deliveries } = await env.sim.sendMessage(id, 'a second note', { as: 'agent', isPrivate: true });
		expect(deliveries).toEqual([]);
		const afterNote = env.sim.getConversation(id);
		expect([afterNote.lastActivityAt, afterNote.updatedAt]).toEqual([T0S + 30, T0S + 30]);
		await env.sim.setStatus(id, 'snoozed', { snoozedUntil: T0S + 60 });
		env.sim.advanceTime(30_000);
		await env.sim.expireSnooze(id); // the job has no Current.user: no activity message
		const afterExpiry = env.sim.getConversation(id);
		expect([afterExpiry.status, afterExpiry.lastActivityAt, afterExpiry.updatedAt]).toEqual(['open', T0S + 30, T0S + 60]);
	});
});

describe('activity messages (ActivityMessageJob, after the webhook jobs)', () => {
	const activities = (sim: Sim, id: number) =>
		sim
			.getConversation(id)
			.messages.filter((m: any) => m.messageType === 'activity')
			.map((m: any) => m.content);

	test('a user\'s status change: its activity message comes after the payloads were built, then moves the timestamps', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_status_changed']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		env.sim.advanceTime(60_000);
		const { deliveries } = await env.sim.setStatus(id, 'resolved');
		expect([deliveries[0].json.last_activity_at, deliveries[0].json.updated_at]).toEqual([T0S, T0S + 60]);
		expect(activities(env.sim, id)).toEqual(['Conversation was marked resolved by Ada Admin']);
		const res = await env.api('GET', `/api/v1/accounts/1/conversations/${id}`);
		expect([res.json.last_activity_at, res.json.messages[0].content, res.json.last_non_activity_message]).toEqual([
			T0S + 60,
			'Conversation was marked resolved by Ada Admin',
			null,
		]);
		expect(res.body).toContain(`"updated_at":${T0S + 60}.000001,`);
	});

	test.each([
		['admin toggle_status, nobody online', [], 'administrator', ['Conversation was reopened by Ada Admin']],
		['agent toggle_status, nobody online', [], 'agent', ['Conversation was reopened by Alex Agent', 'Alex Agent self-assigned this conversation']],
		['bot handoff, agent online, older system (hidden)', [2], 'bot', ['Assigned to Alex Agent by WhatsApp Bot'], false],
		['admin toggle_status, agent online, older system (hidden)', [2], 'administrator', ['Assigned to Alex Agent by Ada Admin'], false],
		// Assignment V2: the status save stays visible; the AssignmentJob's later assignment has no Current.user.
		['bot handoff, agent online, assignment V2', [2], 'bot', ['Conversation was reopened by WhatsApp Bot'], true],
		['admin toggle_status, agent online, assignment V2', [2], 'administrator', ['Conversation was reopened by Ada Admin'], true],
	])('pending -> open by %s', async (_name, onlineAgents, as, expected, assignmentV2 = true) => {
		const env = await setup({ onlineAgents, assignmentV2 });
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		await env.sim.setStatus(id, 'open', { as });
		await env.sim.idle();
		expect(activities(env.sim, id)).toEqual(expected);
		if (onlineAgents.length) expect(env.sim.getConversation(id).assigneeId).toBe(2);
	});

	test('API inbox without a bot: a contact reopening names the system; with an agent online the assignment names Automation System', async () => {
		for (const [onlineAgents, expected] of [
			[[], ['Conversation was marked resolved by Ada Admin', 'System reopened the conversation due to a new incoming message.']],
			[
				[2],
				[
					'Conversation unassigned by Ada Admin',
					'Conversation was marked resolved by Ada Admin',
					'Assigned to Alex Agent by Automation System',
				],
			],
		] as Array<[number[], string[]]>) {
			const env = await setup({ onlineAgents, attachBot: false, assignmentV2: false });
			// created by channel code (no Current.user): its auto-assignment writes no activity message
			const { result: id } = await env.sim.createConversation({ inboxId: 1 });
			if (onlineAgents.length) await env.sim.assign(id, null);
			await env.sim.setStatus(id, 'resolved');
			await env.sim.receiveMessage(id, 'back');
			expect(activities(env.sim, id)).toEqual(expected);
		}
	});

	test('jobs and channel code have no Current.user: snooze expiry, a web-widget reopen and a Captain opening write none of their own', async () => {
		const env = await setup({ onlineAgents: [] });
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.setStatus(id, 'snoozed');
		await env.sim.expireSnooze(id);
		await env.sim.setStatus(id, 'resolved');
		await env.sim.receiveMessage(id, 'back');
		expect(activities(env.sim, id)).toEqual(['Conversation was snoozed by Ada Admin', 'Conversation was marked resolved by Ada Admin']);
		env.sim.setCaptain(2, { id: 3, name: 'Cap' });
		const { result: captain } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.sendMessage(captain, 'Human here', { as: 'agent' });
		expect(activities(env.sim, captain)).toEqual(['Conversation was marked open automatically after an agent reply']);
		const none = await setup({ onlineAgents: [], activityMessages: false });
		const { result: quiet } = await none.sim.createConversation({ inboxId: 2 });
		await none.sim.setStatus(quiet, 'resolved');
		expect(activities(none.sim, quiet)).toEqual([]);
	});
});

describe('inbox policy and failed API-inbox deliveries', () => {
	test('an agent who is not a member of an inbox gets 401 on it, its agent_bot and its conversations, and does not list them', async () => {
		const env = await setup();
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		env.sim.setInboxMembers(1, []);
		const forbiddenBody = { error: 'You are not authorized to do this action' };
		for (const path of ['/api/v1/accounts/1/inboxes/1/agent_bot', '/api/v1/accounts/1/inboxes/1', `/api/v1/accounts/1/conversations/${id}`]) {
			const res = await env.api('GET', path, undefined, env.tokens.agent);
			expect([path, res.status, res.json]).toEqual([path, 401, forbiddenBody]);
		}
		const toggle = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }, env.tokens.agent);
		expect([toggle.status, toggle.json]).toEqual([401, forbiddenBody]);
		const inboxes = await env.api('GET', '/api/v1/accounts/1/inboxes', undefined, env.tokens.agent);
		expect(inboxes.json.payload.map((i: any) => i.id)).toEqual([2]);
		const list = await env.api('GET', '/api/v1/accounts/1/conversations?status=all', undefined, env.tokens.agent);
		expect(list.json.data.meta.all_count).toBe(0);
		for (const token of [env.tokens.administrator, env.tokens.bot]) {
			expect((await env.api('GET', `/api/v1/accounts/1/conversations/${id}`, undefined, token)).status).toBe(200);
		}
		expect((await env.api('GET', '/api/v1/accounts/1/inboxes/1/agent_bot')).status).toBe(200);
	});

	test('a failed API-inbox delivery of message_created marks the message failed: one message_updated, no loop', async () => {
		const env = await setup();
		const inboxRecv = await startReceiver({ status: 500 });
		cleanups.push(() => inboxRecv.close());
		env.sim.setApiInboxWebhookUrl(inboxRecv.url + '/evolution');
		await hook(env, ['message_created', 'message_updated']);
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		const { result: messageId } = await env.sim.sendMessage(id, 'Your order shipped', { as: 'agent' });
		await env.sim.waitForDeliveries((log: any[]) => log.filter((d) => d.event === 'message_updated').length === 2);
		await env.sim.idle();
		const log = env.sim.deliveries().filter((d: any) => d.event.startsWith('message_'));
		expect(log.map((d: any) => [d.event, d.target, d.error])).toEqual([
			['message_created', 'account_webhook', null],
			['message_created', 'api_inbox', 'HTTP 500'],
			['message_updated', 'account_webhook', null],
			['message_updated', 'api_inbox', 'HTTP 500'],
		]);
		const updated = log[2].json;
		expect([updated.id, updated.content_attributes, updated.conversation.messages[0].status]).toEqual([
			messageId,
			{ external_error: '500 Internal Server Error' },
			'failed',
		]);
		expect(env.sim.getConversation(id).messages.map((m: any) => m.status)).toEqual(['failed']);

		const old = await setup({ apiInboxFailureMarksMessage: false });
		old.sim.setApiInboxWebhookUrl(inboxRecv.url + '/evolution');
		await hook(old, ['message_created', 'message_updated']);
		const { result: o } = await old.sim.createConversation({ inboxId: 1 });
		await old.sim.sendMessage(o, 'x', { as: 'agent' });
		await old.sim.idle();
		expect(old.sim.deliveries().filter((d: any) => d.event.startsWith('message_')).map((d: any) => [d.event, d.target])).toEqual([
			['message_created', 'account_webhook'],
			['message_created', 'api_inbox'],
		]);
	});

	test('a refused connection gives Net::HTTP\'s message as external_error', async () => {
		const env = await setup();
		const dead = await startReceiver();
		const deadUrl = dead.url + '/gone';
		await dead.close();
		env.sim.setApiInboxWebhookUrl(deadUrl);
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		await env.sim.receiveMessage(id, 'hi');
		await env.sim.waitForDeliveries((log: any[]) => log.some((d) => d.event === 'message_updated'));
		const port = new URL(deadUrl).port;
		const updated = env.sim.deliveries().find((d: any) => d.event === 'message_updated');
		expect(updated.json.content_attributes.external_error).toBe(
			`Failed to open TCP connection to 127.0.0.1:${port} (Connection refused - connect(2) for "127.0.0.1" port ${port})`,
		);
	});
});

describe('toggle_status semantics', () => {
	test('same status saves nothing and sends nothing; no status toggles; invalid status is a 500', async () => {
		const env = await setup();
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		env.sim.resetLogs();
		env.recv.requests.length = 0;
		const before = env.sim.getConversation(id);
		env.sim.advanceTime(5000);
		const same = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' });
		expect(same.json).toEqual({ meta: {}, payload: { success: true, conversation_id: id, current_status: 'open', snoozed_until: null } });
		await env.sim.idle();
		expect(env.sim.deliveries()).toEqual([]);
		expect(env.recv.requests).toHaveLength(0);
		expect(env.sim.getConversation(id)).toEqual(before);

		const toggled = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, {});
		expect(toggled.json.payload.current_status).toBe('resolved');
		const back = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`);
		expect(back.json.payload.current_status).toBe('open');

		const bad = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'closed' });
		expect([bad.status, bad.json]).toEqual([500, { status: 500, error: 'Internal Server Error' }]);
		expect(env.sim.getConversation(id).status).toBe('open');
	});

	test('an agent-role token ending open self-assigns, overwriting the assignee; an admin does not (nobody online)', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_status_changed', 'conversation_updated']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2, assigneeId: 1 });
		await env.sim.setStatus(id, 'resolved');
		env.sim.advanceTime(1000);
		const byAdmin = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' });
		expect(byAdmin.json.payload.success).toBe(true);
		expect(env.sim.getConversation(id).assigneeId).toBe(1);
		await env.sim.setStatus(id, 'resolved');
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(1000);
		const byAgent = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }, env.tokens.agent);
		expect(byAgent.json).toEqual({ meta: {}, payload: { success: true, conversation_id: id, current_status: 'open', snoozed_until: null } });
		await env.sim.idle();
		expect(env.sim.getConversation(id).assigneeId).toBe(2);
		const updates = env.sim.deliveries().map((d: any) => [d.event, d.json.changed_attributes === null ? null : d.json.changed_attributes.map((c: any) => Object.keys(c)[0])]);
		expect(updates).toEqual([
			['conversation_status_changed', null],
			['conversation_updated', ['status', 'updated_at']],
			['conversation_updated', ['assignee_id', 'updated_at']],
		]);
		expect(env.sim.deliveries()[2].json.changed_attributes[0]).toEqual({ assignee_id: { previous_value: 1, current_value: 2 } });
		expect(env.sim.deliveries()[2].json.meta.assignee).toEqual({
			id: 2,
			name: 'Alex Agent',
			available_name: 'Alex Agent',
			avatar_url: '',
			type: 'user',
			availability_status: null,
			thumbnail: '',
		});
	});

	test('the agent-bot token moving pending -> open is a bot handoff answering success: null (nobody online)', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_status_changed', 'conversation_updated']);
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(2000);
		const res = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }, env.tokens.bot);
		expect([res.status, res.json]).toEqual([200, { meta: {}, payload: { success: null, conversation_id: id, current_status: 'open', snoozed_until: null } }]);
		await env.sim.idle();
		expect(summary(env.sim.deliveries())).toEqual([
			['conversation_status_changed', 'open', null],
			['conversation_updated', 'open', [{ status: { previous_value: 'pending', current_value: 'open' } }, { updated_at: { previous_value: iso(0), current_value: iso(2) } }]],
		]);
		expect(env.sim.getConversation(id).assigneeId).toBe(null);
		const again = await env.api('POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }, env.tokens.bot);
		expect(again.json.payload.success).toBe(true);
		const req = env.sim.requests().find((r: any) => r.status === 200 && r.role === 'agent_bot');
		expect([req.method, req.path, req.body]).toEqual(['POST', `/api/v1/accounts/1/conversations/${id}/toggle_status`, { status: 'open' }]);
	});
});

describe('delivery semantics', () => {
	test('no retries: a 500 or a refused connection is attempted once and only logged', async () => {
		const env = await setup();
		env.recv.status = 500;
		const dead = await startReceiver();
		const deadUrl = dead.url + '/gone';
		await dead.close();
		await hook(env, ['conversation_created']);
		await hook(env, ['conversation_created'], deadUrl);
		const { deliveries } = await env.sim.createConversation({ inboxId: 2 });
		await env.sim.idle();
		expect(env.recv.requests).toHaveLength(1);
		expect(deliveries.map((d: any) => [d.url, d.status, d.error])).toEqual([
			[env.recv.url + '/hook', 500, 'HTTP 500'],
			[deadUrl, null, 'ECONNREFUSED'],
		]);
		expect(env.sim.deliveries()).toHaveLength(2);
	});

	test('only subscribed webhooks, from every inbox (inbox_id is not a filter)', async () => {
		const env = await setup();
		const res = await env.api('POST', '/api/v1/accounts/1/webhooks', { url: env.recv.url + '/only-inbox-2', subscriptions: ['conversation_created'], inbox_id: 2 });
		expect(res.status).toBe(200);
		await env.sim.createConversation({ inboxId: 1 });
		await env.sim.createConversation({ inboxId: 2 });
		expect(env.recv.requests.map((r) => [JSON.parse(r.body).event, JSON.parse(r.body).inbox_id])).toEqual([
			['conversation_created', 1],
			['conversation_created', 2],
		]);
	});

	test('deliveries run concurrently like Sidekiq jobs: a receiver holding one still gets the next', async () => {
		const env = await setup();
		await hook(env);
		const { result: id } = await env.sim.createConversation({ inboxId: 1 });
		await env.sim.setStatus(id, 'resolved');
		await env.sim.idle();
		let releaseFirst: () => void = () => undefined;
		const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
		const arrivals: string[] = [];
		env.recv.handler = async (entry: { body: string }) => {
			const event = JSON.parse(entry.body).event;
			arrivals.push(event);
			if (event === 'conversation_status_changed') await firstHeld; // answered only after its companion came
			else if (event === 'conversation_updated') releaseFirst();
			return null;
		};
		const { deliveries } = await env.sim.receiveMessage(id, 'x');
		expect(arrivals.slice(0, 2)).toEqual(['conversation_status_changed', 'conversation_updated']);
		expect(deliveries.map((d: any) => [d.event, d.status])).toEqual([
			['conversation_status_changed', 200],
			['conversation_updated', 200],
			['message_created', 200],
			['conversation_updated', 200],
		]);
	});

	test('delivery order options: reversed, explicit permutation, seeded shuffle', async () => {
		const natural = ['conversation_status_changed', 'conversation_updated', 'message_created', 'conversation_updated'];
		const run = async (order: unknown) => {
			const env = await setup({ deliveryOrder: order });
			await hook(env);
			const { result: id } = await env.sim.createConversation({ inboxId: 1 });
			await env.sim.setStatus(id, 'resolved');
			env.recv.requests.length = 0;
			const { deliveries } = await env.sim.receiveMessage(id, 'x');
			expect(deliveries.map((d: any) => d.event)).toEqual(env.recv.requests.map((r) => JSON.parse(r.body).event));
			return deliveries.map((d: any) => [d.event, d.indexInBatch]);
		};
		expect(await run('natural')).toEqual(natural.map((e, i) => [e, i]));
		expect(await run('reversed')).toEqual(natural.map((e, i) => [e, i]).reverse());
		expect(await run([2, 0, 3, 1])).toEqual([
			['message_created', 2],
			['conversation_status_changed', 0],
			['conversation_updated', 3],
			['conversation_updated', 1],
		]);
		const a = await run({ shuffle: 7 });
		const b = await run({ shuffle: 7 });
		expect(a).toEqual(b);
		expect(a.map((x: any[]) => x[1]).sort()).toEqual([0, 1, 2, 3]);
	});

	test('a backlog queued while paused is worked off shuffled (seeded), each delivery once', async () => {
		const run = async () => {
			// Nobody online: no auto-assignment hides a status diff.
			const env = await setup({ deliveryConcurrency: 8, onlineAgents: [] });
			await hook(env, ['conversation_updated']);
			const ids: number[] = [];
			for (let index = 0; index < 6; index++) ids.push((await env.sim.createConversation({ inboxId: env.sim.ids().webInboxId })).result);
			await env.sim.idle();
			env.sim.resetLogs();
			env.sim.pauseDeliveries();
			const operations = ids.flatMap((id) => [env.sim.setStatus(id, 'resolved'), env.sim.setStatus(id, 'open')]);
			env.sim.resumeDeliveries({ shuffle: 3 });
			await Promise.all(operations);
			// Payloads are built when sent (the backlog's all show the final status); the change is captured when fired.
			return env.sim.deliveries().map((d: any) => `${d.json.id}:${d.json.changed_attributes[0].status.current_value}`);
		};
		const sent = await run();
		const natural = [1, 2, 3, 4, 5, 6].flatMap((id) => [`${id}:resolved`, `${id}:open`]);
		expect(sent).not.toEqual(natural);
		expect(sent.slice().sort()).toEqual(natural.slice().sort());
		expect(await run()).toEqual(sent);
	});

	test('payloads are built late, changed_attributes are captured when fired', async () => {
		for (const [latePayloads, shown] of [
			[true, 'pending'],
			[false, 'resolved'],
		] as Array<[boolean, string]>) {
			const env = await setup({ latePayloads });
			await hook(env, ['conversation_status_changed', 'conversation_updated']);
			const { result: id } = await env.sim.createConversation({ inboxId: 1 });
			await env.sim.idle();
			env.sim.resetLogs();
			env.sim.pauseDeliveries();
			const resolved = env.sim.setStatus(id, 'resolved');
			const reopened = env.sim.receiveMessage(id, 'again');
			env.sim.resumeDeliveries();
			await Promise.all([resolved, reopened]);
			const first = env.sim.deliveries()[0].json;
			const second = env.sim.deliveries()[1].json;
			expect([first.event, first.status]).toEqual(['conversation_status_changed', shown]);
			expect([second.event, second.status, second.changed_attributes[0]]).toEqual([
				'conversation_updated',
				shown,
				{ status: { previous_value: 'pending', current_value: 'resolved' } },
			]);
		}
	});

	test('waitForDeliveries resolves on a count or a predicate and rejects on timeout', async () => {
		const env = await setup({ botInboxCreationEvents: true });
		await hook(env);
		env.sim.createConversation({ inboxId: 1 });
		const log = await env.sim.waitForDeliveries(3, 2000);
		expect(log.map((d: any) => d.event)).toEqual(['conversation_created', 'conversation_status_changed', 'conversation_updated']);
		const byPredicate = await env.sim.waitForDeliveries((l: any[]) => l.some((d) => d.event === 'conversation_updated'), 2000);
		expect(byPredicate).toHaveLength(3);
		await expect(env.sim.waitForDeliveries(4, 50)).rejects.toThrow('waitForDeliveries timed out after 50 ms; 3 deliveries');
	});

	test('automation-rule webhooks are unsigned and named automation_event.<rule event>', async () => {
		const env = await setup();
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		const entry = await env.sim.sendAutomationEvent(env.recv.url + '/rule', id, 'conversation_resolved');
		expect([entry.status, entry.target]).toEqual([200, 'automation']);
		const req = env.recv.requests[0];
		expect(Object.keys(req.headers).filter((h) => h.startsWith('x-chatwoot'))).toEqual([]);
		const body = JSON.parse(req.body);
		expect([body.event, body.id, 'changed_attributes' in body]).toEqual(['automation_event.conversation_resolved', id, false]);
	});
});

describe('rate limit', () => {
	test('429 text/plain "Retry later" with no Retry-After, for the next N requests or one token', async () => {
		const env = await setup();
		env.sim.rateLimit({ count: 2 });
		for (let i = 0; i < 2; i++) {
			const res = await env.api('GET', '/api/v1/profile');
			expect([res.status, res.body, res.headers['content-type'], res.headers['retry-after']]).toEqual([429, 'Retry later\n', 'text/plain', undefined]);
		}
		expect((await env.api('GET', '/api/v1/profile')).status).toBe(200);
		env.sim.rateLimit({ count: 1, token: env.tokens.agent });
		expect((await env.api('GET', '/api/v1/profile')).status).toBe(200);
		expect((await env.api('GET', '/api/v1/profile', undefined, env.tokens.agent)).status).toBe(429);
		expect(env.sim.requests().map((r: any) => r.status)).toEqual([429, 429, 200, 200, 429]);
	});
});

describe('inbox bot, integrations, assistant and list routes', () => {
	test('agent_bot / set_agent_bot', async () => {
		const env = await setup();
		const { api, tokens } = env;
		const res = await api('GET', '/api/v1/accounts/1/inboxes/1/agent_bot');
		expect(res.json).toEqual({
			agent_bot: {
				id: 1,
				name: 'WhatsApp Bot',
				description: 'Answers WhatsApp customers before a human takes over',
				thumbnail: '',
				outgoing_url: 'http://127.0.0.1:9/agent-bot',
				bot_type: 'webhook',
				bot_config: {},
				account_id: 1,
				access_token: tokens.bot,
				secret: res.json.agent_bot.secret,
				system_bot: false,
			},
		});
		const asAgent = await api('GET', '/api/v1/accounts/1/inboxes/1/agent_bot', undefined, tokens.agent);
		expect(['access_token' in asAgent.json.agent_bot, 'secret' in asAgent.json.agent_bot]).toEqual([false, false]);
		expect((await api('GET', '/api/v1/accounts/1/inboxes/2/agent_bot')).json).toEqual({ agent_bot: {} });
		const agentSet = await api('POST', '/api/v1/accounts/1/inboxes/1/set_agent_bot', { agent_bot: null }, tokens.agent);
		expect([agentSet.status, agentSet.json]).toEqual([401, { error: 'You are not authorized to do this action' }]);
		const unknown = await api('POST', '/api/v1/accounts/1/inboxes/1/set_agent_bot', { agent_bot: 99 });
		expect([unknown.status, unknown.json]).toEqual([404, { error: 'Resource could not be found' }]);
		const removed = await api('POST', '/api/v1/accounts/1/inboxes/1/set_agent_bot', { agent_bot: null });
		expect([removed.status, removed.body]).toEqual([200, '']);
		expect(env.sim.activeBot(1)).toBe(false);
		expect((await api('GET', '/api/v1/accounts/1/inboxes/1/agent_bot')).json).toEqual({ agent_bot: {} });
		await api('POST', '/api/v1/accounts/1/inboxes/2/set_agent_bot', { agent_bot: 1 });
		expect(env.sim.activeBot(2)).toBe(true);
	});

	test('integrations/apps lists dialogflow hooks per inbox; inbox_assistant answers the Captain assistant', async () => {
		const env = await setup();
		env.sim.setDialogflow(2, true);
		const apps = await env.api('GET', '/api/v1/accounts/1/integrations/apps');
		const dialogflow = apps.json.payload.find((a: any) => a.id === 'dialogflow');
		expect([dialogflow.enabled, dialogflow.hooks]).toEqual([
			true,
			[{ id: 1, app_id: 'dialogflow', status: true, inbox: { id: 2, name: 'Website' }, account_id: 1, hook_type: 'inbox', settings: { project_id: 'shop-bot-1234', region: 'global' }, reference_id: null }],
		]);
		const asAgent = await env.api('GET', '/api/v1/accounts/1/integrations/apps', undefined, env.tokens.agent);
		expect(Object.keys(asAgent.json.payload[0].hooks[0])).toEqual(['id', 'app_id', 'status', 'inbox', 'account_id', 'hook_type']);

		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		expect((await env.api('GET', `/api/v1/accounts/1/conversations/${id}/inbox_assistant`)).json).toEqual({ assistant: null });
		env.sim.setCaptain(2, { id: 4, name: 'Captain Shop' });
		expect((await env.api('GET', `/api/v1/accounts/1/conversations/${id}/inbox_assistant`)).json).toEqual({ assistant: { id: 4, name: 'Captain Shop' } });
	});

	test('conversation list: default status open, counts, inbox filter, 25 per page', async () => {
		const env = await setup({ onlineAgents: [] });
		for (let i = 0; i < 27; i++) await env.sim.createConversation({ inboxId: 2 });
		await env.sim.createConversation({ inboxId: 1 });
		await env.sim.assign(1, 2);
		const open = await env.api('GET', '/api/v1/accounts/1/conversations', undefined, env.tokens.agent);
		expect(open.json.data.meta).toEqual({ mine_count: 1, assigned_count: 1, unassigned_count: 26, all_count: 27 });
		expect(open.json.data.payload).toHaveLength(25);
		const page2 = await env.api('GET', '/api/v1/accounts/1/conversations?page=2');
		expect(page2.json.data.payload.map((c: any) => c.id)).toEqual([2, 1]);
		const pending = await env.api('GET', '/api/v1/accounts/1/conversations?status=pending&inbox_id=1');
		expect([pending.json.data.meta.all_count, pending.json.data.payload[0].id, pending.json.data.payload[0].status]).toEqual([1, 28, 'pending']);
		const all = await env.api('GET', '/api/v1/accounts/1/conversations?status=all&assignee_type=me', undefined, env.tokens.agent);
		expect([all.json.data.meta.all_count, all.json.data.payload.map((c: any) => c.id)]).toEqual([28, [1]]);
	});
});

describe('conversation list order, updated_within, timestamps', () => {
	test('default order last_activity_at desc (messages move it, a user\'s status change through its activity message); sort_by values; pages of 25', async () => {
		const env = await setup({ onlineAgents: [] });
		const ids: number[] = [];
		for (let i = 0; i < 3; i++) {
			ids.push((await env.sim.createConversation({ inboxId: 2 })).result);
			env.sim.advanceTime(1000);
		}
		await env.sim.receiveMessage(ids[0], 'bump'); // t=3 s: conversation 1 becomes the most recently active
		env.sim.advanceTime(1000);
		await env.sim.expireSnooze(ids[2]); // not snoozed: nothing
		await env.sim.setStatus(ids[1], 'resolved'); // t=4 s: "marked resolved by Ada Admin" makes 2 the most recent
		const order = async (query: string) =>
			(await env.api('GET', `/api/v1/accounts/1/conversations?status=all${query}`)).json.data.payload.map((c: any) => c.id);
		expect(await order('')).toEqual([2, 1, 3]);
		expect(await order('&sort_by=last_activity_at_asc')).toEqual([3, 1, 2]);
		expect(await order('&sort_by=created_at_desc')).toEqual([3, 2, 1]);
		expect(await order('&sort_by=created_at_asc')).toEqual([1, 2, 3]);
		expect(await order('&sort_by=updated_at_desc')).toEqual([2, 1, 3]); // not an option: the default order
		await env.api('POST', '/api/v1/accounts/1/conversations/3/toggle_priority', { priority: 'urgent' });
		await env.api('POST', '/api/v1/accounts/1/conversations/2/toggle_priority', { priority: 'low' });
		expect(await order('&sort_by=priority_desc')).toEqual([3, 2, 1]);
		expect(await order('&sort_by=priority_asc')).toEqual([2, 3, 1]);
		expect(await order('&sort_by=waiting_since_asc')).toEqual([1, 3, 2]); // 1 waits since creation, 2 is resolved (null)

		for (let i = 0; i < 24; i++) await env.sim.createConversation({ inboxId: 2 });
		const page = async (n: string) => (await env.api('GET', `/api/v1/accounts/1/conversations?status=all&page=${n}`)).json.data;
		expect([(await page('1')).payload.length, (await page('2')).payload.length, (await page('2')).meta.all_count]).toEqual([25, 2, 27]);
		expect((await page('0')).payload[0].id).toBe((await page('1')).payload[0].id);
		expect((await page('2abc')).payload.map((c: any) => c.id)).toEqual((await page('2')).payload.map((c: any) => c.id));
	});

	test('updated_within=<seconds>: every conversation updated since then, unpaginated, in the sort order', async () => {
		const env = await setup({ onlineAgents: [] });
		for (let i = 0; i < 30; i++) await env.sim.createConversation({ inboxId: 2 });
		env.sim.advanceTime(600_000);
		await env.sim.setStatus(5, 'resolved');
		await env.sim.setStatus(9, 'pending');
		env.sim.advanceTime(60_000);
		await env.sim.receiveMessage(7, 'new message');
		const recent = await env.api('GET', '/api/v1/accounts/1/conversations?status=all&assignee_type=all&updated_within=120');
		const items = recent.json.data.payload.map((c: any) => [c.id, c.status]);
		// 7 had the latest activity; 5 and 9 tie on last_activity_at, an order PostgreSQL leaves unspecified
		expect([items[0], items.slice(1).sort()]).toEqual([
			[7, 'open'],
			[
				[5, 'resolved'],
				[9, 'pending'],
			],
		]);
		expect(recent.json.data.meta).toEqual({ mine_count: 0, assigned_count: 0, unassigned_count: 30, all_count: 30 });
		const all = await env.api('GET', '/api/v1/accounts/1/conversations?status=all&updated_within=3600');
		expect(all.json.data.payload).toHaveLength(30);
	});

	test('time keys of the GET partial: integers, updated_at a float, snoozed_until ISO, 0 when unset', async () => {
		const env = await setup({ onlineAgents: [] });
		const { result: id } = await env.sim.createConversation({ inboxId: 2 });
		env.sim.advanceTime(10_500);
		await env.sim.sendMessage(id, 'hi', { as: 'agent' });
		env.sim.advanceTime(20_250);
		await env.sim.setStatus(id, 'snoozed', { snoozedUntil: T0S + 3600 });
		const res = await env.api('GET', `/api/v1/accounts/1/conversations/${id}`);
		const c = res.json;
		expect(c.messages[0]).toMatchObject({ message_type: 2, content: 'Conversation was snoozed by Ada Admin', created_at: T0S + 30 });
		expect({
			created_at: c.created_at,
			updated_at: c.updated_at,
			timestamp: c.timestamp,
			last_activity_at: c.last_activity_at,
			first_reply_created_at: c.first_reply_created_at,
			waiting_since: c.waiting_since,
			agent_last_seen_at: c.agent_last_seen_at,
			assignee_last_seen_at: c.assignee_last_seen_at,
			contact_last_seen_at: c.contact_last_seen_at,
			snoozed_until: c.snoozed_until,
		}).toEqual({
			created_at: T0S,
			updated_at: (T0 * 1000 + 30_750_001) / 1e6, // the snooze, then its activity message 1 µs later
			timestamp: T0S + 30,
			last_activity_at: T0S + 30,
			first_reply_created_at: T0S + 10,
			waiting_since: 0,
			agent_last_seen_at: 0,
			assignee_last_seen_at: 0,
			contact_last_seen_at: 0,
			snoozed_until: '2026-06-20T10:00:00.000Z',
		});
		expect(res.body).toContain(`"updated_at":${T0S + 30}.750001,`);
		expect(Object.keys(c.meta)).toEqual(['sender', 'channel', 'hmac_verified']);
		const list = await env.api('GET', '/api/v1/accounts/1/conversations?status=snoozed');
		expect(list.json.data.payload[0]).toEqual(c);
	});
});

describe('custom attributes and the conversation filter', () => {
	test('POST custom_attributes replaces the hash, answers it, fires conversation_updated only on a change', async () => {
		const env = await setup({ onlineAgents: [] });
		await hook(env, ['conversation_updated']);
		const { result: id } = await env.sim.createConversation({ inboxId: 2, customAttributes: { order_id: 'A-1' } });
		await env.sim.idle();
		env.sim.resetLogs();
		env.sim.advanceTime(4000);
		const path = `/api/v1/accounts/1/conversations/${id}/custom_attributes`;
		const res = await env.api('POST', path, { custom_attributes: { freescout_conversation_id: '812', synced: true } }, env.tokens.bot);
		expect([res.status, res.json]).toEqual([200, { custom_attributes: { freescout_conversation_id: '812', synced: true } }]);
		await env.sim.idle();
		expect(env.sim.deliveries().map((d: any) => [d.event, d.json.custom_attributes, d.json.changed_attributes])).toEqual([
			[
				'conversation_updated',
				{ freescout_conversation_id: '812', synced: true },
				[
					{ custom_attributes: { previous_value: { order_id: 'A-1' }, current_value: { freescout_conversation_id: '812', synced: true } } },
					{ updated_at: { previous_value: iso(0), current_value: iso(4) } },
				],
			],
		]);
		env.sim.resetLogs();
		const same = await env.api('POST', path, { custom_attributes: { synced: true, freescout_conversation_id: '812' } });
		expect(same.status).toBe(200);
		await env.sim.idle();
		expect(env.sim.deliveries()).toEqual([]);
		const get = await env.api('GET', `/api/v1/accounts/1/conversations/${id}`);
		expect(get.json.custom_attributes).toEqual({ freescout_conversation_id: '812', synced: true });
		expect((await env.api('POST', path, {})).status).toBe(500);
		const tooLong = await env.api('POST', path, { custom_attributes: { note: 'x'.repeat(1501) } });
		expect([tooLong.status, tooLong.json]).toEqual([422, { message: 'Custom attributes note length should be < 1500', attributes: ['custom_attributes'] }]);
		const changed = await env.sim.setCustomAttributes(id, { freescout_conversation_id: '813' });
		expect(changed.deliveries.map((d: any) => d.json.changed_attributes[0].custom_attributes.current_value)).toEqual([{ freescout_conversation_id: '813' }]);
	});

	test('custom attribute definitions: create (administrators), validation, list', async () => {
		const env = await setup();
		const path = '/api/v1/accounts/1/custom_attribute_definitions';
		const created = await env.api('POST', path, {
			attribute_display_name: 'FreeScout conversation',
			attribute_display_type: 0,
			attribute_key: 'freescout_conversation_id',
			attribute_model: 0,
		});
		expect(created.status).toBe(200);
		expect(created.json).toEqual({
			id: 1,
			attribute_display_name: 'FreeScout conversation',
			attribute_display_type: 'text',
			attribute_description: null,
			attribute_key: 'freescout_conversation_id',
			regex_pattern: null,
			regex_cue: null,
			attribute_values: [],
			attribute_model: 'conversation_attribute',
			default_value: null,
			created_at: iso(0),
			updated_at: iso(0),
		});
		const dup = await env.api('POST', path, { custom_attribute_definition: { attribute_display_name: 'X', attribute_key: 'freescout_conversation_id' } });
		expect([dup.status, dup.json]).toEqual([422, { message: 'Attribute key has already been taken', attributes: ['attribute_key'] }]);
		const conflict = await env.api('POST', path, { attribute_display_name: 'S', attribute_key: 'status' });
		expect(conflict.json).toEqual({
			message: 'Attribute key The provided key is not allowed as it might conflict with default attributes.',
			attributes: ['attribute_key'],
		});
		const bad = await env.api('POST', path, { attribute_display_name: 'Bad', attribute_key: 'has space' });
		expect(bad.json.message).toBe('Attribute key must only contain letters, numbers, underscores, hyphens, and dots');
		expect((await env.api('POST', path, { attribute_display_name: 'T', attribute_key: 't', attribute_display_type: 'colour' })).status).toBe(500);
		const byAgent = await env.api('POST', path, { attribute_display_name: 'A', attribute_key: 'a' }, env.tokens.agent);
		expect([byAgent.status, byAgent.json]).toEqual([401, { error: 'You are not authorized to do this action' }]);
		const list = await env.api('GET', `${path}?attribute_model=conversation_attribute`, undefined, env.tokens.agent);
		expect(list.json.map((d: any) => d.attribute_key)).toEqual(['freescout_conversation_id']);
		expect((await env.api('GET', `${path}?attribute_model=1`)).json).toEqual([]);
	});

	test('filter by a defined text custom attribute: case-insensitive, first value only; counts; 422 messages', async () => {
		const env = await setup({ onlineAgents: [] });
		const filter = (payload: unknown, token?: string) => env.api('POST', '/api/v1/accounts/1/conversations/filter', { payload }, token);
		const byKey = [{ attribute_key: 'freescout_conversation_id', filter_operator: 'equal_to', values: ['FS-812'], query_operator: null }];
		const undefinedKey = await filter(byKey);
		expect([undefinedKey.status, undefinedKey.json]).toEqual([
			422,
			{
				error:
					'Invalid attribute key - [freescout_conversation_id]. The key should be one of [status,assignee_id,inbox_id,team_id,contact_id,priority,display_id,campaign_id,labels,browser_language,conversation_language,referer,created_at,last_activity_at,mail_subject] or a custom attribute defined in the account.',
			},
		]);
		env.sim.defineCustomAttribute({ key: 'freescout_conversation_id' });
		await env.sim.createConversation({ inboxId: 2, customAttributes: { freescout_conversation_id: 'fs-812' } });
		env.sim.advanceTime(1000);
		await env.sim.createConversation({ inboxId: 1, customAttributes: { freescout_conversation_id: 'FS-813' } });
		env.sim.advanceTime(1000);
		await env.sim.createConversation({ inboxId: 2 });
		const found = await filter(byKey);
		expect([found.status, found.json.meta, found.json.payload.map((c: any) => [c.id, c.custom_attributes])]).toEqual([
			200,
			{ mine_count: 0, unassigned_count: 1, all_count: 1 },
			[[1, { freescout_conversation_id: 'fs-812' }]],
		]);
		const firstValueOnly = await filter([{ ...byKey[0], values: ['nope', 'FS-812'] }]);
		expect(firstValueOnly.json.payload).toEqual([]);
		const notEqual = await filter([{ ...byKey[0], filter_operator: 'not_equal_to' }]);
		expect(notEqual.json.payload.map((c: any) => c.id)).toEqual([3, 2]);
		const present = await filter([{ attribute_key: 'freescout_conversation_id', filter_operator: 'is_present', values: [], query_operator: 'AND' }, { attribute_key: 'inbox_id', filter_operator: 'equal_to', values: [1], query_operator: null }]);
		expect(present.json.payload.map((c: any) => c.id)).toEqual([2]);
		const either = await filter([
			{ attribute_key: 'status', filter_operator: 'equal_to', values: ['pending'], query_operator: 'OR' },
			{ attribute_key: 'display_id', filter_operator: 'equal_to', values: ['3'], query_operator: null },
		]);
		expect(either.json.payload.map((c: any) => [c.id, c.status])).toEqual([
			[3, 'open'],
			[2, 'pending'],
		]);
		const badOperator = await filter([{ attribute_key: 'status', filter_operator: 'contains', values: ['open'] }]);
		expect(badOperator.json).toEqual({ error: 'Invalid operator. The allowed operators for status are [equal_to,not_equal_to].' });
		const badQuery = await filter([{ ...byKey[0], query_operator: 'XOR' }]);
		expect(badQuery.json).toEqual({ error: 'Query operator must be either "AND" or "OR".' });
		const noValues = await filter([{ ...byKey[0], values: [] }]);
		expect(noValues.json).toEqual({ error: 'Invalid value. The values provided for freescout_conversation_id are invalid' });
		expect((await env.api('POST', '/api/v1/accounts/1/conversations/filter', {})).status).toBe(500);
		env.sim.setInboxMembers(1, []);
		const asAgent = await filter([{ ...byKey[0], filter_operator: 'is_present', values: [] }], env.tokens.agent);
		expect(asAgent.json.payload.map((c: any) => c.id)).toEqual([1]);
	});
});

describe('EvolutionAPI client', () => {
	test('finds or creates contact and conversation, then posts incoming messages; a cached resolved conversation reopens pending', async () => {
		const env = await setup();
		await hook(env, ['conversation_status_changed', 'conversation_updated', 'message_created']);
		env.sim.resetLogs();
		const evo = createEvolutionClient({ chatwootUrl: env.url, token: env.tokens.administrator });
		const first = await evo.receiveMessage({ phone: '5511987654321', pushName: 'Maria', text: 'Oi', messageId: 'ABC1' });
		expect([first.conversationId, first.contactId, first.created, first.message.message_type, first.message.source_id]).toEqual([1, 1, true, 0, 'WAID:ABC1']);
		expect(env.sim.requests().map((r: any) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			'GET /api/v1/accounts/1/inboxes 200',
			'POST /api/v1/accounts/1/contacts/filter 200',
			'POST /api/v1/accounts/1/contacts 200',
			'POST /api/v1/accounts/1/contacts/filter 200',
			'GET /api/v1/accounts/1/contacts/1/conversations 200',
			'POST /api/v1/accounts/1/conversations 200',
			'POST /api/v1/accounts/1/conversations/1/messages 200',
		]);
		expect(env.sim.requests()[1].body).toEqual({
			payload: [
				{ attribute_key: 'phone_number', filter_operator: 'equal_to', values: ['5511987654321'], query_operator: 'OR' },
				{ attribute_key: 'phone_number', filter_operator: 'equal_to', values: ['551187654321'], query_operator: null },
			],
		});
		expect(env.sim.getConversation(1).status).toBe('pending');
		await env.sim.setStatus(1, 'resolved');
		await env.sim.idle();
		env.sim.resetLogs();

		const second = await evo.receiveMessage({ phone: '5511987654321', text: 'Ainda nao chegou' });
		expect([second.conversationId, second.created]).toEqual([1, false]);
		expect(env.sim.requests().map((r: any) => `${r.method} ${r.path}`)).toEqual([
			'GET /api/v1/accounts/1/conversations/1',
			'POST /api/v1/accounts/1/conversations/1/messages',
		]);
		await env.sim.idle();
		expect(summary(env.sim.deliveries()).map((s) => [s[0], s[1]])).toEqual([
			['conversation_status_changed', 'pending'],
			['conversation_updated', 'pending'],
			['message_created', 'pending'],
			['conversation_updated', 'pending'],
		]);

		await env.sim.setStatus(1, 'resolved');
		const fresh = createEvolutionClient({ chatwootUrl: env.url, token: env.tokens.administrator, reopenConversation: false });
		const third = await fresh.receiveMessage({ phone: '+5511987654321', text: 'new topic' });
		expect([third.conversationId, third.contactId, third.created]).toEqual([2, 1, true]);
		expect([env.sim.getConversation(1).status, env.sim.getConversation(2).status]).toEqual(['resolved', 'pending']);
	});
});
