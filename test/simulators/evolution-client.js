'use strict';
/**
 * EvolutionAPI-like feeder: pushes WhatsApp messages into a Chatwoot (the simulator, or any Chatwoot on
 * loopback) the way EvolutionAPI's Chatwoot integration does (chatwoot.service.ts createConversation +
 * createMessage), using only the Chatwoot REST API with a user API token.
 *
 * What it models, per incoming WhatsApp text message:
 *   1. GET  /accounts/{a}/inboxes and pick the inbox by name (cached, like EvolutionAPI's getInbox).
 *   2. If the phone's conversation id is cached: GET /conversations/{id}; it is reused as is, whatever its
 *      status (this is how a RESOLVED conversation receives the message and is reopened by Chatwoot, to
 *      pending when the inbox has an active bot). A 404 drops the cache entry and starts over.
 *   3. POST /accounts/{a}/contacts/filter with phone_number equal_to the number without "+" (plus the
 *      Brazilian 9th-digit variant); if nothing matches, POST /contacts {inbox_id, name, identifier: jid,
 *      avatar_url, phone_number: "+<number>"} and filter again.
 *   4. GET /contacts/{id}/conversations, then
 *        - reopenConversation=true: take the first conversation of the inbox whatever its status; with
 *          conversationPending=true also POST toggle_status {status:"pending"} on it;
 *        - reopenConversation=false: take the first conversation of the inbox that is not resolved.
 *      None found: POST /conversations {contact_id, inbox_id} (ids as strings, as EvolutionAPI sends them),
 *      plus status "pending" when conversationPending=true.
 *   5. POST /conversations/{id}/messages {content, message_type:"incoming", private:false,
 *      source_id:"WAID:<message id>", content_attributes:{}, source_reply_id:null}.
 * Not modelled: media/attachments, groups, quoted replies, profile pictures and contact name updates, the
 * outgoing direction (Chatwoot -> WhatsApp through the inbox webhook_url), the import of history, the
 * "init" bot contact, label tagging through Postgres, and retries.
 *
 * All requests go to loopback only (http-util refuses other hosts).
 */
const { requestJson } = require('./http-util');

function brazilVariants(query) {
	const out = [query];
	if (query.startsWith('+55') && query.length === 14) out.push(query.slice(0, 5) + query.slice(6));
	else if (query.startsWith('+55') && query.length === 13) out.push(`${query.slice(0, 5)}9${query.slice(5)}`);
	return out;
}

/**
 * @param {object} o
 * @param {string} o.chatwootUrl base url of Chatwoot (e.g. the simulator's url)
 * @param {string} o.token user API token (EvolutionAPI is configured with an admin or agent token)
 * @param {number} [o.accountId=1]
 * @param {string} [o.inboxName='WhatsApp (EvolutionAPI)'] name of the API inbox (EvolutionAPI's nameInbox)
 * @param {boolean} [o.reopenConversation=true] reuse the latest conversation of the inbox even when resolved
 * @param {boolean} [o.conversationPending=false] create / move conversations to pending
 * @param {boolean} [o.cacheConversations=true] remember phone -> conversation id (EvolutionAPI's cache)
 */
function createEvolutionClient(o) {
	const cfg = Object.assign(
		{
			accountId: 1,
			inboxName: 'WhatsApp (EvolutionAPI)',
			reopenConversation: true,
			conversationPending: false,
			cacheConversations: true,
		},
		o,
	);
	if (!cfg.chatwootUrl || !cfg.token) throw new Error('createEvolutionClient needs chatwootUrl and token');
	const base = `${cfg.chatwootUrl.replace(/\/$/, '')}/api/v1/accounts/${cfg.accountId}`;
	const cache = new Map();
	let inbox = null;
	let messageSeq = 0;

	/** @returns {Promise<any>} */
	async function call(method, path, body) {
		const res = await requestJson({
			method,
			url: base + path,
			headers: Object.assign(
				{ api_access_token: cfg.token, Accept: 'application/json' },
				body === undefined ? {} : { 'Content-Type': 'application/json' },
			),
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (res.status < 200 || res.status >= 300) {
			const err = new Error(`${method} ${path} -> ${res.status} ${res.body}`);
			err.status = res.status;
			err.body = res.body;
			throw err;
		}
		return res.json;
	}

	async function getInbox() {
		if (inbox) return inbox;
		const list = await call('GET', '/inboxes');
		inbox = (list.payload || []).find((i) => i.name === cfg.inboxName) || null;
		if (!inbox) throw new Error(`inbox "${cfg.inboxName}" not found`);
		return inbox;
	}

	async function findContact(phone) {
		const query = `+${phone}`;
		const numbers = brazilVariants(query);
		const payload = numbers.map((n, i) => ({
			attribute_key: 'phone_number',
			filter_operator: 'equal_to',
			values: [n.replace('+', '')],
			query_operator: i === numbers.length - 1 ? null : 'OR',
		}));
		const res = await call('POST', '/contacts/filter', { payload });
		const list = (res && res.payload) || [];
		if (list.length <= 1) return list[0] || null;
		const longest = numbers.reduce((a, b) => (b.length > a.length ? b : a), '');
		return list.find((c) => c.phone_number === longest) || list.find((c) => numbers.includes(c.phone_number)) || null;
	}

	async function conversationFor(phone, pushName) {
		const jid = `${phone}@s.whatsapp.net`;
		if (cfg.cacheConversations && cache.has(jid)) {
			const id = cache.get(jid);
			try {
				await call('GET', `/conversations/${id}`);
				return { conversationId: id, contactId: null, created: false };
			} catch (err) {
				if (err.status !== 404) throw err;
				cache.delete(jid);
			}
		}
		const ib = await getInbox();
		let contact = await findContact(phone);
		if (!contact) {
			await call('POST', '/contacts', {
				inbox_id: ib.id,
				name: pushName || phone,
				identifier: jid,
				avatar_url: null,
				phone_number: `+${phone}`,
			});
			contact = await findContact(phone);
		}
		if (!contact) throw new Error(`contact for ${phone} could not be created`);
		const convs = ((await call('GET', `/contacts/${contact.id}/conversations`)) || {}).payload || [];
		let conversation;
		if (cfg.reopenConversation) {
			conversation = convs.find((c) => c.inbox_id === ib.id);
			if (conversation && cfg.conversationPending) {
				await call('POST', `/conversations/${conversation.id}/toggle_status`, { status: 'pending' });
			}
		} else {
			conversation = convs.find((c) => c.status !== 'resolved' && c.inbox_id === ib.id);
		}
		if (conversation) {
			if (cfg.cacheConversations) cache.set(jid, conversation.id);
			return { conversationId: conversation.id, contactId: contact.id, created: false };
		}
		const data = { contact_id: String(contact.id), inbox_id: String(ib.id) };
		if (cfg.conversationPending) data.status = 'pending';
		const created = await call('POST', '/conversations', data);
		if (cfg.cacheConversations) cache.set(jid, created.id);
		return { conversationId: created.id, contactId: contact.id, created: true };
	}

	return {
		/**
		 * Feed one incoming WhatsApp text message.
		 * @param {{phone: string, text: string, pushName?: string, messageId?: string}} msg phone: digits, no "+"
		 * @returns {Promise<{conversationId: number, contactId: number|null, created: boolean, message: any}>}
		 */
		async receiveMessage({ phone, text, pushName = 'WhatsApp User', messageId }) {
			const digits = String(phone).replace(/^\+/, '');
			const conv = await conversationFor(digits, pushName);
			const id = messageId || `3EB0${String(++messageSeq).padStart(16, '0')}`;
			const message = await call('POST', `/conversations/${conv.conversationId}/messages`, {
				content: text,
				message_type: 'incoming',
				private: false,
				source_id: `WAID:${id}`,
				content_attributes: {},
				source_reply_id: null,
			});
			return Object.assign(conv, { message });
		},
		/** Forget cached phone -> conversation ids (EvolutionAPI restart). */
		clearCache() {
			cache.clear();
			inbox = null;
		},
		cachedConversationId(phone) {
			return cache.get(`${String(phone).replace(/^\+/, '')}@s.whatsapp.net`);
		},
	};
}

module.exports = { createEvolutionClient };
