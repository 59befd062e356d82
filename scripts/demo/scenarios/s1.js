'use strict';
// S1: a WhatsApp customer writes to a resolved Chatwoot conversation in a bot inbox; Chatwoot reopens it as
// pending and example 1 opens it.
const { measure } = require('../observe');
const { checkExecutions, expectEqual, changeText, deliveryLine, chatwootDeliveries } = require('./check');

const WHATSAPP_PHONE = '5511987650001';

async function scenarioS1(context, result) {
	const chatwoot = context.simulators.chatwoot;
	const { state, workflows } = context;
	const hook = workflows.reopen.triggers[0].url;
	if (!state.s1ConversationId) {
		const setup = await measure(context, [chatwoot], async () => {
			const message = await state.evolution.receiveMessage({
				phone: WHATSAPP_PHONE,
				text: 'Oi, preciso de ajuda com meu pedido',
				pushName: 'Ana Souza',
			});
			state.s1ConversationId = message.conversationId;
		});
		result.details.push(
			`setup: a new WhatsApp conversation ${state.s1ConversationId} from +${WHATSAPP_PHONE}; Chatwoot started it ` +
				`${setup[0]?.change?.status ?? '?'} (bot inbox) and the workflow made it ${chatwoot.getConversation(state.s1ConversationId).status} ` +
				`(${setup.length} execution(s))`,
		);
	}
	const id = state.s1ConversationId;
	if (chatwoot.getConversation(id).status !== 'resolved') {
		await measure(context, [chatwoot], () => chatwoot.setStatus(id, 'resolved'));
		result.details.push(`setup: an agent resolved conversation ${id} (not a change the workflow acts on)`);
	}
	const before = chatwoot.getConversation(id).status;
	const from = chatwoot.deliveries().length;
	const executions = await measure(context, [chatwoot], () =>
		state.evolution.receiveMessage({ phone: WHATSAPP_PHONE, text: 'Voltei, ainda não funcionou', pushName: 'Ana Souza' }),
	);
	const after = chatwoot.getConversation(id).status;
	const run = executions.find((execution) => execution.workflow.key === 'reopen');
	const change = run?.change;
	const forceOpen = run?.outputs['Force Open']?.[0];
	result.summary =
		`Chatwoot conversation ${id}: ${before} -> ${change?.status ?? '?'} (${change?.cause ?? '?'}) -> ` +
		`${after}${forceOpen?.changed ? ' by the workflow' : ''}, ${executions.length} execution(s)`;
	result.details.push('the customer wrote again on WhatsApp (EvolutionAPI posts it to Chatwoot as an incoming message)');
	result.details.push(deliveryLine('Chatwoot', chatwootDeliveries(chatwoot, hook, from)));
	if (run) result.details.push(`trigger item: ${changeText(change)}; Force Open: ${forceOpen ? `${forceOpen.previousStatus} -> ${forceOpen.status}, changed ${forceOpen.changed}` : 'did not run'}`);
	checkExecutions(result, context, executions, { reopen: 1 });
	expectEqual(result, 'status before', before, 'resolved');
	expectEqual(result, 'trigger item', changeText(change), 'resolved -> pending (cause bot_inbox)');
	expectEqual(result, 'status after', after, 'open');
}

module.exports = { scenarioS1 };
