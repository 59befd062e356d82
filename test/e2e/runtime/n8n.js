'use strict';
// Starts a real n8n process (installed by ./install.js under `.runtime/`; line 2.41.1 by default or
// 1.123.81) with this package loaded, and, for the main process, drives it over its internal REST API
// the way the editor UI does (./rest.js hides the differences between the lines).
//
// Every instance gets a fresh temporary user folder (SQLite DB unless `env` says otherwise, the log) and
// free ports (n8n's own may be given), and runs in its own process group so that stop() (or the exit /
// SIGINT / SIGTERM hooks of ./processes.js) takes down n8n together with its task-runner child. The
// package under test is copied, as `npm pack` would ship it (package.json + its `files`), into
// `<userFolder>/.n8n/nodes/node_modules/`, which is where n8n loads community packages from, so node
// types are named `<package>.<node>` exactly as after a UI install, and `require('n8n-workflow')`
// resolves to n8n's own copy (or, with `packageTarball`, installed there from its tarball by npm as a user
// does: ./tarball.js). restart() stops the process and starts it again on the same user folder,
// database and ports.
//
//   const n8n = await startN8n({ packageDir, env, log, n8nVersion: '1.123.81' });
//   await n8n.setupOwner();
//   const { id } = await n8n.createWorkflow({ name, nodes, connections });
//   await n8n.activateWorkflow(id);
//   await fetch(n8n.webhookUrl('<webhookId>/<path>'), { method: 'POST', body }); // see webhookUrl
//   const [execution] = await n8n.waitForExecutions(id, 1);
//   const full = await n8n.getExecution(execution.id);
//   nodeItems(full, 'Webhook');   // -> [{...json of each output item}]
//   await n8n.restart();          // same database: active workflows come back, the owner logs in again
//   await n8n.stop();
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureRuntime, DEFAULT_N8N_VERSION } = require('./install');
const { createN8nClient, nodeItems } = require('./rest');
const { installTarball } = require('./tarball');
const { track, freePorts, processTree, startDetached, waitFor, logTail } = require('./processes');

const ENCRYPTION_KEY = 'e2e-fixed-encryption-key-not-a-secret';
// What each command logs once it serves requests. /healthz/readiness alone is not enough: 1.x answers
// 200 as soon as the database is migrated, before the REST and webhook routes exist.
const READY_MESSAGES = {
	start: 'Editor is now accessible via',
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
};
const COMMANDS = Object.keys(READY_MESSAGES);

// ---- copying the package like `npm pack` + a community-package install ---------------------

function installPackage(packageDir, userFolder) {
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', ...manifest.name.split('/'));
	fs.mkdirSync(target, { recursive: true });
	for (const entry of ['package.json', ...(manifest.files ?? ['dist'])]) {
		const source = path.join(packageDir, entry);
		if (!fs.existsSync(source)) throw new Error(`${source} does not exist (build the package first?)`);
		fs.cpSync(source, path.join(target, entry), { recursive: true, dereference: true });
	}
	return manifest.name;
}

/** The environment every n8n process gets (the caller's `env` wins); none of the caller's n8n settings (N8N_*, DB_*, ...). */
function n8nEnvironment({ n8nVersion, nodeBin, userFolder, port, brokerPort, env }) {
	const baseEnv = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^(N8N_|DB_|QUEUE_|EXECUTIONS_|WEBHOOK_URL$|npm_)/i.test(key)),
	);
	const merged = {
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
		// 2.x: without it an `ENOTFOUND api.n8n.io` error is logged; 1.x has no such module and exits 1 on it.
		...(Number(n8nVersion.split('.')[0]) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		...env,
	};
	// 1.x reads the public webhook base from WEBHOOK_URL, 2.x from N8N_WEBHOOK_URL: give both the same value.
	return { ...merged, WEBHOOK_URL: merged.N8N_WEBHOOK_URL };
}

/** Workflow ids whose start-up activation n8n logged (success or failure) in `text`. */
function activationsLogged(text) {
	const ids = new Set();
	for (const match of text.matchAll(/(?:Activated workflow|Issue on initial workflow activation try of) ".*" \(ID: ([^)]+)\)/g)) {
		ids.add(match[1]);
	}
	return ids;
}

/**
 * Starts n8n and waits until it is ready.
 * @param {object} [options]
 * @param {string} [options.n8nVersion] the n8n line: '2.41.1' (default) or '1.123.81'.
 * @param {'start'|'webhook'|'worker'} [options.command] the n8n command (default 'start': the main).
 * @param {string|string[]} [options.packageDir] built package folder(s) (package.json + its `files`) to load.
 * @param {string} [options.packageTarball] an `npm pack` tarball to install with npm first, as a user does
 *   (./tarball.js); it is then the instance's packageName.
 * @param {Record<string,string>} [options.env] extra environment for n8n (wins over the defaults).
 * @param {(line: string) => void} [options.log] progress lines; default: stderr.
 * @param {number} [options.readyTimeoutMs] default 120 s.
 * @param {number} [options.port] port to listen on; default a free one. A worker listens on it for its
 *   health check (QUEUE_HEALTH_CHECK_PORT) only.
 * @param {string} [options.label] name in log lines (default "n8n", or "n8n webhook" / "n8n worker").
 * @param {boolean} [options.signalHooks] stop every instance and exit on SIGINT/SIGTERM (default true);
 *   false for a caller that handles those signals itself (the 'exit' hook still kills leftovers).
 */
async function startN8n({
	n8nVersion = DEFAULT_N8N_VERSION,
	command = 'start',
	packageDir,
	packageTarball,
	env = {},
	log = (line) => process.stderr.write(`${line}\n`),
	readyTimeoutMs = 120_000,
	port: requestedPort,
	label = command === 'start' ? 'n8n' : `n8n ${command}`,
	signalHooks = true,
} = {}) {
	if (!COMMANDS.includes(command)) throw new Error(`unknown n8n command "${command}"`);
	const { nodeBin, n8nBin, n8nDir } = await ensureRuntime({ n8nVersion, log });

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-'));
	const logFile = path.join(userFolder, 'n8n.log');
	let packageName;
	try {
		if (packageTarball) packageName = installTarball(packageTarball, userFolder);
		[packageName = packageName] = [packageDir ?? []].flat().map((dir) => installPackage(dir, userFolder));
	} catch (error) {
		fs.rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
	const [port, brokerPort] = requestedPort
		? [requestedPort, ...(await freePorts(1, [requestedPort]))]
		: await freePorts(2);
	const workerEnv =
		command === 'worker'
			? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' }
			: {};
	const n8nEnv = n8nEnvironment({ n8nVersion, nodeBin, userFolder, port, brokerPort, env: { ...workerEnv, ...env } });
	const baseUrl = `http://127.0.0.1:${port}`;
	const webhookBase = n8nEnv.N8N_WEBHOOK_URL.replace(/\/?$/, '/');
	const args = command === 'worker' ? [n8nBin, 'worker', '--concurrency=10'] : [n8nBin, command];

	let process_;
	let stopping;
	const exited = () => process_.exitStatus && `${label} exited (${JSON.stringify(process_.exitStatus)})`;
	let logOffset = 0; // where the current run's log starts
	const activeWorkflowIds = new Set();
	const client =
		command === 'start'
			? createN8nClient({
					baseUrl,
					n8nVersion,
					n8nDir,
					failure: exited,
					logTail: () => logTail(logFile),
				})
			: undefined;

	async function launch() {
		logOffset = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
		const started = Date.now();
		process_ = startDetached(nodeBin, args, { cwd: userFolder, env: n8nEnv, logFile, log, label });
		log(`${label} starting: pid ${process_.pid}, n8n ${n8nVersion}, ${baseUrl}, broker port ${brokerPort}, user folder ${userFolder}`);
		try {
			await waitFor(
				`${label} to log "${READY_MESSAGES[command]}" and answer /healthz/readiness`,
				readyTimeoutMs,
				async () => {
					if (!currentLog().includes(READY_MESSAGES[command])) return false;
					try {
						return (await fetch(`${baseUrl}/healthz/readiness`)).status === 200;
					} catch {
						return false; // not listening yet
					}
				},
				{ intervalMs: 250, failIf: exited },
			);
		} catch (error) {
			const message = `${label} did not become ready: ${error.message}\n--- last lines of ${logFile} ---\n${logTail(logFile)}`;
			await process_.stop();
			throw new Error(message);
		}
		log(`${label} ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
	}

	/** The log of the current run only. */
	const currentLog = () => {
		try {
			const buffer = fs.readFileSync(logFile);
			return buffer.subarray(logOffset).toString('utf8');
		} catch {
			return '';
		}
	};

	const instance = {
		n8nVersion,
		command,
		baseUrl,
		userFolder,
		logFile,
		packageName,
		port,
		brokerPort,
		/** pid of the current n8n process (changes with restart()). */
		get pid() {
			return process_.pid;
		},
		/** pids of n8n and its children (e.g. the JS task runner). */
		get pids() {
			return processTree(process_.pid).map((p) => p.pid);
		},
		/**
		 * Production webhook URL: `webhookUrl('<webhookId>/<path>')` for a trigger node with a webhookId,
		 * `webhookUrl('<path>')` for isFullPath webhooks such as n8n-nodes-base.webhook's.
		 */
		webhookUrl: (webhookPath) => `${webhookBase}webhook/${webhookPath.replace(/^\//, '')}`,
		logTail: (lines) => logTail(logFile, lines),
		/** What this process logged since it was last (re)started. */
		currentLog,

		/** user+system CPU seconds used so far by n8n and its (live or reaped) children (since the last start). */
		cpuSeconds: () => process_.cpuSeconds(),

		/**
		 * Stops the n8n process (SIGTERM, like a service manager) and starts it again on the same user
		 * folder, database, ports and environment: halt() then resume().
		 */
		async restart({ timeoutMs = readyTimeoutMs } = {}) {
			await instance.halt();
			await instance.resume({ timeoutMs });
		},

		/**
		 * Stops the n8n process but keeps its user folder (for resume()). SIGKILL only after n8n's own graceful
		 * shutdown timeout (30 s), as a service manager would: once, after a SIGKILL 10 s into its shutdown,
		 * n8n 2.41.1 answered 404 for a published Webhook node when it was started again.
		 */
		async halt({ timeoutMs = 30_000 } = {}) {
			await process_.stop({ timeoutMs });
			log(`${label} (pid ${process_.pid}) stopped, its user folder kept`);
		},

		/**
		 * Starts the process again after halt(). The main also logs in again and waits until n8n logged the
		 * start-up activation of every workflow activated through it (readiness comes before that).
		 */
		async resume({ timeoutMs = readyTimeoutMs } = {}) {
			if (!process_.exitStatus) throw new Error(`${label} is still running: halt() it first`);
			await launch();
			if (!client) return;
			if (client.owner) await client.login(client.owner);
			await instance.waitForStartupActivations({ timeoutMs });
		},

		/**
		 * Waits until every workflow activated through this main is active again after a (re)start: 1.x
		 * activates them before it logs that the editor is accessible (its log has an "Activated workflow"
		 * line for each); 2.x publishes them in the background, so its publication status is polled.
		 */
		async waitForStartupActivations({ timeoutMs = 60_000 } = {}) {
			const expected = [...activeWorkflowIds];
			const what = `${label} to activate workflow(s) ${expected.join(', ')} at start-up`;
			if (Number(n8nVersion.split('.')[0]) >= 2) {
				for (const id of expected) await client.waitUntilPublished(id, { timeoutMs });
				return;
			}
			await waitFor(what, timeoutMs, () => expected.every((id) => activationsLogged(currentLog()).has(id)), { failIf: exited });
		},

		/** SIGTERM to the process group, SIGKILL after `timeoutMs`, then removes the user folder. Idempotent. */
		stop({ timeoutMs = 10_000 } = {}) {
			stopping ??= (async () => {
				await process_.stop({ timeoutMs });
				forget();
				fs.rmSync(userFolder, { recursive: true, force: true });
				log(`${label} (pid ${process_.pid}) stopped`);
			})();
			return stopping;
		},

		/** Synchronous variant for process 'exit': SIGKILL everything, remove the folder. */
		killNow() {
			process_?.killNow();
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
	if (client) {
		Object.assign(instance, client, {
			rest: client.rest,
			async activateWorkflow(id, options) {
				const result = await client.activateWorkflow(id, options);
				activeWorkflowIds.add(String(id));
				return result;
			},
			async deactivateWorkflow(id, options) {
				const result = await client.deactivateWorkflow(id, options);
				activeWorkflowIds.delete(String(id));
				return result;
			},
		});
		Object.defineProperty(instance, 'owner', { get: () => client.owner });
	}
	const forget = track(instance, { signals: signalHooks });

	try {
		await launch();
	} catch (error) {
		forget();
		fs.rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
	return instance;
}

module.exports = { startN8n, nodeItems, installPackage, ENCRYPTION_KEY };
