'use strict';
// What the demo's command line prints: the banner, the menu, a scenario's result and a finished execution.
const { PLATFORM_NAMES, SYNC_CUSTOMER_EMAIL, isLoopback } = require('./settings');
const { changeText } = require('./scenarios/check');

function printBanner(demo, print) {
	const { platforms, workflows } = demo;
	print('');
	print('Conversation Status demo: n8n with n8n-nodes-conversation-status and the three example workflows');
	print('');
	print(`  n8n editor   ${demo.editorUrl}`);
	print(`  login        ${demo.owner.email} / ${demo.owner.password}`);
	print(`  webhooks     ${demo.webhookUrl}webhook/... ${demo.webhookUrl.startsWith(demo.proxy.url) ? '(a proxy in front of n8n)' : ''}`.trimEnd());
	print(
		`  Chatwoot     ${platforms.chatwoot.real ? `${platforms.chatwoot.url} (real)` : `simulator ${platforms.chatwoot.url}: Chatwoot 4.15.1, inbox "WhatsApp (EvolutionAPI)" with an agent bot`}`,
	);
	print(
		`  FreeScout    ${platforms.freescout.real ? `${platforms.freescout.url} (real)` : `simulator ${platforms.freescout.url}: API & Webhooks module 1.0.82`}`,
	);
	const pair = platforms.syncPair.conversations;
	print(
		`  sync pair    simulators ${platforms.syncPair.chatwoot} (Chatwoot) and ${platforms.syncPair.freescout} (FreeScout): Chatwoot conversation ${pair.chatwoot} and FreeScout conversation ${pair.freescout}, one customer (${SYNC_CUSTOMER_EMAIL})`,
	);
	print('');
	print('Workflows:');
	for (const workflow of Object.values(workflows)) {
		print(`  ${workflow.active ? 'active    ' : 'NOT ACTIVE'}  "${workflow.name}" on ${workflow.runsOn}`);
		print(`              ${workflow.url}`);
		if (workflow.error) print(`              ${workflow.error}`);
	}
	const real = Object.values(workflows).filter((workflow) => workflow.real && workflow.active);
	if (real.length > 0 && isLoopback(demo.webhookUrl)) {
		print('');
		print(`Note: the real platform must reach ${demo.webhookUrl}. Unless it runs on this machine (Chatwoot 4.14+ then`);
		print('also needs SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true), give --webhook-url with a public tunnel to n8n\'s port.');
	}
	if (real.length > 0) print('Stopping the demo deactivates those workflows, which removes their webhooks again.');
}

function printMenu(demo, print) {
	print('');
	print('Scenarios (type a number or name and Enter; h shows this menu; q, Ctrl-D or Ctrl-C stops everything):');
	demo.scenarios.forEach((scenario, index) => {
		print(`  ${index + 1}  ${scenario.name.padEnd(7)} ${scenario.title}: ${scenario.description}`);
		if (!scenario.available) print(`             not available: ${scenario.reason}`);
	});
}

function resultLines(result) {
	const lines = ['', `[${result.title}] ${result.summary}`, ...result.details.map((line) => `    ${line}`)];
	const counts = Object.values(result.executions)
		.map((e) => `"${e.workflow}" +${e.count}`)
		.join(', ');
	if (counts) lines.push(`    new executions: ${counts}`);
	lines.push(
		result.ok
			? `  ${result.name}: ok (${result.seconds.toFixed(1)} s)`
			: `  ${result.name}: FAILED: ${result.problems.join('; ')}`,
	);
	return lines.join('\n');
}

function printExecution(execution, print) {
	const { change } = execution;
	const what = change
		? `${PLATFORM_NAMES[change.platform] ?? change.platform} conversation ${change.conversationId}: ${changeText(change)}`
		: (execution.error ?? 'no trigger item');
	print(`  n8n: execution ${execution.id} of "${execution.workflow.name}" ${execution.status}: ${what}`);
}

module.exports = { printBanner, printMenu, resultLines, printExecution };
