'use strict';
/**
 * In-process harness for webhook trigger nodes, on top of test/support/n8n-harness.js: the node's
 * checkExists/create/delete run in n8n-core's real HookContext (real getNodeWebhookUrl, workflow static data,
 * credentials through the test credentials helper), webhook() runs in n8n-core's real WebhookContext with a fake
 * request (parsed body, headers, rawBody) and a fake response, and a delivery that returns workflowData is run
 * through WorkflowExecute like n8n's webhook helpers do. Optionally it listens on 127.0.0.1 like n8n's webhook
 * endpoints, so a platform simulator can deliver to the URL the node registered.
 *
 * Exported API:
 *
 *   createTriggerHarness({ nodeClass, parameters, credentials, workflowId, nodeId, webhookId, nodeName })
 *     nodeClass    the trigger class
 *     parameters   the node's parameters
 *     credentials  { [credentialType]: data }
 *     Ids default to fresh unique values (the trigger's process-wide memory is keyed by workflow and node id).
 *   -> harness:
 *     await listen()             serve /webhook/... and /webhook-test/... on 127.0.0.1; afterwards webhookUrl()
 *                                points there (call before activate so the registered URL is reachable)
 *     webhookUrl({ test })       the node's webhook URL as n8n computes it
 *     activate({ test, attempts }) one publish, like n8n 2.41: the node's static data is reloaded as from
 *                                n8n's database (a fresh object with the same content), then checkExists, and
 *                                create only when it returned false; a failed attempt is cleaned up with the
 *                                node's `delete` and retried, up to `attempts` in all (default 1; n8n makes 5,
 *                                1-8 s apart, which the harness does not wait). Resolves { existed };
 *                                the last attempt's error is thrown (NodeApiError as n8n-core sees them)
 *     checkExists/create/remove({ test })   one lifecycle method (remove = the node's `delete`)
 *     deliver({ body, headers, test, parsedBody })
 *                                one webhook request (body: Buffer | string | object). Resolves
 *                                { status, body, items, executed } where items are the json of the emitted items
 *                                (after WorkflowExecute) and executed says whether a workflow ran
 *     staticData({ test })       the node's static data (production or test-listening copy)
 *     executions                 [{ items, status, test }] of every workflow run, in order
 *     requests                   [{ path, status, body, items }] of every HTTP request served by listen()
 *     capture(on)                while on, requests to the listening server are only recorded in `captured`
 *                                ({ headers, body: Buffer }) and answered 200, without running the node
 *     logs                       [{ level, message }] logged by the node through this.logger
 *     close()                    stop listening
 */
const http = require('node:http');

const { Container } = require('@n8n/di');
const { HookContext, WebhookContext } = require('n8n-core');
const harness = require('./n8n-harness');

// n8n-core resolves its logger from the DI container, as the class of its own @n8n/backend-common copy.
const backendCommonPath = require.resolve('@n8n/backend-common', { paths: [require.resolve('n8n-core')] });
const { Logger } = require(backendCommonPath);

/** @type {Array<{ level: string, message: string }>} */
const sharedLogs = [];
const capturingLogger = {
	error: (message) => sharedLogs.push({ level: 'error', message: String(message) }),
	warn: (message) => sharedLogs.push({ level: 'warn', message: String(message) }),
	info: (message) => sharedLogs.push({ level: 'info', message: String(message) }),
	debug: (message) => sharedLogs.push({ level: 'debug', message: String(message) }),
	scoped: () => capturingLogger,
};
Container.set(Logger, capturingLogger);

let uniqueCounter = 0;

/**
 * @typedef {{ items: any[], status: string, test: boolean }} Execution
 * @typedef {{ path: string, status: number, body: any, items: any[] }} ServedRequest
 * @typedef {{ path: string, headers: any, body: Buffer }} Captured
 * @typedef {{ body: any, headers?: any, test?: boolean, parsedBody?: any }} DeliverOptions
 * @typedef {{ status: number, body: any, items: any[], executed: boolean }} DeliverResult
 * @typedef {{ test?: boolean }} ModeOptions
 */

function fakeResponse() {
	const response = {
		statusCode: 200,
		body: undefined,
		ended: false,
		headers: {},
		headersSent: false,
		status(code) {
			response.statusCode = code;
			return response;
		},
		json(body) {
			response.body = body;
			response.ended = true;
			response.headersSent = true;
			return response;
		},
		send(body) {
			response.body = body;
			response.ended = true;
			response.headersSent = true;
			return response;
		},
		end(body) {
			if (body !== undefined) response.body = body;
			response.ended = true;
			response.headersSent = true;
			return response;
		},
		setHeader(name, value) {
			response.headers[String(name).toLowerCase()] = value;
			return response;
		},
		header(name, value) {
			return response.setHeader(name, value);
		},
	};
	return response;
}

function lowerCaseHeaders(headers) {
	const out = {};
	for (const [name, value] of Object.entries(headers || {})) out[name.toLowerCase()] = value;
	return out;
}

/**
 * @param {{ nodeClass: any, parameters?: any, credentials?: any, workflowId?: string, nodeId?: string,
 *   webhookId?: string, nodeName?: string }} options
 */
function createTriggerHarness({ nodeClass, parameters = {}, credentials = {}, workflowId, nodeId, webhookId, nodeName }) {
	const unique = `${Date.now().toString(36)}${++uniqueCounter}`;
	const nodeTypes = harness.createNodeTypes([nodeClass]);
	const credentialsHelper = new harness.TestCredentialsHelper({ credentials });
	const node = harness.createNode({
		nodeType: nodeClass,
		name: nodeName,
		parameters,
		credentials,
		id: nodeId || `trigger-node-${unique}`,
		webhookId: webhookId || `hook-${unique}`,
	});
	const id = workflowId || `wf-${unique}`;
	// n8n keeps the production static data with the workflow and gives "Listen for test event" its own copy.
	const workflows = {
		production: harness.createWorkflow({ nodes: [node], nodeTypes, id, name: 'Status workflow' }),
		test: harness.createWorkflow({ nodes: [node], nodeTypes, id, name: 'Status workflow' }),
	};
	let baseUrl = 'http://localhost:5678/';
	let server = null;
	let capturing = false;
	const logStart = sharedLogs.length;
	const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const webhookDescription = nodeType.description.webhooks[0];

	function workflowFor(test) {
		return test ? workflows.test : workflows.production;
	}

	/** n8n builds the workflow anew for every publish, with the static data its database holds. */
	function reloadStaticData(test) {
		const key = test ? 'test' : 'production';
		const stored = JSON.parse(JSON.stringify(workflows[key].staticData));
		workflows[key] = harness.createWorkflow({ nodes: [node], nodeTypes, id, name: 'Status workflow', staticData: stored });
	}

	function additionalData(extra) {
		return harness.createAdditionalData({
			credentialsHelper,
			baseUrl,
			workflowId: id,
			hooks: harness.createHooks({ mode: 'webhook', workflowData: { id, name: 'Status workflow', nodes: [node], connections: {} } }),
			overrides: extra,
		});
	}

	function webhookData(test, data) {
		return {
			httpMethod: webhookDescription.httpMethod,
			node: node.name,
			path: `${node.webhookId}/${webhookDescription.path}`,
			webhookDescription,
			workflowId: id,
			workflowExecuteAdditionalData: data,
			isTest: test,
		};
	}

	/** @param {string} method @param {ModeOptions} [options] @returns {Promise<boolean>} */
	async function runHook(method, { test = false } = {}) {
		const data = additionalData();
		// What n8n passes: activation (mode trigger / test listening mode manual) and removal (mode internal).
		const mode = method === 'delete' ? 'internal' : test ? 'manual' : 'trigger';
		const activation = method === 'delete' ? 'update' : test ? 'manual' : 'activate';
		const context = new HookContext(workflowFor(test), node, data, mode, activation, webhookData(test, data));
		return await nodeType.webhookMethods.default[method].call(context);
	}

	const self = {
		node,
		workflows,
		credentialsHelper,
		executions: /** @type {Execution[]} */ ([]),
		requests: /** @type {ServedRequest[]} */ ([]),
		captured: /** @type {Captured[]} */ ([]),
		/** @returns {Array<{ level: string, message: string }>} */
		get logs() {
			return sharedLogs.slice(logStart);
		},
		/** @param {ModeOptions} [options] @returns {any} */
		staticData({ test = false } = {}) {
			return workflowFor(test).staticData[`node:${node.name}`] || {};
		},
		/** @param {ModeOptions} [options] @returns {string} */
		webhookUrl({ test = false } = {}) {
			const base = baseUrl.replace(/\/$/, '');
			return `${base}/${test ? 'webhook-test' : 'webhook'}/${node.webhookId}/${webhookDescription.path}`;
		},
		/** @param {ModeOptions} [options] @returns {Promise<boolean>} */
		checkExists: (options) => runHook('checkExists', options),
		/** @param {ModeOptions} [options] @returns {Promise<boolean>} */
		create: (options) => runHook('create', options),
		/** @param {ModeOptions} [options] @returns {Promise<boolean>} */
		remove: (options) => runHook('delete', options),
		/** @param {ModeOptions & { attempts?: number }} [options] @returns {Promise<{ existed: boolean }>} */
		async activate({ test = false, attempts = 1 } = {}) {
			reloadStaticData(test);
			for (let attempt = 1; ; attempt++) {
				try {
					const existed = await runHook('checkExists', { test });
					if (!existed) await runHook('create', { test });
					return { existed };
				} catch (error) {
					// What n8n's WebhookTriggerRegistrar does after a failed attempt, before its retry loop goes on.
					await runHook('delete', { test });
					if (attempt >= attempts) throw error;
				}
			}
		},
		capture(on = true) {
			capturing = on;
		},

		/** @param {DeliverOptions} options @returns {Promise<DeliverResult>} */
		async deliver({ body, headers = {}, test = false, parsedBody }) {
			const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
			let parsed = parsedBody;
			if (parsed === undefined) {
				try {
					parsed = JSON.parse(rawBody.toString('utf8'));
				} catch {
					parsed = {};
				}
			}
			const request = {
				method: 'POST',
				url: self.webhookUrl({ test }),
				headers: lowerCaseHeaders(headers),
				body: parsed,
				rawBody,
				query: {},
				params: {},
			};
			const response = fakeResponse();
			const workflow = workflowFor(test);
			const data = additionalData({ httpRequest: request, httpResponse: response });
			const mode = test ? 'manual' : 'webhook';
			const context = new WebhookContext(workflow, node, data, mode, webhookData(test, data), [], null);
			const result = await nodeType.webhook.call(context);

			if (result.noWebhookResponse) return { status: response.statusCode, body: response.body, items: [], executed: false };
			if (result.workflowData === undefined) {
				const answer = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
				return { status: 200, body: answer, items: [], executed: false };
			}
			const run = await harness.executeWorkflow({
				workflow,
				additionalData: data,
				startNodeName: node.name,
				inputItems: result.workflowData[0],
				mode,
			});
			const items = run.outputOf(node.name).map((item) => item.json);
			self.executions.push({ items, status: run.status, test });
			return { status: 200, body: { message: 'Workflow was started' }, items, executed: true };
		},

		async listen() {
			server = http.createServer((req, res) => {
				const chunks = [];
				req.on('data', (chunk) => chunks.push(chunk));
				req.on('end', async () => {
					const body = Buffer.concat(chunks);
					const path = req.url || '';
					if (capturing) {
						self.captured.push({ path, headers: { ...req.headers }, body });
						res.writeHead(200, { 'Content-Type': 'application/json' });
						res.end('{"message":"captured"}');
						return;
					}
					try {
						const test = path.startsWith('/webhook-test/');
						const outcome = await self.deliver({ body, headers: req.headers, test });
						self.requests.push({ path, status: outcome.status, body: outcome.body, items: outcome.items });
						res.writeHead(outcome.status, { 'Content-Type': 'application/json' });
						res.end(JSON.stringify(outcome.body === undefined ? {} : outcome.body));
					} catch (error) {
						self.requests.push({ path, status: 500, body: String(error && error.message), items: [] });
						res.writeHead(500, { 'Content-Type': 'application/json' });
						res.end(JSON.stringify({ message: String(error && error.message) }));
					}
				});
			});
			await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
			baseUrl = `http://127.0.0.1:${server.address().port}/`;
			return baseUrl;
		},
		async close() {
			if (server === null) return;
			await new Promise((resolve) => server.close(resolve));
			server = null;
		},
	};
	return self;
}

module.exports = { createTriggerHarness };
