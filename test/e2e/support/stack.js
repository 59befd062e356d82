'use strict';
// Shared plumbing of the end-to-end tests: one real n8n per test file, reached through a proxy (its
// N8N_WEBHOOK_URL) so tests can make a delivery fail; credentials created through n8n's REST API; the
// example workflows of examples/ imported as a user would (credentials matched by name) and activated.
//
//   const stack = await startStack();                  // { n8n, proxy }
//   const cred = await stack.chatwootCredential(sim);  // { id, name, type }
//   const wf = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: cred } });
//   await stack.n8n.activateWorkflow(wf.id);
//   ...
//   await stack.stop();                               // n8n and proxy; idempotent
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { startN8n } = require('../runtime/n8n');
const { startProxy } = require('./proxy');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const TRIGGER_TYPE = 'n8n-nodes-conversation-status.conversationStatusTrigger';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The example's JSON as shipped. */
function readExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/**
 * An example made ready to import into one n8n: every node's credential of a type in `credentials` is
 * replaced by that credential ({id, name}); each trigger gets a fresh webhookId, as the editor gives a node
 * that has none (the examples carry none; `newWebhookIds` also replaces one a workflow has); `name` renames
 * the workflow.
 */
function prepareExample(file, { credentials = {}, name, newWebhookIds = false } = {}) {
	const workflow = readExample(file);
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			const credential = credentials[type];
			if (!credential) throw new Error(`${file}: node "${node.name}" needs a ${type} credential`);
			node.credentials[type] = { id: credential.id, name: credential.name };
		}
		if (node.type === TRIGGER_TYPE && (newWebhookIds || !node.webhookId)) node.webhookId = crypto.randomUUID();
	}
	return {
		name: name ?? workflow.name,
		nodes: workflow.nodes,
		connections: workflow.connections,
		settings: workflow.settings ?? {},
	};
}

/** The trigger nodes of a prepared workflow: [{name, webhookId, platform}]. */
function triggersOf(workflow) {
	return workflow.nodes
		.filter((node) => node.type === TRIGGER_TYPE)
		.map((node) => ({ name: node.name, webhookId: node.webhookId, platform: node.parameters.platform }));
}

/**
 * Options (all optional; the tests use none but `log`): `n8nPort` and `proxyPort` fix the ports (default
 * free ones), `webhookUrl` replaces the proxy as N8N_WEBHOOK_URL (e.g. a public tunnel to n8n), `owner`
 * ({email, firstName, lastName, password}) is the owner to set up, `signalHooks` as in startN8n, `env` more
 * environment for n8n (the benchmark's --n8n-env).
 */
async function startStack({ log, n8nPort, proxyPort, webhookUrl, owner, signalHooks, env = {} } = {}) {
	const proxy = await startProxy({ port: proxyPort });
	let n8n;
	try {
		n8n = await startN8n({
			packageDir: REPO_ROOT,
			env: {
				N8N_WEBHOOK_URL: webhookUrl ?? `${proxy.url}/`,
				// jest sets NODE_ENV=test, with which n8n 2.41 exits 1 at start without a log line.
				NODE_ENV: 'production',
				...env,
			},
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

	let stopping;
	const stack = {
		n8n,
		proxy,
		/** Production webhook URL of a trigger node (through the proxy, as the platforms call it). */
		webhookUrl: (webhookId) => n8n.webhookUrl(`${webhookId}/webhook`),
		/** The same URL, straight to n8n (bypassing the proxy), for requests the test sends itself. */
		directWebhookUrl: (webhookId) => `${n8n.baseUrl}/webhook/${webhookId}/webhook`,

		chatwootCredential(sim, { name = 'Chatwoot account', token } = {}) {
			return n8n.createCredential({
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
			return n8n.createCredential({
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
			const stored = await n8n.createWorkflow(prepared);
			return { ...stored, triggers: triggersOf(prepared) };
		},

		async executionCount(workflowId) {
			return (await n8n.listExecutions(workflowId)).length;
		},

		/**
		 * Waits until the workflow has `count` finished executions, then `quietMs` more to make sure no
		 * further one starts; returns all of them (newest first). Fails when there are more than `count`.
		 */
		async exactlyExecutions(workflowId, count, { quietMs = 2500, timeoutMs = 30_000 } = {}) {
			if (count > 0) await n8n.waitForExecutions(workflowId, count, { timeoutMs });
			await sleep(quietMs);
			const executions = await n8n.listExecutions(workflowId);
			if (executions.length !== count) {
				throw new Error(
					`workflow ${workflowId}: expected exactly ${count} execution(s), found ${executions.length}: ` +
						JSON.stringify(executions.map((e) => ({ id: e.id, status: e.status, startedAt: e.startedAt }))),
				);
			}
			return executions;
		},

		stop() {
			stopping ??= (async () => {
				try {
					await n8n.stop();
				} finally {
					await proxy.close();
				}
			})();
			return stopping;
		},
	};
	return stack;
}

module.exports = { startStack, prepareExample, readExample, triggersOf, sleep, TRIGGER_TYPE, REPO_ROOT };
