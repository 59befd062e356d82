'use strict';
// `npm run demo`: this package in a real n8n (2.41.1, or 1.123.81 with --n8n-version; Node 24 runtime under
// .runtime/, installed on the first run) with the three example workflows active against the Chatwoot and
// FreeScout simulators, and scripted scenarios that make executions appear. Run `node scripts/demo.js --help`
// for the flags. The parts live in scripts/demo/: options, start (and setup), observe, scenarios/, print.
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
const readline = require('node:readline');
const { parseOptions, USAGE } = require('./demo/options');
const { printBanner, printMenu, printExecution, resultLines } = require('./demo/print');
const { SCENARIOS, findScenario } = require('./demo/scenarios');
const { DEFAULT_PORT, DEFAULT_SIM_PORT } = require('./demo/settings');
const { startDemo } = require('./demo/start');

async function main() {
	const options = parseOptions(process.argv.slice(2));
	if (options.help) {
		console.log(USAGE);
		return;
	}
	const print = (line) => console.log(line);
	// Lines that arrive at any time (executions, results, progress) go over the menu's prompt once it is up, not
	// into it: on a terminal the prompt line is cleared first; into a file or pipe no cursor codes, just the line.
	let menu = null;
	const overPrompt = (write) => (line) => {
		if (menu && process.stdout.isTTY) {
			readline.clearLine(process.stdout, 0);
			readline.cursorTo(process.stdout, 0);
		}
		write(line);
		menu?.prompt(true);
	};
	const say = overPrompt(print);
	const log = overPrompt((line) => process.stderr.write(`${line}\n`));
	const demo = await startDemo({ ...options, log });
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
	menu = rl;
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
		menu = null;
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
