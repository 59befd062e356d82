/**
 * Why do a Chatwoot inbox's conversations go pending? Chatwoot makes new conversations pending, and moves a
 * resolved conversation to pending when the contact writes again, exactly when the inbox has an active bot
 * (Inbox#active_bot?): a connected agent bot, an enabled Dialogflow hook, or (enterprise) a Captain assistant.
 * Checks (reference chatwoot.md §4-5), one entry each in BOT_CHECKS:
 *   GET …/inboxes/{id}/agent_bot                      {"agent_bot": {...}} or a blank agent_bot
 *   GET …/integrations/apps                           payload[id=dialogflow].hooks[] with inbox.id and status
 *   GET …/conversations/{display_id}/inbox_assistant  {"assistant": {...} | null}; 404 where Captain does not exist
 * 401 on a check means this token may not see it (agent or bot tokens); it is reported, not thrown.
 */
import type { ApiScope, Call, ConversationApi, Diagnosis, DiagnosisCheck } from '../../core/action/conversation-api';
import { InvalidParameterError } from '../../core/action/conversation-api';
import type { ApiRequest } from '../../core/http';
import { integer, list, record, recordOrEmpty, text } from '../../core/json';
import type { Status } from '../../core/types';
import { accountPath } from './paths';

interface Target {
	conversationId: number | null;
	inboxId: number | null;
}

/** What the checks run against: the account's API path, the inbox, and the conversation if one was given. */
interface Subject {
	base: string;
	inboxId: number;
	conversationId: number | null;
}

interface Found {
	cause: 'agent_bot' | 'dialogflow' | 'captain';
	/** The check's own line. */
	detail: string;
	/** Why the inbox's conversations go pending, for the diagnosis. */
	finding: string;
	/** How to stop it. */
	fix: string;
}

/** One bot Chatwoot counts: how to ask for it and how to read the answer. */
interface BotCheck {
	check: Found['cause'];
	/** The request, or why this check cannot run for this subject. */
	request(subject: Subject): ApiRequest | { notAvailable: string };
	/** What a 404 means: that the feature does not exist on this Chatwoot, or (null) a failure. */
	notAvailableOn404: string | null;
	/** Whether a failure of this check names the conversation (its request is about the conversation). */
	namesConversation: boolean;
	/** Reads a 2xx answer: the bot found, or the line that says there is none. */
	read(body: unknown, subject: Subject): Found | { clear: string };
}

const NOT_THE_CHANNEL =
	'This is Chatwoot\'s own rule for inboxes with a bot, not a setting of the channel that feeds the inbox (for example EvolutionAPI\'s "start as pending").';

const BOT_CHECKS: readonly BotCheck[] = [
	{
		check: 'agent_bot',
		request: ({ base, inboxId }) => ({ method: 'GET', path: `${base}/inboxes/${inboxId}/agent_bot` }),
		notAvailableOn404: null,
		namesConversation: false,
		read(body, { base, inboxId }) {
			const bot = record(record(body)?.agent_bot);
			const botId = bot ? integer(bot.id) : null;
			if (bot === null || botId === null) return { clear: `No agent bot is connected to inbox ${inboxId}.` };
			const name = text(bot.name) ?? `#${botId}`;
			return {
				cause: 'agent_bot',
				detail: `Agent bot "${name}" (id ${botId}) is connected to inbox ${inboxId}.`,
				finding: `Inbox ${inboxId} has the agent bot "${name}" (id ${botId}) connected. While a bot is connected, Chatwoot starts every new conversation as pending and puts resolved conversations back to pending when the contact writes again, so that the bot answers first. ${NOT_THE_CHANNEL}`,
				fix: `If no bot should answer in this inbox, disconnect it: Chatwoot → Settings → Inboxes → inbox ${inboxId} → Bot Configuration → Disconnect (or, with an administrator token, POST ${base}/inboxes/${inboxId}/set_agent_bot with {"agent_bot": null}). If the bot should answer first, keep it and have it hand over: the bot (or this node's Force Open with the bot's token) sets the conversation to open when a human must take over.`,
			};
		},
	},
	{
		check: 'dialogflow',
		request: ({ base }) => ({ method: 'GET', path: `${base}/integrations/apps` }),
		notAvailableOn404: 'This Chatwoot has no integrations API.',
		namesConversation: false,
		read(body, { inboxId }) {
			const dialogflow = list(record(body)?.payload)
				.map(recordOrEmpty)
				.find((app) => app.id === 'dialogflow');
			const hooks = list(dialogflow?.hooks)
				.map(recordOrEmpty)
				.filter((hook) => (integer(record(hook.inbox)?.id) ?? integer(hook.inbox_id)) === inboxId && hook.status !== false);
			if (hooks.length === 0) return { clear: `No Dialogflow hook is enabled on inbox ${inboxId}.` };
			const ids = hooks.map((hook) => integer(hook.id)).filter((id) => id !== null);
			return {
				cause: 'dialogflow',
				detail: `Dialogflow is enabled on inbox ${inboxId} (hook ${ids.join(', ')}).`,
				finding: `Inbox ${inboxId} has an enabled Dialogflow integration. Chatwoot counts it as a bot: new conversations start as pending and resolved ones go back to pending when the contact writes. ${NOT_THE_CHANNEL}`,
				fix: `If Dialogflow should not answer in this inbox, delete its hook: Chatwoot → Settings → Integrations → Dialogflow → the hook for inbox ${inboxId} → Delete. Otherwise make Dialogflow hand over by opening the conversation when a human must take over.`,
			};
		},
	},
	{
		// Enterprise only, and visible per conversation only.
		check: 'captain',
		request: ({ base, conversationId }) =>
			conversationId === null
				? { notAvailable: 'Captain can only be checked through a conversation; give a conversation ID of this inbox to check it.' }
				: { method: 'GET', path: `${base}/conversations/${conversationId}/inbox_assistant` },
		notAvailableOn404:
			'Captain is not available on this Chatwoot (Community edition, or a version without Captain), so it cannot hold conversations pending.',
		namesConversation: true,
		read(body, { inboxId }) {
			const assistant = record(record(body)?.assistant);
			if (assistant === null) return { clear: `No Captain assistant is attached to inbox ${inboxId}.` };
			const name = text(assistant.name) ?? `#${integer(assistant.id) ?? '?'}`;
			return {
				cause: 'captain',
				detail: `Captain assistant "${name}" is attached to inbox ${inboxId}.`,
				finding: `Inbox ${inboxId} has the Captain assistant "${name}". While it is attached and the account has Captain responses left, Chatwoot treats the inbox as a bot inbox: conversations start as pending and resolved ones go back to pending. ${NOT_THE_CHANNEL}`,
				fix: `If Captain should not answer in this inbox, remove inbox ${inboxId} from the assistant (Captain → Assistants → "${name}" → Inboxes). Otherwise a human reply moves the conversation to open.`,
			};
		},
	},
];

/** Runs one check: its line for `checks`, and the bot if it found one. Unexpected answers are thrown. */
async function runCheck(
	botCheck: BotCheck,
	subject: Subject,
	context: { api: ConversationApi; call: Call; scope: ApiScope },
): Promise<{ line: DiagnosisCheck; found: Found | null }> {
	const { check } = botCheck;
	const request = botCheck.request(subject);
	if ('notAvailable' in request) return { line: { check, result: 'not_available', detail: request.notAvailable }, found: null };
	const { response, attempts, retryAt } = await context.call(request);
	const code = response.statusCode;
	if (code === 401) {
		return {
			line: { check, result: 'not_visible', detail: `This token may not read it (HTTP ${code}); an administrator's token can.` },
			found: null,
		};
	}
	if (code === 404 && botCheck.notAvailableOn404 !== null) {
		return { line: { check, result: 'not_available', detail: botCheck.notAvailableOn404 }, found: null };
	}
	if (code < 200 || code >= 300) {
		throw context.api.failure(response, {
			conversationId: botCheck.namesConversation ? subject.conversationId : null,
			scope: context.scope,
			action: 'diagnosing',
			attempts,
			retryAt,
		});
	}
	const outcome = botCheck.read(response.body, subject);
	if ('clear' in outcome) return { line: { check, result: 'clear', detail: outcome.clear }, found: null };
	return { line: { check, result: 'found', detail: outcome.detail }, found: outcome };
}

export async function diagnoseChatwootPending(api: ConversationApi, call: Call, scope: ApiScope, target: Target): Promise<Diagnosis> {
	const base = accountPath(scope);
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

	const subject: Subject = { base, inboxId, conversationId: target.conversationId };
	const checks: DiagnosisCheck[] = [];
	const found: Found[] = [];
	for (const botCheck of BOT_CHECKS) {
		const result = await runCheck(botCheck, subject, { api, call, scope });
		checks.push(result.line);
		if (result.found !== null) found.push(result.found);
	}

	const diagnosis = { platform: 'chatwoot', conversationId: target.conversationId, inboxId, status };
	if (found.length > 0) {
		return {
			...diagnosis,
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
		...diagnosis,
		pendingCause: null,
		finding: `Inbox ${inboxId} has no bot that Chatwoot counts: no agent bot, no enabled Dialogflow hook, no Captain assistant found.${caveat} Without a bot Chatwoot itself does not make conversations pending; something sets them pending from outside.`,
		fix: 'Look for what sets pending: Chatwoot → Settings → Automation (rules with "Change status" / pending), integrations or scripts that create conversations with status pending or call toggle_status with pending through the API, and agents using "Mark as pending".',
		checks,
	};
}
