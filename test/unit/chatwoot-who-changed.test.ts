/** Chatwoot's "Look Up Who Changed It": which activity message names the change, and what is left alone. */
import type { StatusChange } from '../../nodes/core/types';
import { whoChangedRequest, withWhoChanged } from '../../nodes/platforms/chatwoot/who-changed';

const AT = Date.UTC(2026, 5, 20, 9, 14, 5, 300);
const seconds = (offset: number) => Math.floor(AT / 1000) + offset;

function change(overrides: Partial<StatusChange> = {}): StatusChange {
	return {
		platform: 'chatwoot',
		conversationId: 12,
		conversationNumber: null,
		accountId: 1,
		mailboxId: null,
		inboxId: 1,
		status: 'open',
		previousStatus: 'pending',
		previousStatusSource: 'payload',
		platformStatus: 'open',
		previousPlatformStatus: 'pending',
		cause: 'bot_handoff',
		isNewConversation: false,
		changedAt: new Date(AT).toISOString(),
		actor: null,
		contact: null,
		assignee: null,
		subject: null,
		conversationUrl: null,
		event: ['conversation_updated'],
		late: false,
		superseded: false,
		dedupeKey: 'chatwoot:1:12:open@1',
		...overrides,
	};
}

const activity = (content: string, offset = 0) => ({ id: 1, content, message_type: 2, created_at: seconds(offset), private: false });
const answer = (...payload: unknown[]) => ({ statusCode: 200, headers: {}, body: { meta: {}, payload } });

describe('Chatwoot: who changed it, from the activity message', () => {
	it('reads the conversation\'s messages of its account', () => {
		expect(whoChangedRequest(change())).toEqual({ method: 'GET', path: '/api/v1/accounts/1/conversations/12/messages' });
		expect(whoChangedRequest(change({ accountId: null }))).toBeNull();
	});

	it("the agent bot's failure, an agent, a bot (known by a message it sent), the older system's assignment line", () => {
		expect(withWhoChanged(change(), answer(activity('Conversation was marked open by system due to an error with the agent bot.', 1)))).toMatchObject({
			cause: 'bot_failure',
			actor: { type: 'system' },
		});
		expect(withWhoChanged(change(), answer(activity('Conversation was reopened by Ada Admin')))).toMatchObject({
			cause: 'agent',
			actor: { type: 'agent', name: 'Ada Admin' },
		});
		const botSpoke = { id: 0, content: 'One moment', message_type: 1, created_at: seconds(-5), sender: { id: 3, name: 'Triage Bot', type: 'agent_bot' } };
		expect(withWhoChanged(change(), answer(botSpoke, activity('Conversation was reopened by Triage Bot')))).toMatchObject({
			cause: 'bot_handoff',
			actor: { type: 'bot', name: 'Triage Bot' },
		});
		expect(withWhoChanged(change(), answer(activity('Assigned to Alex Agent by Ada Admin')))).toMatchObject({ cause: 'agent', actor: { name: 'Ada Admin' } });
		const resolved = change({ status: 'resolved', previousStatus: 'open', cause: 'unknown' });
		expect(withWhoChanged(resolved, answer(activity('Conversation was marked resolved by Alex Agent')))).toMatchObject({
			cause: 'agent',
			actor: { type: 'agent', name: 'Alex Agent' },
		});
	});

	it('leaves the change alone: an older message, another status, Automation System, an error answer, no activity', () => {
		const original = change();
		expect(withWhoChanged(original, answer(activity('Conversation was reopened by Ada Admin', -60)))).toBe(original);
		expect(withWhoChanged(original, answer(activity('Conversation was marked resolved by Ada Admin')))).toBe(original);
		expect(withWhoChanged(original, answer(activity('Assigned to Alex Agent by Automation System')))).toBe(original);
		expect(withWhoChanged(original, { statusCode: 401, headers: {}, body: { error: 'You are not authorized to do this action' } })).toBe(original);
		expect(withWhoChanged(original, answer({ id: 2, content: 'Hello', message_type: 0, created_at: seconds(0) }))).toBe(original);
	});
});
