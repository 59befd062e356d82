'use strict';
// Starts a real n8n 2.41.1 (installed by ./install.js under `.runtime/`) with this package loaded,
// and drives it over its internal REST API the way the editor UI does: owner setup, credentials,
// workflows, publish/unpublish, executions. Used by the end-to-end tests, the demo and the benchmark.
//
// Every instance gets a fresh temporary user folder (SQLite DB, logs) and free ports (n8n's own may
// be given), and runs in its own process group so that stop() (or the exit/SIGINT/SIGTERM hooks
// registered here) can take down n8n together with its task-runner child. The package under test is
// copied, as `npm pack` would ship it (package.json + its `files`), into
// `<userFolder>/.n8n/nodes/node_modules/`, which is where n8n loads community packages from, so node
// types are named `<package>.<node>` exactly as after a UI install, and `require('n8n-workflow')`
// resolves to n8n's own copy.
//
//   const n8n = await startN8n({ packageDir, env, log });
//   await n8n.setupOwner();
//   const { id } = await n8n.createWorkflow({ name, nodes, connections });
//   await n8n.activateWorkflow(id);
//   await fetch(n8n.webhookUrl('<webhookId>/<path>'), { method: 'POST', body }); // see webhookUrl
//   const [execution] = await n8n.waitForExecutions(id, 1);
//   const full = await n8n.getExecution(execution.id);
//   nodeItems(full, 'Webhook');   // -> [{...json of each output item}]
//   await n8n.stop();
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ensureRuntime } = require('./install');

const ENCRYPTION_KEY = 'e2e-fixed-encryption-key-not-a-secret';
const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Owner-Passw0rd',
};
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux x86_64/arm64 kernel
const LOG_TAIL_LINES = 60;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- process bookkeeping: nothing outlives the caller -------------------------------------

const running = new Set();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function installExitHooks({ signals }) {
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		// Last resort (synchronous): kill whatever is still running and drop its folder.
		process.on('exit', () => {
			for (const instance of running) instance.killNow();
		});
	}
	if (!signals || signalHooksInstalled) return;
	signalHooksInstalled = true;
	for (const [signal, code] of [
		['SIGINT', 130],
		['SIGTERM', 143],
	]) {
		process.once(signal, () => {
			Promise.allSettled([...running].map((instance) => instance.stop())).finally(() =>
				process.exit(code),
			);
		});
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/** `{pid, ppid, pgrp, state, ticks}` for every process, from /proc/<pid>/stat. */
function readProcessTable() {
	const table = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // exited meanwhile
		}
		// "pid (comm) state ppid pgrp ... utime stime cutime cstime ..."; comm may contain spaces.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
		table.push({
			pid: Number(entry),
			state: fields[0],
			ppid: Number(fields[1]),
			pgrp: Number(fields[2]),
			ticks: utime + stime + cutime + cstime,
		});
	}
	return table;
}

/** The live (non-zombie) processes in `rootPid`'s process group or below it in the tree. */
function processTree(rootPid) {
	const table = readProcessTable().filter((p) => p.state !== 'Z');
	const members = new Map(
		table.filter((p) => p.pid === rootPid || p.pgrp === rootPid).map((p) => [p.pid, p]),
	);
	for (let grew = true; grew; ) {
		grew = false;
		for (const p of table) {
			if (!members.has(p.pid) && members.has(p.ppid)) {
				members.set(p.pid, p);
				grew = true;
			}
		}
	}
	return [...members.values()];
}

function signalTree(rootPid, signal) {
	try {
		process.kill(-rootPid, signal);
	} catch {
		// group already gone
	}
	for (const { pid } of processTree(rootPid)) {
		try {
			process.kill(pid, signal);
		} catch {
			// already gone
		}
	}
}

// ---- copying the package like `npm pack` + a community-package install ---------------------

function installPackage(packageDir, userFolder) {
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const target = path.join(
		userFolder,
		'.n8n',
		'nodes',
		'node_modules',
		...manifest.name.split('/'),
	);
	fs.mkdirSync(target, { recursive: true });
	for (const entry of ['package.json', ...(manifest.files ?? ['dist'])]) {
		const source = path.join(packageDir, entry);
		if (!fs.existsSync(source))
			throw new Error(`${source} does not exist (build the package first?)`);
		fs.cpSync(source, path.join(target, entry), { recursive: true, dereference: true });
	}
	return manifest.name;
}

// ---- execution data --------------------------------------------------------------------------

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

// ---- starting and driving n8n ----------------------------------------------------------------

/**
 * Starts n8n and waits until it is ready.
 * @param {object} [options]
 * @param {string} [options.packageDir] built package folder (package.json + dist/) to load.
 * @param {Record<string,string>} [options.env] extra environment for n8n (wins over the defaults).
 * @param {(line: string) => void} [options.log] progress lines; default: stderr.
 * @param {number} [options.readyTimeoutMs] default 120 s.
 * @param {number} [options.port] port to listen on; default a free one.
 * @param {boolean} [options.signalHooks] stop every instance and exit on SIGINT/SIGTERM (default true);
 *   false for a caller that handles those signals itself (the 'exit' hook still kills leftovers).
 */
async function startN8n({
	packageDir,
	env = {},
	log = (line) => process.stderr.write(`${line}\n`),
	readyTimeoutMs = 120_000,
	port: requestedPort,
	signalHooks = true,
} = {}) {
	const { nodeBin, n8nBin, runtimeDir } = await ensureRuntime({ log });
	installExitHooks({ signals: signalHooks });

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const logFile = path.join(userFolder, 'n8n.log');
	let packageName;
	try {
		packageName = packageDir ? installPackage(packageDir, userFolder) : undefined;
	} catch (error) {
		fs.rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
	const port = requestedPort ?? (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();

	const baseEnv = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^(N8N_|DB_|npm_)/i.test(key)),
	);
	const n8nEnv = {
		...baseEnv,
		// n8n spawns its JS task runner as plain `node` from PATH: that must be Node 24 too.
		PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		...env,
	};
	const baseUrl = `http://127.0.0.1:${port}`;
	const webhookBase = n8nEnv.N8N_WEBHOOK_URL.replace(/\/?$/, '/');

	const logFd = fs.openSync(logFile, 'a');
	const started = Date.now();
	const child = spawn(nodeBin, [n8nBin, 'start'], {
		cwd: userFolder,
		env: n8nEnv,
		detached: true,
		stdio: ['ignore', logFd, logFd],
	});
	fs.closeSync(logFd);
	child.unref();
	let exitStatus;
	const exited = new Promise((resolve) => {
		child.once('exit', (code, signal) => resolve((exitStatus = { code, signal })));
		child.once('error', (error) => resolve((exitStatus = { error: error.message })));
	});
	log(
		`n8n starting: pid ${child.pid}, ${baseUrl}, broker port ${brokerPort}, user folder ${userFolder}`,
	);

	let cookie;
	let stopping;

	function logTail(lines = LOG_TAIL_LINES) {
		try {
			return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
		} catch {
			return '(no log)';
		}
	}

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
		if (!response.ok)
			throw new Error(`${method} ${urlPath} -> ${response.status}: ${text.slice(0, 2000)}`);
		return text ? JSON.parse(text) : undefined;
	}

	async function waitFor(what, timeoutMs, check, { intervalMs = 200, whileRunning = true } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const result = await check();
			if (result) return result;
			if (whileRunning && exitStatus) {
				throw new Error(`n8n exited (${JSON.stringify(exitStatus)}) while waiting for ${what}`);
			}
			if (Date.now() > deadline)
				throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
			await sleep(intervalMs);
		}
	}

	const instance = {
		baseUrl,
		userFolder,
		logFile,
		packageName,
		port,
		brokerPort,
		pid: child.pid,
		/** pids of n8n and its children (e.g. the JS task runner). */
		get pids() {
			return processTree(child.pid).map((p) => p.pid);
		},
		/**
		 * Production webhook URL: `webhookUrl('<webhookId>/<path>')` for a trigger node with a webhookId,
		 * `webhookUrl('<path>')` for isFullPath webhooks such as n8n-nodes-base.webhook's.
		 */
		webhookUrl: (webhookPath) => `${webhookBase}webhook/${webhookPath.replace(/^\//, '')}`,
		logTail,
		rest,

		/** Creates the owner (POST /rest/owner/setup), logs in and keeps the n8n-auth cookie. */
		async setupOwner(owner = OWNER) {
			await rest('POST', '/rest/owner/setup', owner);
			await rest('POST', '/rest/login', {
				emailOrLdapLoginId: owner.email,
				password: owner.password,
			});
			return owner;
		},

		/** @returns the stored credential (`id`, `name`, `type`; no secrets). */
		async createCredential({ name, type, data }) {
			return (await rest('POST', '/rest/credentials', { name, type, data })).data;
		},

		/** `json`: {name, nodes, connections, settings?}. @returns the stored workflow incl. `id`, `versionId`. */
		async createWorkflow(json) {
			return (await rest('POST', '/rest/workflows', { settings: {}, ...json })).data;
		},

		/**
		 * Publishes the current version and waits until every trigger is activated (a trigger whose
		 * activation failed, e.g. its create() threw, makes this throw with n8n's error message).
		 */
		async activateWorkflow(id, { timeoutMs = 60_000 } = {}) {
			const { versionId, nodes } = (await rest('GET', `/rest/workflows/${id}`)).data;
			const nodeName = (nodeId) => nodes.find((node) => node.id === nodeId)?.name ?? nodeId;
			await rest('POST', `/rest/workflows/${id}/activate`, { versionId });
			return await waitFor(`workflow ${id} to be published`, timeoutMs, async () => {
				const status = (await rest('GET', `/rest/workflows/${id}/publication-status`)).data;
				if (status.status === 'in_progress') return undefined;
				const failed = status.triggers.filter((trigger) => trigger.status !== 'activated');
				if (failed.length > 0) {
					throw new Error(
						`Activating workflow ${id} failed (${status.status}): ` +
							failed.map((t) => `node "${nodeName(t.nodeId)}": ${t.errorMessage}`).join('; '),
					);
				}
				return status.status === 'published' && status.liveVersionId === versionId
					? status
					: undefined;
			});
		},

		/** Unpublishes (POST /rest/workflows/:id/deactivate) and waits until no trigger is registered. */
		async deactivateWorkflow(id, { timeoutMs = 30_000 } = {}) {
			await rest('POST', `/rest/workflows/${id}/deactivate`, {});
			return await waitFor(`workflow ${id} to be unpublished`, timeoutMs, async () => {
				const status = (await rest('GET', `/rest/workflows/${id}/publication-status`)).data;
				return status.status === 'not_published' ? status : undefined;
			});
		},

		/** All executions of a workflow, newest first: [{id, status, mode, startedAt, stoppedAt, ...}]. */
		async listExecutions(workflowId) {
			const executions = [];
			let cursor;
			do {
				const query = new URLSearchParams({ filter: JSON.stringify({ workflowId }), limit: '100' });
				if (cursor) query.set('cursor', cursor);
				const page = (await rest('GET', `/rest/executions?${query}`)).data;
				executions.push(...page.results);
				cursor = page.nextCursor;
			} while (cursor);
			return executions;
		},

		/** Waits until at least `count` executions of the workflow finished; returns those finished. */
		async waitForExecutions(workflowId, count, { timeoutMs = 30_000 } = {}) {
			let seen = [];
			try {
				return await waitFor(
					`${count} finished execution(s) of workflow ${workflowId}`,
					timeoutMs,
					async () => {
						seen = await instance.listExecutions(workflowId);
						const finished = seen.filter((execution) => FINISHED.has(execution.status));
						return finished.length >= count ? finished : undefined;
					},
				);
			} catch (error) {
				error.message += `; statuses seen: ${JSON.stringify(seen.map((e) => e.status))}\n${logTail()}`;
				throw error;
			}
		},

		/**
		 * One execution with its run data (GET /rest/executions/:id, whose `data` is a `flatted`
		 * string; parsed here). Read node outputs with nodeItems(execution, nodeName).
		 */
		async getExecution(id) {
			const execution = (await rest('GET', `/rest/executions/${id}`)).data;
			return { ...execution, data: parseFlatted(runtimeDir, execution.data) };
		},

		/** user+system CPU seconds used so far by n8n and its (live or reaped) children. */
		cpuSeconds() {
			return processTree(child.pid).reduce((sum, p) => sum + p.ticks, 0) / CLOCK_TICKS_PER_SECOND;
		},

		/** SIGTERM to the process group, SIGKILL after `timeoutMs`, then removes the user folder. Idempotent. */
		stop({ timeoutMs = 10_000 } = {}) {
			stopping ??= (async () => {
				if (!exitStatus) {
					signalTree(child.pid, 'SIGTERM');
					const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs, 'timeout'));
					if ((await Promise.race([exited, timer])) === 'timeout') {
						log(`n8n (pid ${child.pid}) ignored SIGTERM for ${timeoutMs} ms: SIGKILL`);
					}
				}
				// Leftovers (e.g. a task runner that outlived its parent) are killed outright.
				signalTree(child.pid, 'SIGKILL');
				await exited;
				await waitFor(
					'n8n child processes to exit',
					5_000,
					() => processTree(child.pid).length === 0,
					{
						intervalMs: 50,
						whileRunning: false,
					},
				);
				running.delete(instance);
				fs.rmSync(userFolder, { recursive: true, force: true });
				log(`n8n (pid ${child.pid}) stopped`);
			})();
			return stopping;
		},

		/** Synchronous variant for process 'exit': SIGKILL everything, remove the folder. */
		killNow() {
			signalTree(child.pid, 'SIGKILL');
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
	running.add(instance);

	try {
		await waitFor(
			'n8n /healthz/readiness',
			readyTimeoutMs,
			async () => {
				try {
					return (await fetch(`${baseUrl}/healthz/readiness`)).status === 200;
				} catch {
					return false; // not listening yet
				}
			},
			{ intervalMs: 250 },
		);
	} catch (error) {
		const message = `n8n did not become ready: ${error.message}\n--- last lines of ${logFile} ---\n${logTail()}`;
		await instance.stop();
		throw new Error(message);
	}
	log(`n8n ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	return instance;
}

// n8n stores run data with `flatted` (JSON with back-references); use n8n's own copy to read it.
function parseFlatted(runtimeDir, text) {
	const n8nPackage = path.join(runtimeDir, 'n8n', 'node_modules', 'n8n');
	return require(require.resolve('flatted', { paths: [n8nPackage] })).parse(text);
}

module.exports = { startN8n, nodeItems };
