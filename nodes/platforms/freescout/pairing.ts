/**
 * Keeping a counterpart's id on a FreeScout conversation, and finding a customer's conversations (reference:
 * freescout.md §5; custom fields need FreeScout's Custom Fields module and a field in the conversation's mailbox):
 * - GET /api/mailboxes/{id}/custom_fields: the mailbox's fields ({"_embedded": {"custom_fields": [{id, name, ...}]}})
 * - PUT /api/conversations/{id}/custom_fields {"customFields": [{"id", "value"}]}: 204; fires no webhook
 * - GET /api/conversations?customerEmail=&state=published&createdSince=: the module applies no status filter unless
 *   asked; createdSince (ISO 8601, whole seconds) keeps those created at or after it, so a customer's old
 *   conversations do not crowd the page of 50
 */
import type { PairingApi } from '../../core/action/conversation-api';
import { InvalidParameterError } from '../../core/action/conversation-api';
import { integer, list, recordOrEmpty, text } from '../../core/json';
import { readFreeScoutConversation } from './conversation';

export const freescoutPairing: PairingApi = {
	fieldKind: 'custom field',

	defaultField: (counterpart) => `${counterpart.displayName} Conversation ID`,

	async writeField(call, _scope, conversation, field, value) {
		const mailboxId = conversation.mailboxId;
		const fields = await call({ method: 'GET', path: `/api/mailboxes/${mailboxId ?? 0}/custom_fields`, qs: { pageSize: 100 } });
		const match = list(recordOrEmpty(recordOrEmpty(fields.body)._embedded).custom_fields)
			.map(recordOrEmpty)
			.find((candidate) => text(candidate.name) === field);
		const fieldId = match === undefined ? null : integer(match.id);
		if (fieldId === null) {
			throw new InvalidParameterError(
				`FreeScout mailbox ${mailboxId ?? '?'} has no custom field named "${field}"`,
				`Create the custom field "${field}" in that mailbox (Mailbox settings → Custom Fields; FreeScout's Custom Fields module), or change the field name in the node's pairing options.`,
			);
		}
		await call({
			method: 'PUT',
			path: `/api/conversations/${conversation.conversationId}/custom_fields`,
			body: { customFields: [{ id: fieldId, value: String(value) }] },
		});
	},

	async findByContactEmail(call, _scope, email, createdSince) {
		const qs: Record<string, string | number> = { customerEmail: email, state: 'published', sortField: 'createdAt', sortOrder: 'desc', pageSize: 50 };
		if (createdSince !== null) qs.createdSince = createdSince.replace(/\.\d{3}Z$/, 'Z');
		const response = await call({ method: 'GET', path: '/api/conversations', qs });
		return list(recordOrEmpty(recordOrEmpty(response.body)._embedded).conversations)
			.map((item) => readFreeScoutConversation(recordOrEmpty(item), 0))
			.filter((conversation) => conversation !== null);
	},
};
