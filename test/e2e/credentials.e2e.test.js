'use strict';
// The credentials' "Test" in a real n8n (POST /rest/credentials/test, what the editor's credential dialog calls),
// against the simulators: the mistakes a newcomer makes (a wrong Account ID, a token of another account, a Base URL
// copied from the address bar, a FreeScout without the API & Webhooks module) fail with a message that says what
// to fix, taken from the credential's test rules.
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { ChatwootApi } = require('../../credentials/ChatwootApi.credentials');
const { FreeScoutApi } = require('../../credentials/FreeScoutApi.credentials');
const { startStack } = require('./support/stack');

let chatwoot;
let freescout;
let bareFreeScout; // no API & Webhooks module
let stack;

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	freescout = createFreeScoutSimulator();
	bareFreeScout = createFreeScoutSimulator({ apiModule: false });
	await Promise.all([chatwoot.start(), freescout.start(), bareFreeScout.start()]);
	stack = await startStack();
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await Promise.all([chatwoot?.stop(), freescout?.stop(), bareFreeScout?.stop()]);
});

/** The message a credential's test rule gives for an HTTP status, or for a 2xx answer without `key`. */
function ruleMessage(credentialType, match) {
	const rule = credentialType.test.rules.find((candidate) =>
		typeof match === 'number' ? candidate.properties.value === match : candidate.properties.key === match.missing,
	);
	return rule.properties.message;
}

/** n8n's verdict on these credential fields: {status: 'OK' | 'Error', message}. */
async function testCredential(type, data) {
	const body = { credentials: { id: '', name: 'Under test', type, data } };
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

	test('a wrong Account ID fails with what to check', async () => {
		expect(await testCredential('chatwootApi', fields({ accountId: 77 }))).toEqual({
			status: 'Error',
			message: ruleMessage(chatwootApi, 404),
		});
	});

	test('a wrong token, and a token whose user is not in the account, fail with what to check', async () => {
		const expected = { status: 'Error', message: ruleMessage(chatwootApi, 401) };
		expect(await testCredential('chatwootApi', fields({ accessToken: 'not-a-token' }))).toEqual(expected);
		expect(await testCredential('chatwootApi', fields({ accountId: 2 }))).toEqual(expected);
	});

	test('a Base URL copied from the address bar (…/app/accounts/1/dashboard) fails with how to shorten it', async () => {
		const result = await testCredential('chatwootApi', fields({ baseUrl: `${chatwoot.url}/app/accounts/1/dashboard` }));
		expect(result).toEqual({ status: 'Error', message: ruleMessage(chatwootApi, { missing: 'payload' }) });
		expect(result.message).toContain('remove everything from /app/ on');
	});

	test('a Base URL with another path fails as not found, with the Base URL named', async () => {
		const result = await testCredential('chatwootApi', fields({ baseUrl: `${chatwoot.url}/chatwoot` }));
		expect(result).toEqual({ status: 'Error', message: ruleMessage(chatwootApi, 404) });
		expect(result.message).toContain('Check the Base URL');
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
			message: ruleMessage(freeScoutApi, 401),
		});
	});

	test('a Base URL with a path from the address bar, and a FreeScout without the API module, fail with both causes named', async () => {
		const expected = { status: 'Error', message: ruleMessage(freeScoutApi, 404) };
		expect(await testCredential('freeScoutApi', fields(freescout, { baseUrl: `${freescout.url}/mailbox/1` }))).toEqual(expected);
		expect(await testCredential('freeScoutApi', fields(bareFreeScout))).toEqual(expected);
		expect(expected.message).toContain('Manage → Modules');
	});

	test('an address that answers with a page instead of the API fails as not FreeScout', async () => {
		const result = await testCredential('freeScoutApi', fields(freescout, { baseUrl: `${chatwoot.url}/app` }));
		expect(result).toEqual({ status: 'Error', message: ruleMessage(freeScoutApi, { missing: '_embedded' }) });
	});
});
