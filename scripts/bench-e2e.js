'use strict';
// End-to-end benchmark (a script, not a test): one real n8n, the simulators, and per scenario
//   (a)  the example workflow with this package,
//   (b)  the Webhook + IF + HTTP Request / Set chain a user builds by hand (scripts/bench/handmade-*.json), its
//        webhook subscribed to the events such a user picks (HANDMADE_SUBSCRIPTIONS: every event that can carry a
//        status change, what the trigger itself subscribed to before it was narrowed), so that the comparison does
//        not move with the trigger's own subscriptions,
//   (b') the same hand-built chain subscribed only to the events its IF looks at (the least a user sends it).
// Scenarios: N S1 reopens on Chatwoot (the agent resolves, the customer writes through EvolutionAPI, the bot
// inbox reopens as pending, the workflow opens it) and N FreeScout close-via-send (a new customer
// conversation, then an agent reply with "send & close"). Phases run one after the other, each on its own
// conversations and with only its own webhook registered, so the n8n CPU read from /proc before and after a
// phase belongs to it. Prints per phase: deliveries, executions started, actions taken and n8n CPU seconds per
// change, latency p50/p90, and the ratios a/b (scripts/bench-e2e-report.js).
//
// One invocation measures one n8n line with every engine setting it has (2.x: n8n's defaults, and lazy isolates
// N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true; 1.x: its defaults), each in a freshly started n8n, `--runs` times (the
// settings take turns within a run), then prints the median and range of every figure and checks the targets.
//
//   npm run bench:e2e -- --n 20 [--runs 3] [--warmup 2] [--module 1.0.82] [--undo-ms 1000]
//                        [--n8n-version 2.41.1|1.123.81] [--settings defaults,lazy] [--n8n-env KEY=VALUE ...]
//                        [--json results.json]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { createChatwootSimulator } = require('../test/simulators/chatwoot');
const { createEvolutionClient } = require('../test/simulators/evolution-client');
const { createFreeScoutSimulator } = require('../test/simulators/freescout');
const { ensureRuntime, DEFAULT_N8N_VERSION, N8N_VERSIONS } = require('../test/e2e/runtime/install');
const { startStack } = require('../test/e2e/support/stack');
const { metricsOf, runReport, summaryReport } = require('./bench-e2e-report');
const { settingsFor, parseEnvPairs, waitUntil, allFinished, settledIdleRate, deliveriesSince, sleep } = require('./bench-e2e-support');

const { values: args } = parseArgs({
	options: {
		n: { type: 'string', default: '20' },
		runs: { type: 'string', default: '1' },
		warmup: { type: 'string', default: '2' },
		module: { type: 'string', default: '1.0.82' },
		'undo-ms': { type: 'string', default: '1000' },
		// Extra n8n environment for every setting, e.g. N8N_EXPRESSION_ENGINE=legacy to see what isolates cost.
		'n8n-env': { type: 'string', multiple: true, default: [] },
		// The n8n line to measure (each is installed under .runtime/ on first use).
		'n8n-version': { type: 'string', default: DEFAULT_N8N_VERSION },
		// Only some of the line's settings (comma-separated ids).
		settings: { type: 'string' },
		// Also write every run's figures to this file.
		json: { type: 'string' },
	},
});
const N8N_VERSION = args['n8n-version'];
if (!N8N_VERSIONS.includes(N8N_VERSION)) throw new Error(`--n8n-version takes one of ${N8N_VERSIONS.join(', ')}`);
const MAJOR = Number(N8N_VERSION.split('.')[0]);
const N = Number(args.n);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const MODULE_VERSION = args.module;
// FreeScout's 15 s undo window before the reply event, compressed; it only adds idle time.
const UNDO_DELAY_MS = Number(args['undo-ms']);
const EXTRA_ENV = parseEnvPairs(args['n8n-env']);
if (!(N > 0) || !(RUNS >= 1) || !(WARMUP >= 0) || !(UNDO_DELAY_MS >= 0)) {
	throw new Error('--n, --runs, --warmup and --undo-ms take numbers');
}
const SELECTED = settingsFor(N8N_VERSION, args.settings);

const BENCH_DIR = path.join(__dirname, 'bench');
// What a user who wires the chain by hand subscribes its webhook to: every event that can carry a status change.
const HANDMADE_SUBSCRIPTIONS = {
	chatwoot: ['conversation_created', 'conversation_status_changed', 'conversation_updated'],
	freescout: ['convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created', 'convo.created'],
};
// What the hand-built chain's IF reads.
const MINIMAL_SUBSCRIPTIONS = {
	chatwoot: ['conversation_status_changed'],
	freescout: ['convo.status', 'convo.agent.reply.created'],
};
const NOTIFICATION = 'Build notification';
// After a change settled in the simulator: time for n8n to finish and save the execution before the next one.
const QUIET_MS = 300;
const HANDMADE_BASE_URL = 'https://chatwoot.example.com';

const log = (line) => process.stderr.write(`${line}\n`);

/** A hand-built workflow from scripts/bench/, its placeholder Chatwoot address and credentials filled in. */
function prepareHandmade(file, { baseUrl, credential } = {}) {
	const workflow = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, file), 'utf8'));
	for (const node of workflow.nodes) {
		if (typeof node.parameters.url === 'string' && baseUrl) {
			node.parameters.url = node.parameters.url.replace(HANDMADE_BASE_URL, baseUrl);
		}
		for (const type of Object.keys(node.credentials ?? {})) {
			node.credentials[type] = { id: credential.id, name: credential.name };
		}
	}
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	return {
		workflow: { name: workflow.name, nodes: workflow.nodes, connections: workflow.connections, settings: workflow.settings },
		path: webhook.parameters.path,
	};
}

/**
 * Runs `warmup` unmeasured cycles, then `N` measured ones, and reads n8n's process-tree CPU, the executions of
 * the workflow and the deliveries that reached n8n (through the stack's proxy) around the measured ones. Each
 * cycle returns a sample `{changedAt, changeDeliveries, fixedAt?, conversationId?}` (changedAt: just before the
 * request that makes the change; changeDeliveries: the deliveries from then on); afterwards `matchRun(sample,
 * runs)` picks the run of `actionNode` that acted on it. Actions are counted by `actions()` (a counter read
 * before and after) or else as the items `actionNode` output.
 */
async function phase(stack, { label, workflowId, hookPath, cycle, actionNode, matchRun, actions }) {
	const { n8n, proxy } = stack;
	for (let index = 0; index < WARMUP; index++) await cycle(`warmup ${index + 1}`);
	await sleep(QUIET_MS);
	const before = new Set((await allFinished(n8n, workflowId)).map((execution) => execution.id));
	const proxyStart = proxy.log.length;
	const actionsBefore = actions?.();
	const cpuBefore = n8n.cpuSeconds();
	const wallBefore = Date.now();
	const samples = [];
	for (let index = 0; index < N; index++) samples.push(await cycle(`${index + 1}/${N}`));
	await sleep(QUIET_MS);
	const executions = (await allFinished(n8n, workflowId)).filter((execution) => !before.has(execution.id));
	const cpuSeconds = n8n.cpuSeconds() - cpuBefore;
	const wallSeconds = (Date.now() - wallBefore) / 1000;
	const actionsAfter = actions?.();
	const deliveries = deliveriesSince(proxy, proxyStart, hookPath);
	const failed = executions.filter((execution) => execution.status !== 'success');
	if (failed.length > 0) throw new Error(`${label}: ${failed.length} execution(s) did not succeed: ${JSON.stringify(failed.slice(0, 3))}`);
	log(`${label}: ${N} changes, ${executions.length} executions, ${cpuSeconds.toFixed(2)} s n8n CPU, ${wallSeconds.toFixed(1)} s wall`);

	// Read after the CPU: fetching run data costs n8n CPU too.
	const runs = await runsOf(n8n, executions, actionNode);
	for (const sample of samples) {
		const run = matchRun(sample, runs);
		if (!run) throw new Error(`${label}: no run of "${actionNode}" for the change at ${new Date(sample.changedAt).toISOString()}`);
		sample.startMs = run.startedAt - sample.changedAt;
		sample.latencyMs = (sample.fixedAt ?? run.finishedAt) - sample.changedAt;
	}
	const actionCount = actions ? actionsAfter - actionsBefore : runs.reduce((sum, run) => sum + run.items.length, 0);
	return metricsOf({ label, samples, executions: executions.length, cpuSeconds, wallSeconds, deliveries, actions: actionCount }, N);
}

/** The runs of `nodeName` in `executions`, oldest first: execution start, the node's end, its output items. */
async function runsOf(n8n, executions, nodeName) {
	const runs = [];
	for (const { id, startedAt } of executions) {
		const run = (await n8n.getExecution(id)).data?.resultData?.runData?.[nodeName]?.[0];
		if (!run) continue;
		runs.push({
			startedAt: Date.parse(startedAt),
			finishedAt: run.startTime + run.executionTime,
			items: (run.data?.main?.[0] ?? []).map((item) => item.json),
		});
	}
	return runs.sort((x, y) => x.startedAt - y.startedAt);
}

// ---- Chatwoot: S1 reopens ---------------------------------------------------------------------------------

async function chatwootScenario(stack) {
	const { n8n, proxy } = stack;
	const sim = createChatwootSimulator({ version: '4.15.1' });
	await sim.start();
	try {
		const admin = sim.tokens().administrator;
		const evolution = createEvolutionClient({ chatwootUrl: sim.url, token: admin });
		const toggles = () => sim.requests().filter((request) => request.method === 'POST' && /\/toggle_status$/.test(request.path)).length;
		let phones = 0;

		/**
		 * A new WhatsApp customer (a new conversation, pending in the bot inbox; the example opens it, the hand-built
		 * chain, which sees only conversation_status_changed, leaves it pending); then S1 cycles.
		 */
		async function customer(label, hookPath, { opensNewConversations }) {
			const phone = `55119876500${++phones}`;
			const { conversationId } = await evolution.receiveMessage({ phone, text: 'Oi, preciso de ajuda' });
			if (opensNewConversations) {
				await waitUntil(`${label}: new conversation ${conversationId} opened`, () => sim.getConversation(conversationId).status === 'open');
			}
			await sim.idle();
			await sleep(QUIET_MS);
			return async (cycleLabel) => {
				await sim.setStatus(conversationId, 'resolved');
				await sim.idle();
				await sleep(QUIET_MS);
				const from = proxy.log.length;
				const changedAt = Date.now();
				await evolution.receiveMessage({ phone, text: 'Voltei, ainda não funcionou' });
				const fixedAt = await waitUntil(`${label} ${cycleLabel}: conversation ${conversationId} open again`, () => sim.getConversation(conversationId).status === 'open');
				await sim.idle();
				await sleep(QUIET_MS);
				return { changedAt, fixedAt, changeDeliveries: deliveriesSince(proxy, from, hookPath) };
			};
		}

		// Cycles run one after the other: a change's execution is the first one acting after it was made.
		const matchRun = (sample, runs) => runs.find((run) => run.startedAt >= sample.changedAt);

		async function run(label, workflowId, hookPath, actionNode, opensNewConversations = false) {
			const cycle = await customer(label, hookPath, { opensNewConversations });
			return await phase(stack, { label, workflowId, hookPath, cycle, actionNode, matchRun, actions: toggles });
		}

		// (a) example 1 with the trigger, which registers its own webhook.
		const credential = await stack.chatwootCredential(sim, { token: admin });
		const example = await stack.importExample('chatwoot-reopen-as-open.json', { credentials: { chatwootApi: credential } });
		await n8n.activateWorkflow(example.id);
		const [registered] = sim.webhooks();
		const a = await run('chatwoot (a)', example.id, new URL(registered.url).pathname, 'Force Open', true);
		await n8n.deactivateWorkflow(example.id);

		// (b) the hand-built chain; its webhook added by hand in Chatwoot (Settings → Integrations → Webhooks).
		const headerAuth = await n8n.createCredential({
			name: 'Chatwoot api_access_token',
			type: 'httpHeaderAuth',
			data: { name: 'api_access_token', value: admin },
		});
		const handmade = prepareHandmade('handmade-chatwoot.json', { baseUrl: sim.url, credential: headerAuth });
		const stored = await n8n.createWorkflow(handmade.workflow);
		await n8n.activateWorkflow(stored.id);
		const url = n8n.webhookUrl(handmade.path);
		const hook = sim.addWebhook({ url, subscriptions: HANDMADE_SUBSCRIPTIONS.chatwoot });
		const b = await run('chatwoot (b)', stored.id, new URL(url).pathname, 'Open it');
		const patched = await fetch(`${sim.url}/api/v1/accounts/${sim.ids().accountId}/webhooks/${hook.id}`, {
			method: 'PATCH',
			headers: { 'content-type': 'application/json', api_access_token: admin },
			body: JSON.stringify({ subscriptions: MINIMAL_SUBSCRIPTIONS.chatwoot }),
		});
		if (!patched.ok) throw new Error(`updating the hand-made Chatwoot webhook: ${patched.status}`);
		const bMinimal = await run("chatwoot (b')", stored.id, new URL(url).pathname, 'Open it');
		await n8n.deactivateWorkflow(stored.id);

		return {
			key: 'chatwoot',
			title: `Chatwoot S1 reopen (simulator 4.15.1, bot inbox, EvolutionAPI feeder), N = ${N}`,
			action: 'toggle_status calls',
			subscriptions: { trigger: registered.subscriptions, handmade: HANDMADE_SUBSCRIPTIONS.chatwoot, minimal: MINIMAL_SUBSCRIPTIONS.chatwoot },
			phases: [a, b, bMinimal],
		};
	} finally {
		await sim.stop();
	}
}

// ---- FreeScout: close via send -----------------------------------------------------------------------------

async function freescoutScenario(stack) {
	const { n8n, proxy } = stack;
	const sim = createFreeScoutSimulator({ moduleVersion: MODULE_VERSION, undoDelayMs: UNDO_DELAY_MS });
	await sim.start();
	try {
		let conversations = 0;
		const cycleFor = (label, hookPath) => async (cycleLabel) => {
			const conversationId = sim.createConversation({ subject: `Printer on fire ${++conversations}`, text: 'Help!' });
			await sim.idle(30_000);
			await sleep(QUIET_MS);
			const from = proxy.log.length;
			const changedAt = Date.now();
			sim.replyFromUi(conversationId, { text: 'Fixed, closing.', status: 'closed' });
			await sim.idle(30_000 + UNDO_DELAY_MS);
			await sleep(QUIET_MS);
			if (sim.getConversation(conversationId).status !== 'closed') throw new Error(`${label} ${cycleLabel}: not closed`);
			return { conversationId, changedAt, changeDeliveries: deliveriesSince(proxy, from, hookPath) };
		};

		// The notification of a change is the first one built for its conversation.
		const matchRun = (sample, runs) => runs.find((run) => run.items.some((item) => Number(item.conversationId) === sample.conversationId));

		async function run(label, workflowId, hookPath) {
			return await phase(stack, { label, workflowId, hookPath, cycle: cycleFor(label, hookPath), actionNode: NOTIFICATION, matchRun });
		}

		// (a) example 2 with the trigger, which registers its own webhook.
		const credential = await stack.freeScoutCredential(sim);
		const example = await stack.importExample('freescout-close-and-reopen.json', { credentials: { freeScoutApi: credential } });
		await n8n.activateWorkflow(example.id);
		const [registered] = sim.getWebhooks();
		const a = await run('freescout (a)', example.id, new URL(registered.url).pathname);
		await n8n.deactivateWorkflow(example.id);

		// (b) the hand-built chain; its webhook added by hand in Manage → API & Webhooks.
		const handmade = prepareHandmade('handmade-freescout.json');
		const stored = await n8n.createWorkflow(handmade.workflow);
		await n8n.activateWorkflow(stored.id);
		const url = n8n.webhookUrl(handmade.path);
		const hook = sim.addWebhook(url, HANDMADE_SUBSCRIPTIONS.freescout);
		// FreeScout's queue worker keeps the webhook list it read during (a): an admin runs queue:restart after adding one.
		sim.restartQueueWorker();
		const b = await run('freescout (b)', stored.id, new URL(url).pathname);
		const removed = await fetch(`${sim.url}/api/webhooks/${hook.id}`, { method: 'DELETE', headers: { 'X-FreeScout-API-Key': sim.apiKey } });
		if (!removed.ok) throw new Error(`deleting the hand-made FreeScout webhook: ${removed.status}`);
		sim.addWebhook(url, MINIMAL_SUBSCRIPTIONS.freescout);
		sim.restartQueueWorker();
		const bMinimal = await run("freescout (b')", stored.id, new URL(url).pathname);
		await n8n.deactivateWorkflow(stored.id);

		return {
			key: 'freescout',
			title: `FreeScout close via send (simulator, module ${MODULE_VERSION}), N = ${N}`,
			action: 'notifications built',
			subscriptions: { trigger: registered.events, handmade: HANDMADE_SUBSCRIPTIONS.freescout, minimal: MINIMAL_SUBSCRIPTIONS.freescout },
			phases: [a, b, bMinimal],
		};
	} finally {
		await sim.stop();
	}
}

// ---- runs --------------------------------------------------------------------------------------------------

/** Both scenarios in a freshly started n8n with the setting's environment. */
async function measure(setting, run) {
	log(`== run ${run}/${RUNS}: ${setting.title}`);
	const before = os.loadavg()[0];
	// n8n behind the e2e proxy (its N8N_WEBHOOK_URL, which also timestamps every delivery).
	const stack = await startStack({ n8nVersion: N8N_VERSION, log, env: { ...setting.env, ...EXTRA_ENV } });
	try {
		const idleRate = await settledIdleRate(stack.n8n);
		const scenarios = [await chatwootScenario(stack), await freescoutScenario(stack)];
		return { setting, run, idleRate, load: { before, after: os.loadavg()[0] }, scenarios };
	} finally {
		await stack.stop();
	}
}

async function main() {
	const { nodeBin, n8nDir } = await ensureRuntime({ n8nVersion: N8N_VERSION, log });
	const n8nVersion = JSON.parse(fs.readFileSync(path.join(n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8')).version;
	const n8nNode = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
	const cpus = os.cpus();
	console.log(
		[
			`## n8n ${n8nVersion} on Node ${n8nNode} (benchmark on Node ${process.version}), ${cpus.length} x ${cpus[0]?.model ?? 'CPU'}`,
			`Settings: ${SELECTED.map((setting) => setting.title).join('; ')}; extra n8n environment: ${JSON.stringify(EXTRA_ENV)}.`,
			`${RUNS} run(s); per phase N = ${N} measured changes after ${WARMUP} warm-up changes.`,
			'n8n CPU: utime+stime (and reaped children) of n8n and its child processes (the task runner) from /proc,',
			'read before and after the measured cycles of a phase, divided by N. Each phase runs alone, with only its own webhook registered.',
			'Latency: from the request that makes the change (the customer message to Chatwoot; the Send & Close in FreeScout)',
			'to the fix: Chatwoot, the conversation is open again in the simulator (polled every 2 ms); FreeScout, the',
			"notification (Set) node finished its first run for that conversation (n8n's run data).",
			'',
		].join('\n'),
	);
	const measurements = [];
	for (let run = 1; run <= RUNS; run++) {
		for (const setting of SELECTED) {
			const measurement = await measure(setting, run);
			measurements.push(measurement);
			console.log(runReport(measurement));
			if (args.json) fs.writeFileSync(args.json, `${JSON.stringify({ n8nVersion, n8nNode, N, measurements }, null, 2)}\n`);
		}
	}
	console.log(`## Summary over ${RUNS} run(s): median (min-max)\n\n${summaryReport(measurements, MAJOR)}`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
