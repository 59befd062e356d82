// Runs `npm run simulators` (scripts/simulators.js) as its own process for tests (which may not start processes
// under the project's lint rules): its output, keys sent to it, and its exit.
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'simulators.js');

/** Starts the command with `args`; resolves once it printed its menu (or exited). */
function startSimulatorsCommand(args) {
	const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
	let output = '';
	const waiters = [];
	const check = () => {
		for (const waiter of [...waiters]) {
			if (waiter.test(output)) {
				waiters.splice(waiters.indexOf(waiter), 1);
				waiter.resolve(output);
			}
		}
	};
	child.stdout.on('data', (chunk) => {
		output += chunk;
		check();
	});
	child.stderr.on('data', (chunk) => {
		output += chunk;
		check();
	});
	const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
	const command = {
		output: () => output,
		exited,
		/** Resolves with the whole output once `pattern` appears in it (rejects after `timeoutMs`). */
		waitFor(pattern, timeoutMs = 20_000) {
			return new Promise((resolve, reject) => {
				const waiter = { test: (text) => pattern.test(text), resolve };
				waiters.push(waiter);
				check();
				setTimeout(() => reject(new Error(`no ${pattern} in the output:\n${output}`)), timeoutMs).unref();
			});
		},
		send(line) {
			child.stdin.write(`${line}\n`);
		},
		async stop() {
			if (child.exitCode === null) child.kill('SIGTERM');
			return exited;
		},
	};
	return command;
}

/** A port that was free a moment ago on 127.0.0.1 (for a command or simulator that must be given one). */
function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

module.exports = { startSimulatorsCommand, freePort };
