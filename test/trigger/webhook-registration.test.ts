/** The pure webhook registration pieces: request builders, response readers, URL check, trigger settings. */
import { parseIdList, secretFor, toFilters, memoryKey } from '../../nodes/core/trigger/settings';
import type { ApiResponse } from '../../nodes/core/http';
import type { PlatformSettings } from '../../nodes/core/platform';
import { platforms } from '../../nodes/platforms';
import { webhookRegistration as chatwoot } from '../../nodes/platforms/chatwoot/webhooks';
import { webhookRegistration as freescout } from '../../nodes/platforms/freescout/webhooks';
import type { RegistrationContext, StoredWebhook } from '../../nodes/core/trigger/webhook-registration';
import { unreachableAddressOf, webhookUrlWarning } from '../../nodes/core/trigger/webhook-url';

const context: RegistrationContext = { url: 'https://n8n.example.com/webhook/abc/webhook', accountId: 3, name: 'n8n: wf / T' };
const stored: StoredWebhook = { id: '12', url: context.url, secret: 'old' };
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
	test('requests', () => {
		expect(chatwoot.createRequest(context)).toEqual({
			method: 'POST',
			path: '/api/v1/accounts/3/webhooks',
			body: {
				url: context.url,
				subscriptions: ['conversation_created', 'conversation_status_changed', 'conversation_updated'],
				name: 'n8n: wf / T',
			},
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

	test('check answers: exists, gone (missing or moved), outdated, failed', () => {
		const full = ['conversation_created', 'conversation_status_changed', 'conversation_updated', 'message_created'];
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
	test('requests', () => {
		expect(freescout.createRequest(context)).toEqual({
			method: 'POST',
			path: '/api/webhooks',
			body: {
				url: context.url,
				events: ['convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created', 'convo.created'],
			},
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
