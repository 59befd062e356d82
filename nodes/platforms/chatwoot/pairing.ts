/**
 * Keeping a counterpart's id on a Chatwoot conversation, and finding a customer's conversations (reference:
 * chatwoot.md §5 and Chatwoot's OpenAPI file):
 * - POST /api/v1/accounts/{a}/conversations/{display_id}/custom_attributes {"custom_attributes": {...}} replaces
 *   the conversation's whole hash, so the hash just read is sent back with the one key added (bot tokens may)
 * - GET /api/v1/accounts/{a}/contacts/search?q=<e-mail>: contacts whose name, e-mail, phone or identifier match
 *   (user tokens only); a contact's e-mail is unique in an account
 * - GET /api/v1/accounts/{a}/contacts/{id}/conversations: {"payload": [conversation JSON, ...]}
 */
import type { PairingApi } from '../../core/action/conversation-api';
import { integer, list, recordOrEmpty, text } from '../../core/json';
import { readChatwootConversation } from './conversation';
import { accountPath } from './paths';

function sameEmail(a: string | null, b: string): boolean {
	return a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export const chatwootPairing: PairingApi = {
	fieldKind: 'custom attribute',

	// Attribute keys are snake_case in Chatwoot (Settings → Custom Attributes).
	defaultField: (counterpart) => `${counterpart.id}_conversation_id`,

	async writeField(call, scope, conversation, field, value) {
		await call({
			method: 'POST',
			path: `${accountPath(scope)}/conversations/${conversation.conversationId}/custom_attributes`,
			body: { custom_attributes: { ...conversation.attributes, [field]: value } },
		});
	},

	async findByContactEmail(call, scope, email) {
		const search = await call({ method: 'GET', path: `${accountPath(scope)}/contacts/search`, qs: { q: email } });
		const contactIds = list(recordOrEmpty(search.body).payload)
			.map(recordOrEmpty)
			.filter((contact) => sameEmail(text(contact.email), email))
			.map((contact) => integer(contact.id))
			.filter((id): id is number => id !== null);
		const conversations = [];
		for (const contactId of contactIds) {
			const response = await call({ method: 'GET', path: `${accountPath(scope)}/contacts/${contactId}/conversations` });
			for (const item of list(recordOrEmpty(response.body).payload)) {
				const conversation = readChatwootConversation(recordOrEmpty(item), 0, scope);
				if (conversation !== null) conversations.push(conversation);
			}
		}
		return conversations;
	},
};
