'use strict';
// The sync example: a change on one side of the pair is copied to the other side, and its echo ends there.
const { measure } = require('../observe');
const { PLATFORM_NAMES } = require('../settings');
const { checkExecutions, expectEqual, changeText } = require('./check');

async function scenarioSync(context, result) {
	const { syncChatwoot, syncFreescout } = context.simulators;
	const pair = context.state.syncPair;
	const chatwootBefore = syncChatwoot.getConversation(pair.chatwoot).status;
	const freescoutBefore = syncFreescout.getConversation(pair.freescout).status;
	const resolving = chatwootBefore !== 'resolved';
	const executions = await measure(context, [syncChatwoot, syncFreescout], async () => {
		if (resolving) await syncChatwoot.setStatus(pair.chatwoot, 'resolved');
		else syncFreescout.customerEmailReply(pair.freescout, 'One more question about order 1234.');
	});
	const chatwootAfter = syncChatwoot.getConversation(pair.chatwoot).status;
	const freescoutAfter = syncFreescout.getConversation(pair.freescout).status;
	result.summary =
		(resolving
			? `an agent resolved Chatwoot conversation ${pair.chatwoot}: Chatwoot ${chatwootBefore} -> ${chatwootAfter}, FreeScout conversation ${pair.freescout} ${freescoutBefore} -> ${freescoutAfter} by the workflow`
			: `the customer answered FreeScout conversation ${pair.freescout} by e-mail: FreeScout ${freescoutBefore} -> ${freescoutAfter}, Chatwoot conversation ${pair.chatwoot} ${chatwootBefore} -> ${chatwootAfter} by the workflow`) +
		`, ${executions.length} execution(s)`;
	for (const execution of executions) {
		const [sync] = Object.values(execution.outputs).flat();
		result.details.push(`execution ${execution.id} from "${execution.trigger}": ${changeText(execution.change)}; ${syncText(sync)}`);
	}
	result.details.push('one execution for the change and one for its echo from the other side, which writes nothing: no loop');
	checkExecutions(result, context, executions, { sync: 2 });
	expectEqual(result, 'Chatwoot after', chatwootAfter, resolving ? 'resolved' : 'open');
	expectEqual(result, 'FreeScout after', freescoutAfter, resolving ? 'closed' : 'active');
}

/** What one Sync Status output item did, in a line. */
function syncText(sync) {
	if (!sync) return 'no output';
	if (sync.conversationId === null) return `nothing written: ${sync.skipped}`;
	const target = `${PLATFORM_NAMES[sync.platform]} conversation ${sync.conversationId}`;
	const paired = sync.pairedBy === 'email' ? ` (paired by the customer's e-mail)` : '';
	if (sync.changed) return `wrote ${sync.platformStatus} to ${target}${paired}`;
	return `nothing written to ${target}${paired}: ${sync.skipped ?? sync.notes.join('; ')}`;
}

module.exports = { scenarioSync };
