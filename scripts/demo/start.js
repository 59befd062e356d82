'use strict';
// Starting and stopping the demo: simulators (those not replaced by a real platform), the webhook proxy, n8n
// with this package, the credentials, the sync pair and the example workflows; everything stopped again in
// reverse order, also when startup fails half-way or a signal arrives.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { DEFAULT_N8N_VERSION } = require('../../test/e2e/runtime/install');
const { startStack, REPO_ROOT } = require('../../test/e2e/support/stack');
const { createChatwootSimulator } = require('../../test/simulators/chatwoot');
const { createFreeScoutSimulator } = require('../../test/simulators/freescout');
const { createEvolutionClient } = require('../../test/simulators/evolution-client');
const { watchExecutions } = require('./observe');
const { SCENARIOS, findScenario, scenarioAvailability, runScenario } = require('./scenarios');
const { createCredentials, createSyncPair, importWorkflows } = require('./setup');
const {
	DEFAULT_PORT,
	DEFAULT_SIM_PORT,
	OWNER,
	FREESCOUT_RETRY_MINUTE_MS,
	FREESCOUT_UNDO_DELAY_MS,
} = require('./settings');

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

function assertBuilt() {
	const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) {
		if (!fs.existsSync(path.join(REPO_ROOT, file))) {
			throw new Error(`${file} is missing: build the package first (npm run build, or use npm run demo)`);
		}
	}
}

/**
 * Stoppers run in reverse order by stop(), once; with handleSignals, SIGINT/SIGTERM stop everything and exit,
 * and a second signal exits at once.
 */
function stopper({ handleSignals, log, beforeStop }) {
	const stoppers = [];
	const signalHandlers = {};
	let stopping;
	const removeSignalHandlers = () => {
		for (const [signal, handler] of Object.entries(signalHandlers)) process.off(signal, handler);
	};
	function stop() {
		stopping ??= (async () => {
			beforeStop();
			const errors = [];
			for (const stopOne of stoppers.reverse()) {
				try {
					await stopOne();
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
	return { add: (stopOne) => stoppers.push(stopOne), stop };
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
	assertBuilt();

	let watcher;
	const { add: onStop, stop } = stopper({ handleSignals, log, beforeStop: () => watcher?.stop() });
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

		const simulators = {};
		async function startSimulator(key, simulator, simulatorPort) {
			await simulator.start({ port: simulatorPort });
			onStop(() => simulator.stop());
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

		// Installs the runtime under .runtime/ first where it is missing, and says so.
		const stack = await startStack({
			n8nVersion,
			log,
			n8nPort: port,
			proxyPort: simPort,
			webhookUrl,
			owner: OWNER,
			signalHooks: !handleSignals,
		});
		onStop(() => stack.stop());
		const { n8n } = stack;

		const credentials = await createCredentials(n8n, simulators, { realChatwoot, realFreescout });
		const syncPair = await createSyncPair(simulators);
		const { workflows, deactivateReal } = await importWorkflows({ n8n, stack, credentials, realChatwoot, realFreescout, log });
		onStop(deactivateReal);

		const context = {
			stack,
			n8n,
			simulators,
			workflows,
			state: {
				syncPair,
				evolution: simulators.chatwoot
					? createEvolutionClient({ chatwootUrl: simulators.chatwoot.url, token: simulators.chatwoot.tokens().administrator })
					: null,
			},
			webhookUrl: webhookUrl ?? `${stack.proxy.url}/`,
		};
		const availability = scenarioAvailability(context, { realChatwoot, realFreescout, webhookUrl });

		let queue = Promise.resolve();
		return {
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
				syncPair: { chatwoot: simulators.syncChatwoot.url, freescout: simulators.syncFreescout.url, conversations: syncPair },
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
	} catch (error) {
		await stop().catch((stopError) => log(stopError.message));
		throw error;
	}
}

module.exports = { startDemo };
