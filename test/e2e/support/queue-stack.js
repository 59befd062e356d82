'use strict';
// n8n in queue mode, as a scaled installation runs it: Redis and PostgreSQL (Debian's, started on free
// loopback ports by ../runtime/services.js), one main (`n8n start`: editor, REST, activation), several
// `n8n webhook` processes that take the production webhooks and enqueue executions, and `n8n worker`
// processes that run them. Each process has its own user folder with the package installed; all share
// the database, Redis and the encryption key. The proxy is every process's N8N_WEBHOOK_URL and spreads
// the deliveries round-robin over the webhook processes (proxy.log[i].target says which one answered).
//
//   const reason = queueModeUnavailable();   // undefined, or why Redis/PostgreSQL cannot be installed
//   const stack = await startQueueStack({ webhookProcesses: 2, workers: 1, n8nVersion: '1.123.81' });
//   stack.webhooks[0].baseUrl, stack.workers[0].currentLog(), stack.postgres.query('select ...')
//   ...the same surface as startStack (./stack.js)...
//   await stack.restart();   // every n8n process down, then main, webhook processes and workers up again
//   await stack.stop();      // n8n processes, proxy, Redis, PostgreSQL
const { startN8n } = require('../runtime/n8n');
const { ensureQueueServices, startRedis, startPostgres } = require('../runtime/services');
const { startProxy } = require('./proxy');
const { stackSurface, selectedN8nVersion, n8nDefaults, REPO_ROOT } = require('./stack');

/** Why queue mode cannot run here (Redis or PostgreSQL not installable), or undefined. Installs them if needed. */
function queueModeUnavailable({ log } = {}) {
	return ensureQueueServices({ log });
}

/** n8n's environment for queue mode against these services. */
function queueEnvironment({ redis, postgres, proxy }) {
	return {
		...n8nDefaults,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		N8N_WEBHOOK_URL: `${proxy.url}/`,
	};
}

/**
 * @param {object} [options]
 * @param {number} [options.webhookProcesses] `n8n webhook` processes behind the proxy (default 2).
 * @param {number} [options.workers] `n8n worker` processes (default 1).
 * @param {string} [options.n8nVersion] the n8n line (default selectedN8nVersion()).
 * @param {Record<string,string>} [options.env] more environment for every n8n process.
 * @param {string[]} [options.extraPackages] folders of more community packages to load in every process.
 * @param {object} [options.owner] the owner to set up.
 * @param {(line: string) => void} [options.log]
 * @param {boolean} [options.signalHooks] as in startN8n.
 * @returns the surface of startStack plus `webhooks` and `workers` (startN8n instances), `redis`, `postgres`.
 */
async function startQueueStack({
	webhookProcesses = 2,
	workers: workerCount = 1,
	n8nVersion = selectedN8nVersion(),
	env = {},
	extraPackages = [],
	owner,
	log,
	signalHooks,
} = {}) {
	const reason = queueModeUnavailable({ log });
	if (reason) throw new Error(`queue mode is not available here: ${reason}`);
	const started = [];
	const stopStarted = async () => {
		// n8n first (it still talks to the services), then the services; each even if another fails.
		const [n8nParts, serviceParts] = [started.filter((part) => part.command), started.filter((part) => !part.command)];
		await Promise.allSettled(n8nParts.map((part) => part.stop()));
		await Promise.allSettled(serviceParts.map((part) => part.stop()));
	};
	const startPart = async (promise) => {
		const part = await promise;
		started.push(part);
		return part;
	};
	try {
		const [redis, postgres, proxy] = await Promise.all([
			startPart(startRedis({ log, signalHooks })),
			startPart(startPostgres({ log, signalHooks })),
			startPart(startProxy().then((p) => ({ ...p, stop: () => p.close() }))),
		]);
		const common = {
			n8nVersion,
			packageDir: [REPO_ROOT, ...extraPackages],
			log,
			signalHooks,
			env: { ...queueEnvironment({ redis, postgres, proxy }), ...env },
		};
		// The main creates the schema and the owner before the other processes connect.
		const main = await startPart(startN8n({ ...common, command: 'start', label: 'n8n main' }));
		await main.setupOwner(owner);
		const [webhooks, workers] = await Promise.all([
			Promise.all(
				Array.from({ length: webhookProcesses }, (_, i) =>
					startPart(startN8n({ ...common, command: 'webhook', label: `n8n webhook ${i + 1}` })),
				),
			),
			Promise.all(
				Array.from({ length: workerCount }, (_, i) =>
					startPart(startN8n({ ...common, command: 'worker', label: `n8n worker ${i + 1}` })),
				),
			),
		]);
		proxy.setTargets(webhooks.map((webhook) => webhook.baseUrl));
		const others = [...webhooks, ...workers];
		return {
			...stackSurface({
				main,
				proxy,
				directWebhookBase: webhooks[0].baseUrl,
				async restartAll() {
					await Promise.all([main, ...others].map((part) => part.halt()));
					await main.resume();
					await Promise.all(others.map((part) => part.resume()));
				},
				stopAll: stopStarted,
			}),
			webhooks,
			workers,
			redis,
			postgres,
		};
	} catch (error) {
		await stopStarted();
		throw error;
	}
}

module.exports = { startQueueStack, queueModeUnavailable };
