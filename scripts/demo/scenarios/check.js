'use strict';
// What every scenario reports: the new executions against the expected ones, values against expected values,
// and the webhooks each simulator delivered, in words.

/** Records the new executions per workflow and checks them against `expected` ({workflowKey: count}). */
function checkExecutions(result, context, executions, expected) {
	for (const workflow of Object.values(context.workflows)) {
		const own = executions.filter((execution) => execution.workflow.key === workflow.key);
		const want = expected[workflow.key] ?? 0;
		result.executions[workflow.key] = {
			workflow: workflow.name,
			count: own.length,
			expected: want,
			statuses: own.map((execution) => execution.status),
		};
		if (own.length !== want) {
			result.problems.push(`"${workflow.name}": ${own.length} new execution(s), expected ${want}`);
		}
		for (const execution of own) {
			if (execution.status !== 'success') {
				result.problems.push(`execution ${execution.id} of "${workflow.name}": ${execution.status} ${execution.error ?? ''}`.trim());
			}
		}
	}
}

function expectEqual(result, what, actual, expected) {
	if (actual !== expected) result.problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const changeText = (change) =>
	change
		? `${change.previousStatus ?? (change.isNewConversation ? 'new' : 'unknown')} -> ${change.status} (cause ${change.cause})`
		: 'no trigger item';

function deliveryLine(platform, deliveries) {
	if (deliveries.length === 0) return `${platform} delivered no webhook to the trigger`;
	const text = deliveries
		.map((d) => `${d.event}${d.status === 200 ? '' : ` (answered ${d.status ?? d.error})`}`)
		.join(', ');
	return `${platform} delivered ${deliveries.length} webhook(s) to the trigger: ${text}`;
}

/** Chatwoot simulator deliveries to one URL since log index `from`: [{event, status}]. */
const chatwootDeliveries = (simulator, url, from) =>
	simulator
		.deliveries()
		.slice(from)
		.filter((d) => d.url === url)
		.map((d) => ({ event: d.event, status: d.status, error: d.error }));

/** FreeScout simulator deliveries to one URL since log index `from`: [{event, status, attempt, bodyText}]. */
const freescoutDeliveries = (simulator, url, from) =>
	simulator.deliveries
		.slice(from)
		.filter((d) => d.url === url)
		.map((d) => ({ event: d.event, status: d.responseStatus, error: d.error, attempt: d.attempt, bodyText: d.bodyText }));

module.exports = { checkExecutions, expectEqual, changeText, deliveryLine, chatwootDeliveries, freescoutDeliveries };
