#!/usr/bin/env node
'use strict';
// `npm run simulators`: the Chatwoot and FreeScout simulators of test/simulators/ on their own, to try the nodes in
// your own n8n without a Chatwoot or FreeScout. Prints what to enter in n8n's credentials, lists every webhook the
// simulators deliver, and on a key press plays a customer or an agent. Options: --chatwoot-port, --freescout-port
// (default 5686 and 5687), --host (default 127.0.0.1; 0.0.0.0 lets an n8n in Docker reach them), --help.
const readline = require('node:readline');
const { createChatwootSimulator } = require('../test/simulators/chatwoot');
const { createFreeScoutSimulator } = require('../test/simulators/freescout');

// Fixed secrets, so the credentials you enter keep working when the simulators restart (their data does not).
const CHATWOOT_TOKENS = {
	administrator: 'simulator-chatwoot-administrator-token',
	agent: 'simulator-chatwoot-agent-token',
	bot: 'simulator-chatwoot-bot-token',
};
const FREESCOUT_API_KEY = '5a1f0c7e9b3d42e8a6c1f0b9d8e7a6c5';
const FREESCOUT_SECRET_KEY = 'c3e9a1b7d5f24c6e8a0b2d4f6a8c0e1b';

const USAGE = `npm run simulators [-- --chatwoot-port <port>] [--freescout-port <port>] [--host <address>]

Starts simulators of Chatwoot 4.15.1 and FreeScout (API & Webhooks module 1.0.82) for your own n8n.
  --chatwoot-port   port of the Chatwoot simulator (default 5686)
  --freescout-port  port of the FreeScout simulator (default 5687)
  --host            address to listen on (default 127.0.0.1; 0.0.0.0 for an n8n in Docker)`;

/** The command line as {chatwootPort, freescoutPort, host, help}; throws on anything it does not know. */
function parseArguments(args) {
	const options = { chatwootPort: 5686, freescoutPort: 5687, host: '127.0.0.1', help: false };
	const ports = { '--chatwoot-port': 'chatwootPort', '--freescout-port': 'freescoutPort' };
	for (let index = 0; index < args.length; index++) {
		const [flag, inline] = args[index].split(/=(.*)/s, 2);
		const value = () => {
			const given = inline ?? args[++index];
			if (given === undefined) throw new Error(`${flag} needs a value`);
			return given;
		};
		if (flag === '--help' || flag === '-h') options.help = true;
		else if (flag === '--host') options.host = value();
		else if (ports[flag]) {
			const given = value();
			const port = Number(given);
			if (!/^\d+$/.test(given) || port < 1 || port > 65535) throw new Error(`${flag} must be a port number from 1 to 65535, not "${given}"`);
			options[ports[flag]] = port;
		} else throw new Error(`unknown argument "${args[index]}"`);
	}
	if (options.chatwootPort === options.freescoutPort) throw new Error('the two simulators need different ports');
	return options;
}

/** The address n8n enters as Base URL: the listening address, or this machine when it listens everywhere. */
function baseUrl(host, port) {
	const shown = host === '0.0.0.0' || host === '::' ? '<this machine’s address>' : host;
	return `http://${shown}:${port}`;
}

function credentialsText({ chatwoot, freescout, options }) {
	return [
		'Enter these in your n8n (Credentials → Add credential):',
		'',
		'  Chatwoot API',
		`    Base URL        ${baseUrl(options.host, options.chatwootPort)}`,
		`    Account ID      ${chatwoot.ids().accountId}`,
		`    Access Token    ${CHATWOOT_TOKENS.administrator}   (an administrator; the agent's is ${CHATWOOT_TOKENS.agent})`,
		'    Webhook Secret  (leave empty)',
		'',
		'  FreeScout API',
		`    Base URL            ${baseUrl(options.host, options.freescoutPort)}`,
		`    API Key             ${FREESCOUT_API_KEY}`,
		`    Webhook Secret Key  ${FREESCOUT_SECRET_KEY}`,
		'    Default User ID     0',
		'',
		'Then import an example from examples/ (or add the nodes) and publish it: the trigger registers its webhook here.',
		"The simulators deliver webhooks to n8n's webhook URL, which must be on this machine (N8N_WEBHOOK_URL, e.g.",
		'http://localhost:5678/; the FreeScout simulator delivers to loopback addresses only). They keep their data in',
		'memory: a restart starts from the conversations below again.',
	].join('\n');
}

const MENU = `
  1  Chatwoot: the customer writes to the resolved conversation (bot inbox: it reopens as pending, story S1)
  2  Chatwoot: an agent resolves the conversation
  3  Chatwoot: a new conversation in the bot inbox
  4  FreeScout: an agent answers with Send & Close (the reply event follows after FreeScout's 15 s undo window)
  5  FreeScout: the customer answers the conversation by e-mail (a closed one reopens)
  6  FreeScout: a new conversation
  s  every conversation's status        q  quit`;

async function main() {
	const options = parseArguments(process.argv.slice(2));
	if (options.help) {
		console.log(USAGE);
		return;
	}
	const chatwoot = createChatwootSimulator({ version: '4.15.1', tokens: CHATWOOT_TOKENS });
	const freescout = createFreeScoutSimulator({ apiKey: FREESCOUT_API_KEY, secretKey: FREESCOUT_SECRET_KEY });
	await chatwoot.start({ port: options.chatwootPort, host: options.host });
	await freescout.start({ port: options.freescoutPort, host: options.host });

	// One conversation of each kind to begin with: a resolved one in Chatwoot's bot inbox, an active one in FreeScout.
	const current = {};
	current.chatwoot = (await chatwoot.createConversation({ inboxId: chatwoot.ids().apiInboxId })).result;
	await chatwoot.setStatus(current.chatwoot, 'resolved');
	current.freescout = freescout.createConversation({ subject: 'Order 1001', text: 'Where is my order?' });
	await chatwoot.idle();

	console.log(`Chatwoot simulator on ${chatwoot.url}, FreeScout simulator on ${freescout.url}\n`);
	console.log(credentialsText({ chatwoot, freescout, options }));
	const statuses = () =>
		`Chatwoot conversation ${current.chatwoot}: ${chatwoot.getConversation(current.chatwoot).status}; ` +
		`FreeScout conversation ${current.freescout}: ${freescout.getConversation(current.freescout).status}`;
	console.log(`\n${statuses()}`);

	// Every delivery as it happens, from either simulator.
	const seen = { chatwoot: chatwoot.deliveries().length, freescout: freescout.getDeliveries().length };
	const watch = setInterval(() => {
		const chatwootNew = chatwoot.deliveries().slice(seen.chatwoot);
		const freescoutNew = freescout.getDeliveries().slice(seen.freescout);
		seen.chatwoot += chatwootNew.length;
		seen.freescout += freescoutNew.length;
		for (const d of chatwootNew) console.log(`  Chatwoot webhook ${d.event} → ${d.url}: ${d.error ?? d.status}`);
		for (const d of freescoutNew) console.log(`  FreeScout webhook ${d.event} → ${d.url}: ${d.error ?? d.responseStatus}`);
	}, 300);

	const actions = {
		1: () => chatwoot.receiveMessage(current.chatwoot, 'Hello again, it is still not working'),
		2: () => chatwoot.setStatus(current.chatwoot, 'resolved'),
		3: async () => {
			current.chatwoot = (await chatwoot.createConversation({ inboxId: chatwoot.ids().apiInboxId })).result;
		},
		4: () => freescout.replyFromUi(current.freescout, { text: 'Solved, closing this.', status: 'closed' }),
		5: () => freescout.customerEmailReply(current.freescout, 'Thanks, one more question'),
		6: () => {
			current.freescout = freescout.createConversation({ subject: 'Printer on fire', text: 'Room 4.' });
		},
		s: () => undefined,
	};

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		clearInterval(watch);
		await Promise.all([chatwoot.stop(), freescout.stop()]);
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);

	// Keys come from the terminal, or line by line from a pipe; a pipe that ends leaves the simulators running.
	const terminal = Boolean(process.stdin.isTTY);
	console.log(MENU);
	const input = readline.createInterface({ input: process.stdin, output: process.stdout, terminal });
	input.setPrompt('> ');
	input.prompt();
	input.on('line', async (line) => {
		const key = line.trim().toLowerCase();
		if (key === 'q') return void stop();
		const action = actions[key];
		if (!action) console.log(`"${line.trim()}" is not in the menu.${MENU}`);
		else {
			await action();
			console.log(statuses());
		}
		input.prompt();
	});
	input.on('close', () => {
		if (terminal) void stop();
	});
}

if (require.main === module) {
	main().catch((error) => {
		console.error(`npm run simulators: ${error.message}\n\n${USAGE}`);
		process.exit(2);
	});
}

module.exports = { parseArguments, credentialsText, CHATWOOT_TOKENS, FREESCOUT_API_KEY, FREESCOUT_SECRET_KEY };
