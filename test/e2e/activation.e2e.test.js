'use strict';
// Publishing a trigger whose webhook registration Chatwoot refuses, in a real n8n 2.41. n8n makes up to 5
// activation attempts (1, 2, 4 and 8 s apart) and cleans up after each; the trigger must send its request to
// Chatwoot once, log the webhook-URL warning once, and n8n must report Chatwoot's answer.
const fs = require('node:fs');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { startStack } = require('./support/stack');

let sim;
let stack;

beforeAll(async () => {
	sim = createChatwootSimulator({ version: '4.15.1' });
	await sim.start();
	stack = await startStack();
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await sim?.stop();
});

test('a wrong access token: one request to Chatwoot, one warning, and n8n reports the 401 with what to fix', async () => {
	const credential = await stack.chatwootCredential(sim, { token: 'wrong-token' });
	const workflow = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
	sim.resetLogs();

	// n8n 2.x reports the error's message (with Chatwoot's words), 1.x its description (what to fix).
	await expect(stack.n8n.activateWorkflow(workflow.id)).rejects.toThrow(
		stack.n8nVersion.startsWith('1.')
			? "Chatwoot does not know the credential's access token. Copy it again from Chatwoot's Profile Settings → Access Token."
			: 'node "Resolved to Pending": Chatwoot could not create the webhook (HTTP 401): Invalid Access Token',
	);
	const webhookRequests = sim
		.requests()
		.filter((request) => request.path.includes('/webhooks'))
		.map((request) => `${request.method} ${request.path} ${request.status}`);
	expect(webhookRequests).toEqual([`POST /api/v1/accounts/${sim.ids().accountId}/webhooks 401`]);
	expect(sim.webhooks()).toEqual([]);

	const log = fs.readFileSync(stack.n8n.logFile, 'utf8');
	const warnings = log.split('\n').filter((line) => line.includes('Conversation Status Trigger: The webhook URL'));
	expect(warnings).toHaveLength(1);
	expect(warnings[0]).toContain('is a loopback address');
});
