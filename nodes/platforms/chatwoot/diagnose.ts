/**
 * Why do a Chatwoot inbox's conversations go pending? Chatwoot makes new conversations pending, and moves a
 * resolved conversation to pending when the contact writes again, exactly when the inbox has an active bot
 * (Inbox#active_bot?): a connected agent bot, an enabled Dialogflow hook, or (enterprise) a Captain assistant.
 * Checks (reference chatwoot.md §4-5):
 *   GET …/inboxes/{id}/agent_bot                      {"agent_bot": {...}} or a blank agent_bot
 *   GET …/integrations/apps                           payload[id=dialogflow].hooks[] with inbox.id and status
 *   GET …/conversations/{display_id}/inbox_assistant  {"assistant": {...} | null}; 404 where Captain does not exist
 * 401 on a check means this token may not see it (agent or bot tokens); it is reported, not thrown.
 */
import type { Call, ConversationApi, Diagnosis, DiagnosisCheck, ApiScope } from '../../core/action/conversation-api';
import { InvalidParameterError } from '../../core/action/conversation-api';
import { integer, list, record, text } from '../../core/json';
import type { Status } from '../../core/types';
import { accountPath } from './paths';

interface Found {
	cause: 'agent_bot' | 'dialogflow' | 'captain';
	finding: string;
	fix: string;
}

const NOT_THE_CHANNEL =
	'This is Chatwoot\'s own rule for inboxes with a bot, not a setting of the channel that feeds the inbox (for example EvolutionAPI\'s "start as pending").';

function notVisible(check: string, code: number): DiagnosisCheck {
	return {
		check,
		result: 'not_visible',
		detail: `This token may not read it (HTTP ${code}); an administrator's token can.`,
	};
}

export async function diagnoseChatwootPending(
	api: ConversationApi,
	call: Call,
	scope: ApiScope,
	target: { conversationId: number | null; inboxId: number | null },
): Promise<Diagnosis> {
	const base = accountPath(scope);
	const checks: DiagnosisCheck[] = [];
	const found: Found[] = [];
	let inboxId = target.inboxId;
	let status: Status | null = null;

	if (target.conversationId !== null) {
		const { response, attempts, retryAt } = await call(api.getConversation(target.conversationId, scope));
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw api.failure(response, { conversationId: target.conversationId, scope, action: 'diagnosing', attempts, retryAt });
		}
		const snapshot = api.readConversation(response, target.conversationId, scope);
		status = snapshot.status;
		inboxId = inboxId ?? snapshot.inboxId;
	}
	if (inboxId === null) {
		throw new InvalidParameterError(
			'Diagnose Pending needs a conversation ID or an inbox ID',
			'Give the conversation that went pending, or the ID of its inbox (Settings → Inboxes: the number in the inbox URL).',
		);
	}

	// 1. The inbox's agent bot.
	const botAnswer = await call({ method: 'GET', path: `${base}/inboxes/${inboxId}/agent_bot` });
	const botResponse = botAnswer.response;
	if (botResponse.statusCode === 401) {
		checks.push(notVisible('agent_bot', 401));
	} else if (botResponse.statusCode === 404) {
		throw api.failure(botResponse, { conversationId: null, scope, action: 'diagnosing', attempts: botAnswer.attempts, retryAt: botAnswer.retryAt });
	} else if (botResponse.statusCode >= 200 && botResponse.statusCode < 300) {
		const bot = record(record(botResponse.body)?.agent_bot);
		const botId = bot ? integer(bot.id) : null;
		if (bot && botId !== null) {
			const name = text(bot.name) ?? `#${botId}`;
			checks.push({ check: 'agent_bot', result: 'found', detail: `Agent bot "${name}" (id ${botId}) is connected to inbox ${inboxId}.` });
			found.push({
				cause: 'agent_bot',
				finding: `Inbox ${inboxId} has the agent bot "${name}" (id ${botId}) connected. While a bot is connected, Chatwoot starts every new conversation as pending and puts resolved conversations back to pending when the contact writes again, so that the bot answers first. ${NOT_THE_CHANNEL}`,
				fix: `If no bot should answer in this inbox, disconnect it: Chatwoot → Settings → Inboxes → inbox ${inboxId} → Bot Configuration → Disconnect (or, with an administrator token, POST ${base}/inboxes/${inboxId}/set_agent_bot with {"agent_bot": null}). If the bot should answer first, keep it and have it hand over: the bot (or this node's Force Open with the bot's token) sets the conversation to open when a human must take over.`,
			});
		} else {
			checks.push({ check: 'agent_bot', result: 'clear', detail: `No agent bot is connected to inbox ${inboxId}.` });
		}
	} else {
		throw api.failure(botResponse, { conversationId: null, scope, action: 'diagnosing', attempts: botAnswer.attempts, retryAt: botAnswer.retryAt });
	}

	// 2. Dialogflow hooks on the inbox.
	const appsAnswer = await call({ method: 'GET', path: `${base}/integrations/apps` });
	const appsResponse = appsAnswer.response;
	if (appsResponse.statusCode === 401) {
		checks.push(notVisible('dialogflow', 401));
	} else if (appsResponse.statusCode === 404) {
		checks.push({ check: 'dialogflow', result: 'not_available', detail: 'This Chatwoot has no integrations API.' });
	} else if (appsResponse.statusCode >= 200 && appsResponse.statusCode < 300) {
		const apps = list(record(appsResponse.body)?.payload).map((a) => record(a) ?? {});
		const dialogflow = apps.find((a) => a.id === 'dialogflow');
		const hooks = list(dialogflow?.hooks)
			.map((h) => record(h) ?? {})
			.filter((h) => (integer(record(h.inbox)?.id) ?? integer(h.inbox_id)) === inboxId && h.status !== false);
		if (hooks.length > 0) {
			const ids = hooks.map((h) => integer(h.id)).filter((id) => id !== null);
			checks.push({ check: 'dialogflow', result: 'found', detail: `Dialogflow is enabled on inbox ${inboxId} (hook ${ids.join(', ')}).` });
			found.push({
				cause: 'dialogflow',
				finding: `Inbox ${inboxId} has an enabled Dialogflow integration. Chatwoot counts it as a bot: new conversations start as pending and resolved ones go back to pending when the contact writes. ${NOT_THE_CHANNEL}`,
				fix: `If Dialogflow should not answer in this inbox, delete its hook: Chatwoot → Settings → Integrations → Dialogflow → the hook for inbox ${inboxId} → Delete. Otherwise make Dialogflow hand over by opening the conversation when a human must take over.`,
			});
		} else {
			checks.push({ check: 'dialogflow', result: 'clear', detail: `No Dialogflow hook is enabled on inbox ${inboxId}.` });
		}
	} else {
		throw api.failure(appsResponse, { conversationId: null, scope, action: 'diagnosing', attempts: appsAnswer.attempts, retryAt: appsAnswer.retryAt });
	}

	// 3. Captain (enterprise), visible per conversation only.
	if (target.conversationId === null) {
		checks.push({
			check: 'captain',
			result: 'not_available',
			detail: 'Captain can only be checked through a conversation; give a conversation ID of this inbox to check it.',
		});
	} else {
		const captainAnswer = await call({ method: 'GET', path: `${base}/conversations/${target.conversationId}/inbox_assistant` });
		const captainResponse = captainAnswer.response;
		if (captainResponse.statusCode === 404) {
			checks.push({
				check: 'captain',
				result: 'not_available',
				detail: 'Captain is not available on this Chatwoot (Community edition, or a version without Captain), so it cannot hold conversations pending.',
			});
		} else if (captainResponse.statusCode === 401) {
			checks.push(notVisible('captain', 401));
		} else if (captainResponse.statusCode >= 200 && captainResponse.statusCode < 300) {
			const assistant = record(record(captainResponse.body)?.assistant);
			if (assistant) {
				const name = text(assistant.name) ?? `#${integer(assistant.id) ?? '?'}`;
				checks.push({ check: 'captain', result: 'found', detail: `Captain assistant "${name}" is attached to inbox ${inboxId}.` });
				found.push({
					cause: 'captain',
					finding: `Inbox ${inboxId} has the Captain assistant "${name}". While it is attached and the account has Captain responses left, Chatwoot treats the inbox as a bot inbox: conversations start as pending and resolved ones go back to pending. ${NOT_THE_CHANNEL}`,
					fix: `If Captain should not answer in this inbox, remove inbox ${inboxId} from the assistant (Captain → Assistants → "${name}" → Inboxes). Otherwise a human reply moves the conversation to open.`,
				});
			} else {
				checks.push({ check: 'captain', result: 'clear', detail: `No Captain assistant is attached to inbox ${inboxId}.` });
			}
		} else {
			throw api.failure(captainResponse, { conversationId: target.conversationId, scope, action: 'diagnosing', attempts: captainAnswer.attempts, retryAt: captainAnswer.retryAt });
		}
	}

	if (found.length > 0) {
		return {
			platform: 'chatwoot',
			conversationId: target.conversationId,
			inboxId,
			status,
			pendingCause: found.map((f) => f.cause).join(','),
			finding: found.map((f) => f.finding).join(' '),
			fix: found.map((f) => f.fix).join(' '),
			checks,
		};
	}
	const unchecked = checks.filter((c) => c.result === 'not_visible').map((c) => c.check);
	const caveat =
		unchecked.length > 0 ? ` (Not checked, because this token may not read them: ${unchecked.join(', ')}; run it with an administrator's token to be sure.)` : '';
	return {
		platform: 'chatwoot',
		conversationId: target.conversationId,
		inboxId,
		status,
		pendingCause: null,
		finding: `Inbox ${inboxId} has no bot that Chatwoot counts: no agent bot, no enabled Dialogflow hook, no Captain assistant found.${caveat} Without a bot Chatwoot itself does not make conversations pending; something sets them pending from outside.`,
		fix: 'Look for what sets pending: Chatwoot → Settings → Automation (rules with "Change status" / pending), integrations or scripts that create conversations with status pending or call toggle_status with pending through the API, and agents using "Mark as pending".',
		checks,
	};
}
