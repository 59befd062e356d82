'use strict';
// The credentials' "Test" in a real n8n (POST /rest/credentials/test, what the editor's credential dialog calls),
// against the simulators: the mistakes a newcomer makes (a wrong Account ID, a token of another account, a Base URL
// copied from the address bar, a FreeScout without the API & Webhooks module) fail with a message that says what
// to fix, taken from the credential's test rules. An address where nothing answers gets n8n's own answer, the bare
// error code (a credential's test rules see only answers); the Base URL's hint, under the field, says what it means.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { ChatwootApi } = require('../../credentials/ChatwootApi.credentials');
const { FreeScoutApi } = require('../../credentials/FreeScoutApi.credentials');
const { selectedN8nVersion, startStack } = require('./support/stack');

// What n8n says for an address where nothing listens: 2.x the bare code, 1.x its own words.
const REFUSED = selectedN8nVersion().startsWith('1.') ? 'The service refused the connection - perhaps it is offline' : 'ECONNREFUSED';
const { listen, close } = require('../simulators/http-util');
const http = require('node:http');

/** An address on this machine where nothing listens (a port that was free a moment ago). */
async function deadAddress() {
	const server = http.createServer();
	const url = await listen(server);
	await close(server);
	return url;
}

/** The hint under a credential's Base URL field. */
function baseUrlHint(credentialType) {
	return credentialType.properties.find((property) => property.name === 'baseUrl').hint;
}

let chatwoot;
let freescout;
let bareFreeScout; // no API & Webhooks module
let stack;
const storedIds = {}; // a saved credential per type: the dialog tests the fields it holds against a saved one

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	freescout = createFreeScoutSimulator();
	bareFreeScout = createFreeScoutSimulator({ apiModule: false });
	await Promise.all([chatwoot.start(), freescout.start(), bareFreeScout.start()]);
	stack = await startStack();
	storedIds.chatwootApi = (await stack.chatwootCredential(chatwoot)).id;
	storedIds.freeScoutApi = (await stack.freeScoutCredential(freescout)).id;
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await Promise.all([chatwoot?.stop(), freescout?.stop(), bareFreeScout?.stop()]);
});

/** The message of the credential's test rule for an answer with `value` at `key`. */
function ruleMessage(credentialType, key, value) {
	return credentialType.test.rules.find((rule) => rule.properties.key === key && rule.properties.value === value).properties.message;
}

/** n8n's verdict on these credential fields, as the credential dialog asks for it: {status: 'OK' | 'Error', message}. */
async function testCredential(type, data) {
	const body = { credentials: { id: storedIds[type], name: 'Under test', type, data } };
	return (await stack.n8n.rest('POST', '/rest/credentials/test', body)).data;
}

describe('Chatwoot API', () => {
	const chatwootApi = new ChatwootApi();
	const fields = (overrides = {}) => ({
		baseUrl: chatwoot.url,
		accountId: chatwoot.ids().accountId,
		accessToken: chatwoot.tokens().administrator,
		webhookSecret: '',
		ignoreSslIssues: false,
		...overrides,
	});

	test('right fields pass, for an administrator and for an agent, with one request under the account', async () => {
		chatwoot.resetLogs();
		expect(await testCredential('chatwootApi', fields())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(await testCredential('chatwootApi', fields({ accessToken: chatwoot.tokens().agent }))).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});
		const accountId = chatwoot.ids().accountId;
		expect(chatwoot.requests().map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
			`GET /api/v1/accounts/${accountId}/inboxes 200`,
			`GET /api/v1/accounts/${accountId}/inboxes 200`,
		]);
	});

	test('a wrong Account ID, and one of an account the user is not in, fail saying where the Account ID is', async () => {
		expect(await testCredential('chatwootApi', fields({ accountId: 77 }))).toEqual({
			status: 'Error',
			message: ruleMessage(chatwootApi, 'error', 'Resource could not be found'),
		});
		expect(await testCredential('chatwootApi', fields({ accountId: 2 }))).toEqual({
			status: 'Error',
			message: ruleMessage(chatwootApi, 'error', 'You are not authorized to access this account'),
		});
	});

	test('a wrong token, a bot token, and no token arriving (an empty one, or a proxy that drops the header) each say what to do', async () => {
		expect(await testCredential('chatwootApi', fields({ accessToken: 'not-a-token' }))).toEqual({
			status: 'Error',
			message: ruleMessage(chatwootApi, 'error', 'Invalid Access Token'),
		});
		expect(await testCredential('chatwootApi', fields({ accessToken: chatwoot.tokens().bot }))).toEqual({
			status: 'Error',
			message: ruleMessage(chatwootApi, 'error', 'Access to this endpoint is not authorized for bots'),
		});
		const noToken = await testCredential('chatwootApi', fields({ accessToken: '' }));
		expect(noToken).toEqual({ status: 'Error', message: ruleMessage(chatwootApi, 'errors[0]', 'You need to sign in or sign up before continuing.') });
		expect(noToken.message).toContain('Api-Access-Token');
	});

	test('a Base URL copied from the address bar (…/app/accounts/1/dashboard), or with another path, fails with how to shorten it', async () => {
		const expected = { status: 'Error', message: ruleMessage(chatwootApi, 'payload', undefined) };
		expect(await testCredential('chatwootApi', fields({ baseUrl: `${chatwoot.url}/app/accounts/1/dashboard` }))).toEqual(expected);
		expect(await testCredential('chatwootApi', fields({ baseUrl: `${chatwoot.url}/chatwoot` }))).toEqual(expected);
		expect(expected.message).toContain('remove everything from /app/ on');
	});

	test('an address where nothing answers: n8n says ECONNREFUSED (1.x: the service refused the connection), and the Base URL hint says what that means and what to check', async () => {
		expect(await testCredential('chatwootApi', fields({ baseUrl: await deadAddress() }))).toEqual({ status: 'Error', message: REFUSED });
		expect(baseUrlHint(chatwootApi)).toMatch(/ECONNREFUSED.*nothing answered at this address from where n8n runs: check the host name and port/);
	});
});

describe('FreeScout API', () => {
	const freeScoutApi = new FreeScoutApi();
	const fields = (sim, overrides = {}) => ({
		baseUrl: sim.url,
		apiKey: sim.apiKey,
		webhookSecret: sim.secretKey,
		defaultUserId: 1,
		ignoreSslIssues: false,
		...overrides,
	});

	test('right fields pass', async () => {
		expect(await testCredential('freeScoutApi', fields(freescout))).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	test('a wrong API Key (for example the Secret Key) fails with where to copy it from', async () => {
		expect(await testCredential('freeScoutApi', fields(freescout, { apiKey: freescout.secretKey }))).toEqual({
			status: 'Error',
			message: ruleMessage(freeScoutApi, 'message', 'Not Authorized'),
		});
	});

	test('a Base URL with a path from the address bar, a FreeScout without the API module, and a page that is not FreeScout fail with both causes named', async () => {
		const expected = { status: 'Error', message: ruleMessage(freeScoutApi, '_embedded', undefined) };
		expect(await testCredential('freeScoutApi', fields(freescout, { baseUrl: `${freescout.url}/mailbox/1` }))).toEqual(expected);
		expect(await testCredential('freeScoutApi', fields(bareFreeScout))).toEqual(expected);
		expect(await testCredential('freeScoutApi', fields(freescout, { baseUrl: `${chatwoot.url}/app` }))).toEqual(expected);
		expect(expected.message).toContain('Manage → Modules');
	});

	test('an address where nothing answers: n8n says ECONNREFUSED (1.x: the service refused the connection), and the Base URL hint says what that means and what to check', async () => {
		expect(await testCredential('freeScoutApi', fields(freescout, { baseUrl: await deadAddress() }))).toEqual({ status: 'Error', message: REFUSED });
		expect(baseUrlHint(freeScoutApi)).toMatch(/ECONNREFUSED.*nothing answered at this address from where n8n runs: check the host name and port/);
	});
});
