'use strict';
// The FreeScout scenarios of example 2: S2 (close via "Send & Close"), the customer's reopen by e-mail, and a
// retried delivery. Each carries on with the conversation the one before left, or starts a new one.
const { measure } = require('../observe');
const { FREESCOUT_RETRY_MINUTE_MS, FREESCOUT_UNDO_DELAY_MS } = require('../settings');
const { checkExecutions, expectEqual, changeText, deliveryLine, freescoutDeliveries } = require('./check');

/** A new FreeScout conversation (a customer e-mail) the trigger has seen created; returns its id. */
async function newConversation(context, result, subject, text) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	state.freescoutCount = (state.freescoutCount ?? 0) + 1;
	const title = `${subject} (${state.freescoutCount})`;
	let id;
	const executions = await measure(context, [freescout], () => {
		id = freescout.createConversation({ subject: title, text });
	});
	result.details.push(`setup: a customer e-mail opened FreeScout conversation ${id} "${title}" (${executions.length} execution(s): new conversations are filtered out)`);
	return id;
}

/**
 * Runs `act` and reads what it did to conversation `id`: its status before and after, the new executions,
 * example 2's trigger item and the deliveries to example 2's webhook.
 */
async function changeOf(context, id, act) {
	const freescout = context.simulators.freescout;
	const hook = context.workflows.closeReopen.triggers[0].url;
	const before = freescout.getConversation(id).status;
	const from = freescout.deliveries.length;
	const executions = await measure(context, [freescout], act);
	return {
		before,
		after: freescout.getConversation(id).status,
		executions,
		change: executions.find((execution) => execution.workflow.key === 'closeReopen')?.change,
		deliveries: freescoutDeliveries(freescout, hook, from),
	};
}

/** The checks every FreeScout scenario ends with: one execution of example 2, the statuses and its trigger item. */
function expectChange(result, context, { before, after, executions, change }, expected) {
	checkExecutions(result, context, executions, { closeReopen: 1 });
	if (expected.before) expectEqual(result, 'status before', before, expected.before);
	if (expected.item) expectEqual(result, 'trigger item', change && `${change.previousStatus} -> ${change.status}`, expected.item);
	expectEqual(result, 'status after', after, expected.after);
}

async function scenarioS2(context, result) {
	const freescout = context.simulators.freescout;
	const id = await newConversation(context, result, 'Printer on fire', 'The printer in room 4 is on fire.');
	const seen = await changeOf(context, id, () => {
		freescout.replyFromUi(id, { text: 'The fire is out, closing this.', status: 'closed' });
	});
	context.state.freescoutClosedId = seen.after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${seen.before} -> ${seen.after} by the agent's "Send & Close", ${seen.executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', seen.deliveries));
	result.details.push(
		`(module 1.0.82 sends convo.status at once and the reply after the undo delay, here ${FREESCOUT_UNDO_DELAY_MS / 1000} s instead of 15 s)`,
	);
	if (seen.change) result.details.push(`trigger item: ${changeText(seen.change)}`);
	expectChange(result, context, seen, { before: 'active', item: 'open -> resolved', after: 'closed' });
}

async function scenarioReopen(context, result) {
	const freescout = context.simulators.freescout;
	const { state } = context;
	let id = state.freescoutClosedId;
	if (!id || freescout.getConversation(id).status !== 'closed') {
		id = await newConversation(context, result, 'Invoice missing', 'I did not get my invoice.');
		const closing = await measure(context, [freescout], () => freescout.changeStatusFromMenu(id, 'closed'));
		result.details.push(`setup: an agent closed it from the status menu (${closing.length} execution(s))`);
	}
	const seen = await changeOf(context, id, () => {
		freescout.customerEmailReply(id, 'Sorry, it is not solved yet.');
	});
	state.freescoutClosedId = null;
	state.freescoutActiveId = seen.after === 'active' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${seen.before} -> ${seen.after} by the customer's e-mail reply, ${seen.executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', seen.deliveries));
	if (seen.change) result.details.push(`trigger item: ${changeText(seen.change)}`);
	expectChange(result, context, seen, { before: 'closed', item: 'resolved -> open', after: 'active' });
}

async function scenarioRetry(context, result) {
	const freescout = context.simulators.freescout;
	const { state, stack } = context;
	let id = state.freescoutActiveId;
	if (!id || freescout.getConversation(id).status !== 'active') {
		id = await newConversation(context, result, 'Wrong size', 'The shoes are too small.');
	}
	const seen = await changeOf(context, id, () => {
		stack.proxy.failNext({ count: 1, status: 502, forward: true });
		freescout.changeStatusFromMenu(id, 'closed');
	});
	const { deliveries } = seen;
	state.freescoutActiveId = null;
	state.freescoutClosedId = seen.after === 'closed' ? id : null;
	result.summary = `FreeScout conversation ${id}: ${seen.before} -> ${seen.after} from the status menu; the webhook was sent ${deliveries.length} time(s), ${seen.executions.length} execution(s)`;
	result.details.push(deliveryLine('FreeScout', deliveries));
	result.details.push(
		`(the proxy passed the first attempt to n8n but answered 502; FreeScout retried after one cron "minute", here ${FREESCOUT_RETRY_MINUTE_MS / 1000} s, with the same body and signature)`,
	);
	expectChange(result, context, seen, { after: 'closed' });
	expectEqual(result, 'attempts', deliveries.map((d) => d.status).join(','), '502,200');
	expectEqual(result, 'retried body identical', deliveries.length === 2 && deliveries[0].bodyText === deliveries[1].bodyText, true);
}

module.exports = { scenarioS2, scenarioReopen, scenarioRetry };
