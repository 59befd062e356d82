'use strict';
// The FreeScout scenarios of example 2: S2 (close via "Send & Close"), the customer's reopen by e-mail, and a
// retried delivery. Each carries on with the conversation the one before left, or starts a new one.
const { measure } = require('../observe');
const { FREESCOUT_RETRY_MINUTE_MS, FREESCOUT_UNDO_DELAY_MS } = require('../settings');
const { checkExecutions, expectEqual, changeText, deliveryLine, freescoutDeliveries } = require('./check');

/** A new FreeScout conversation (a customer e-mail) the trigger has seen created; returns its id. */
async function newFreeScoutConversation(context, result, subject, text) {
	const freescout = context.simulators.freescout;
	let id;
	const executions = await measure(context, [freescout], () => {
		id = freescout.createConversation({ subject, text });
	});
	result.details.push(`setup: a customer e-mail opened FreeScout conversation ${id} "${subject}" (${executions.length} execution(s): new conversations are filtered out)`);
	return id;
}

async function scenarioS2(context, result) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	state.freescoutCount = (state.freescoutCount ?? 0) + 1;
	const id = await newFreeScoutConversation(context, result, `Printer on fire (${state.freescoutCount})`, 'The printer in room 4 is on fire.');
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		freescout.replyFromUi(id, { text: 'The fire is out, closing this.', status: 'closed' });
	});
	const after = freescout.getConversation(id).status;
	const change = executions.find((execution) => execution.workflow.key === 'closeReopen')?.change;
	state.freescoutClosedId = after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} by the agent's "Send & Close", ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', freescoutDeliveries(freescout, hook, from)));
	result.details.push(
		`(module 1.0.82 sends convo.status at once and the reply after the undo delay, here ${FREESCOUT_UNDO_DELAY_MS / 1000} s instead of 15 s)`,
	);
	if (change) result.details.push(`trigger item: ${changeText(change)}`);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'status before', before, 'active');
	expectEqual(result, 'trigger item', change && `${change.previousStatus} -> ${change.status}`, 'open -> resolved');
	expectEqual(result, 'status after', after, 'closed');
}

async function scenarioReopen(context, result) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	let id = state.freescoutClosedId;
	if (!id || freescout.getConversation(id).status !== 'closed') {
		state.freescoutCount = (state.freescoutCount ?? 0) + 1;
		id = await newFreeScoutConversation(context, result, `Invoice missing (${state.freescoutCount})`, 'I did not get my invoice.');
		const closing = await measure(context, [freescout], () => freescout.changeStatusFromMenu(id, 'closed'));
		result.details.push(`setup: an agent closed it from the status menu (${closing.length} execution(s))`);
	}
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		freescout.customerEmailReply(id, 'Sorry, it is not solved yet.');
	});
	const after = freescout.getConversation(id).status;
	const change = executions.find((execution) => execution.workflow.key === 'closeReopen')?.change;
	state.freescoutClosedId = null;
	state.freescoutActiveId = after === 'active' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} by the customer's e-mail reply, ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', freescoutDeliveries(freescout, hook, from)));
	if (change) result.details.push(`trigger item: ${changeText(change)}`);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'status before', before, 'closed');
	expectEqual(result, 'trigger item', change && `${change.previousStatus} -> ${change.status}`, 'resolved -> open');
	expectEqual(result, 'status after', after, 'active');
}

async function scenarioRetry(context, result) {
	const freescout = context.simulators.freescout;
	const { state, stack } = context;
	const hook = context.workflows.closeReopen.triggers[0].url;
	let id = state.freescoutActiveId;
	if (!id || freescout.getConversation(id).status !== 'active') {
		state.freescoutCount = (state.freescoutCount ?? 0) + 1;
		id = await newFreeScoutConversation(context, result, `Wrong size (${state.freescoutCount})`, 'The shoes are too small.');
	}
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], () => {
		stack.proxy.failNext({ count: 1, status: 502, forward: true });
		freescout.changeStatusFromMenu(id, 'closed');
	});
	const after = freescout.getConversation(id).status;
	const deliveries = freescoutDeliveries(freescout, hook, from);
	state.freescoutActiveId = null;
	state.freescoutClosedId = after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${before} -> ${after} from the status menu; the webhook was sent ${deliveries.length} time(s), ${executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', deliveries));
	result.details.push(
		`(the proxy passed the first attempt to n8n but answered 502; FreeScout retried after one cron "minute", here ${FREESCOUT_RETRY_MINUTE_MS / 1000} s, with the same body and signature)`,
	);
	checkExecutions(result, context, executions, { closeReopen: 1 });
	expectEqual(result, 'attempts', deliveries.map((d) => d.status).join(','), '502,200');
	expectEqual(result, 'retried body identical', deliveries.length === 2 && deliveries[0].bodyText === deliveries[1].bodyText, true);
	expectEqual(result, 'status after', after, 'closed');
}

module.exports = { scenarioS2, scenarioReopen, scenarioRetry };
