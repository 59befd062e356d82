'use strict';
// The demo's scenarios in menu order, which of them can run with the chosen platforms, and running one.
const { isLoopback } = require('../settings');
const { scenarioS1 } = require('./s1');
const { scenarioS2, scenarioReopen, scenarioRetry } = require('./freescout');
const { scenarioSync } = require('./sync');

const SCENARIOS = [
	{
		name: 's1',
		title: 'S1 reopen',
		description:
			'a WhatsApp customer writes to a resolved Chatwoot conversation; the bot inbox reopens it as pending, the workflow opens it',
		run: scenarioS1,
	},
	{
		name: 's2',
		title: 'S2 close-via-send',
		description: 'a FreeScout agent answers with "Send & Close": two webhooks, one execution',
		run: scenarioS2,
	},
	{
		name: 'reopen',
		title: 'customer reopen',
		description: 'the customer answers a closed FreeScout conversation by e-mail (FreeScout sends only a reply webhook)',
		run: scenarioReopen,
	},
	{
		name: 'retry',
		title: 'retry',
		description: "n8n's answer to a FreeScout webhook is lost (a 502 from the proxy); FreeScout sends it again: still one execution",
		run: scenarioRetry,
	},
	{
		name: 'sync',
		title: 'sync',
		description: 'a status change on one side of the sync pair is copied to the other side; the echo ends there',
		run: scenarioSync,
	},
];

function findScenario(entry) {
	const text = String(entry).trim().toLowerCase();
	return SCENARIOS.find((scenario, index) => scenario.name === text || String(index + 1) === text);
}

/** scenario name -> why it cannot run (absent when it can). */
function scenarioAvailability(context, { realChatwoot, realFreescout, webhookUrl }) {
	const { workflows } = context;
	const reasons = {};
	const simulatorsCannotDeliver =
		webhookUrl && !isLoopback(webhookUrl)
			? `the simulators deliver only to this machine, and n8n's webhook URL is ${webhookUrl}`
			: null;
	const inactive = (key) => (workflows[key].active ? null : `"${workflows[key].name}" is not active: ${workflows[key].error}`);
	const chatwoot = realChatwoot
		? `Chatwoot is ${realChatwoot.url} here, not the simulator: resolve a conversation in an inbox with an agent bot and write to it as the customer, and watch its execution appear`
		: simulatorsCannotDeliver ?? inactive('reopen');
	const freescout = realFreescout
		? `FreeScout is ${realFreescout.url} here, not the simulator: close a conversation with "Send & Close", or answer a closed one as the customer, and watch its execution appear`
		: simulatorsCannotDeliver ?? inactive('closeReopen');
	if (chatwoot) reasons.s1 = chatwoot;
	if (freescout) {
		reasons.s2 = freescout;
		reasons.reopen = freescout;
		reasons.retry = freescout;
	} else if (webhookUrl) {
		reasons.retry = `deliveries go to ${webhookUrl}, not through the demo's proxy`;
	}
	const sync = simulatorsCannotDeliver ?? inactive('sync');
	if (sync) reasons.sync = sync;
	return reasons;
}

async function runScenario(context, scenario, unavailable) {
	const started = Date.now();
	const base = { name: scenario.name, title: scenario.title };
	if (unavailable) {
		return { ...base, ok: false, summary: `not available: ${unavailable}`, details: [], executions: {}, problems: [unavailable], seconds: 0 };
	}
	const result = { ...base, ok: false, summary: '', details: [], executions: {}, problems: [] };
	try {
		await scenario.run(context, result);
	} catch (error) {
		result.problems.push(error.message);
	}
	result.ok = result.problems.length === 0;
	result.seconds = (Date.now() - started) / 1000;
	return result;
}

module.exports = { SCENARIOS, findScenario, scenarioAvailability, runScenario };
