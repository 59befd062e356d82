'use strict';
// Shared plumbing of the end-to-end tests: one real n8n per test file, reached through a proxy (its
// N8N_WEBHOOK_URL) so tests can make a delivery fail; credentials created through n8n's REST API; the
// example workflows of examples/ imported as a user would (credentials matched by name) and activated.
//
// The n8n line is E2E_N8N_VERSION (default 2.41.1) unless `n8nVersion` is given. Queue mode: ./queue-stack.js,
// same surface.
//
//   const stack = await startStack();                  // { n8n, proxy, n8nVersion, ... }
//   const cred = await stack.chatwootCredential(sim);  // { id, name, type }
//   const wf = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: cred } });
//   await stack.activateWorkflow(wf.id);               // = stack.n8n.activateWorkflow
//   ...
//   await stack.restart();                             // same database; active workflows are active again
//   await stack.stop();                               // n8n and proxy; idempotent
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { startN8n } = require('../runtime/n8n');
const { selectedN8nVersion } = require('../runtime/install');
const { startProxy } = require('./proxy');
const { credentialTypesShown } = require('../../support/example-credentials');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const TRIGGER_TYPE = 'n8n-nodes-conversation-status.conversationStatusTrigger';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Environment every n8n process of a stack gets. jest sets NODE_ENV=test, with which n8n 2.41 exits 1 at
// start without a log line.
const n8nDefaults = { NODE_ENV: 'production' };

/** The example's JSON as shipped. */
function readExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/**
 * An example made ready to import into one n8n: every node of this package gets, of `credentials` (by type), the
 * ones it shows in the editor (the examples carry none; the editor adds them on import or when the user picks
 * them); each trigger gets a fresh webhookId, as the editor gives a node that has none (the examples carry none;
 * `newWebhookIds` also replaces one a workflow has); `triggerOptions` are set in every trigger's Options; `name`
 * renames the workflow.
 */
function prepareExample(file, { credentials = {}, name, newWebhookIds = false, triggerOptions } = {}) {
	const workflow = readExample(file);
	for (const node of workflow.nodes) {
		const types = credentialTypesShown(node);
		if (types.length > 0) node.credentials = {};
		for (const type of types) {
			const credential = credentials[type];
			if (!credential) throw new Error(`${file}: node "${node.name}" needs a ${type} credential`);
			node.credentials[type] = { id: credential.id, name: credential.name };
		}
		if (node.type === TRIGGER_TYPE && (newWebhookIds || !node.webhookId)) node.webhookId = crypto.randomUUID();
		if (node.type === TRIGGER_TYPE && triggerOptions) node.parameters.options = { ...node.parameters.options, ...triggerOptions };
	}
	return {
		name: name ?? workflow.name,
		nodes: workflow.nodes,
		connections: workflow.connections,
		settings: workflow.settings ?? {},
	};
}

/** A workflow with only n8n's own Webhook node: POST /webhook/<path>, answered at once, each call an execution. */
function webhookNodeWorkflow(name, webhookPath) {
	return {
		name,
		nodes: [
			{
				parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
				id: crypto.randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
			},
		],
		connections: {},
	};
}

/** The trigger nodes of a prepared workflow: [{name, webhookId, platform}]. */
function triggersOf(workflow) {
	return workflow.nodes
		.filter((node) => node.type === TRIGGER_TYPE)
		.map((node) => ({ name: node.name, webhookId: node.webhookId, platform: node.parameters.platform }));
}

/**
 * What every stack offers on top of its n8n main (REST) and proxy: credentials for the simulators,
 * example import, execution counting, restart and stop. `directWebhookBase` is an n8n process that
 * serves production webhooks (bypassing the proxy); `restartAll` and `stopAll` act on every process.
 */
function stackSurface({ main, proxy, directWebhookBase, restartAll, stopAll }) {
	let stopping;
	return {
		n8n: main,
		proxy,
		n8nVersion: main.n8nVersion,
		/** Production webhook URL of a trigger node (through the proxy, as the platforms call it). */
		webhookUrl: (webhookId) => main.webhookUrl(`${webhookId}/webhook`),
		/** The same URL, straight to an n8n process (bypassing the proxy), for requests the test sends itself. */
		directWebhookUrl: (webhookId) => `${directWebhookBase}/webhook/${webhookId}/webhook`,

		chatwootCredential(sim, { name = 'Chatwoot account', token } = {}) {
			return main.createCredential({
				name,
				type: 'chatwootApi',
				data: {
					baseUrl: sim.url,
					accountId: sim.ids().accountId,
					accessToken: token ?? sim.tokens().administrator,
					webhookSecret: '',
					ignoreSslIssues: false,
				},
			});
		},
		freeScoutCredential(sim, { name = 'FreeScout account', defaultUserId = 1 } = {}) {
			return main.createCredential({
				name,
				type: 'freeScoutApi',
				data: {
					baseUrl: sim.url,
					apiKey: sim.apiKey,
					webhookSecret: sim.secretKey,
					defaultUserId,
					ignoreSslIssues: false,
				},
			});
		},

		/** Imports an example (see prepareExample); returns the stored workflow plus its `triggers`. */
		async importExample(file, options) {
			const prepared = prepareExample(file, options);
			const stored = await main.createWorkflow(prepared);
			return { ...stored, triggers: triggersOf(prepared) };
		},

		/** Same as stack.n8n.activateWorkflow / deactivateWorkflow. */
		activateWorkflow: (id, options) => main.activateWorkflow(id, options),
		deactivateWorkflow: (id, options) => main.deactivateWorkflow(id, options),

		async executionCount(workflowId) {
			return (await main.listExecutions(workflowId)).length;
		},

		/**
		 * Waits until the workflow has `count` finished executions, then `quietMs` more to make sure no
		 * further one starts; returns all of them (newest first). Fails when there are more than `count`.
		 */
		async exactlyExecutions(workflowId, count, { quietMs = 2500, timeoutMs = 30_000 } = {}) {
			if (count > 0) await main.waitForExecutions(workflowId, count, { timeoutMs });
			await sleep(quietMs);
			const executions = await main.listExecutions(workflowId);
			if (executions.length !== count) {
				throw new Error(
					`workflow ${workflowId}: expected exactly ${count} execution(s), found ${executions.length}: ` +
						JSON.stringify(executions.map((e) => ({ id: e.id, status: e.status, startedAt: e.startedAt }))),
				);
			}
			return executions;
		},

		/**
		 * Stops every n8n process and starts it again on the same user folders and database (workflows stay
		 * active, credentials and static data are kept; the proxy keeps its port and log). Resolves once the
		 * main has logged the start-up activation of every workflow activated through the stack.
		 */
		restart: () => restartAll(),

		/** Stops everything (n8n processes, proxy, services); idempotent. */
		stop() {
			stopping ??= stopAll();
			return stopping;
		},
	};
}

/**
 * One n8n (regular mode, SQLite) behind the proxy. Options (all optional; the tests use none but `log`):
 * `n8nVersion` the n8n line (default selectedN8nVersion()), `n8nPort` and `proxyPort` fix the ports
 * (default free ones), `webhookUrl` replaces the proxy as N8N_WEBHOOK_URL (e.g. a public tunnel to n8n),
 * `owner` ({email, firstName, lastName, password}) is the owner to set up, `signalHooks` as in startN8n,
 * `env` more environment for n8n (the benchmark's --n8n-env), `extraPackages` folders of more community
 * packages to load next to this one (e.g. a test-only node package), `packageTarball` an `npm pack` tarball of
 * this package to install with npm instead of copying the build (see ../runtime/tarball.js).
 */
async function startStack({
	n8nVersion = selectedN8nVersion(),
	log,
	n8nPort,
	proxyPort,
	webhookUrl,
	owner,
	signalHooks,
	env = {},
	extraPackages = [],
	packageTarball,
} = {}) {
	const proxy = await startProxy({ port: proxyPort });
	let n8n;
	try {
		n8n = await startN8n({
			n8nVersion,
			packageDir: packageTarball ? extraPackages : [REPO_ROOT, ...extraPackages],
			packageTarball,
			env: { N8N_WEBHOOK_URL: webhookUrl ?? `${proxy.url}/`, ...n8nDefaults, ...env },
			log,
			port: n8nPort,
			signalHooks,
		});
		proxy.setTarget(n8n.baseUrl);
		await n8n.setupOwner(owner);
	} catch (error) {
		if (n8n) await n8n.stop();
		await proxy.close();
		throw error;
	}
	return stackSurface({
		main: n8n,
		proxy,
		directWebhookBase: n8n.baseUrl,
		restartAll: () => n8n.restart(),
		async stopAll() {
			try {
				await n8n.stop();
			} finally {
				await proxy.close();
			}
		},
	});
}

module.exports = {
	startStack,
	stackSurface,
	selectedN8nVersion,
	n8nDefaults,
	prepareExample,
	webhookNodeWorkflow,
	readExample,
	triggersOf,
	sleep,
	TRIGGER_TYPE,
	REPO_ROOT,
};
