'use strict';
// The install path of the README before the package is on npm: the release tarball (`npm pack`, the file the
// publish workflow attaches to each GitHub release) installed with npm into a fresh n8n user folder's nodes folder,
// then n8n started. Both nodes and both credentials load, the action node has no "Custom API Call", and the S1
// example, imported as shipped with the credential n8n's editor adds to each of its nodes, publishes and runs
// against the Chatwoot simulator.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createEvolutionClient } = require('../simulators/evolution-client');
const { nodeItems } = require('./runtime/n8n');
const { packTarball } = require('./runtime/tarball');
const { prepareExample, startStack, REPO_ROOT } = require('./support/stack');

const PACKAGE = 'n8n-nodes-conversation-status';
const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'conversation-status-pack-'));

let sim;
let stack;

beforeAll(async () => {
	const tarball = packTarball(REPO_ROOT, packDir);
	sim = createChatwootSimulator({ version: '4.15.1' });
	await sim.start();
	stack = await startStack({ packageTarball: tarball });
}, 180_000);

afterAll(async () => {
	await stack?.stop();
	await sim?.stop();
	fs.rmSync(packDir, { recursive: true, force: true });
});

test('npm installed the tarball into the nodes folder as a real folder, without a second n8n-workflow', () => {
	const nodeModules = path.join(stack.n8n.userFolder, '.n8n', 'nodes', 'node_modules');
	expect(fs.readdirSync(nodeModules).filter((entry) => !entry.startsWith('.'))).toEqual([PACKAGE]);
	expect(fs.lstatSync(path.join(nodeModules, PACKAGE)).isDirectory()).toBe(true);
	expect(stack.n8n.packageName).toBe(PACKAGE);
});

test('both nodes and both credentials load; Platform is a parameter of both; the action node has no Custom API Call', async () => {
	const nodeTypes = (await stack.n8n.rest('GET', '/types/nodes.json')).filter((type) => type.name.startsWith(`${PACKAGE}.`));
	// n8n 2.x also derives "conversationStatusTool" (the action node is usableAsTool) for AI agents.
	const names = nodeTypes.map((type) => type.name).filter((name) => !name.endsWith('Tool'));
	expect(names.sort()).toEqual([`${PACKAGE}.conversationStatus`, `${PACKAGE}.conversationStatusTrigger`]);
	for (const type of nodeTypes) expect(type.properties.map((property) => property.name)).toContain('platform');
	const withOperations = nodeTypes.filter((type) => type.properties.some((property) => property.name === 'operation'));
	expect(withOperations.length).toBeGreaterThanOrEqual(1);
	for (const type of withOperations) {
		const operations = type.properties.find((property) => property.name === 'operation').options.map((option) => option.value);
		expect([type.name, operations.sort()]).toEqual([type.name, ['diagnosePending', 'forceOpen', 'getStatus', 'setStatus', 'syncStatus']]);
	}

	const credentialTypes = (await stack.n8n.rest('GET', '/types/credentials.json')).map((type) => type.name);
	expect(credentialTypes).toEqual(expect.arrayContaining(['chatwootApi', 'freeScoutApi']));
});

test('the S1 example as shipped, with the credential the editor adds: published, a reopened conversation ends open in one execution', async () => {
	const credential = await stack.chatwootCredential(sim);
	// The editor gives a trigger without webhookId its own (prepareExample does the same; n8n 1.x's REST API does
	// not) and saves into the user's project.
	const example = prepareExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
	const project = (await stack.n8n.rest('GET', '/rest/projects/personal')).data;
	const workflow = await stack.n8n.createWorkflow({ ...example, projectId: project.id });
	const stored = (await stack.n8n.rest('GET', `/rest/workflows/${workflow.id}`)).data;
	const ours = stored.nodes.filter((node) => node.type.startsWith(`${PACKAGE}.`));
	expect(ours.map((node) => node.credentials)).toEqual(ours.map(() => ({ chatwootApi: { id: credential.id, name: 'Chatwoot account' } })));

	await stack.n8n.activateWorkflow(workflow.id);
	expect(sim.webhooks()).toHaveLength(1);
	const evolution = createEvolutionClient({ chatwootUrl: sim.url, token: sim.tokens().administrator });
	const first = await evolution.receiveMessage({ phone: '5511987650002', text: 'Olá' });
	await sim.idle();
	await stack.exactlyExecutions(workflow.id, 1); // the new conversation the bot inbox made pending, opened
	await sim.idle();
	await sim.setStatus(first.conversationId, 'resolved');
	await sim.idle();

	await evolution.receiveMessage({ phone: '5511987650002', text: 'Ainda preciso de ajuda' });
	await sim.idle();
	const [newest] = await stack.exactlyExecutions(workflow.id, 2);
	expect(newest.status).toBe('success');
	const execution = await stack.n8n.getExecution(newest.id);
	expect(nodeItems(execution, 'Resolved to Pending')).toMatchObject([
		{ conversationId: first.conversationId, previousStatus: 'resolved', status: 'pending', cause: 'bot_inbox' },
	]);
	expect(nodeItems(execution, 'Force Open')).toMatchObject([{ conversationId: first.conversationId, status: 'open', changed: true }]);
	await sim.idle();
	expect(sim.getConversation(first.conversationId).status).toBe('open');
});
