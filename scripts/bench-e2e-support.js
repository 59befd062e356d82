'use strict';
// What the end-to-end benchmarks (scripts/bench-e2e.js, scripts/bench-profile.js) share: the n8n engine settings
// they measure, waiting for n8n to settle after its start, and small waits on n8n and the simulators.
const { sleep } = require('../test/e2e/support/stack');

// The engine settings measured; a 1.x n8n has no lazy acquisition (its isolate engine takes one per webhook call).
const SETTINGS = [
	{ id: 'defaults', title: "n8n's defaults", env: {}, fromMajor: 1 },
	{
		id: 'lazy',
		title: 'lazy isolates (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true)',
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
		fromMajor: 2,
	},
];

/** The settings an n8n version has, or those of them named in `ids` (comma-separated). */
function settingsFor(n8nVersion, ids) {
	const major = Number(n8nVersion.split('.')[0]);
	const available = SETTINGS.filter((setting) => major >= setting.fromMajor);
	if (!ids) return available;
	return ids.split(',').map((id) => {
		const setting = available.find((candidate) => candidate.id === id.trim());
		if (!setting) throw new Error(`n8n ${n8nVersion} has the settings ${available.map((s) => s.id).join(', ')}, not "${id}"`);
		return setting;
	});
}

/** `--n8n-env KEY=VALUE` pairs as an object. */
function parseEnvPairs(pairs) {
	return Object.fromEntries(
		pairs.map((pair) => {
			const match = /^([A-Z0-9_]+)=(.*)$/.exec(pair);
			if (!match) throw new Error(`--n8n-env takes KEY=VALUE, not "${pair}"`);
			return [match[1], match[2]];
		}),
	);
}

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);
const IDLE_SAMPLE_MS = 10_000;
// n8n counts as settled after its start when it used less than 2% of a core in three 5 s windows in a row
// (its start-up work comes in bursts over about 30 s).
const SETTLED_RATE = 0.02;
const SETTLED_WINDOWS = 3;
const SETTLE_TIMEOUT_MS = 180_000;

/** Polls `check` every `intervalMs` until it is true; returns the time it was. */
async function waitUntil(what, check, { timeoutMs = 20_000, intervalMs = 2 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (check()) return Date.now();
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/** Waits until every execution of the workflow has finished; polls slowly, since polling costs n8n CPU too. */
async function allFinished(n8n, workflowId) {
	for (;;) {
		const executions = await n8n.listExecutions(workflowId);
		if (executions.every((execution) => FINISHED.has(execution.status))) return executions;
		await sleep(500);
	}
}

/**
 * Waits until n8n has finished its start-up work (it burns CPU for about half a minute after it is ready),
 * then returns its idle CPU seconds per wall second (timers, housekeeping) over IDLE_SAMPLE_MS.
 */
async function settledIdleRate(n8n) {
	const rateOver = async (ms) => {
		const cpuBefore = n8n.cpuSeconds();
		const wallBefore = Date.now();
		await sleep(ms);
		return (n8n.cpuSeconds() - cpuBefore) / ((Date.now() - wallBefore) / 1000);
	};
	const deadline = Date.now() + SETTLE_TIMEOUT_MS;
	for (let quiet = 0; quiet < SETTLED_WINDOWS && Date.now() < deadline; ) {
		quiet = (await rateOver(5000)) > SETTLED_RATE ? 0 : quiet + 1;
	}
	return await rateOver(IDLE_SAMPLE_MS);
}

/** How many deliveries to `hookPath` reached n8n's address since proxy log entry `from`. */
function deliveriesSince(proxy, from, hookPath) {
	return proxy.log.slice(from).filter((entry) => entry.path === hookPath).length;
}

module.exports = { settingsFor, parseEnvPairs, waitUntil, allFinished, settledIdleRate, deliveriesSince, sleep };
