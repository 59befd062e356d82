'use strict';
// Where n8n's CPU goes per kind of delivery to the trigger (a script, not a test): one real n8n with the FreeScout
// example (examples/freescout-close-and-reopen.json: To Status resolved or open, no new conversations) and the
// FreeScout simulator. Per iteration, on a new conversation:
//   filtered   the status menu sets it pending: a convo.status the trigger's filter drops (no execution);
//   execution  "send & close": the convo.status that starts the one execution (trigger + Set node);
//   ignored    the reply event of that Send & Close, sent after the undo window: the close again, nothing new.
// Each kind is measured in its own window (from the action to the answer plus a quiet time): first `--n` windows
// for n8n's process-tree CPU from /proc, then `--n` windows with n8n's main thread profiled over the inspector
// (V8's sampling profiler, Chrome DevTools protocol; the samples of each window). Prints per kind and delivery: CPU from /proc, the profiled
// main-thread time by code origin (this package, n8n-workflow, n8n-core, n8n, other modules, node, GC), the time
// inside this package's frames (with what they call), and the functions holding the most time.
//
// Needs a WebSocket client: Node 22+ or Node 20 with --experimental-websocket. After `npm run build`:
//   node --experimental-websocket scripts/bench-profile.js [--n 20] [--n8n-version 2.41.1|1.123.81]
//        [--setting lazy|defaults] [--conversations 1000] [--undo-ms 2000] [--out profiled.cpuprofile]
//        [--n8n-env KEY=VALUE ...]
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { createFreeScoutSimulator } = require('../test/simulators/freescout');
const { DEFAULT_N8N_VERSION, N8N_VERSIONS } = require('../test/e2e/runtime/install');
const { startStack } = require('../test/e2e/support/stack');
const { settingsFor, parseEnvPairs, waitUntil, allFinished, settledIdleRate, sleep } = require('./bench-e2e-support');

const { values: args } = parseArgs({
	options: {
		n: { type: 'string', default: '20' },
		'n8n-version': { type: 'string', default: DEFAULT_N8N_VERSION },
		// Default: lazy isolates where the line has them.
		setting: { type: 'string' },
		'undo-ms': { type: 'string', default: '2000' },
		// Conversations that exist before activation: the trigger's priming reads them into its memory (at most its
		// Remembered Conversations), so the memory n8n stores and loads per delivery is as large as in use. Above
		// the option's default of 1000, the trigger is set to remember that many.
		conversations: { type: 'string', default: '1000' },
		// V8's sampling interval in microseconds.
		interval: { type: 'string', default: '250' },
		out: { type: 'string' },
		'n8n-env': { type: 'string', multiple: true, default: [] },
	},
});
const N8N_VERSION = args['n8n-version'];
if (!N8N_VERSIONS.includes(N8N_VERSION)) throw new Error(`--n8n-version takes one of ${N8N_VERSIONS.join(', ')}`);
const SETTING = settingsFor(N8N_VERSION, args.setting).at(-1);
const N = Number(args.n);
// Long enough for the close's execution to finish before the reply event arrives.
const UNDO_DELAY_MS = Number(args['undo-ms']);
const INTERVAL_US = Number(args.interval);
const EXISTING = Number(args.conversations);
if (!(N > 0) || !(UNDO_DELAY_MS > 0) || !(INTERVAL_US > 0) || !(EXISTING >= 0)) {
	throw new Error('--n, --undo-ms, --interval and --conversations take numbers');
}
if (typeof WebSocket === 'undefined') throw new Error('needs a WebSocket client: Node 22+, or node --experimental-websocket');

const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).name;
// After the answer (and the execution): n8n saves static data and the execution after it answered.
const QUIET_MS = 300;
const KINDS = ['filtered', 'execution', 'ignored'];
const TOP = 15;
// A window above this much n8n CPU holds an isolate's work (created or torn down), not only the delivery's own.
const OUTLIER_MS = 50;

const log = (line) => process.stderr.write(`${line}\n`);

// ---- the inspector ---------------------------------------------------------------------------------------

// What node logs when its inspector listens; n8n's main logs it first (its task runner inherits NODE_OPTIONS).
const INSPECTOR_URL = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/;

/** A Chrome DevTools protocol session on n8n's main process (NODE_OPTIONS=--inspect=127.0.0.1:0). */
async function inspect(n8n) {
	await waitUntil("the inspector's address in n8n's log", () => INSPECTOR_URL.test(n8n.currentLog()), { timeoutMs: 10_000, intervalMs: 100 });
	const [url] = INSPECTOR_URL.exec(n8n.currentLog());
	const socket = new WebSocket(url);
	await new Promise((resolve, reject) => {
		socket.onopen = resolve;
		socket.onerror = () => reject(new Error(`cannot connect to n8n's inspector at ${url}`));
	});
	let lastId = 0;
	const pending = new Map();
	socket.onmessage = (event) => {
		const message = JSON.parse(event.data);
		const waiting = pending.get(message.id);
		if (!waiting) return;
		pending.delete(message.id);
		if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`));
		else waiting.resolve(message.result);
	};
	return {
		send: (method, params = {}) =>
			new Promise((resolve, reject) => {
				const id = ++lastId;
				pending.set(id, { method, resolve, reject });
				socket.send(JSON.stringify({ id, method, params }));
			}),
		close: () => socket.close(),
	};
}

// ---- reading profiles --------------------------------------------------------------------------------------

/** Where a frame's code comes from. */
function originOf({ url, functionName }) {
	if (!url) return functionName.startsWith('(') ? functionName : 'native / V8';
	if (url.includes(`/${PACKAGE_NAME}/`)) return 'this package';
	if (url.startsWith('node:')) return 'node';
	const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url.slice(url.lastIndexOf('/node_modules/')));
	return match ? match[1] : 'other';
}

const frameName = ({ functionName, url, lineNumber }) =>
	`${functionName || '(anonymous)'} ${url ? `${url.slice(url.lastIndexOf('/node_modules/') + 14)}:${lineNumber + 1}` : ''}`.trim();

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Per kind, the samples that fall in one of its windows ({kind, from, to}, in order, in monotonic µs): self time
 * per origin and function, time per function on the stack, time inside this package's frames.
 */
function tallyByWindow(profile, windows) {
	const tallies = Object.fromEntries(KINDS.map((kind) => [kind, newTally()]));
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	let time = profile.startTime;
	let current = 0;
	for (let index = 0; index < profile.samples.length; index++) {
		time += profile.timeDeltas[index];
		while (current < windows.length && windows[current].to < time) current++;
		if (current === windows.length) break;
		if (time < windows[current].from) continue;
		const tally = tallies[windows[current].kind];
		// A sample stands for the time until the next one.
		const ms = (profile.timeDeltas[index + 1] ?? INTERVAL_US) / 1000;
		const leaf = byId.get(profile.samples[index]);
		if (leaf.callFrame.functionName === '(idle)') continue;
		tally.busy += ms;
		const origin = originOf(leaf.callFrame);
		tally.selfByOrigin.set(origin, (tally.selfByOrigin.get(origin) ?? 0) + ms);
		const self = frameName(leaf.callFrame);
		tally.selfByFunction.set(self, (tally.selfByFunction.get(self) ?? 0) + ms);
		const onStack = new Set();
		let inPackage = false;
		for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
			const frame = byId.get(id).callFrame;
			if (originOf(frame) === 'this package') inPackage = true;
			if (frame.url) onStack.add(frameName(frame));
		}
		if (inPackage) tally.insidePackage += ms;
		for (const name of onStack) tally.totalByFunction.set(name, (tally.totalByFunction.get(name) ?? 0) + ms);
	}
	return tallies;
}

const newTally = () => ({ busy: 0, insidePackage: 0, selfByOrigin: new Map(), selfByFunction: new Map(), totalByFunction: new Map() });

// ---- the windows -------------------------------------------------------------------------------------------

async function main() {
	const env = { ...SETTING.env, ...parseEnvPairs(args['n8n-env']), NODE_OPTIONS: '--inspect=127.0.0.1:0' };
	const stack = await startStack({ n8nVersion: N8N_VERSION, log, env });
	const sim = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: UNDO_DELAY_MS });
	await sim.start();
	let inspector;
	try {
		const { n8n, proxy } = stack;
		inspector = await inspect(n8n);
		await inspector.send('Profiler.enable');
		await inspector.send('Profiler.setSamplingInterval', { interval: INTERVAL_US });

		for (let index = 1; index <= EXISTING; index++) sim.createConversation({ subject: `Earlier ${index}`, text: 'Hello' });
		await sim.idle(60_000);
		const credential = await stack.freeScoutCredential(sim);
		const example = await stack.importExample('freescout-close-and-reopen.json', {
			credentials: { freeScoutApi: credential },
			triggerOptions: EXISTING > 1000 ? { rememberedConversations: EXISTING } : undefined,
		});
		await n8n.activateWorkflow(example.id);
		const [registered] = sim.getWebhooks();
		const hookPath = new URL(registered.url).pathname;
		const idleRate = await settledIdleRate(n8n);
		const loadBefore = os.loadavg()[0];

		let executions = (await allFinished(n8n, example.id)).length;
		/**
		 * The measured part: `act`, then until the one delivery it causes was answered, then QUIET_MS for what n8n
		 * does after answering (the execution, saving it and the static data). No REST call in it: they cost CPU.
		 */
		async function window(act) {
			const from = proxy.log.length;
			await act();
			await waitUntil('the delivery to be answered', () => proxy.log.slice(from).some((entry) => entry.path === hookPath && entry.forwardedStatus), { intervalMs: 5 });
			await sleep(QUIET_MS);
			const deliveries = proxy.log.slice(from).filter((entry) => entry.path === hookPath).length;
			if (deliveries !== 1) throw new Error(`expected one delivery in the window, got ${deliveries}`);
		}
		async function expectExecutions(count) {
			const finished = (await allFinished(n8n, example.id)).length;
			if (finished !== count) throw new Error(`expected ${count} executions, found ${finished}`);
		}

		/** One iteration: the three kinds in turn on a new conversation, each inside `measured(kind, run)`. */
		let conversations = 0;
		async function iteration(measured) {
			const conversationId = sim.createConversation({ subject: `Profiled ${++conversations}`, text: 'Help!' });
			await sim.idle();
			await sleep(QUIET_MS);
			await measured('filtered', () => window(() => sim.changeStatusFromMenu(conversationId, 'pending')));
			await expectExecutions(executions);
			const repliedAt = Date.now();
			await measured('execution', () => window(() => sim.replyFromUi(conversationId, { text: 'Fixed, closing.', status: 'closed' })));
			await expectExecutions(++executions);
			// The reply event comes UNDO_DELAY_MS after the reply: the window opens just before.
			const replyDueIn = repliedAt + UNDO_DELAY_MS - Date.now();
			if (replyDueIn < 100) throw new Error('the execution took most of the undo window: raise --undo-ms');
			await sleep(replyDueIn - 50);
			await measured('ignored', () => window(() => sim.idle(10_000)));
			await expectExecutions(executions);
		}

		log('warming up');
		for (let index = 0; index < 2; index++) await iteration((kind, run) => run());
		const procCpu = Object.fromEntries(KINDS.map((kind) => [kind, []]));
		log(`${N} iterations: n8n CPU from /proc`);
		for (let index = 0; index < N; index++) {
			await iteration(async (kind, run) => {
				const before = n8n.cpuSeconds();
				await run();
				procCpu[kind].push(n8n.cpuSeconds() - before);
			});
		}
		log(`${N} iterations: profiled`);
		// Starting the profiler takes about half a second (V8 lists all code), so it runs through every window, and
		// each sample is given to the window its time falls in: V8 stamps samples with the monotonic clock that
		// process.hrtime reads too.
		const windows = [];
		await inspector.send('Profiler.start');
		for (let index = 0; index < N; index++) {
			await iteration(async (kind, run) => {
				const from = monotonicMicros();
				await run();
				windows.push({ kind, from, to: monotonicMicros() });
			});
		}
		const { profile } = await inspector.send('Profiler.stop');
		if (!(profile.startTime <= windows[0].from && profile.endTime >= windows.at(-1).to)) {
			throw new Error("the profile's times are not those of process.hrtime: cannot tell the windows apart");
		}
		if (args.out) fs.writeFileSync(args.out, JSON.stringify(profile));
		const tallies = tallyByWindow(profile, windows);
		const loadAfter = os.loadavg()[0];
		report({ tallies, procCpu, idleRate, loadBefore, loadAfter, executions });
	} catch (error) {
		log(stack.n8n.logTail(40));
		throw error;
	} finally {
		inspector?.close();
		await sim.stop();
		await stack.stop();
	}
}

// n8n functions whose time grows with what the trigger keeps in static data (their synchronous part only).
const FOLLOWED = [
	['saveStaticData', 'saving the static data the trigger changed'],
	['simpleJsonToString', 'JSON columns written (the static data)'],
	['stringToSimpleJson', 'JSON columns read (the workflow and its static data)'],
];
const followedTime = (tally, name) => sum([...tally.totalByFunction].filter(([frame]) => frame.startsWith(`${name} `)).map(([, ms]) => ms));

const sum = (values) => values.reduce((total, value) => total + value, 0);

function report({ tallies, procCpu, idleRate, loadBefore, loadAfter, executions }) {
	const perDelivery = (ms) => (ms / N).toFixed(2);
	const lines = [
		`## n8n ${N8N_VERSION}, ${SETTING.title}: CPU per delivery to the trigger, by kind (N = ${N} each)`,
		'',
		`Load average (1 min) before ${loadBefore.toFixed(2)}, after ${loadAfter.toFixed(2)}; n8n's idle CPU ${(idleRate * 1000).toFixed(1)} ms per second; ${executions} executions in all; ${EXISTING} conversations before activation; sampling every ${INTERVAL_US} µs.`,
		'',
		`| ms per delivery | ${KINDS.join(' | ')} |`,
		`|---|${KINDS.map(() => '---').join('|')}|`,
		`| n8n CPU from /proc (all threads, not profiled) | ${KINDS.map((kind) => perDelivery(sum(procCpu[kind]) * 1000)).join(' | ')} |`,
		`| of which in windows above ${OUTLIER_MS} ms (count) | ${KINDS.map((kind) => { const high = procCpu[kind].filter((seconds) => seconds * 1000 > OUTLIER_MS); return `${perDelivery(sum(high) * 1000)} (${high.length})`; }).join(' | ')} |`,
		`| main thread busy (profiled) | ${KINDS.map((kind) => perDelivery(tallies[kind].busy)).join(' | ')} |`,
		`| inside this package's frames (with what they call) | ${KINDS.map((kind) => perDelivery(tallies[kind].insidePackage)).join(' | ')} |`,
		...FOLLOWED.map(([name, what]) => `| in n8n's ${name}, ${what} | ${KINDS.map((kind) => perDelivery(followedTime(tallies[kind], name))).join(' | ')} |`),
	];
	const origins = [...new Set(KINDS.flatMap((kind) => [...tallies[kind].selfByOrigin.keys()]))];
	origins.sort((x, y) => KINDS.reduce((sum, kind) => sum + (tallies[kind].selfByOrigin.get(y) ?? 0) - (tallies[kind].selfByOrigin.get(x) ?? 0), 0));
	for (const origin of origins) {
		lines.push(`| self time in ${origin} | ${KINDS.map((kind) => perDelivery(tallies[kind].selfByOrigin.get(origin) ?? 0)).join(' | ')} |`);
	}
	for (const kind of KINDS) {
		const top = (map) => [...map].sort((x, y) => y[1] - x[1]).slice(0, TOP);
		lines.push('', `### ${kind}: functions on the stack the longest (ms per delivery, with callees)`, '');
		for (const [name, ms] of top(tallies[kind].totalByFunction)) lines.push(`- ${perDelivery(ms)} ${name}`);
		lines.push('', `### ${kind}: most self time (ms per delivery)`, '');
		for (const [name, ms] of top(tallies[kind].selfByFunction)) lines.push(`- ${perDelivery(ms)} ${name}`);
	}
	console.log(lines.join('\n'));
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
