'use strict';
// n8n's internal REST API as the editor UI uses it, with the differences between the n8n lines hidden
// behind one set of methods (read from each line's server code in `dist/` and tried):
//
// | what                 | 2.41.1                                                | 1.123.81                                          |
// |----------------------|-------------------------------------------------------|---------------------------------------------------|
// | activate             | POST /rest/workflows/:id/activate {versionId}, then   | PATCH /rest/workflows/:id {active: true,          |
// |                      | poll GET .../publication-status; the POST answers 200 | versionId} (the UI's toggle; draft/publish is off |
// |                      | even when a trigger's create() fails: the failure is  | by default); synchronous: a failing create()      |
// |                      | only in the status's trigger entries                  | answers 400 with the error's message and rolls    |
// |                      |                                                       | the activation back                               |
// | deactivate           | POST .../deactivate, poll publication-status          | PATCH {active: false, versionId} (synchronous)    |
// | executions list      | cursor pagination (`nextCursor`)                      | range pagination (`lastId`, limit at most 100)    |
// | workflow create      | POST /rest/workflows                                  | the same, but `active: false` is required         |
// | ready for REST       | /healthz/readiness 200 (see ./n8n.js)                 | after readiness, when "Editor is now accessible"  |
// |                      |                                                       | is logged                                         |
// | public webhook base  | N8N_WEBHOOK_URL                                       | WEBHOOK_URL (./n8n.js sets both)                  |
// | unknown module names | N8N_DISABLED_MODULES=mcp-registry avoids a lookup     | exits 1 on an unknown module: not set             |
// Same on both: owner setup and login, credentials, GET /rest/executions/:id (data in `flatted` form),
// webhook URL paths.
const path = require('node:path');
const { waitFor } = require('./processes');

const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Owner-Passw0rd',
};
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

/**
 * @param {object} options
 * @param {string} options.baseUrl n8n main's URL.
 * @param {string} options.n8nVersion the line's version (e.g. '2.41.1', '1.123.81').
 * @param {string} options.n8nDir the folder whose node_modules/ holds that n8n (for its `flatted`).
 * @param {() => string|undefined} [options.failure] a reason to stop waiting (e.g. "n8n exited").
 * @param {() => string} [options.logTail] appended to timeouts of waitForExecutions.
 */
function createN8nClient({ baseUrl, n8nVersion, n8nDir, failure = () => undefined, logTail = () => '' }) {
	const major = Number(n8nVersion.split('.')[0]);
	let cookie;
	let loggedInAs;

	async function rest(method, urlPath, body) {
		const response = await fetch(`${baseUrl}${urlPath}`, {
			method,
			headers: {
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...(cookie ? { cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		for (const setCookie of response.headers.getSetCookie()) {
			const match = /^n8n-auth=([^;]*)/.exec(setCookie);
			if (match) cookie = `n8n-auth=${match[1]}`;
		}
		const text = await response.text();
		if (!response.ok) {
			const error = new Error(`${method} ${urlPath} -> ${response.status}: ${text.slice(0, 2000)}`);
			error.status = response.status;
			error.body = text;
			throw error;
		}
		return text ? JSON.parse(text) : undefined;
	}

	const poll = (what, timeoutMs, check) => waitFor(what, timeoutMs, check, { failIf: failure });

	async function storedWorkflow(id) {
		return (await rest('GET', `/rest/workflows/${id}`)).data;
	}

	// ---- activation, per line -----------------------------------------------------------------------

	async function publish(id, timeoutMs) {
		const { versionId } = await storedWorkflow(id);
		await rest('POST', `/rest/workflows/${id}/activate`, { versionId });
		return await waitUntilPublished(id, { timeoutMs, versionId });
	}

	/** 2.x: polls the publication status until every trigger of `versionId` (default: the live one) is activated. */
	async function waitUntilPublished(id, { timeoutMs = 60_000, versionId } = {}) {
		const { nodes } = await storedWorkflow(id);
		const nodeName = (nodeId) => nodes.find((node) => node.id === nodeId)?.name ?? nodeId;
		return await poll(`workflow ${id} to be published`, timeoutMs, async () => {
			const status = (await rest('GET', `/rest/workflows/${id}/publication-status`)).data;
			if (status.status === 'in_progress') return undefined;
			const failed = status.triggers.filter((trigger) => trigger.status !== 'activated');
			if (failed.length > 0) {
				throw new Error(
					`Activating workflow ${id} failed (${status.status}): ` +
						failed.map((t) => `node "${nodeName(t.nodeId)}": ${t.errorMessage}`).join('; '),
				);
			}
			const live = versionId === undefined ? status.liveVersionId !== null : status.liveVersionId === versionId;
			return status.status === 'published' && live ? status : undefined;
		});
	}

	async function unpublish(id, timeoutMs) {
		await rest('POST', `/rest/workflows/${id}/deactivate`, {});
		return await poll(`workflow ${id} to be unpublished`, timeoutMs, async () => {
			const status = (await rest('GET', `/rest/workflows/${id}/publication-status`)).data;
			return status.status === 'not_published' ? status : undefined;
		});
	}

	async function toggleActive(id, active) {
		const { versionId } = await storedWorkflow(id);
		try {
			const stored = (await rest('PATCH', `/rest/workflows/${id}`, { active, versionId })).data;
			return { status: active ? 'published' : 'not_published', versionId: stored.versionId };
		} catch (error) {
			if (error.status !== 400) throw error;
			const message = JSON.parse(error.body).message;
			throw new Error(`Activating workflow ${id} failed: ${message}`);
		}
	}

	// ---- executions, per line -------------------------------------------------------------------------

	// n8n lists executions newest start first but pages them by id (2.x's cursor and 1.x's lastId both mean "id
	// below"): when executions start out of id order, as a queue-mode worker runs them, a page boundary skips some
	// (3 of 200 were missing on 2.41.1). So the pages here go by start time: each asks for the executions started at
	// or before the oldest start of the page before, and the overlap is dropped by id.
	async function executionPages(workflowId) {
		const byId = new Map();
		let startedBefore;
		for (;;) {
			const filter = JSON.stringify(startedBefore === undefined ? { workflowId } : { workflowId, startedBefore });
			const page = (await rest('GET', `/rest/executions?${new URLSearchParams({ filter, limit: '100' })}`)).data;
			const fresh = page.results.filter((execution) => !byId.has(execution.id));
			for (const execution of fresh) byId.set(execution.id, execution);
			const starts = page.results.map((execution) => execution.startedAt).filter(Boolean).sort();
			if (fresh.length === 0 || starts.length === 0) {
				if (starts.length >= 100 && starts[0] === starts[starts.length - 1]) {
					throw new Error(`more than 100 executions of workflow ${workflowId} started at ${starts[0]}: they cannot be paged by start`);
				}
				break;
			}
			startedBefore = starts[0];
		}
		return [...byId.values()].sort((a, b) => Number(b.id) - Number(a.id));
	}

	const client = {
		n8nVersion,
		rest,
		/** The user the client is logged in as (after setupOwner or login). */
		get owner() {
			return loggedInAs;
		},

		/** Creates the owner (POST /rest/owner/setup), logs in and keeps the n8n-auth cookie. */
		async setupOwner(owner = OWNER) {
			await rest('POST', '/rest/owner/setup', owner);
			return await client.login(owner);
		},

		/** Logs in (again, e.g. after a restart) and keeps the n8n-auth cookie. */
		async login(owner = loggedInAs ?? OWNER) {
			await rest('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
			loggedInAs = owner;
			return owner;
		},

		/** @returns the stored credential (`id`, `name`, `type`; no secrets). */
		async createCredential({ name, type, data }) {
			return (await rest('POST', '/rest/credentials', { name, type, data })).data;
		},

		/** `json`: {name, nodes, connections, settings?}. @returns the stored workflow incl. `id`, `versionId`. */
		async createWorkflow(json) {
			// 1.x stores `active` as given and its column is NOT NULL (500 without it).
			const lineDefaults = major >= 2 ? {} : { active: false };
			return (await rest('POST', '/rest/workflows', { settings: {}, ...lineDefaults, ...json })).data;
		},

		/** The stored workflow (nodes, connections, versionId, staticData, ...). */
		getWorkflow: storedWorkflow,

		/**
		 * Activates (2.x: publishes) the current version and waits until every trigger is activated; a
		 * trigger whose activation failed (e.g. its create() threw) makes this throw with n8n's message.
		 * @returns {{status: 'published', ...}} (2.x: the publication status; 1.x: {status, versionId}).
		 */
		async activateWorkflow(id, { timeoutMs = 60_000 } = {}) {
			return major >= 2 ? await publish(id, timeoutMs) : await toggleActive(id, true);
		},

		/** 2.x only: waits until the publication status says every trigger of the live version is activated. */
		waitUntilPublished,

		/** Deactivates (2.x: unpublishes) and waits until no trigger is registered. */
		async deactivateWorkflow(id, { timeoutMs = 30_000 } = {}) {
			return major >= 2 ? await unpublish(id, timeoutMs) : await toggleActive(id, false);
		},

		/** All executions of a workflow, newest (highest id) first: [{id, status, mode, startedAt, stoppedAt, ...}]. */
		listExecutions: executionPages,

		/** Waits until at least `count` executions of the workflow finished; returns those finished. */
		async waitForExecutions(workflowId, count, { timeoutMs = 30_000 } = {}) {
			let seen = [];
			try {
				return await poll(`${count} finished execution(s) of workflow ${workflowId}`, timeoutMs, async () => {
					seen = await executionPages(workflowId);
					const finished = seen.filter((execution) => FINISHED.has(execution.status));
					return finished.length >= count ? finished : undefined;
				});
			} catch (error) {
				error.message += `; statuses seen: ${JSON.stringify(seen.map((e) => e.status))}\n${logTail()}`;
				throw error;
			}
		},

		/**
		 * One execution with its run data (GET /rest/executions/:id, whose `data` is a `flatted` string;
		 * parsed here). Read node outputs with nodeItems(execution, nodeName).
		 */
		async getExecution(id) {
			const execution = (await rest('GET', `/rest/executions/${id}`)).data;
			return { ...execution, data: parseFlatted(n8nDir, execution.data) };
		},
	};
	return client;
}

// n8n stores run data with `flatted` (JSON with back-references); use that n8n's own copy to read it.
function parseFlatted(n8nDir, text) {
	const n8nPackage = path.join(n8nDir, 'node_modules', 'n8n');
	return require(require.resolve('flatted', { paths: [n8nPackage] })).parse(text);
}

/**
 * The json of the items `nodeName` emitted in a full execution from getExecution().
 * Shape of `execution.data` (IRunExecutionData):
 *   data.resultData.runData[nodeName] = [            // one entry per run of that node
 *     { startTime, executionTime, executionStatus, error?,
 *       data: { main: [ [ {json, binary?, pairedItem}, ... ],   // output 0
 *                       [ ... ] ] } } ]                          // output 1, ...
 *   data.resultData.error                             // set when the execution failed
 *   data.resultData.lastNodeExecuted
 */
function nodeItems(execution, nodeName, { output = 0, run = 0 } = {}) {
	const runs = execution.data?.resultData?.runData?.[nodeName];
	if (!runs) throw new Error(`Node "${nodeName}" did not run in execution ${execution.id}`);
	return (runs[run]?.data?.main?.[output] ?? []).map((item) => item.json);
}

module.exports = { createN8nClient, nodeItems, OWNER };
