'use strict';
// `npm run demo`: this package in a real n8n (2.41.1, or 1.123.81 with --n8n-version; Node 24 runtime under
// .runtime/, installed on the first run) with the three example workflows active against the Chatwoot and FreeScout simulators, and scripted
// scenarios that make executions appear. Run `node scripts/demo.js --help` for the flags.
//
// Each workflow gets its own simulator: example 1 a Chatwoot, example 2 a FreeScout, the sync example a
// Chatwoot + FreeScout pair. Sharing one Chatwoot between example 1 and the sync would make them race
// (Force Open writes "open" while the sync's echo writes "pending" back) and the results would vary.
//
// Programmatic use (e.g. screenshots of the editor):
//   const { startDemo } = require('./scripts/demo');
//   const demo = await startDemo({ port: 5678 });   // demo.editorUrl, demo.owner, demo.n8n, demo.workflows
//   const result = await demo.runScenario('s1');     // {name, ok, summary, details, executions, problems}
//   await demo.stop();
const path = require('node:path');
const net = require('node:net');
const fs = require('node:fs');
const readline = require('node:readline');
const { parseArgs } = require('node:util');
const { ensureRuntime, DEFAULT_N8N_VERSION, N8N_VERSIONS } = require('../test/e2e/runtime/install');
const { nodeItems } = require('../test/e2e/runtime/n8n');
const { startStack, prepareExample, triggersOf, sleep, REPO_ROOT } = require('../test/e2e/support/stack');
const { createChatwootSimulator } = require('../test/simulators/chatwoot');
const { createFreeScoutSimulator } = require('../test/simulators/freescout');
const { createEvolutionClient } = require('../test/simulators/evolution-client');

const DEFAULT_PORT = 5678;
const DEFAULT_SIM_PORT = 5680; // webhook proxy; the simulators take the next four ports
const OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Demo-Passw0rd' };
// FreeScout waits 15 s (the undo window) before it sends an agent's reply and retries a failed delivery
// after a cron "minute"; shortened so a scenario takes seconds.
const FREESCOUT_UNDO_DELAY_MS = 3000;
const FREESCOUT_RETRY_MINUTE_MS = 2000;
const QUIET_MS = 2500; // longer than the trigger's 2 s companion wait
const SETTLE_TIMEOUT_MS = 90_000;
const STOP_DEACTIVATE_TIMEOUT_MS = 20_000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WHATSAPP_PHONE = '5511987650001';
const PLATFORM_NAMES = { chatwoot: 'Chatwoot', freescout: 'FreeScout' };
// The sync example's pair: the FreeScout custom field the Sync Status node keeps the Chatwoot id in by default,
// and the customer both conversations belong to.
const SYNC_PAIR_FIELD = 'Chatwoot Conversation ID';
const SYNC_CUSTOMER_EMAIL = 'ana@example.org';

const WORKFLOWS = [
	{ key: 'reopen', file: 'chatwoot-reopen-as-open.json' },
	{ key: 'closeReopen', file: 'freescout-close-and-reopen.json' },
	{ key: 'sync', file: 'chatwoot-freescout-sync.json' },
];

const SCENARIOS = [
	{
		name: 's1',
		title: 'S1 reopen',
		description:
			'a WhatsApp customer writes to a resolved Chatwoot conversation; the bot inbox reopens it as pending, the workflow opens it',
		run: scenarioS1,
	},
	{
		name: 's2',
		title: 'S2 close-via-send',
		description: 'a FreeScout agent answers with "Send & Close": two webhooks, one execution',
		run: scenarioS2,
	},
	{
		name: 'reopen',
		title: 'customer reopen',
		description: 'the customer answers a closed FreeScout conversation by e-mail (FreeScout sends only a reply webhook)',
		run: scenarioReopen,
	},
	{
		name: 'retry',
		title: 'retry',
		description: "n8n's answer to a FreeScout webhook is lost (a 502 from the proxy); FreeScout sends it again: still one execution",
		run: scenarioRetry,
	},
	{
		name: 'sync',
		title: 'sync',
		description: 'a status change on one side of the sync pair is copied to the other side; the echo ends there',
		run: scenarioSync,
	},
];

// ---- options ----------------------------------------------------------------------------------

const USAGE = `Usage: node scripts/demo.js [options]   (npm run demo -- [options])

  --port N                n8n's port (env N8N_PORT; default ${DEFAULT_PORT})
  --sim-port N            the webhook proxy's port; the simulators use the next four (env DEMO_SIM_PORT;
                          default ${DEFAULT_SIM_PORT})
  --run LIST              run these scenarios first, e.g. s1,s2,reopen (names or numbers, see the menu)
  --exit                  stop after --run instead of offering the menu; exit code 1 if a scenario failed
  --webhook-url URL       the URL the platforms call n8n at, e.g. a public tunnel to n8n's port
                          (env N8N_WEBHOOK_URL; default the proxy on --sim-port)
  --n8n-version V         the n8n line: ${N8N_VERSIONS.join(' or ')} (default ${DEFAULT_N8N_VERSION})

  A real Chatwoot instead of its simulator (example 1 uses it):
  --chatwoot-url URL      env CHATWOOT_URL
  --chatwoot-token T      an administrator's access token (env CHATWOOT_TOKEN)
  --chatwoot-account N    account id (env CHATWOOT_ACCOUNT_ID; default 1)

  A real FreeScout instead of its simulator (example 2 uses it):
  --freescout-url URL     env FREESCOUT_URL
  --freescout-api-key K   env FREESCOUT_API_KEY
  --freescout-secret S    the webhooks' Secret Key (env FREESCOUT_SECRET)
  --freescout-user N      user status changes are made as (env FREESCOUT_USER_ID; default 0 = first admin)

The sync example always runs on its own pair of simulators: it writes to both platforms, which is not
something to try on real data.`;

function toPort(value, flag) {
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${flag}: "${value}" is not a port`);
	return port;
}

function toUrl(value, flag) {
	let url;
	try {
		url = new URL(value);
	} catch {
		throw new Error(`${flag}: "${value}" is not a URL`);
	}
	if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`${flag}: "${value}" is not an http(s) URL`);
	return url.href.replace(/\/+$/, '');
}

/** Scenario names from "s1,2,reopen" (names or menu numbers). */
function scenarioNames(list) {
	return list
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean)
		.map((entry) => {
			const scenario = findScenario(entry);
			if (!scenario) {
				throw new Error(`--run: unknown scenario "${entry}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
			}
			return scenario.name;
		});
}

function findScenario(entry) {
	const text = String(entry).trim().toLowerCase();
	return SCENARIOS.find((scenario, index) => scenario.name === text || String(index + 1) === text);
}

/** Command line + environment -> startDemo options plus `run` and `exit`; `help` when asked for. */
function parseOptions(argv, env = process.env) {
	const { values } = parseArgs({
		args: argv,
		options: {
			help: { type: 'boolean', short: 'h' },
			port: { type: 'string' },
			'sim-port': { type: 'string' },
			run: { type: 'string' },
			exit: { type: 'boolean' },
			'webhook-url': { type: 'string' },
			'n8n-version': { type: 'string' },
			'chatwoot-url': { type: 'string' },
			'chatwoot-token': { type: 'string' },
			'chatwoot-account': { type: 'string' },
			'freescout-url': { type: 'string' },
			'freescout-api-key': { type: 'string' },
			'freescout-secret': { type: 'string' },
			'freescout-user': { type: 'string' },
		},
	});
	if (values.help) return { help: true };
	const pick = (flag, variable) => values[flag] ?? (env[variable] || undefined);
	const options = {
		port: toPort(pick('port', 'N8N_PORT') ?? DEFAULT_PORT, '--port'),
		simPort: toPort(pick('sim-port', 'DEMO_SIM_PORT') ?? DEFAULT_SIM_PORT, '--sim-port'),
		run: values.run ? scenarioNames(values.run) : [],
		exit: Boolean(values.exit),
		n8nVersion: values['n8n-version'] ?? DEFAULT_N8N_VERSION,
	};
	if (!N8N_VERSIONS.includes(options.n8nVersion)) {
		throw new Error(`--n8n-version: one of ${N8N_VERSIONS.join(', ')}, not "${options.n8nVersion}"`);
	}
	const webhookUrl = pick('webhook-url', 'N8N_WEBHOOK_URL');
	if (webhookUrl) options.webhookUrl = toUrl(webhookUrl, '--webhook-url');

	const chatwootUrl = pick('chatwoot-url', 'CHATWOOT_URL');
	const chatwootToken = pick('chatwoot-token', 'CHATWOOT_TOKEN');
	if (chatwootUrl || chatwootToken) {
		if (!chatwootUrl || !chatwootToken) {
			throw new Error('a real Chatwoot needs both --chatwoot-url and --chatwoot-token (an administrator\'s access token)');
		}
		const accountId = Number(pick('chatwoot-account', 'CHATWOOT_ACCOUNT_ID') ?? 1);
		if (!Number.isInteger(accountId) || accountId < 1) throw new Error('--chatwoot-account: not an account id');
		options.chatwoot = { url: toUrl(chatwootUrl, '--chatwoot-url'), token: chatwootToken, accountId };
	}

	const freescoutUrl = pick('freescout-url', 'FREESCOUT_URL');
	const apiKey = pick('freescout-api-key', 'FREESCOUT_API_KEY');
	const secret = pick('freescout-secret', 'FREESCOUT_SECRET');
	if (freescoutUrl || apiKey || secret) {
		if (!freescoutUrl || !apiKey || !secret) {
			throw new Error('a real FreeScout needs --freescout-url, --freescout-api-key and --freescout-secret');
		}
		const userId = Number(pick('freescout-user', 'FREESCOUT_USER_ID') ?? 0);
		if (!Number.isInteger(userId) || userId < 0) throw new Error('--freescout-user: not a user id');
		options.freescout = { url: toUrl(freescoutUrl, '--freescout-url'), apiKey, secret, userId };
	}
	return options;
}

// ---- starting -----------------------------------------------------------------------------------

function assertPortFree(port, what) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error) =>
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `port ${port} (${what}) is in use: is another demo or n8n running? Choose other ports with --port / --sim-port`
						: `port ${port} (${what}): ${error.message}`,
				),
			),
		);
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

function isLoopback(url) {
	return LOOPBACK_HOSTS.has(new URL(url).hostname);
}

/**
 * Starts the demo: simulators (those not replaced by a real platform), the webhook proxy, n8n with this
 * package, an owner, the credentials and the three example workflows, activated.
 * @param {object} [options]
 * @param {number} [options.port] n8n's port (default 5678).
 * @param {number} [options.simPort] the proxy's port; simulators on the next four (default 5680).
 * @param {string} [options.webhookUrl] N8N_WEBHOOK_URL instead of the proxy (e.g. a public tunnel).
 * @param {string} [options.n8nVersion] the n8n line (default 2.41.1; see N8N_VERSIONS).
 * @param {{url: string, token: string, accountId?: number}} [options.chatwoot] a real Chatwoot.
 * @param {{url: string, apiKey: string, secret: string, userId?: number}} [options.freescout] a real FreeScout.
 * @param {(line: string) => void} [options.log] progress lines (default stderr).
 * @param {boolean} [options.handleSignals] on SIGINT/SIGTERM stop everything and exit (default true).
 */
async function startDemo(options = {}) {
	const {
		port = DEFAULT_PORT,
		simPort = DEFAULT_SIM_PORT,
		chatwoot: realChatwoot,
		freescout: realFreescout,
		n8nVersion = DEFAULT_N8N_VERSION,
		log = (line) => process.stderr.write(`${line}\n`),
		handleSignals = true,
	} = options;
	const webhookUrl = options.webhookUrl ? `${options.webhookUrl.replace(/\/+$/, '')}/` : undefined;
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
		if (!fs.existsSync(path.join(REPO_ROOT, file))) {
			throw new Error(`${file} is missing: build the package first (npm run build, or use npm run demo)`);
		}
	}

	// Everything started so far, stopped in reverse order by stop(), also when startup is interrupted.
	const stoppers = [];
	let stopping;
	let watcher;
	function stop() {
		stopping ??= (async () => {
			watcher?.stop();
			const errors = [];
			for (const stopper of stoppers.reverse()) {
				try {
					await stopper();
				} catch (error) {
					errors.push(error.message);
				}
			}
			// Only now: a signal while stopping must still end in the exit hook that kills n8n.
			removeSignalHandlers();
			if (errors.length > 0) throw new Error(`stopping the demo: ${errors.join('; ')}`);
		})();
		return stopping;
	}

	const signalHandlers = {};
	function removeSignalHandlers() {
		for (const [signal, handler] of Object.entries(signalHandlers)) process.off(signal, handler);
	}
	if (handleSignals) {
		for (const signal of ['SIGINT', 'SIGTERM']) {
			signalHandlers[signal] = () => {
				if (stopping) {
					log(`${signal} again: killing everything now`);
					process.exit(1); // n8n.js's exit hook SIGKILLs n8n's process group
				}
				log('stopping the demo (Ctrl-C again kills everything at once)');
				stop().then(
					() => process.exit(0),
					(error) => {
						log(error.message);
						process.exit(1);
					},
				);
			};
			process.on(signal, signalHandlers[signal]);
		}
	}

	try {
		const ports = [
			[port, 'n8n'],
			[simPort, 'webhook proxy'],
			...(realChatwoot ? [] : [[simPort + 1, 'Chatwoot simulator']]),
			...(realFreescout ? [] : [[simPort + 2, 'FreeScout simulator']]),
			[simPort + 3, 'sync pair: Chatwoot simulator'],
			[simPort + 4, 'sync pair: FreeScout simulator'],
		];
		for (const [number, what] of ports) await assertPortFree(number, what);

		log(`Preparing the n8n runtime in .runtime/ (the first run installs Node 24 and n8n ${n8nVersion}: a few minutes)`);
		await ensureRuntime({ n8nVersion, log });

		const simulators = {};
		async function startSimulator(key, simulator, simulatorPort) {
			await simulator.start({ port: simulatorPort });
			stoppers.push(() => simulator.stop());
			simulators[key] = simulator;
		}
		const newFreeScout = (modules = {}) =>
			createFreeScoutSimulator({
				moduleVersion: '1.0.82',
				undoDelayMs: FREESCOUT_UNDO_DELAY_MS,
				retryIntervalMs: FREESCOUT_RETRY_MINUTE_MS,
				...modules,
			});
		if (!realChatwoot) await startSimulator('chatwoot', createChatwootSimulator({ version: '4.15.1' }), simPort + 1);
		if (!realFreescout) await startSimulator('freescout', newFreeScout(), simPort + 2);
		await startSimulator('syncChatwoot', createChatwootSimulator({ version: '4.15.1' }), simPort + 3);
		await startSimulator('syncFreescout', newFreeScout({ customFieldsModule: true }), simPort + 4);

		const stack = await startStack({
			n8nVersion,
			log,
			n8nPort: port,
			proxyPort: simPort,
			webhookUrl,
			owner: OWNER,
			signalHooks: !handleSignals,
		});
		stoppers.push(() => stack.stop());
		const { n8n } = stack;

		const credentials = {};
		const createCredential = (key, type, name, data) =>
			n8n.createCredential({ name, type, data }).then((credential) => (credentials[key] = credential));
		const chatwootData = (simulator) => ({
			baseUrl: simulator.url,
			accountId: simulator.ids().accountId,
			accessToken: simulator.tokens().administrator,
			webhookSecret: '',
			ignoreSslIssues: false,
		});
		const freescoutData = (simulator) => ({
			baseUrl: simulator.url,
			apiKey: simulator.apiKey,
			webhookSecret: simulator.secretKey,
			defaultUserId: 1,
			ignoreSslIssues: false,
		});
		await createCredential(
			'chatwoot',
			'chatwootApi',
			'Chatwoot account',
			realChatwoot
				? {
						baseUrl: realChatwoot.url,
						accountId: realChatwoot.accountId ?? 1,
						accessToken: realChatwoot.token,
						webhookSecret: '',
						ignoreSslIssues: false,
					}
				: chatwootData(simulators.chatwoot),
		);
		await createCredential(
			'freescout',
			'freeScoutApi',
			'FreeScout account',
			realFreescout
				? {
						baseUrl: realFreescout.url,
						apiKey: realFreescout.apiKey,
						webhookSecret: realFreescout.secret,
						defaultUserId: realFreescout.userId ?? 0,
						ignoreSslIssues: false,
					}
				: freescoutData(simulators.freescout),
		);
		await createCredential('syncChatwoot', 'chatwootApi', 'Chatwoot (sync pair simulator)', chatwootData(simulators.syncChatwoot));
		await createCredential('syncFreescout', 'freeScoutApi', 'FreeScout (sync pair simulator)', freescoutData(simulators.syncFreescout));

		// The sync example pairs conversations by the counterpart's id kept on each of them; a pair without ids
		// is found by the customer's e-mail. One customer with a conversation on each side (ids that differ: the
		// FreeScout one is not the first there), made before the sync is switched on.
		const syncFreescout = simulators.syncFreescout;
		syncFreescout.addCustomField({ mailboxId: 1, name: SYNC_PAIR_FIELD, type: 'number' });
		syncFreescout.createConversation({ subject: 'Welcome', text: 'Hello!' });
		const customerId = syncFreescout.addCustomer({ firstName: 'Ana', lastName: 'Souza', email: SYNC_CUSTOMER_EMAIL }).id;
		const syncFreescoutId = syncFreescout.createConversation({ subject: 'Order 1234', text: 'Where is my order?', customerId });
		const { result: syncContactId } = await simulators.syncChatwoot.createContact({ name: 'Ana Souza', email: SYNC_CUSTOMER_EMAIL });
		const { result: syncChatwootId } = await simulators.syncChatwoot.createConversation({
			contactId: syncContactId,
			inboxId: simulators.syncChatwoot.ids().webInboxId,
		});
		await simulators.syncChatwoot.idle();
		await syncFreescout.idle(30_000);

		const workflowCredentials = {
			reopen: { chatwootApi: credentials.chatwoot },
			closeReopen: { freeScoutApi: credentials.freescout },
			sync: { chatwootApi: credentials.syncChatwoot, freeScoutApi: credentials.syncFreescout },
		};
		const platformLabel = {
			reopen: realChatwoot ? `Chatwoot at ${realChatwoot.url}` : 'the Chatwoot simulator',
			closeReopen: realFreescout ? `FreeScout at ${realFreescout.url}` : 'the FreeScout simulator',
			sync: 'the sync pair of simulators',
		};
		const usesRealPlatform = { reopen: Boolean(realChatwoot), closeReopen: Boolean(realFreescout), sync: false };
		const workflows = {};
		for (const { key, file } of WORKFLOWS) {
			const prepared = prepareExample(file, { credentials: workflowCredentials[key] });
			const stored = await n8n.createWorkflow(prepared);
			const workflow = {
				key,
				id: stored.id,
				name: stored.name,
				url: `${n8n.baseUrl}/workflow/${stored.id}`,
				runsOn: platformLabel[key],
				real: usesRealPlatform[key],
				triggers: triggersOf(prepared).map((trigger) => ({ ...trigger, url: stack.webhookUrl(trigger.webhookId) })),
				active: false,
				error: null,
			};
			workflows[key] = workflow;
			try {
				await n8n.activateWorkflow(workflow.id);
				workflow.active = true;
			} catch (error) {
				workflow.error = error.message;
				log(`workflow "${workflow.name}" could not be activated: ${error.message}`);
			}
		}
		// A stopped demo must not leave webhooks in a real platform pointing at an n8n that is gone.
		stoppers.push(async () => {
			for (const workflow of Object.values(workflows)) {
				if (!workflow.real || !workflow.active) continue;
				log(`deactivating "${workflow.name}" (removes its webhook from ${workflow.runsOn})`);
				await Promise.race([
					n8n.deactivateWorkflow(workflow.id),
					sleep(STOP_DEACTIVATE_TIMEOUT_MS).then(() => {
						throw new Error(`deactivating "${workflow.name}" took over ${STOP_DEACTIVATE_TIMEOUT_MS / 1000} s`);
					}),
				]);
				workflow.active = false;
			}
		});

		const context = {
			stack,
			n8n,
			simulators,
			workflows,
			state: {
				syncPair: { chatwoot: syncChatwootId, freescout: syncFreescoutId },
				evolution: simulators.chatwoot
					? createEvolutionClient({ chatwootUrl: simulators.chatwoot.url, token: simulators.chatwoot.tokens().administrator })
					: null,
			},
			webhookUrl: webhookUrl ?? `${stack.proxy.url}/`,
		};
		const availability = scenarioAvailability(context, { realChatwoot, realFreescout, webhookUrl });

		let queue = Promise.resolve();
		const demo = {
			n8n,
			proxy: stack.proxy,
			owner: { email: OWNER.email, password: OWNER.password },
			editorUrl: `${n8n.baseUrl}/`,
			webhookUrl: context.webhookUrl,
			simulators,
			workflows,
			platforms: {
				chatwoot: realChatwoot ? { real: true, url: realChatwoot.url } : { real: false, url: simulators.chatwoot.url },
				freescout: realFreescout ? { real: true, url: realFreescout.url } : { real: false, url: simulators.freescout.url },
				syncPair: {
					chatwoot: simulators.syncChatwoot.url,
					freescout: simulators.syncFreescout.url,
					conversations: { chatwoot: syncChatwootId, freescout: syncFreescoutId },
				},
			},
			/** [{name, title, description, available, reason}] in menu order. */
			scenarios: SCENARIOS.map(({ name, title, description }) => ({
				name,
				title,
				description,
				available: !availability[name],
				reason: availability[name] ?? null,
			})),
			/**
			 * Runs one scenario (name or menu number); scenarios run one at a time. Resolves with
			 * {name, title, ok, summary, details, executions, problems, seconds}; an unavailable one with
			 * ok false and the reason as summary.
			 */
			runScenario(entry) {
				const scenario = findScenario(entry);
				if (!scenario) return Promise.reject(new Error(`unknown scenario "${entry}"`));
				const run = queue.then(() => runScenario(context, scenario, availability[scenario.name]));
				queue = run.catch(() => undefined);
				return run;
			},
			/**
			 * Calls onExecution(description) for every execution of the demo's workflows that finishes from
			 * now on (polling); returns {stop()}.
			 */
			watchExecutions(onExecution, { intervalMs = 1000 } = {}) {
				watcher?.stop();
				watcher = watchExecutions(context, onExecution, { intervalMs, log });
				return watcher;
			},
			stop,
		};
		return demo;
	} catch (error) {
		await stop().catch((stopError) => log(stopError.message));
		throw error;
	}
}

/** scenario name -> why it cannot run (absent when it can). */
function scenarioAvailability(context, { realChatwoot, realFreescout, webhookUrl }) {
	const { workflows } = context;
	const reasons = {};
	const simulatorsCannotDeliver =
		webhookUrl && !isLoopback(webhookUrl)
			? `the simulators deliver only to this machine, and n8n's webhook URL is ${webhookUrl}`
			: null;
	const inactive = (key) => (workflows[key].active ? null : `"${workflows[key].name}" is not active: ${workflows[key].error}`);
	const chatwoot = realChatwoot
		? `Chatwoot is ${realChatwoot.url} here, not the simulator: resolve a conversation in an inbox with an agent bot and write to it as the customer, and watch its execution appear`
		: simulatorsCannotDeliver ?? inactive('reopen');
	const freescout = realFreescout
		? `FreeScout is ${realFreescout.url} here, not the simulator: close a conversation with "Send & Close", or answer a closed one as the customer, and watch its execution appear`
		: simulatorsCannotDeliver ?? inactive('closeReopen');
	if (chatwoot) reasons.s1 = chatwoot;
	if (freescout) {
		reasons.s2 = freescout;
		reasons.reopen = freescout;
		reasons.retry = freescout;
	} else if (webhookUrl) {
		reasons.retry = `deliveries go to ${webhookUrl}, not through the demo's proxy`;
	}
	const sync = simulatorsCannotDeliver ?? inactive('sync');
	if (sync) reasons.sync = sync;
	return reasons;
}

// ---- observing n8n --------------------------------------------------------------------------------

async function demoExecutions(context) {
	const all = [];
	for (const workflow of Object.values(context.workflows)) {
		for (const execution of await context.n8n.listExecutions(workflow.id)) all.push({ ...execution, workflow });
	}
	return all;
}

/** One finished execution: {id, workflow, status, trigger, change (the trigger's item), outputs, error}. */
async function describeExecution(context, execution) {
	const full = await context.n8n.getExecution(execution.id);
	const runData = full.data?.resultData?.runData ?? {};
	const trigger = execution.workflow.triggers.find((candidate) => runData[candidate.name]);
	const outputs = {};
	for (const nodeName of Object.keys(runData)) {
		if (nodeName !== trigger?.name) outputs[nodeName] = nodeItems(full, nodeName);
	}
	return {
		id: execution.id,
		workflow: execution.workflow,
		status: execution.status,
		trigger: trigger?.name ?? null,
		change: trigger ? (nodeItems(full, trigger.name)[0] ?? null) : null,
		outputs,
		error: full.data?.resultData?.error?.message ?? null,
	};
}

/**
 * Waits until the simulators have nothing left to deliver and n8n's executions of the demo's workflows
 * stayed the same, all finished, for QUIET_MS.
 */
async function settle(context, simulators) {
	const deadline = Date.now() + SETTLE_TIMEOUT_MS;
	const fingerprint = async () => {
		const executions = await demoExecutions(context);
		const running = executions.some((e) => !FINISHED.has(e.status));
		return running ? null : executions.map((e) => `${e.id}:${e.status}`).sort().join(',');
	};
	for (;;) {
		for (const simulator of simulators) await simulatorIdle(simulator);
		const before = await fingerprint();
		await sleep(QUIET_MS);
		const idle = (await Promise.all(simulators.map(simulatorIsIdle))).every(Boolean);
		if (idle && before !== null && before === (await fingerprint())) return;
		if (Date.now() > deadline) throw new Error(`n8n and the simulators did not settle within ${SETTLE_TIMEOUT_MS / 1000} s`);
	}
}

// The FreeScout simulator's idle() takes a timeout and it has isIdle(); the Chatwoot one's idle() resolves at
// once when idle, i.e. before a timer set after it.
const simulatorIdle = (simulator) =>
	typeof simulator.isIdle === 'function' ? simulator.idle(SETTLE_TIMEOUT_MS) : simulator.idle();
const simulatorIsIdle = (simulator) =>
	typeof simulator.isIdle === 'function'
		? Promise.resolve(simulator.isIdle())
		: Promise.race([simulator.idle().then(() => true), new Promise((resolve) => setImmediate(resolve, false))]);

/** Runs `act`, waits until everything settled and returns the new executions, oldest first, described. */
async function measure(context, simulators, act) {
	const before = new Set((await demoExecutions(context)).map((e) => e.id));
	await act();
	await settle(context, simulators);
	const fresh = (await demoExecutions(context))
		.filter((e) => !before.has(e.id))
		.sort((a, b) => Number(a.id) - Number(b.id));
	const described = [];
	for (const execution of fresh) described.push(await describeExecution(context, execution));
	return described;
}

function watchExecutions(context, onExecution, { intervalMs, log }) {
	const seen = new Set();
	let timer;
	let stopped = false;
	let primed = false;
	let lastError;
	async function poll() {
		try {
			const executions = (await demoExecutions(context)).sort((a, b) => Number(a.id) - Number(b.id));
			for (const execution of executions) {
				if (seen.has(execution.id) || !FINISHED.has(execution.status)) continue;
				seen.add(execution.id);
				if (primed) onExecution(await describeExecution(context, execution));
			}
			primed = true;
			lastError = undefined;
		} catch (error) {
			// Once per distinct error, not every second while n8n is unreachable.
			if (!stopped && error.message !== lastError) log(`watching executions: ${error.message}`);
			lastError = error.message;
		}
		if (!stopped) timer = setTimeout(poll, intervalMs);
	}
	void poll();
	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}

// ---- scenarios -----------------------------------------------------------------------------------

async function runScenario(context, scenario, unavailable) {
	const started = Date.now();
	const base = { name: scenario.name, title: scenario.title };
	if (unavailable) {
		return { ...base, ok: false, summary: `not available: ${unavailable}`, details: [], executions: {}, problems: [unavailable], seconds: 0 };
	}
	const result = { ...base, ok: false, summary: '', details: [], executions: {}, problems: [] };
	try {
		await scenario.run(context, result);
	} catch (error) {
		result.problems.push(error.message);
	}
	result.ok = result.problems.length === 0;
	result.seconds = (Date.now() - started) / 1000;
	return result;
}

/** Records the new executions per workflow and checks them against `expected` ({workflowKey: count}). */
function checkExecutions(result, context, executions, expected) {
	for (const workflow of Object.values(context.workflows)) {
		const own = executions.filter((execution) => execution.workflow.key === workflow.key);
		const want = expected[workflow.key] ?? 0;
		result.executions[workflow.key] = {
			workflow: workflow.name,
			count: own.length,
			expected: want,
			statuses: own.map((execution) => execution.status),
		};
		if (own.length !== want) {
			result.problems.push(`"${workflow.name}": ${own.length} new execution(s), expected ${want}`);
		}
		for (const execution of own) {
			if (execution.status !== 'success') {
				result.problems.push(`execution ${execution.id} of "${workflow.name}": ${execution.status} ${execution.error ?? ''}`.trim());
			}
		}
	}
}

function expectEqual(result, what, actual, expected) {
	if (actual !== expected) result.problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const changeText = (change) =>
	change
		? `${change.previousStatus ?? (change.isNewConversation ? 'new' : 'unknown')} -> ${change.status} (cause ${change.cause})`
		: 'no trigger item';

function deliveryLine(platform, deliveries) {
	if (deliveries.length === 0) return `${platform} delivered no webhook to the trigger`;
	const text = deliveries
		.map((d) => `${d.event}${d.status === 200 ? '' : ` (answered ${d.status ?? d.error})`}`)
		.join(', ');
	return `${platform} delivered ${deliveries.length} webhook(s) to the trigger: ${text}`;
}

/** Chatwoot simulator deliveries to one URL since log index `from`: [{event, status}]. */
const chatwootDeliveries = (simulator, url, from) =>
	simulator
		.deliveries()
		.slice(from)
		.filter((d) => d.url === url)
		.map((d) => ({ event: d.event, status: d.status, error: d.error }));

/** FreeScout simulator deliveries to one URL since log index `from`: [{event, status, attempt, bodyText}]. */
const freescoutDeliveries = (simulator, url, from) =>
	simulator.deliveries
		.slice(from)
		.filter((d) => d.url === url)
		.map((d) => ({ event: d.event, status: d.responseStatus, error: d.error, attempt: d.attempt, bodyText: d.bodyText }));

async function scenarioS1(context, result) {
	const chatwoot = context.simulators.chatwoot;
	const { state, workflows } = context;
	const hook = workflows.reopen.triggers[0].url;
	if (!state.s1ConversationId) {
		const setup = await measure(context, [chatwoot], async () => {
			const message = await state.evolution.receiveMessage({
				phone: WHATSAPP_PHONE,
				text: 'Oi, preciso de ajuda com meu pedido',
				pushName: 'Ana Souza',
			});
			state.s1ConversationId = message.conversationId;
		});
		result.details.push(
			`setup: a new WhatsApp conversation ${state.s1ConversationId} from +${WHATSAPP_PHONE}; Chatwoot started it ` +
				`${setup[0]?.change?.status ?? '?'} (bot inbox) and the workflow made it ${chatwoot.getConversation(state.s1ConversationId).status} ` +
				`(${setup.length} execution(s))`,
		);
	}
	const id = state.s1ConversationId;
	if (chatwoot.getConversation(id).status !== 'resolved') {
		await measure(context, [chatwoot], () => chatwoot.setStatus(id, 'resolved'));
		result.details.push(`setup: an agent resolved conversation ${id} (not a change the workflow acts on)`);
	}
	const before = chatwoot.getConversation(id).status;
	const from = chatwoot.deliveries().length;
	const executions = await measure(context, [chatwoot], () =>
		state.evolution.receiveMessage({ phone: WHATSAPP_PHONE, text: 'Voltei, ainda não funcionou', pushName: 'Ana Souza' }),
	);
	const after = chatwoot.getConversation(id).status;
	const run = executions.find((execution) => execution.workflow.key === 'reopen');
	const change = run?.change;
	const forceOpen = run?.outputs['Force Open']?.[0];
	result.summary =
		`Chatwoot conversation ${id}: ${before} -> ${change?.status ?? '?'} (${change?.cause ?? '?'}) -> ` +
		`${after}${forceOpen?.changed ? ' by the workflow' : ''}, ${executions.length} execution(s)`;
	result.details.push('the customer wrote again on WhatsApp (EvolutionAPI posts it to Chatwoot as an incoming message)');
	result.details.push(deliveryLine('Chatwoot', chatwootDeliveries(chatwoot, hook, from)));
	if (run) result.details.push(`trigger item: ${changeText(change)}; Force Open: ${forceOpen ? `${forceOpen.previousStatus} -> ${forceOpen.status}, changed ${forceOpen.changed}` : 'did not run'}`);
	checkExecutions(result, context, executions, { reopen: 1 });
	expectEqual(result, 'status before', before, 'resolved');
	expectEqual(result, 'trigger item', changeText(change), 'resolved -> pending (cause bot_inbox)');
	expectEqual(result, 'status after', after, 'open');
}

/** A new FreeScout conversation (a customer e-mail) the trigger has seen created; returns its id. */
async function newFreeScoutConversation(context, result, subject, text) {
	const freescout = context.simulators.freescout;
	let id;
	const executions = await measure(context, [freescout], () => {
		id = freescout.createConversation({ subject, text });
	});
	result.details.push(`setup: a customer e-mail opened FreeScout conversation ${id} "${subject}" (${executions.length} execution(s): new conversations are filtered out)`);
	return id;
}

async function scenarioS2(context, result) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	state.freescoutCount = (state.freescoutCount ?? 0) + 1;
	const id = await newFreeScoutConversation(context, result, `Printer on fire (${state.freescoutCount})`, 'The printer in room 4 is on fire.');
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		freescout.replyFromUi(id, { text: 'The fire is out, closing this.', status: 'closed' });
	});
	const after = freescout.getConversation(id).status;
	const change = executions.find((execution) => execution.workflow.key === 'closeReopen')?.change;
	state.freescoutClosedId = after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} by the agent's "Send & Close", ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', freescoutDeliveries(freescout, hook, from)));
	result.details.push(
		`(module 1.0.82 sends convo.status at once and the reply after the undo delay, here ${FREESCOUT_UNDO_DELAY_MS / 1000} s instead of 15 s)`,
	);
	if (change) result.details.push(`trigger item: ${changeText(change)}`);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'status before', before, 'active');
	expectEqual(result, 'trigger item', change && `${change.previousStatus} -> ${change.status}`, 'open -> resolved');
	expectEqual(result, 'status after', after, 'closed');
}

async function scenarioReopen(context, result) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	let id = state.freescoutClosedId;
	if (!id || freescout.getConversation(id).status !== 'closed') {
		state.freescoutCount = (state.freescoutCount ?? 0) + 1;
		id = await newFreeScoutConversation(context, result, `Invoice missing (${state.freescoutCount})`, 'I did not get my invoice.');
		const closing = await measure(context, [freescout], () => freescout.changeStatusFromMenu(id, 'closed'));
		result.details.push(`setup: an agent closed it from the status menu (${closing.length} execution(s))`);
	}
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		freescout.customerEmailReply(id, 'Sorry, it is not solved yet.');
	});
	const after = freescout.getConversation(id).status;
	const change = executions.find((execution) => execution.workflow.key === 'closeReopen')?.change;
	state.freescoutClosedId = null;
	state.freescoutActiveId = after === 'active' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} by the customer's e-mail reply, ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', freescoutDeliveries(freescout, hook, from)));
	if (change) result.details.push(`trigger item: ${changeText(change)}`);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'status before', before, 'closed');
	expectEqual(result, 'trigger item', change && `${change.previousStatus} -> ${change.status}`, 'resolved -> open');
	expectEqual(result, 'status after', after, 'active');
}

async function scenarioRetry(context, result) {
	const freescout = context.simulators.freescout;
	const { state, stack } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	let id = state.freescoutActiveId;
	if (!id || freescout.getConversation(id).status !== 'active') {
		state.freescoutCount = (state.freescoutCount ?? 0) + 1;
		id = await newFreeScoutConversation(context, result, `Wrong size (${state.freescoutCount})`, 'The shoes are too small.');
	}
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		stack.proxy.failNext({ count: 1, status: 502, forward: true });
		freescout.changeStatusFromMenu(id, 'closed');
	});
	const after = freescout.getConversation(id).status;
	const deliveries = freescoutDeliveries(freescout, hook, from);
	state.freescoutActiveId = null;
	state.freescoutClosedId = after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} from the status menu; the webhook was sent ${deliveries.length} time(s), ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', deliveries));
	result.details.push(
		`(the proxy passed the first attempt to n8n but answered 502; FreeScout retried after one cron "minute", here ${FREESCOUT_RETRY_MINUTE_MS / 1000} s, with the same body and signature)`,
	);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'attempts', deliveries.map((d) => d.status).join(','), '502,200');
	expectEqual(result, 'retried body identical', deliveries.length === 2 && deliveries[0].bodyText === deliveries[1].bodyText, true);
	expectEqual(result, 'status after', after, 'closed');
}

async function scenarioSync(context, result) {
	const { syncChatwoot, syncFreescout } = context.simulators;
	const pair = context.state.syncPair;
	const chatwootBefore = syncChatwoot.getConversation(pair.chatwoot).status;
	const freescoutBefore = syncFreescout.getConversation(pair.freescout).status;
	const resolving = chatwootBefore !== 'resolved';
	const executions = await measure(context, [syncChatwoot, syncFreescout], async () => {
		if (resolving) await syncChatwoot.setStatus(pair.chatwoot, 'resolved');
		else syncFreescout.customerEmailReply(pair.freescout, 'One more question about order 1234.');
	});
	const chatwootAfter = syncChatwoot.getConversation(pair.chatwoot).status;
	const freescoutAfter = syncFreescout.getConversation(pair.freescout).status;
	result.summary =
		(resolving
			? `an agent resolved Chatwoot conversation ${pair.chatwoot}: Chatwoot ${chatwootBefore} -> ${chatwootAfter}, FreeScout conversation ${pair.freescout} ${freescoutBefore} -> ${freescoutAfter} by the workflow`
			: `the customer answered FreeScout conversation ${pair.freescout} by e-mail: FreeScout ${freescoutBefore} -> ${freescoutAfter}, Chatwoot conversation ${pair.chatwoot} ${chatwootBefore} -> ${chatwootAfter} by the workflow`) +
		`, ${executions.length} execution(s)`;
	for (const execution of executions) {
		const [sync] = Object.values(execution.outputs).flat();
		result.details.push(`execution ${execution.id} from "${execution.trigger}": ${changeText(execution.change)}; ${syncText(sync)}`);
	}
	result.details.push('one execution for the change and one for its echo from the other side, which writes nothing: no loop');
	checkExecutions(result, context, executions, { sync: 2 });
	expectEqual(result, 'Chatwoot after', chatwootAfter, resolving ? 'resolved' : 'open');
	expectEqual(result, 'FreeScout after', freescoutAfter, resolving ? 'closed' : 'active');
}

/** What one Sync Status output item did, in a line. */
function syncText(sync) {
	if (!sync) return 'no output';
	if (sync.conversationId === null) return `nothing written: ${sync.skipped}`;
	const target = `${PLATFORM_NAMES[sync.platform]} conversation ${sync.conversationId}`;
	const paired = sync.pairedBy === 'email' ? ` (paired by the customer's e-mail)` : '';
	if (sync.changed) return `wrote ${sync.platformStatus} to ${target}${paired}`;
	return `nothing written to ${target}${paired}: ${sync.skipped ?? sync.notes.join('; ')}`;
}

// ---- command line ----------------------------------------------------------------------------

function printBanner(demo, print) {
	const { platforms, workflows } = demo;
	print('');
	print('Conversation Status demo: n8n with n8n-nodes-conversation-status and the three example workflows');
	print('');
	print(`  n8n editor   ${demo.editorUrl}`);
	print(`  login        ${demo.owner.email} / ${demo.owner.password}`);
	print(`  webhooks     ${demo.webhookUrl}webhook/... ${demo.webhookUrl.startsWith(demo.proxy.url) ? '(a proxy in front of n8n)' : ''}`.trimEnd());
	print(
		`  Chatwoot     ${platforms.chatwoot.real ? `${platforms.chatwoot.url} (real)` : `simulator ${platforms.chatwoot.url}: Chatwoot 4.15.1, inbox "WhatsApp (EvolutionAPI)" with an agent bot`}`,
	);
	print(
		`  FreeScout    ${platforms.freescout.real ? `${platforms.freescout.url} (real)` : `simulator ${platforms.freescout.url}: API & Webhooks module 1.0.82`}`,
	);
	const pair = platforms.syncPair.conversations;
	print(
		`  sync pair    simulators ${platforms.syncPair.chatwoot} (Chatwoot) and ${platforms.syncPair.freescout} (FreeScout): Chatwoot conversation ${pair.chatwoot} and FreeScout conversation ${pair.freescout}, one customer (${SYNC_CUSTOMER_EMAIL})`,
	);
	print('');
	print('Workflows:');
	for (const workflow of Object.values(workflows)) {
		print(`  ${workflow.active ? 'active    ' : 'NOT ACTIVE'}  "${workflow.name}" on ${workflow.runsOn}`);
		print(`              ${workflow.url}`);
		if (workflow.error) print(`              ${workflow.error}`);
	}
	const real = Object.values(workflows).filter((workflow) => workflow.real && workflow.active);
	if (real.length > 0 && isLoopback(demo.webhookUrl)) {
		print('');
		print(`Note: the real platform must reach ${demo.webhookUrl}. Unless it runs on this machine (Chatwoot 4.14+ then`);
		print('also needs SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true), give --webhook-url with a public tunnel to n8n\'s port.');
	}
	if (real.length > 0) print('Stopping the demo deactivates those workflows, which removes their webhooks again.');
}

function printMenu(demo, print) {
	print('');
	print('Scenarios (type a number or name and Enter; h shows this menu; q, Ctrl-D or Ctrl-C stops everything):');
	demo.scenarios.forEach((scenario, index) => {
		print(`  ${index + 1}  ${scenario.name.padEnd(7)} ${scenario.title}: ${scenario.description}`);
		if (!scenario.available) print(`             not available: ${scenario.reason}`);
	});
}

function resultLines(result) {
	const lines = ['', `[${result.title}] ${result.summary}`, ...result.details.map((line) => `    ${line}`)];
	const counts = Object.values(result.executions)
		.map((e) => `"${e.workflow}" +${e.count}`)
		.join(', ');
	if (counts) lines.push(`    new executions: ${counts}`);
	lines.push(
		result.ok
			? `  ${result.name}: ok (${result.seconds.toFixed(1)} s)`
			: `  ${result.name}: FAILED: ${result.problems.join('; ')}`,
	);
	return lines.join('\n');
}

function printExecution(execution, print) {
	const { change } = execution;
	const what = change
		? `${PLATFORM_NAMES[change.platform] ?? change.platform} conversation ${change.conversationId}: ${changeText(change)}`
		: (execution.error ?? 'no trigger item');
	print(`  n8n: execution ${execution.id} of "${execution.workflow.name}" ${execution.status}: ${what}`);
}

async function main() {
	const options = parseOptions(process.argv.slice(2));
	if (options.help) {
		console.log(USAGE);
		return;
	}
	const print = (line) => console.log(line);
	const demo = await startDemo(options);
	printBanner(demo, print);

	let failed = 0;
	for (const name of options.run) {
		print('');
		print(`running ${name} ...`);
		const result = await demo.runScenario(name);
		print(resultLines(result));
		if (!result.ok) failed += 1;
	}
	if (options.exit) {
		if (options.run.length > 0) print(`\n${options.run.length - failed} scenario(s) ok, ${failed} failed`);
		await demo.stop();
		print('stopped');
		// Keep-alive sockets to the stopped servers would hold the process for a few seconds.
		process.exit(failed > 0 ? 1 : 0);
	}

	printMenu(demo, print);
	const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'demo> ' });
	const say = (line) => {
		// Over the prompt on a terminal; into a file or pipe no cursor codes, just the line.
		if (process.stdout.isTTY) {
			readline.clearLine(process.stdout, 0);
			readline.cursorTo(process.stdout, 0);
		}
		print(line);
		rl.prompt(true);
	};
	demo.watchExecutions((execution) => printExecution(execution, say));
	// With a terminal, readline reads Ctrl-C as a key: turn it back into the signal the demo stops on.
	rl.on('SIGINT', () => process.emit('SIGINT', 'SIGINT'));
	let quitting = false;
	const quit = () => {
		if (quitting) return;
		quitting = true;
		rl.close();
		process.emit('SIGINT', 'SIGINT');
	};
	rl.on('close', () => {
		if (quitting) return;
		if (process.stdin.isTTY) quit();
		else print('(stdin closed: the demo keeps running until Ctrl-C / SIGTERM)');
	});
	rl.on('line', (line) => {
		const input = line.trim().toLowerCase();
		if (input === '') return rl.prompt();
		if (['q', 'quit', 'exit'].includes(input)) return quit();
		if (['h', 'help', '?'].includes(input)) {
			printMenu(demo, print);
			return rl.prompt();
		}
		if (!findScenario(input)) {
			print(`unknown input "${line.trim()}": type 1-${SCENARIOS.length}, a scenario name, h or q`);
			return rl.prompt();
		}
		print(`running ${findScenario(input).name} ...`);
		demo.runScenario(input).then(
			(result) => say(resultLines(result)),
			(error) => say(`scenario failed: ${error.message}`),
		);
	});
	rl.prompt();
}

module.exports = { startDemo, parseOptions, SCENARIOS, DEFAULT_PORT, DEFAULT_SIM_PORT };

if (require.main === module) {
	main().catch((error) => {
		console.error(`\nERROR: ${error.message}`);
		process.exit(1);
	});
}
