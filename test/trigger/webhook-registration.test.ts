/**
 * Webhook registration: the pure pieces (request builders, response readers, URL check, trigger settings, failures
 * inside n8n's activation), then the trigger's checkExists / create / delete in n8n-core's HookContext through
 * n8n 2.41's activation attempts, counting the requests the platform received.
 */
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { ActivationMemory, mayHealOnRetry, unansweredFailure } from '../../nodes/core/trigger/activation';
import { parseIdList, secretFor, toFilters, memoryKey } from '../../nodes/core/trigger/delivery-settings';
import type { ApiResponse } from '../../nodes/core/http';
import type { PlatformSettings } from '../../nodes/core/platform';
import { platforms } from '../../nodes/platforms';
import { webhookRegistration as chatwoot } from '../../nodes/platforms/chatwoot/webhooks';
import { webhookRegistration as freescout } from '../../nodes/platforms/freescout/webhooks';
import type { RegistrationContext, StoredWebhook } from '../../nodes/core/trigger/webhook-registration';
import { unreachableAddressOf, webhookUrlWarning } from '../../nodes/core/trigger/webhook-url';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { chatwootCredentials, simulatorsPerTest, type ChatwootSim } from '../support/simulators';

const CHATWOOT_EVENTS = chatwoot.eventsFor({ newConversations: true });
const FREESCOUT_EVENTS = freescout.eventsFor({ newConversations: true });
const context: RegistrationContext = { url: 'https://n8n.example.com/webhook/abc/webhook', events: CHATWOOT_EVENTS, accountId: 3, name: 'n8n: wf / T' };
const stored: StoredWebhook = { id: '12', url: context.url, secret: 'old', events: CHATWOOT_EVENTS };
const settingsWith = (webhookSecret: string | null): PlatformSettings => ({
	baseUrl: null,
	accountId: null,
	defaultUserId: null,
	webhookSecret,
});
const answer = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({
	statusCode,
	headers,
	body,
});

describe('Chatwoot registration', () => {
	test('the fewest events: conversation_updated carries every status change; conversation_created only for new conversations', () => {
		expect(CHATWOOT_EVENTS).toEqual(['conversation_created', 'conversation_updated']);
		expect(chatwoot.eventsFor({ newConversations: false })).toEqual(['conversation_updated']);
	});

	test('requests', () => {
		expect(chatwoot.createRequest(context)).toEqual({
			method: 'POST',
			path: '/api/v1/accounts/3/webhooks',
			body: { url: context.url, subscriptions: ['conversation_created', 'conversation_updated'], name: 'n8n: wf / T' },
		});
		expect(chatwoot.checkRequest(stored, context)).toEqual({ method: 'GET', path: '/api/v1/accounts/3/webhooks' });
		expect(chatwoot.update?.request('12', context)).toMatchObject({ method: 'PATCH', path: '/api/v1/accounts/3/webhooks/12' });
		expect(chatwoot.deleteRequest(stored, context)).toEqual({ method: 'DELETE', path: '/api/v1/accounts/3/webhooks/12' });
	});

	test('create answers', () => {
		expect(chatwoot.readCreated(answer(200, { payload: { webhook: { id: 12, secret: 's' } } }), context)).toEqual({
			kind: 'created',
			webhook: { id: '12', secret: 's' },
		});
		// Before 4.11.2 there is no secret.
		expect(chatwoot.readCreated(answer(200, { payload: { webhook: { id: 12 } } }), context)).toEqual({
			kind: 'created',
			webhook: { id: '12', secret: null },
		});
		expect(
			chatwoot.readCreated(answer(422, { message: 'Url has already been taken', attributes: ['url'] }), context),
		).toEqual({ kind: 'conflict' });
		expect(chatwoot.readCreated(answer(401, { error: 'You are not authorized to do this action' }), context)).toEqual({
			kind: 'failed',
			failure: {
				message: 'Chatwoot could not create the webhook (HTTP 401): You are not authorized to do this action',
				description: expect.stringContaining("administrator's access token for account 3"),
				httpCode: '401',
			},
		});
		expect(chatwoot.readCreated(answer(200, '<html>'), context)).toMatchObject({ kind: 'failed' });
	});

	test('a 401 says what to fix by what Chatwoot said: unknown token, other account, no token arriving', () => {
		const hint = (body: unknown) => {
			const outcome = chatwoot.readCreated(answer(401, body), context);
			return outcome.kind === 'failed' ? outcome.failure.description : outcome.kind;
		};
		expect(hint({ error: 'Invalid Access Token' })).toBe(
			"Chatwoot does not know the credential's access token. Copy it again from Chatwoot's Profile Settings → Access Token.",
		);
		expect(hint({ error: 'You are not authorized to access this account' })).toBe(
			"The token's user is not a member of account 3. Check the Account ID in the credential: the number after /app/accounts/ in Chatwoot's address bar.",
		);
		expect(hint({ errors: ['You need to sign in or sign up before continuing.'] })).toContain('removes the Api-Access-Token header');
		expect(hint({ error: 'Access to this endpoint is not authorized for bots' })).toContain("administrator's access token for account 3");
	});

	test('check answers: exists, gone (missing or moved), outdated (other events, also more than needed), failed', () => {
		const full = ['conversation_updated', 'conversation_created'];
		const list = (webhooks: unknown[]) => answer(200, { payload: { webhooks } });
		expect(chatwoot.readCheck(list([{ id: 12, url: context.url, subscriptions: full, secret: 'new' }]), stored, context)).toEqual(
			{ kind: 'exists', secret: 'new' },
		);
		expect(chatwoot.readCheck(list([{ id: 13, url: context.url, subscriptions: full }]), stored, context)).toMatchObject({
			kind: 'gone',
		});
		expect(chatwoot.readCheck(list([{ id: 12, url: 'https://elsewhere', subscriptions: full }]), stored, context)).toMatchObject({
			kind: 'gone',
		});
		expect(
			chatwoot.readCheck(list([{ id: 12, url: context.url, subscriptions: ['message_created'] }]), stored, context),
		).toMatchObject({ kind: 'outdated' });
		// A webhook of the previous release also had conversation_status_changed: every delivery of it is wasted.
		expect(
			chatwoot.readCheck(list([{ id: 12, url: context.url, subscriptions: [...full, 'conversation_status_changed'] }]), stored, context),
		).toMatchObject({ kind: 'outdated' });
		expect(chatwoot.readCheck(answer(404, { error: 'Resource could not be found' }), stored, context)).toMatchObject({
			kind: 'failed',
			failure: { description: expect.stringContaining('Account ID (3)') },
		});
	});

	test('adopt finds by URL; delete treats 404 as gone', () => {
		const listed = answer(200, { payload: { webhooks: [{ id: 4, url: 'https://other' }, { id: 5, url: context.url, secret: 'x' }] } });
		expect(chatwoot.adopt?.findByUrl(listed, context)).toEqual({ kind: 'found', webhook: { id: '5', secret: 'x' } });
		expect(chatwoot.adopt?.findByUrl(answer(200, { payload: { webhooks: [] } }), context)).toEqual({ kind: 'missing' });
		expect(chatwoot.readDeleted(answer(200, ''), context)).toEqual({ kind: 'deleted' });
		expect(chatwoot.readDeleted(answer(404, { error: 'Resource could not be found' }), context)).toEqual({ kind: 'gone' });
		expect(chatwoot.readDeleted(answer(500, ''), context)).toMatchObject({ kind: 'failed' });
	});
});

describe('FreeScout registration', () => {
	const freescoutContext: RegistrationContext = { ...context, events: FREESCOUT_EVENTS, accountId: null };

	test('every event that can change a status (customer and API replies fire no convo.status); convo.created for new ones', () => {
		expect(FREESCOUT_EVENTS).toEqual(['convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created', 'convo.created']);
		expect(freescout.eventsFor({ newConversations: false })).toEqual(FREESCOUT_EVENTS.slice(0, 4));
	});

	test('requests', () => {
		expect(freescout.createRequest(freescoutContext)).toEqual({
			method: 'POST',
			path: '/api/webhooks',
			body: { url: context.url, events: FREESCOUT_EVENTS },
		});
		expect(freescout.deleteRequest(stored, context)).toEqual({ method: 'DELETE', path: '/api/webhooks/12' });
		expect(freescout.update).toBeNull();
		expect(freescout.adopt).toBeNull();
	});

	test('the id comes from Resource-ID, else the body; the secret from the credential', () => {
		expect(freescout.readCreated(answer(201, { id: 9 }, { 'resource-id': '9' }), context)).toEqual({
			kind: 'created',
			webhook: { id: '9', secret: null },
		});
		expect(freescout.readCreated(answer(201, { id: 10 }), context)).toEqual({ kind: 'created', webhook: { id: '10', secret: null } });
		expect(
			freescout.readCreated(
				answer(400, { message: 'Error occurred', _embedded: { errors: [{ path: 'events', message: 'Invalid events' }] } }),
				context,
			),
		).toMatchObject({ kind: 'failed', failure: { message: 'FreeScout could not create the webhook (HTTP 400): Error occurred: Invalid events' } });
	});

	test('no list route (405/404) means unknown; a list, should one exist, is used', () => {
		expect(freescout.readCheck(answer(405, '<html>'), stored, context)).toMatchObject({ kind: 'unknown' });
		expect(freescout.readCheck(answer(404, { message: 'Not Found' }), stored, context)).toMatchObject({ kind: 'unknown' });
		expect(freescout.readCheck(answer(200, [{ id: 12, url: context.url }]), stored, context)).toEqual({ kind: 'exists', secret: null });
		expect(freescout.readCheck(answer(200, { _embedded: { webhooks: [] } }), stored, context)).toMatchObject({ kind: 'gone' });
		expect(freescout.readCheck(answer(401, { message: 'Not Authorized' }), stored, context)).toMatchObject({ kind: 'failed' });
		expect(freescout.readDeleted(answer(204, ''), context)).toEqual({ kind: 'deleted' });
		expect(freescout.readDeleted(answer(404, { message: 'Not Found' }), context)).toEqual({ kind: 'gone' });
	});
});

describe('webhook URL reachability', () => {
	test.each([
		['http://localhost:5678/webhook/x', 'localhost'],
		['http://127.0.0.1:5678/webhook/x', 'loopback'],
		['http://[::1]:5678/webhook/x', 'loopback'],
		['http://10.1.2.3/webhook/x', 'private'],
		['http://172.20.0.5/webhook/x', 'private'],
		['http://192.168.1.10/webhook/x', 'private'],
		['http://169.254.1.1/webhook/x', 'link-local'],
		['http://[fd00::1]/webhook/x', 'private'],
		['http://n8n:5678/webhook/x', 'single-label'],
	])('%s is %s', (url, kind) => {
		expect(unreachableAddressOf(url)?.kind).toBe(kind);
	});

	test.each(['https://n8n.example.com/webhook/x', 'http://172.32.0.1/webhook/x', 'http://8.8.8.8/webhook/x'])(
		'%s looks public',
		(url) => {
			expect(unreachableAddressOf(url)).toBeNull();
			expect(webhookUrlWarning(url, 'chatwoot')).toBeNull();
		},
	);

	test('the Chatwoot warning names SAFE_FETCH_ALLOW_PRIVATE_NETWORK, the FreeScout one does not', () => {
		expect(webhookUrlWarning('http://n8n:5678/webhook/x', 'chatwoot')).toContain('SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true');
		expect(webhookUrlWarning('http://n8n:5678/webhook/x', 'freescout')).not.toContain('SAFE_FETCH');
	});
});

describe('trigger settings', () => {
	test('id lists', () => {
		expect(parseIdList('1, 4 7;9', 'Inbox IDs')).toEqual([1, 4, 7, 9]);
		expect(parseIdList('', 'Inbox IDs')).toEqual([]);
		expect(() => parseIdList('1, two', 'Inbox IDs')).toThrow('"two" in Inbox IDs is not a number');
	});

	test('filters default to everything, new conversations included', () => {
		expect(toFilters({}, platforms.get('chatwoot').container)).toEqual({
			toStatuses: [],
			fromStatuses: [],
			containerIds: [],
			causes: [],
			includeNewConversations: true,
		});
	});

	test('the secret: the registered webhook\'s, else the credential\'s; manual registration always the credential\'s', () => {
		expect(secretFor(stored, {}, settingsWith('cred'))).toBe('old');
		expect(secretFor({ ...stored, secret: null }, {}, settingsWith('cred'))).toBe('cred');
		expect(secretFor(stored, { registerWebhook: false }, settingsWith('cred'))).toBe('cred');
		expect(secretFor(null, {}, settingsWith(null))).toBeNull();
	});

	test('test listening has its own memory', () => {
		expect(memoryKey('w1', 'n1', false)).toBe('w1:n1');
		expect(memoryKey('w1', 'n1', true)).toBe('w1:n1:test');
	});
});

describe('failures inside n8n\'s activation attempts', () => {
	test('what another attempt seconds later could change: rate limits, server errors, a refused connection', () => {
		expect([401, 403, 404, 405, 400, 422].map((statusCode) => mayHealOnRetry({ statusCode }))).toEqual(Array(6).fill(false));
		expect([408, 429, 500, 502, 503].map((statusCode) => mayHealOnRetry({ statusCode }))).toEqual(Array(5).fill(true));
		expect(mayHealOnRetry({ kind: 'unreachable' })).toBe(true);
		expect(mayHealOnRetry({ kind: 'timeout' })).toBe(false);
		expect(mayHealOnRetry({ kind: 'unknown_host' })).toBe(false);
	});

	test('no answer: where, which call, and the client\'s words outside the message', () => {
		const request = { method: 'POST' as const, path: '/api/webhooks' };
		expect(unansweredFailure('FreeScout', 'http://help.example', request, { kind: 'timeout', detail: 'timeout of 5000ms exceeded' })).toEqual({
			message: 'FreeScout at http://help.example did not answer within 5 s',
			description: "POST /api/webhooks got no answer within 5 s. Check that FreeScout is running and answering at the credential's Base URL.",
		});
		expect(
			unansweredFailure('FreeScout', 'http://help.example', request, { kind: 'unknown_host', detail: 'getaddrinfo ENOTFOUND help.example' }),
		).toEqual({
			message: 'Could not find FreeScout at http://help.example: the host name does not resolve',
			description:
				"POST /api/webhooks: getaddrinfo ENOTFOUND help.example. Check the Base URL of the FreeScout credential: its host name is misspelled or unknown to n8n's DNS.",
		});
		expect(unansweredFailure('FreeScout', null, request, { kind: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:9' }).message).toBe(
			'Could not reach FreeScout at (no Base URL)',
		);
	});

	test('the memory of one activation: its lasting failure and each log line once; another activation starts clean', () => {
		const memory = new ActivationMemory<Error>();
		const first = {};
		const failure = new Error('HTTP 401');
		expect(memory.lastingFailure(first)).toBeNull();
		memory.rememberLastingFailure(first, failure);
		expect(memory.lastingFailure(first)).toBe(failure);
		expect([memory.firstTime(first, 'url'), memory.firstTime(first, 'url'), memory.firstTime(first, 'kept')]).toEqual([true, false, true]);
		const next = {};
		expect(memory.lastingFailure(next)).toBeNull();
		expect(memory.firstTime(next, 'url')).toBe(true);
	});
});

describe('activation in n8n 2.41 (5 attempts, cleanup after each failed one)', () => {
	const N8N_ATTEMPTS = 5;
	const simulators = simulatorsPerTest();
	let sim: ChatwootSim;
	const harnesses: Array<ReturnType<typeof createTriggerHarness>> = [];

	beforeEach(async () => {
		sim = await simulators.chatwoot();
	});
	afterEach(async () => {
		while (harnesses.length > 0) await harnesses.pop()?.close();
	});
	function chatwootTrigger(credentials: Record<string, unknown>) {
		const harness = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'chatwoot', options: {}, filters: {} },
			credentials: { chatwootApi: credentials },
		});
		harnesses.push(harness);
		return harness;
	}
	const webhookCalls = () =>
		sim
			.requests()
			.filter((request: { path: string }) => request.path.includes('/webhooks'))
			.map((request: { method: string; status: number }) => `${request.method} ${request.status}`);
	const warnings = (harness: ReturnType<typeof createTriggerHarness>, text: string) =>
		harness.logs.filter((log) => log.level === 'warn' && log.message.includes(text));
	/** Requests the node sent through n8n's helper: each one is authenticated once. */
	const sent = (harness: ReturnType<typeof createTriggerHarness>) =>
		harness.credentialsHelper.calls.filter((call: { method: string }) => call.method === 'authenticate').length;

	test("an agent's token (401): one request to Chatwoot, one URL warning, the platform's answer; fixed, the next publish registers", async () => {
		const harness = chatwootTrigger(chatwootCredentials(sim, { accessToken: sim.tokens().agent }));
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: expect.stringContaining('Chatwoot could not create the webhook (HTTP 401)'),
			description: expect.stringContaining("administrator's access token"),
		});
		expect(webhookCalls()).toEqual(['POST 401']);
		expect(warnings(harness, 'The webhook URL http://localhost:5678/')).toHaveLength(1);

		harness.credentialsHelper.setCredentials('chatwootApi', chatwootCredentials(sim));
		expect(await harness.activate({ attempts: N8N_ATTEMPTS })).toEqual({ existed: false });
		expect(webhookCalls()).toEqual(['POST 401', 'POST 200']);
		expect(sim.webhooks()).toHaveLength(1);
		expect(warnings(harness, 'The webhook URL http://localhost:5678/')).toHaveLength(2);
	});

	test('a stored webhook checked with a token that lost its rights: one list request, no delete attempts, one line saying it was kept', async () => {
		const harness = chatwootTrigger(chatwootCredentials(sim));
		await harness.activate();
		const { id } = harness.staticData().webhook;
		sim.resetLogs();
		harness.credentialsHelper.setCredentials('chatwootApi', chatwootCredentials(sim, { accessToken: sim.tokens().agent }));

		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: expect.stringContaining('Chatwoot could not list its webhooks (HTTP 401)'),
		});
		expect(webhookCalls()).toEqual(['GET 401']);
		expect(warnings(harness, `webhook ${id} (`)).toEqual([
			{ level: 'warn', message: expect.stringContaining('was not deleted in Chatwoot after the failed activation') },
		]);
		expect(harness.staticData().webhook.id).toBe(id);
		expect(sim.webhooks()).toHaveLength(1);
	});

	test('a server error may heal: every attempt asks again, the URL warning is still logged once', async () => {
		const api = await simulators.fakeApi(() => ({ status: 503, body: 'Service Unavailable' }));
		const harness = chatwootTrigger(chatwootCredentials(sim, { baseUrl: api.url }));
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: 'Chatwoot could not create the webhook (HTTP 503): Service Unavailable',
		});
		expect(api.log.map((request) => request.method)).toEqual(Array(N8N_ATTEMPTS).fill('POST'));
		expect(warnings(harness, 'The webhook URL')).toHaveLength(1);
	});

	test('a platform that accepts the connection and never answers: one attempt waits the registration timeout, the others fail at once', async () => {
		const api = await simulators.fakeApi(() => 'hang');
		const harness = chatwootTrigger(chatwootCredentials(sim, { baseUrl: api.url }));
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: `Chatwoot at ${api.url} did not answer within 5 s`,
			description: expect.stringContaining(`POST /api/v1/accounts/${sim.ids().accountId}/webhooks got no answer within 5 s`),
		});
		expect(api.log).toHaveLength(1);
		expect(sent(harness)).toBe(1);
	}, 20_000);

	test('a Base URL whose host name does not resolve: tried once', async () => {
		const harness = chatwootTrigger(chatwootCredentials(sim, { baseUrl: 'http://chatwoot.example.invalid' }));
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: 'Could not find Chatwoot at http://chatwoot.example.invalid: the host name does not resolve',
			description: expect.stringContaining('getaddrinfo ENOTFOUND chatwoot.example.invalid'),
		});
		expect(sent(harness)).toBe(1);
	});

	test('a refused connection may heal (a platform that is starting): every attempt tries', async () => {
		const harness = chatwootTrigger(chatwootCredentials(sim, { baseUrl: 'http://127.0.0.1:9' }));
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: 'Could not reach Chatwoot at http://127.0.0.1:9',
		});
		expect(sent(harness)).toBe(N8N_ATTEMPTS);
	});

	test('FreeScout, a wrong API key: one request', async () => {
		const freescout = await simulators.freescout({ moduleVersion: '1.0.82' });
		const harness = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'freescout', options: {}, filters: {} },
			credentials: { freeScoutApi: { baseUrl: freescout.url, apiKey: 'wrong', webhookSecret: freescout.secretKey, ignoreSslIssues: false } },
		});
		harnesses.push(harness);
		await expect(harness.activate({ attempts: N8N_ATTEMPTS })).rejects.toMatchObject({
			message: 'FreeScout could not create the webhook (HTTP 401): Not Authorized',
		});
		expect(freescout.getApiRequests().map((request: { method: string; path: string }) => `${request.method} ${request.path}`)).toEqual([
			'POST /api/webhooks',
		]);
	});
});
