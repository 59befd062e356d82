'use strict';
// Long-running child processes of the end-to-end runtime (n8n, Redis, PostgreSQL): free loopback ports,
// detached starts with the output in a log file, and stops that take the whole process tree down.
// Every started process is registered here so that nothing outlives the caller: a synchronous 'exit'
// hook kills leftovers, and optional SIGINT/SIGTERM hooks stop everything cleanly first.
const fs = require('node:fs');
const net = require('node:net');
const { spawn } = require('node:child_process');

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux x86_64/arm64 kernel

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Anything with stop() (async) and killNow() (sync) that must not outlive this process.
const running = new Set();
let exitHookInstalled = false;
let signalHooksInstalled = false;

/** Registers `resource` ({stop, killNow}) until `forget` is called. */
function track(resource, { signals = true } = {}) {
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const leftover of running) leftover.killNow();
		});
	}
	if (signals && !signalHooksInstalled) {
		signalHooksInstalled = true;
		for (const [signal, code] of [
			['SIGINT', 130],
			['SIGTERM', 143],
		]) {
			process.once(signal, () => {
				Promise.allSettled([...running].map((leftover) => leftover.stop())).finally(() => process.exit(code));
			});
		}
	}
	running.add(resource);
	return () => running.delete(resource);
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

/** `count` distinct free loopback ports, none of them in `taken`. */
async function freePorts(count, taken = []) {
	const ports = new Set();
	while (ports.size < count) {
		const port = await freePort();
		if (!taken.includes(port)) ports.add(port);
	}
	return [...ports];
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
	const members = new Map(table.filter((p) => p.pid === rootPid || p.pgrp === rootPid).map((p) => [p.pid, p]));
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

/** user+system CPU seconds used so far by `rootPid` and its (live or reaped) children. */
function cpuSeconds(rootPid) {
	return processTree(rootPid).reduce((sum, p) => sum + p.ticks, 0) / CLOCK_TICKS_PER_SECOND;
}

/** Polls `check` until it returns something truthy; `stillRunning()` false (or a thrown check) ends it early. */
async function waitFor(what, timeoutMs, check, { intervalMs = 200, failIf } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const result = await check();
		if (result) return result;
		const failure = failIf?.();
		if (failure) throw new Error(`${failure} while waiting for ${what}`);
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/**
 * Starts `command args` in its own process group with stdout+stderr appended to `logFile`.
 * @returns {{pid: number, exited: Promise<object>, exitStatus: object|undefined, cpuSeconds(): number,
 *   stop(options?): Promise<void>, killNow(): void}} stop() sends SIGTERM to the group, SIGKILL after
 *   `timeoutMs` (default 10 s) and waits until no process of the tree is left.
 */
function startDetached(command, args, { cwd, env, logFile, log = () => {}, label = command }) {
	const logFd = fs.openSync(logFile, 'a');
	const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', logFd, logFd] });
	fs.closeSync(logFd);
	child.unref();
	let stopping;
	const handle = {
		pid: child.pid,
		exitStatus: undefined,
		exited: new Promise((resolve) => {
			child.once('exit', (code, signal) => resolve((handle.exitStatus = { code, signal })));
			child.once('error', (error) => resolve((handle.exitStatus = { error: error.message })));
		}),
		cpuSeconds: () => cpuSeconds(child.pid),
		stop({ timeoutMs = 10_000 } = {}) {
			stopping ??= (async () => {
				if (!handle.exitStatus) {
					signalTree(child.pid, 'SIGTERM');
					const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs, 'timeout'));
					if ((await Promise.race([handle.exited, timer])) === 'timeout') {
						log(`${label} (pid ${child.pid}) ignored SIGTERM for ${timeoutMs} ms: SIGKILL`);
					}
				}
				// Leftovers (e.g. a task runner that outlived its parent) are killed outright.
				signalTree(child.pid, 'SIGKILL');
				await handle.exited;
				await waitFor(`${label}'s processes to exit`, 5_000, () => processTree(child.pid).length === 0, {
					intervalMs: 50,
				});
			})();
			return stopping;
		},
		killNow: () => signalTree(child.pid, 'SIGKILL'),
	};
	return handle;
}

/** The last `lines` lines of a log file (or "(no log)"). */
function logTail(logFile, lines = 60) {
	try {
		return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

module.exports = { track, freePort, freePorts, processTree, cpuSeconds, startDetached, waitFor, logTail, sleep };
