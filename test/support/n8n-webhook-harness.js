'use strict';
/**
 * In-process harness for webhook trigger nodes, on top of test/support/n8n-harness.js, that keeps a trigger's
 * workflow static data the way n8n 2.41 does:
 * - static data lives in a store (the database column, as JSON text); every hook call and every webhook request
 *   builds a fresh n8n-workflow Workflow from a copy read from the store, and the call's changes are written back
 *   only when the Workflow's "changed" flag is set, replacing the whole value (last writer wins);
 * - when webhook() starts an execution, n8n wraps the same static data object in a new Workflow (which clears
 *   that flag) and makes its database round trips (here: real file-system I/O); it saves before that when the node
 *   answered the request itself (noWebhookResponse), else only afterwards, when the change is lost; the execution
 *   reads its own copy from the store;
 * - several processes (n8n webhook processes, or restarts) share the store: each process is its own module
 *   instance of the node (`loadNodeClass` is called once per process and again on restart), with its own module
 *   state. Deliveries go round-robin over the processes unless one is named.
 * checkExists/create/delete run in n8n-core's real HookContext (real getNodeWebhookUrl, credentials through the
 * test credentials helper), webhook() in n8n-core's real WebhookContext with a fake request and response, and a
 * delivery that returns workflowData is run through WorkflowExecute like n8n's webhook helpers do. Optionally it
 * listens on 127.0.0.1 like n8n's webhook endpoints, so a platform simulator can deliver to the registered URL.
 *
 * Exported API:
 *
 *   createTriggerHarness({ nodeClass | loadNodeClass, processes, parameters, credentials, credentialTypes,
 *                          workflowId, nodeId, webhookId, nodeName })
 *     nodeClass      the trigger class (one process), or
 *     loadNodeClass  () => a fresh trigger class (e.g. through jest.isolateModules), with `processes` (default 1)
 *     parameters     the node's parameters
 *     credentials    { [credentialType]: data }; credentialTypes: extra credential type instances by name
 *     Ids default to fresh unique values.
 *   -> harness:
 *     await listen()             serve /webhook/... and /webhook-test/... on 127.0.0.1; afterwards webhookUrl()
 *                                points there (call before activate so the registered URL is reachable)
 *     webhookUrl({ test })       the node's webhook URL as n8n computes it
 *     activate({ test, attempts, activation })
 *                                one publish, like n8n 2.41: the node's static data is reloaded as from
 *                                n8n's database (a fresh object with the same content), then checkExists, and
 *                                create only when it returned false; a failed attempt is cleaned up with the
 *                                node's `delete` and retried, up to `attempts` in all (default 1; n8n makes 5,
 *                                1-8 s apart, which the harness does not wait). Resolves { existed };
 *                                the last attempt's error is thrown (NodeApiError as n8n-core sees them);
 *                                activation: n8n's activation mode, 'activate' unless named ('init': n8n 1.x
 *                                starting again, which calls checkExists for every active trigger)
 *     checkExists/create/remove({ test })   one lifecycle method (remove = the node's `delete`)
 *     deliver({ body, headers, test, parsedBody, process })
 *                                one webhook request (body: Buffer | string | object) to one process. Resolves
 *                                { status, body, items, executed, process } where items are the json of the
 *                                emitted items (after WorkflowExecute) and executed says whether a workflow ran
 *     deliverOverlapping([deliver options...], { saveOrder })
 *                                requests in flight at once: all read the store first, then their static-data
 *                                saves land in `saveOrder` (indexes; last writer wins); resolves their results
 *     startLike1x()              an n8n 1.x start: restart(), then checkExists as n8n 1.x calls it for every
 *                                active trigger at every start (production; saved like an activation)
 *     restart()                  every process starts again from nothing but the store (an n8n restart)
 *     setStaticData(value, { test })   the node's static data in the store, as an earlier release left it
 *     staticData({ test })       the node's static data as the store holds it now (production or test listening)
 *     storedMemory({ test })     the trigger's memory in it (kept as one JSON text), parsed; undefined without one
 *     storedStatuses({ test })   { [conversation key]: newest status } of the stored memory
 *     executions                 [{ items, status, test, process }] of every workflow run, in order
 *     requests                   [{ path, status, body, items }] of every HTTP request served by listen()
 *     capture(on)                while on, requests to the listening server are only recorded in `captured`
 *                                ({ headers, body: Buffer }) and answered 200, without running the node
 *     logs                       [{ level, message }] logged by the node through this.logger
 *     close()                    stop listening
 */
const http = require('node:http');

const fs = require('node:fs');

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
 * @typedef {{ items: any[], status: string, test: boolean, process: number }} Execution
 * @typedef {{ path: string, status: number, body: any, items: any[] }} ServedRequest
 * @typedef {{ path: string, headers: any, body: Buffer }} Captured
 * @typedef {{ body: any, headers?: any, test?: boolean, parsedBody?: any, process?: number }} DeliverOptions
 * @typedef {{ status: number, body: any, items: any[], executed: boolean, process: number }} DeliverResult
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

/** One database round trip's worth of waiting: real I/O, answered in a later turn of the event loop. */
function databaseRoundTrip() {
	return fs.promises.stat(__filename);
}

/**
 * @param {{ nodeClass?: any, loadNodeClass?: () => any, processes?: number, parameters?: any, credentials?: any,
 *   credentialTypes?: any, workflowId?: string, nodeId?: string, webhookId?: string, nodeName?: string }} options
 */
function createTriggerHarness({
	nodeClass,
	loadNodeClass,
	processes = 1,
	parameters = {},
	credentials = {},
	credentialTypes,
	workflowId,
	nodeId,
	webhookId,
	nodeName,
}) {
	const unique = `${Date.now().toString(36)}${++uniqueCounter}`;
	const load = loadNodeClass || (() => nodeClass);
	const startProcesses = () => Array.from({ length: loadNodeClass ? processes : 1 }, () => {
		const cls = load();
		const nodeTypes = harness.createNodeTypes([cls]);
		return { cls, nodeTypes, nodeType: nodeTypes.getByNameAndVersion(harness.nodeTypeName(cls), undefined) };
	});
	let running = startProcesses();
	const credentialsHelper = new harness.TestCredentialsHelper({
		credentials,
		credentialTypes: credentialTypes ? { ...harness.loadPackageCredentialTypes(), ...credentialTypes } : undefined,
	});
	const node = harness.createNode({
		nodeType: running[0].cls,
		name: nodeName,
		parameters,
		credentials,
		id: nodeId || `trigger-node-${unique}`,
		webhookId: webhookId || `hook-${unique}`,
	});
	const id = workflowId || `wf-${unique}`;
	// n8n keeps the production static data with the workflow and gives "Listen for test event" its own copy.
	const store = { production: null, test: null };
	let baseUrl = 'http://localhost:5678/';
	let server = null;
	let capturing = false;
	let nextProcess = 0;
	const logStart = sharedLogs.length;
	const webhookDescription = running[0].nodeType.description.webhooks[0];

	const storeKey = (test) => (test ? 'test' : 'production');

	/** A fresh Workflow over a copy of what the store holds, as n8n loads it for every call. */
	function loadWorkflow(test, process) {
		const text = store[storeKey(test)];
		const raw = text === null ? {} : JSON.parse(text);
		const workflow = harness.createWorkflow({ nodes: [node], nodeTypes: running[process].nodeTypes, id, name: 'Status workflow', staticData: raw });
		return { workflow, raw };
	}

	/** What n8n's saveStaticData does: write the whole value when the changed flag is set. */
	function save(test, workflow) {
		if (workflow.staticData.__dataChanged !== true) return false;
		store[storeKey(test)] = JSON.stringify(workflow.staticData);
		workflow.staticData.__dataChanged = false;
		return true;
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

	/** One lifecycle method on `workflow` (every attempt of one publish shares n8n's workflow object). */
	async function callHook(method, test, workflow, activationMode = 'activate') {
		const data = additionalData();
		// What n8n passes: activation (mode trigger / test listening mode manual) and removal (mode internal).
		const mode = method === 'delete' ? 'internal' : test ? 'manual' : 'trigger';
		const activation = method === 'delete' ? 'update' : test ? 'manual' : activationMode;
		const context = new HookContext(workflow, node, data, mode, activation, webhookData(test, data));
		return await running[0].nodeType.webhookMethods.default[method].call(context);
	}

	/** @param {string} method @param {ModeOptions} [options] @returns {Promise<boolean>} */
	async function runHook(method, { test = false } = {}) {
		const { workflow } = loadWorkflow(test, 0);
		try {
			return await callHook(method, test, workflow);
		} finally {
			// n8n saves the static data after adding or removing the webhooks.
			save(test, workflow);
		}
	}

	/** A request arrives: its static data is read from the store now. */
	async function begin({ body, headers = {}, test = false, parsedBody, process }) {
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
		const index = process === undefined ? nextProcess++ % running.length : process;
		const { workflow, raw } = loadWorkflow(test, index);
		return { request, index, workflow, raw, test, response: fakeResponse() };
	}

	/** webhook() of the process the request went to; when it starts an execution, n8n wraps the same static data first. */
	async function runWebhook(entry) {
		const { request, index, workflow, raw, test, response } = entry;
		const data = additionalData({ httpRequest: request, httpResponse: response });
		const mode = test ? 'manual' : 'webhook';
		const context = new WebhookContext(workflow, node, data, mode, webhookData(test, data), [], null);
		const result = await running[index].nodeType.webhook.call(context);
		// A node that answered itself (noWebhookResponse) gets n8n's response callback at once, before the run is
		// prepared (webhook-helpers executeWebhook, n8n 1.123.81 and 2.41.1): the save reads the changed flag and
		// takes the value now; only its database write may still land before or after other requests' writes.
		let answered;
		if (result.noWebhookResponse === true) {
			answered = workflow.staticData.__dataChanged === true ? JSON.stringify(workflow.staticData) : null;
			workflow.staticData.__dataChanged = false;
		}
		let executionCopy = null;
		if (result.workflowData !== undefined) {
			// Starting the execution: a new Workflow over the same object (its changed flag is cleared), and the
			// execution's own copy read from the database.
			harness.createWorkflow({ nodes: [node], nodeTypes: running[index].nodeTypes, id, staticData: raw });
			executionCopy = loadWorkflow(test, index).workflow;
		}
		return { ...entry, data, mode, result, executionCopy, answered };
	}

	/** After the save: the answer, and the execution when webhook() started one. */
	async function finish({ index, test, response, data, mode, result, executionCopy }) {
		if (result.workflowData === undefined) {
			if (result.noWebhookResponse) return { status: response.statusCode, body: response.body, items: [], executed: false, process: index };
			const answer = result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' };
			return { status: 200, body: answer, items: [], executed: false, process: index };
		}
		const run = await harness.executeWorkflow({
			workflow: executionCopy,
			additionalData: data,
			startNodeName: node.name,
			inputItems: result.workflowData[0],
			mode,
		});
		const items = run.outputOf(node.name).map((item) => item.json);
		self.executions.push({ items, status: run.status, test, process: index });
		if (result.noWebhookResponse) return { status: response.statusCode, body: response.body, items, executed: true, process: index };
		return { status: 200, body: { message: 'Workflow was started' }, items, executed: true, process: index };
	}

	const self = {
		node,
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
			const text = store[storeKey(test)];
			return text === null ? {} : JSON.parse(text)[`node:${node.name}`] || {};
		},
		/** @param {ModeOptions} [options] @returns {any} */
		storedMemory(options) {
			const { memory } = this.staticData(options);
			return memory === undefined ? undefined : JSON.parse(memory);
		},
		/**
		 * The newest status the stored memory holds for each conversation key (what an n8n restart starts from).
		 * @param {ModeOptions} [options] @returns {Record<string, string>}
		 */
		storedStatuses(options) {
			const memory = this.storedMemory(options);
			const statuses = {};
			// Each entry: key, floors, then code (status index * 3 + kind), t, k per point, oldest first.
			const names = ['open', 'pending', 'resolved', 'snoozed', 'spam'];
			for (const entry of memory === undefined ? [] : memory.c) if (entry.length > 2) statuses[entry[0]] = names[Math.floor(entry[entry.length - 3] / 3)];
			return statuses;
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
		/** @param {ModeOptions & { attempts?: number, activation?: string }} [options] @returns {Promise<{ existed: boolean }>} */
		async activate({ test = false, attempts = 1, activation = 'activate' } = {}) {
			// n8n builds the workflow anew for every publish, from what its database holds, and keeps it for all attempts.
			const { workflow } = loadWorkflow(test, 0);
			try {
				for (let attempt = 1; ; attempt++) {
					try {
						const existed = await callHook('checkExists', test, workflow, activation);
						if (!existed) await callHook('create', test, workflow, activation);
						return { existed };
					} catch (error) {
						// What n8n's WebhookTriggerRegistrar does after a failed attempt, before its retry loop goes on.
						await callHook('delete', test, workflow);
						if (attempt >= attempts) throw error;
					}
				}
			} finally {
				save(test, workflow);
			}
		},
		restart() {
			running = startProcesses();
		},
		/** @returns {Promise<boolean>} */
		async startLike1x() {
			running = startProcesses();
			const { workflow } = loadWorkflow(false, 0);
			try {
				return await callHook('checkExists', false, workflow, 'init');
			} finally {
				save(false, workflow);
			}
		},
		/** Puts `value` as the node's static data into the store, as an earlier release or a hand edit left it. */
		setStaticData(value, { test = false } = {}) {
			const text = store[storeKey(test)];
			const all = text === null ? {} : JSON.parse(text);
			all[`node:${node.name}`] = value;
			store[storeKey(test)] = JSON.stringify(all);
		},
		capture(on = true) {
			capturing = on;
		},

		/** @param {DeliverOptions} options @returns {Promise<DeliverResult>} */
		async deliver(options) {
			const [result] = await self.deliverOverlapping([options]);
			return result;
		},

		/**
		 * Requests in flight at once, as n8n handles them: each reads static data from the store when it arrives
		 * (before any of them saved), runs webhook(), and n8n saves each one's whole static data after its own
		 * database round trips; `saveOrder` (indexes into `requests`, default in order) is the order those saves
		 * land in, the last one winning. Then the executions run.
		 * @param {DeliverOptions[]} requests @param {{ saveOrder?: number[] }} [options] @returns {Promise<DeliverResult[]>}
		 */
		async deliverOverlapping(requests, { saveOrder } = {}) {
			const started = requests.map((options) => begin(options));
			const handled = [];
			for (const entry of started) handled.push(await entry.then(runWebhook));
			// n8n's database round trips for the executions it starts (the static-data save waits for them).
			if (handled.some((entry) => entry.result.workflowData !== undefined)) {
				await databaseRoundTrip();
				await databaseRoundTrip();
			}
			for (const index of saveOrder || requests.map((_request, position) => position)) {
				const entry = handled[index];
				if (entry.answered === undefined) save(entry.test, entry.workflow);
				else if (entry.answered !== null) store[storeKey(entry.test)] = entry.answered;
			}
			const results = [];
			for (const entry of handled) results.push(await finish(entry));
			return results;
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
