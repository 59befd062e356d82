'use strict';
// `npm run demo` (scripts/demo.js) as a child process, on ports other than the defaults:
// 1. `--run s1,s2,reopen --exit`: each scenario ends in the expected state with one execution per change,
//    the demo exits 0 and leaves no process behind.
// 2. The real-platform flags pointed at simulators this test starts (they answer like the real APIs): the
//    demo registers its webhooks there for --webhook-url, shows the executions real changes cause, says the
//    simulator scenarios are unavailable, and on SIGINT removes its webhooks and stops everything.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { createChatwootSimulator } = require('../simulators/chatwoot');
const { createFreeScoutSimulator } = require('../simulators/freescout');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const REOPEN = 'Chatwoot: reopen as Open, not Pending';
const CLOSE_REOPEN = 'FreeScout: every close and reopen, whatever the module version';
const SYNC = 'Keep Chatwoot and FreeScout statuses in sync';

/** Live (non-zombie) processes whose process group is `pgid`. */
function processGroup(pgid) {
	const members = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
		} catch {
			// exited meanwhile
		}
	}
	return members;
}

const portIsFree = (port) =>
	new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});

/** scripts/demo.js with `args`; collects stdout/stderr and offers waiting for output. */
function runDemo(args) {
	// Flags only: none of the demo's environment variables from the caller's shell.
	const env = Object.fromEntries(
		Object.entries(process.env).filter(([key]) => !/^(N8N_|DEMO_|CHATWOOT_|FREESCOUT_)/.test(key)),
	);
	const child = spawn(process.execPath, [path.join('scripts', 'demo.js'), ...args], {
		cwd: REPO_ROOT,
		env,
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	const demo = { child, stdout: '', stderr: '' };
	const waiters = new Set();
	const check = () => {
		for (const waiter of waiters) waiter();
	};
	child.stdout.on('data', (chunk) => {
		demo.stdout += chunk;
		check();
	});
	child.stderr.on('data', (chunk) => {
		demo.stderr += chunk;
		check();
	});
	demo.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	/** Resolves with the match once stdout matches `pattern`. */
	demo.waitFor = (pattern, timeoutMs = 150_000) =>
		new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				waiters.delete(waiter);
				reject(new Error(`no ${pattern} in the demo's output within ${timeoutMs} ms:\n${demo.stdout}\n${demo.stderr}`));
			}, timeoutMs);
			const waiter = () => {
				const match = pattern.exec(demo.stdout);
				if (!match) return;
				waiters.delete(waiter);
				clearTimeout(timer);
				resolve(match);
			};
			waiters.add(waiter);
			demo.exited.then(() => {
				if (!waiters.has(waiter)) return;
				waiters.delete(waiter);
				clearTimeout(timer);
				reject(new Error(`the demo exited before printing ${pattern}:\n${demo.stdout}\n${demo.stderr}`));
			});
			waiter();
		});
	demo.n8nPid = () => Number(/n8n starting: pid (\d+)/.exec(demo.stderr)?.[1]);
	return demo;
}

/** The block a scenario printed: from "[title]" to its "name: ok|FAILED" line. */
function scenarioBlock(stdout, title, name) {
	const start = stdout.indexOf(`[${title}]`);
	expect(start).toBeGreaterThanOrEqual(0);
	const end = stdout.indexOf(`  ${name}: `, start);
	expect(end).toBeGreaterThan(start);
	return stdout.slice(start, stdout.indexOf('\n', end));
}

let running; // the demo process of the current test, killed if the test fails half-way

afterEach(async () => {
	if (running && running.child.exitCode === null && running.child.signalCode === null) {
		running.child.kill('SIGTERM');
		await running.exited;
	}
	running = undefined;
});

test('--run s1,s2,reopen --exit: every scenario ends as expected with one execution per change', async () => {
	const port = 25678;
	const simPort = 25680;
	const demo = (running = runDemo(['--port', String(port), '--sim-port', String(simPort), '--run', 's1,s2,reopen', '--exit']));
	const { code } = await demo.exited;
	const { stdout } = demo;
	expect({ code, stdout }).toEqual({ code: 0, stdout: expect.stringContaining('3 scenario(s) ok, 0 failed') });

	// Only what is true for this run: the runtime is either reused or installed, said once; no first-run notice.
	expect(demo.stderr.match(/reusing Node [\d.]+ and n8n|first use of n8n/g)).toHaveLength(1);
	expect(demo.stderr).not.toMatch(/first run/i);
	expect(stdout).toContain(`n8n editor   http://127.0.0.1:${port}/`);
	expect(stdout).toContain('login        demo@example.com / Demo-Passw0rd');
	for (const name of [REOPEN, CLOSE_REOPEN, SYNC]) expect(stdout).toContain(`active      "${name}"`);

	const s1 = scenarioBlock(stdout, 'S1 reopen', 's1');
	expect(s1).toMatch(/Chatwoot conversation \d+: resolved -> pending \(bot_inbox\) -> open by the workflow, 1 execution\(s\)/);
	expect(s1).toContain('trigger item: resolved -> pending (cause bot_inbox); Force Open: pending -> open, changed true');
	expect(s1).toContain(`new executions: "${REOPEN}" +1, "${CLOSE_REOPEN}" +0, "${SYNC}" +0`);
	expect(s1).toMatch(/\n {2}s1: ok/);

	const s2 = scenarioBlock(stdout, 'S2 close-via-send', 's2');
	const [, closedId] = /FreeScout conversation (\d+): active -> closed by the agent's "Send & Close", 1 execution\(s\)/.exec(s2) ?? [];
	expect(closedId).toMatch(/^\d+$/);
	// Both webhooks of module 1.0.82 reached the trigger; they made one execution.
	expect(s2).toContain('FreeScout delivered 2 webhook(s) to the trigger: convo.status, convo.agent.reply.created');
	expect(s2).toContain(`new executions: "${REOPEN}" +0, "${CLOSE_REOPEN}" +1, "${SYNC}" +0`);
	expect(s2).toMatch(/\n {2}s2: ok/);

	const reopen = scenarioBlock(stdout, 'customer reopen', 'reopen');
	expect(reopen).toContain(`FreeScout conversation ${closedId}: closed -> active by the customer's e-mail reply, 1 execution(s)`);
	expect(reopen).toContain('FreeScout delivered 1 webhook(s) to the trigger: convo.customer.reply.created');
	expect(reopen).toContain('trigger item: resolved -> open (cause customer_message)');
	expect(reopen).toContain(`new executions: "${REOPEN}" +0, "${CLOSE_REOPEN}" +1, "${SYNC}" +0`);
	expect(reopen).toMatch(/\n {2}reopen: ok/);

	// Nothing left behind: n8n's process group is gone and every fixed port is free again.
	expect(demo.n8nPid()).toBeGreaterThan(0);
	expect(processGroup(demo.n8nPid())).toEqual([]);
	for (const fixed of [port, simPort, simPort + 1, simPort + 2, simPort + 3, simPort + 4]) {
		expect([fixed, await portIsFree(fixed)]).toEqual([fixed, true]);
	}
}, 240_000);

test('real-platform flags: webhooks registered at --webhook-url, real changes execute, SIGINT cleans up', async () => {
	const port = 25778;
	const simPort = 25780;
	const chatwoot = createChatwootSimulator({ version: '4.15.1' });
	const freescout = createFreeScoutSimulator({ moduleVersion: '1.0.82', undoDelayMs: 1000 });
	await chatwoot.start();
	await freescout.start();
	try {
		const webhookUrl = `http://localhost:${port}/`;
		const demo = (running = runDemo([
			'--port', String(port),
			'--sim-port', String(simPort),
			'--webhook-url', webhookUrl,
			'--chatwoot-url', chatwoot.url,
			'--chatwoot-token', chatwoot.tokens().administrator,
			'--chatwoot-account', String(chatwoot.ids().accountId),
			'--freescout-url', freescout.url,
			'--freescout-api-key', freescout.apiKey,
			'--freescout-secret', freescout.secretKey,
		]));
		await demo.waitFor(/demo> /);
		const { stdout } = demo;
		expect(stdout).toContain(`Chatwoot     ${chatwoot.url} (real)`);
		expect(stdout).toContain(`FreeScout    ${freescout.url} (real)`);
		expect(stdout).toContain(`active      "${REOPEN}" on Chatwoot at ${chatwoot.url}`);
		expect(stdout).toContain(`active      "${CLOSE_REOPEN}" on FreeScout at ${freescout.url}`);
		expect(stdout).toContain(`not available: Chatwoot is ${chatwoot.url} here, not the simulator`);
		expect(stdout).toContain(`not available: FreeScout is ${freescout.url} here, not the simulator`);

		// The triggers registered themselves in the "real" platforms, at the given webhook URL.
		expect(chatwoot.webhooks().map((hook) => hook.url)).toEqual([expect.stringMatching(`^${webhookUrl}webhook/`)]);
		expect(freescout.getWebhooks().map((hook) => hook.url)).toEqual([expect.stringMatching(`^${webhookUrl}webhook/`)]);

		// The menu refuses a scenario that needs the simulator.
		demo.child.stdin.write('1\n');
		await demo.waitFor(/\[S1 reopen\] not available: Chatwoot is/);

		// Changes made in the platforms themselves show up as executions.
		const { result: chatwootId } = await chatwoot.createConversation();
		await demo.waitFor(new RegExp(`execution \\d+ of "${REOPEN}" success: Chatwoot conversation ${chatwootId}: new -> pending`));
		await chatwoot.idle();
		expect(chatwoot.getConversation(chatwootId).status).toBe('open');

		const freescoutId = freescout.createConversation({ subject: 'Broken link', text: 'The link is broken.' });
		await freescout.idle(10_000);
		freescout.changeStatusFromMenu(freescoutId, 'closed');
		await demo.waitFor(
			new RegExp(`execution \\d+ of "${CLOSE_REOPEN}" success: FreeScout conversation ${freescoutId}: open -> resolved`),
		);

		demo.child.kill('SIGINT');
		const { code } = await demo.exited;
		expect(code).toBe(0);
		// Its output went to a pipe: the lines printed over the prompt carry no terminal control codes.
		expect(demo.stdout).not.toMatch(/\u001b/);
		// Deactivated before n8n stopped: no webhook is left pointing at an n8n that is gone.
		expect(chatwoot.webhooks()).toEqual([]);
		expect(freescout.getWebhooks()).toEqual([]);
		expect(demo.n8nPid()).toBeGreaterThan(0);
		expect(processGroup(demo.n8nPid())).toEqual([]);
		for (const fixed of [port, simPort, simPort + 3, simPort + 4]) {
			expect([fixed, await portIsFree(fixed)]).toEqual([fixed, true]);
		}
	} finally {
		await chatwoot.stop();
		await freescout.stop();
	}
}, 240_000);
