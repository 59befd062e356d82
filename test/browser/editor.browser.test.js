'use strict';
// The nodes in n8n 2.41.1's real editor, in headless Debian chromium: what a newcomer sees after installing the
// package. One n8n with two credentials named as the examples expect, "Chatwoot account" and then "FreeScout
// account" (the newer one, which n8n picks for a node when it decides by itself), both pointing at the simulators
// so that workflows can be published.
//   - Each node added from the nodes panel shows Platform (Chatwoot by default), takes the Chatwoot credential and
//     offers only credentials of the selected platform; choosing FreeScout offers only FreeScout's.
//   - Each example imported through Import → From File keeps its credentials and publishes; the same example
//     imported a second time publishes next to the first.
const path = require('node:path');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');
const { chromiumPath, loadPlaywright, signIn, startChromium } = require('../../scripts/chromium');
const { readExample, startStack, REPO_ROOT, TRIGGER_TYPE } = require('../e2e/support/stack');
const editor = require('./editor');

const OWNER = { email: 'newcomer@example.com', firstName: 'New', lastName: 'Comer', password: 'Newcomer-Passw0rd' };
const PANEL = { search: 'Conversation Status', nodeText: 'Conversation Status' };
const PACKAGE_PREFIX = 'n8n-nodes-conversation-status.';
const PLATFORM_NAMES = { chatwoot: 'Chatwoot', freescout: 'FreeScout' };
const CREDENTIAL_NAMES = { chatwootApi: 'Chatwoot account', freeScoutApi: 'FreeScout account' };
const ACTIVATION_MESSAGE = 'Every real conversation status change in Chatwoot or FreeScout now starts this workflow once.';

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
	await stack.chatwootCredential(chatwoot);
	await stack.freeScoutCredential(freescout); // the newest credential
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

test('the trigger from the panel: Platform visible, the Chatwoot credential, only the selected platform’s credentials', async () => {
	await editor.newWorkflow(page, baseUrl);
	await editor.addTrigger(page, { ...PANEL, triggerText: 'On new Chatwoot/FreeScout event' });

	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: ['Chatwoot account'] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	expect(await page.getByText('Listen for conversation status changes in Chatwoot or FreeScout').isVisible()).toBe(true);
	// Listening registers a test webhook in Chatwoot, and n8n names the platforms while it waits.
	expect(await editor.listen(page)).toBe('Go to Chatwoot/FreeScout and create an event');
	expect(chatwoot.webhooks().map((webhook) => new URL(webhook.url).pathname)).toEqual([expect.stringMatching(/^\/webhook-test\/[^/]+\/webhook$/)]);
	await editor.stopListening(page);
	expect(chatwoot.webhooks()).toEqual([]);

	await editor.chooseOption(page, 'platform', 'FreeScout');
	// n8n keeps the Chatwoot credential on the node but shows none for FreeScout until one is picked.
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['FreeScout account']);
	await editor.chooseCredential(page, 'FreeScout account');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: ['FreeScout account'] });

	// Back to Chatwoot: the node now holds the FreeScout credential, so n8n again asks for a Chatwoot one.
	await editor.chooseOption(page, 'platform', 'Chatwoot');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	await editor.closeNode(page);
});

test('the action node from the panel: Platform visible, the Chatwoot credential, no Custom API Call, the Conversation ID notice', async () => {
	await editor.newWorkflow(page, baseUrl);
	await editor.addAction(page, { ...PANEL, actionText: 'Force open conversation' });

	expect(await editor.nodeSettings(page)).toEqual({ platform: 'Chatwoot', credentials: ['Chatwoot account'] });
	expect(await editor.credentialChoices(page)).toEqual(['Chatwoot account']);
	expect(await editor.optionNames(page, 'operation')).toEqual(['Diagnose Pending', 'Force Open', 'Get Status', 'Set Status', 'Sync Status']);
	expect(await page.getByText(/^Conversation ID: in Chatwoot the number/).isVisible()).toBe(true);

	await editor.chooseOption(page, 'platform', 'FreeScout');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: [null] });
	expect(await editor.credentialChoices(page)).toEqual(['FreeScout account']);
	await editor.chooseCredential(page, 'FreeScout account');
	expect(await editor.nodeSettings(page)).toEqual({ platform: 'FreeScout', credentials: ['FreeScout account'] });
	await editor.closeNode(page);
});

describe.each(['chatwoot-reopen-as-open.json', 'freescout-close-and-reopen.json', 'chatwoot-freescout-sync.json'])(
	'example %s imported through Import → From File',
	(file) => {
		const ours = readExample(file).nodes.filter((node) => node.type.startsWith(PACKAGE_PREFIX));
		const triggers = ours.filter((node) => node.type === TRIGGER_TYPE);

		test('every node shows its platform and the credential of the documented name; the workflow publishes', async () => {
			const id = await editor.importFile(page, baseUrl, path.join(REPO_ROOT, 'examples', file));
			expect((await editor.toasts(page)).filter((text) => /auto-added/i.test(text))).toEqual([]);

			for (const node of ours) {
				await editor.openNode(page, node.name);
				// Sync Status has no Platform and both platforms' credentials.
				expect([node.name, await editor.nodeSettings(page)]).toEqual([
					node.name,
					{
						platform: PLATFORM_NAMES[node.parameters.platform] ?? null,
						credentials: Object.keys(node.credentials).map((type) => CREDENTIAL_NAMES[type]),
					},
				]);
				await editor.closeNode(page);
			}
			const stored = (await stack.n8n.rest('GET', `/rest/workflows/${id}`)).data;
			for (const node of stored.nodes.filter((candidate) => candidate.type.startsWith(PACKAGE_PREFIX))) {
				expect(Object.values(node.credentials).map((credential) => credential.name)).toEqual(Object.keys(node.credentials).map((type) => CREDENTIAL_NAMES[type]));
			}

			expect(await editor.publishButton(page)).toEqual({ enabled: true });
			const published = await editor.publish(page);
			expect(published).toContain('Workflow published');
			// n8n shows the trigger's activation message when the workflow has exactly one trigger.
			if (triggers.length === 1) expect(published).toContain(ACTIVATION_MESSAGE);
			const status = (await stack.n8n.rest('GET', `/rest/workflows/${id}/publication-status`)).data;
			expect([status.status, status.triggers.map((trigger) => trigger.status)]).toEqual([
				'published',
				triggers.map(() => 'activated'),
			]);
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
	expect(statuses).toEqual(['published', 'published']);
});
