'use strict';
// The nodes in n8n 2.41.1's real editor, in headless Debian chromium: what a newcomer sees after installing the
// package, and both orders of getting an example running.
//   - Import first: the S1 and FreeScout examples imported into an n8n without credentials; the credential is
//     created from inside the trigger ("Connect to …", n8n names it "Chatwoot account" / "FreeScout account"),
//     reaches the example's other node of that platform, is saved with the workflow, and the workflow publishes.
//   - Each node added from the nodes panel shows Platform (Chatwoot by default), takes the Chatwoot credential and
//     offers only credentials of the selected platform; choosing FreeScout offers only FreeScout's.
//   - Credentials first: each example imported through Import → From File gets the credential of each node's
//     platform; Sync Status, which needs both, is given the one n8n did not add; each publishes, and the same
//     example imported a second time publishes next to the first.
const path = require('node:path');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { chromiumPath, loadPlaywright, signIn, startChromium } = require('../../scripts/chromium');
const { readExample, startStack, REPO_ROOT, TRIGGER_TYPE } = require('../e2e/support/stack');
const { ConversationStatusTrigger } = require('../../dist/nodes/ConversationStatusTrigger/ConversationStatusTrigger.node');
const editor = require('./editor');

const OWNER = { email: 'newcomer@example.com', firstName: 'New', lastName: 'Comer', password: 'Newcomer-Passw0rd' };
const PANEL = { search: 'Conversation Status', nodeText: 'Conversation Status' };
const PACKAGE_PREFIX = 'n8n-nodes-conversation-status.';
const PLATFORM_NAMES = { chatwoot: 'Chatwoot', freescout: 'FreeScout' };
const CREDENTIAL_NAMES = { chatwootApi: 'Chatwoot account', freeScoutApi: 'FreeScout account' };
const TRIGGER = new ConversationStatusTrigger().description;
const ACTIVATION_MESSAGE = TRIGGER.activationMessage;
const NOTHING_ANSWERS = 'If the test says ECONNREFUSED';
const PLATFORM_INFO = { chatwoot: 'Chatwoot must reach this node', freescout: 'FreeScout must reach this node' };

let chatwoot;
let freescout;
let stack;
let browserProcess;
let browser;
let page;
let baseUrl;

beforeAll(async () => {
	chatwoot = createChatwootSimulator({ version: '4.15.1' });
	freescout = createFreeScoutSimulator();
	await Promise.all([chatwoot.start(), freescout.start()]);
	stack = await startStack({ owner: OWNER });
	baseUrl = stack.n8n.baseUrl;

	const { chromium } = loadPlaywright();
	browserProcess = await startChromium(chromiumPath());
	browser = await chromium.connectOverCDP(browserProcess.wsEndpoint);
	const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
	page = await context.newPage();
	await signIn(page, baseUrl, OWNER);
}, 300_000);

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	await browserProcess?.stop();
	await stack?.stop();
	await Promise.all([chatwoot?.stop(), freescout?.stop()]);
});

afterEach(async () => {
	// A failed step may leave the node settings open; the next test starts from a fresh page either way.
	await page.keyboard.press('Escape').catch(() => undefined);
});

/** The stored workflow's credentials of this package's nodes, by node name: {node: {type: name}} (null: no id). */
async function storedCredentials(workflowId) {
	const stored = (await stack.n8n.rest('GET', `/rest/workflows/${workflowId}`)).data;
	return Object.fromEntries(
		stored.nodes
			.filter((node) => node.type.startsWith(PACKAGE_PREFIX))
			.map((node) => [node.name, Object.fromEntries(Object.entries(node.credentials ?? {}).map(([type, credential]) => [type, credential.id ? credential.name : null]))]),
	);
}

/** The paths of the test webhooks registered in the Chatwoot simulator (published examples have theirs too). */
function testWebhooks() {
	return chatwoot
		.webhooks()
		.map((webhook) => new URL(webhook.url).pathname)
		.filter((pathname) => pathname.startsWith('/webhook-test/'));
}

async function publishedTriggers(workflowId) {
	const status = (await stack.n8n.rest('GET', `/rest/workflows/${workflowId}/publication-status`)).data;
	return [status.status, status.triggers.map((trigger) => trigger.status)];
}

describe('import first, then create the credential inside the node', () => {
	test('S1 example: "Connect to Chatwoot" in the trigger, Force Open gets the credential too, the workflow publishes', async () => {
		const id = await editor.importFile(page, baseUrl, path.join(REPO_ROOT, 'examples', 'chatwoot-reopen-as-open.json'));
		await editor.openNode(page, 'Resolved to Pending');
		expect(await editor.connectButtonText(page)).toBe('Connect to Chatwoot');
		const { name, shown } = await editor.createCredentialFromNode(
			page,
			{ baseUrl: chatwoot.url, accountId: chatwoot.ids().accountId, accessToken: chatwoot.tokens().administrator },
			[NOTHING_ANSWERS],
		);
		expect(name).toBe(CREDENTIAL_NAMES.chatwootApi);
		// What n8n's bare ECONNREFUSED means is under the Base URL field.
		expect(shown).toEqual({ [NOTHING_ANSWERS]: true });
		expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: [name] });
		await editor.closeNode(page);
		await editor.openNode(page, 'Force Open');
		expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: [name] });
		await editor.closeNode(page);

		expect(await editor.publish(page)).toContain('Workflow published');
		expect(await storedCredentials(id)).toEqual({ 'Resolved to Pending': { chatwootApi: name }, 'Force Open': { chatwootApi: name } });
		expect(await publishedTriggers(id)).toEqual(['published', ['activated']]);
	});

	test('FreeScout example: "Connect to FreeScout" in the trigger, the workflow publishes', async () => {
		const id = await editor.importFile(page, baseUrl, path.join(REPO_ROOT, 'examples', 'freescout-close-and-reopen.json'));
		await editor.openNode(page, 'Closed or Reopened');
		expect(await editor.connectButtonText(page)).toBe('Connect to FreeScout');
		const { name, shown } = await editor.createCredentialFromNode(
			page,
			{ baseUrl: freescout.url, apiKey: freescout.apiKey, webhookSecret: freescout.secretKey, defaultUserId: 1 },
			[NOTHING_ANSWERS],
		);
		expect(name).toBe(CREDENTIAL_NAMES.freeScoutApi);
		expect(shown).toEqual({ [NOTHING_ANSWERS]: true });
		expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: [name] });
		await editor.closeNode(page);

		expect(await editor.publish(page)).toContain('Workflow published');
		expect(await storedCredentials(id)).toEqual({ 'Closed or Reopened': { freeScoutApi: name } });
		expect(await publishedTriggers(id)).toEqual(['published', ['activated']]);
	});
});

test('the trigger from the panel: one name, Platform visible, the Chatwoot credential, only the selected platform’s credentials, information as callouts', async () => {
	await editor.newWorkflow(page, baseUrl);
	// The panel's entry stands for both nodes and shows the trigger's description, which says what both do.
	expect(await editor.panelEntry(page, PANEL.search, PANEL.nodeText)).toEqual({ name: 'Conversation Status', description: TRIGGER.description });
	await editor.addTrigger(page, { ...PANEL, triggerText: 'On new Conversation Status event' });

	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: ['Chatwoot account'] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	expect(await editor.textKind(page, PLATFORM_INFO.chatwoot)).toBe('information');
	expect(await editor.textKind(page, PLATFORM_INFO.freescout)).toBeNull();
	expect(await page.getByText(TRIGGER.triggerPanel.header).isVisible()).toBe(true);
	// Listening registers a test webhook in Chatwoot; n8n names the node while it waits.
	expect(await editor.listen(page)).toBe('Go to Conversation Status and create an event');
	expect(testWebhooks()).toEqual([expect.stringMatching(/^\/webhook-test\/[^/]+\/webhook$/)]);
	await editor.stopListening(page);
	expect(testWebhooks()).toEqual([]);

	// Accepting unsigned deliveries is a warning: it needs the user's decision.
	await editor.chooseCollectionOption(page, 1, 'Accept Unsigned Deliveries');
	await page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-acceptUnsigned"]').first().click();
	expect(await editor.textKind(page, 'Unsigned deliveries are accepted')).toBe('warning');

	await editor.chooseOption(page, 'platform', 'FreeScout');
	// n8n keeps the Chatwoot credential on the node but shows none for FreeScout until one is picked.
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['FreeScout account']);
	await editor.chooseCredential(page, 'FreeScout account');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: ['FreeScout account'] });
	expect(await editor.textKind(page, PLATFORM_INFO.freescout)).toBe('information');

	// Back to Chatwoot: the node now holds the FreeScout credential, so n8n again asks for a Chatwoot one.
	await editor.chooseOption(page, 'platform', 'Chatwoot');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	await editor.closeNode(page);
	expect(await editor.canvasNodeNames(page)).toEqual(['Conversation Status Trigger']);
});

test('the action node from the panel: Platform visible, the Chatwoot credential, no Custom API Call, the Conversation ID as information', async () => {
	await editor.newWorkflow(page, baseUrl);
	await editor.addAction(page, { ...PANEL, actionText: 'Force open conversation' });

	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: ['Chatwoot account'] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	expect(await editor.optionNames(page, 'operation')).toEqual(['Diagnose Pending', 'Force Open', 'Get Status', 'Set Status', 'Sync Status']);
	expect(await editor.textKind(page, 'Conversation ID: in Chatwoot the number')).toBe('information');

	await editor.chooseOption(page, 'platform', 'FreeScout');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['FreeScout account']);
	await editor.chooseCredential(page, 'FreeScout account');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: ['FreeScout account'] });
	await editor.closeNode(page);
});

describe.each(['chatwoot-reopen-as-open.json', 'freescout-close-and-reopen.json', 'chatwoot-freescout-sync.json'])(
	'credentials first, then example %s imported through Import → From File',
	(file) => {
		const ours = readExample(file).nodes.filter((node) => node.type.startsWith(PACKAGE_PREFIX));
		const triggers = ours.filter((node) => node.type === TRIGGER_TYPE);

		test('every node shows its platform and that platform\'s credential (Sync Status: both, one picked); the workflow publishes', async () => {
			const id = await editor.importFile(page, baseUrl, path.join(REPO_ROOT, 'examples', file));

			const expected = {};
			for (const node of ours) {
				const types = node.parameters.operation === 'syncStatus' ? ['chatwootApi', 'freeScoutApi'] : [`${node.parameters.platform === 'freescout' ? 'freeScout' : 'chatwoot'}Api`];
				expected[node.name] = Object.fromEntries(types.map((type) => [type, CREDENTIAL_NAMES[type]]));
				await editor.openNode(page, node.name);
				const shown = await editor.nodeSettings(page);
				// n8n adds one existing credential per node on import (which one is n8n's choice); Sync Status needs the
				// other one picked.
				if (types.length === 2) {
					const missing = shown.credentials.findIndex((credential) => credential === null);
					expect([shown.platform, shown.credentials.filter((credential) => credential !== null).length, missing >= 0]).toEqual([null, 1, true]);
					await editor.chooseCredential(page, CREDENTIAL_NAMES[types[missing]], missing);
				}
				expect([node.name, await editor.nodeSettings(page)]).toEqual([
					node.name,
					{ platform: PLATFORM_NAMES[node.parameters.platform] ?? null, credentials: types.map((type) => CREDENTIAL_NAMES[type]) },
				]);
				await editor.closeNode(page);
			}

			expect(await editor.publishButton(page)).toEqual({ enabled: true });
			const published = await editor.publish(page);
			expect(published).toContain('Workflow published');
			// n8n shows the trigger's activation message when the workflow has exactly one trigger.
			if (triggers.length === 1) expect(published).toContain(ACTIVATION_MESSAGE);
			expect(await storedCredentials(id)).toEqual(expected);
			expect(await publishedTriggers(id)).toEqual(['published', triggers.map(() => 'activated')]);
		});
	},
);

test('the same example imported a second time publishes next to the first (no fixed webhook path)', async () => {
	const id = await editor.importFile(page, baseUrl, path.join(REPO_ROOT, 'examples', 'chatwoot-reopen-as-open.json'));
	expect(await editor.publish(page)).toContain('Workflow published');
	const copies = (await stack.n8n.rest('GET', '/rest/workflows')).data.filter((workflow) => workflow.name === readExample('chatwoot-reopen-as-open.json').name);
	expect(copies.map((workflow) => workflow.id)).toContain(id);
	const statuses = [];
	for (const copy of copies) statuses.push((await stack.n8n.rest('GET', `/rest/workflows/${copy.id}/publication-status`)).data.status);
	// The S1 example was imported before too, in both orders.
	expect([copies.length >= 2, statuses]).toEqual([true, copies.map(() => 'published')]);
});
