'use strict';
/**
 * Chatwoot simulator, payload and response builders.
 *
 * Every builder reads the simulator state `S` (see chatwoot.js) at call time and returns a plain object whose
 * key order is the order Chatwoot's presenters / jbuilder views write. Times are rendered with the helpers of
 * chatwoot-format.js (int seconds, RubyFloat, or ISO-8601 with milliseconds) exactly where Chatwoot uses each.
 *
 * Webhook shapes (reference: chatwoot.md section 2 and payloads/README.md):
 *   conversationWebhookData  - Conversations::EventDataPresenter#webhook_data (+ `account` from 4.14.2)
 *   messageWebhookData       - Message#webhook_data (top level of message_created / message_updated)
 *   contactWebhookData       - Contact#webhook_data (contact_created / contact_updated, message sender)
 * REST shapes (reference: chatwoot.md section 5):
 *   conversationApi          - the conversations/_conversation partial (GET /conversations/{id}, lists)
 *   webhookApi, agentBotApi, inboxApi, profileApi, contactApi, messageApi, appsApi, customAttributeDefinitionApi
 */
const { toInt, toFloat, toIso } = require('./chatwoot-format');

const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'];

// ---------- leaf objects ----------
function accountWebhookData(S) {
	return { id: S.account.id, name: S.account.name };
}

function contactPushEventData(c) {
	return {
		additional_attributes: c.additionalAttributes,
		custom_attributes: c.customAttributes,
		email: c.email,
		id: c.id,
		identifier: c.identifier,
		name: c.name,
		phone_number: c.phoneNumber,
		thumbnail: '',
		blocked: c.blocked,
		type: 'contact',
	};
}

function contactWebhookData(S, c) {
	return {
		account: accountWebhookData(S),
		additional_attributes: c.additionalAttributes,
		avatar: '',
		custom_attributes: c.customAttributes,
		email: c.email,
		id: c.id,
		identifier: c.identifier,
		name: c.name,
		phone_number: c.phoneNumber,
		thumbnail: '',
		blocked: c.blocked,
	};
}

function userPushEventData(u) {
	return {
		id: u.id,
		name: u.name,
		available_name: u.name,
		avatar_url: '',
		type: 'user',
		availability_status: null,
		thumbnail: '',
	};
}

function userWebhookData(u) {
	return { id: u.id, name: u.name, email: u.email, type: 'user' };
}

function botPushEventData(b) {
	return { id: b.id, name: b.name, avatar_url: '', type: 'agent_bot' };
}

function botWebhookData(b) {
	return { id: b.id, name: b.name, type: 'agent_bot' };
}

function senderOf(S, m) {
	if (m.senderType === 'Contact') return { kind: 'contact', obj: S.contacts.get(m.senderId) };
	if (m.senderType === 'User') return { kind: 'user', obj: S.users.get(m.senderId) };
	if (m.senderType === 'AgentBot') return { kind: 'bot', obj: S.bot.id === m.senderId ? S.bot : null };
	return { kind: null, obj: null };
}

function contactInboxWebhook(ci) {
	return {
		id: ci.id,
		contact_id: ci.contactId,
		inbox_id: ci.inboxId,
		source_id: ci.sourceId,
		created_at: toIso(ci.createdAt),
		updated_at: toIso(ci.updatedAt),
		hmac_verified: ci.hmacVerified,
		pubsub_token: ci.pubsubToken,
	};
}

// ---------- messages ----------
/** Conversation#unread_incoming_messages.count: the last 10 unread incoming messages at most. */
function unreadCount(S, conv) {
	const unread = S.messages.filter(
		(m) =>
			m.conversationId === conv.displayId &&
			m.messageType === 0 &&
			(conv.agentLastSeenAt === null || m.createdAt > conv.agentLastSeenAt),
	).length;
	return Math.min(unread, 10);
}

/** Message#push_event_data (+ webhook content normalization, a no-op for plain text). */
function messagePushEventData(S, m) {
	const conv = S.conversations.get(m.conversationId);
	const ci = S.contactInboxes.get(conv.contactInboxId);
	const out = {
		id: m.id,
		content: m.content,
		account_id: S.account.id,
		inbox_id: m.inboxId,
		conversation_id: conv.displayId,
		message_type: m.messageType,
		created_at: toInt(m.createdAt),
		updated_at: toIso(m.updatedAt),
		private: m.private,
		status: m.status,
		source_id: m.sourceId,
		content_type: m.contentType,
		content_attributes: m.contentAttributes,
		sender_type: m.senderType,
		sender_id: m.senderId,
		external_source_ids: {},
		additional_attributes: m.additionalAttributes,
		processed_message_content: m.content,
		sentiment: {},
		conversation: {
			assignee_id: conv.assigneeId,
			unread_count: unreadCount(S, conv),
			last_activity_at: toInt(conv.lastActivityAt),
			contact_inbox: { source_id: ci.sourceId },
		},
	};
	const s = senderOf(S, m);
	if (s.obj) {
		out.sender =
			s.kind === 'contact'
				? contactPushEventData(s.obj)
				: s.kind === 'user'
					? userPushEventData(s.obj)
					: botPushEventData(s.obj);
	}
	return out;
}

function lastChatMessage(S, conv) {
	for (let i = S.messages.length - 1; i >= 0; i--) {
		const m = S.messages[i];
		if (m.conversationId === conv.displayId && m.messageType !== 2 && !m.private) return m;
	}
	return null;
}

function lastMessage(S, conv, predicate) {
	for (let i = S.messages.length - 1; i >= 0; i--) {
		const m = S.messages[i];
		if (m.conversationId === conv.displayId && (!predicate || predicate(m))) return m;
	}
	return null;
}

/** Team#push_event_data: {id, name}, or null without a team. */
function teamPushEventData(S, conv) {
	const team = conv.teamId ? S.teams.get(conv.teamId) : null;
	return team ? { id: team.id, name: team.name } : null;
}

// ---------- conversation webhook object ----------
function conversationMeta(S, conv) {
	const contact = S.contacts.get(conv.contactId);
	const assignee = conv.assigneeId ? S.users.get(conv.assigneeId) : null;
	const ci = S.contactInboxes.get(conv.contactInboxId);
	return {
		sender: contactPushEventData(contact),
		assignee: assignee ? userPushEventData(assignee) : null,
		assignee_type: assignee ? 'User' : null,
		team: teamPushEventData(S, conv),
		hmac_verified: ci.hmacVerified,
	};
}

/** Conversations::EventDataPresenter#webhook_data: push_data + account (>= 4.14.2), messages = latest chat message. */
function conversationWebhookData(S, conv) {
	const inbox = S.inboxes.get(conv.inboxId);
	const ci = S.contactInboxes.get(conv.contactInboxId);
	const last = lastChatMessage(S, conv);
	const data = {
		additional_attributes: conv.additionalAttributes,
		can_reply: true,
		channel: inbox.channelType,
		contact_inbox: contactInboxWebhook(ci),
		id: conv.displayId,
		inbox_id: conv.inboxId,
		messages: last ? [messagePushEventData(S, last)] : [],
		labels: conv.labels.slice(),
		meta: conversationMeta(S, conv),
		status: conv.status,
		custom_attributes: conv.customAttributes,
		snoozed_until: toIso(conv.snoozedUntil),
		unread_count: unreadCount(S, conv),
		first_reply_created_at: toIso(conv.firstReplyCreatedAt),
		priority: conv.priority,
		waiting_since: toInt(conv.waitingSince),
		agent_last_seen_at: toInt(conv.agentLastSeenAt),
		contact_last_seen_at: toInt(conv.contactLastSeenAt),
		last_activity_at: toInt(conv.lastActivityAt),
		timestamp: toInt(conv.lastActivityAt),
		created_at: toInt(conv.createdAt),
		updated_at: toFloat(conv.updatedAt),
	};
	if (S.features.accountInConversationPayload) data.account = accountWebhookData(S);
	return data;
}

/** Message#webhook_data (top level of message_created). */
function messageWebhookData(S, m) {
	const conv = S.conversations.get(m.conversationId);
	const inbox = S.inboxes.get(m.inboxId);
	const s = senderOf(S, m);
	const out = {
		account: accountWebhookData(S),
		additional_attributes: m.additionalAttributes,
		content_attributes: m.contentAttributes,
		content_type: m.contentType,
		content: m.content,
		conversation: conversationWebhookData(S, conv),
		created_at: toIso(m.createdAt),
		id: m.id,
		inbox: { id: inbox.id, name: inbox.name },
		message_type: MESSAGE_TYPES[m.messageType],
		private: m.private,
		sender: s.obj
			? s.kind === 'contact'
				? contactWebhookData(S, s.obj)
				: s.kind === 'user'
					? userWebhookData(s.obj)
					: botWebhookData(s.obj)
			: null,
		source_id: m.sourceId,
	};
	return out;
}

// ---------- REST shapes ----------
function agentApi(S, u) {
	return {
		id: u.id,
		account_id: S.account.id,
		availability_status: S.assignment.availabilityStatus(u.id),
		auto_offline: S.assignment.presenceOf(u.id).autoOffline,
		confirmed: true,
		email: u.email,
		provider: 'email',
		available_name: u.name,
		name: u.name,
		role: u.role,
		thumbnail: '',
		custom_role_id: null,
	};
}

function contactApi(S, c, withContactInboxes) {
	const out = {
		additional_attributes: c.additionalAttributes,
		availability_status: 'offline',
		email: c.email,
		id: c.id,
		name: c.name,
		phone_number: c.phoneNumber,
		blocked: c.blocked,
		identifier: c.identifier,
		thumbnail: '',
		custom_attributes: c.customAttributes,
		last_activity_at: c.lastActivityAt === null ? undefined : toInt(c.lastActivityAt),
		created_at: toInt(c.createdAt),
	};
	if (withContactInboxes) {
		out.contact_inboxes = [...S.contactInboxes.values()]
			.filter((ci) => ci.contactId === c.id)
			.map((ci) => ({ source_id: ci.sourceId, inbox: inboxApi(S, S.inboxes.get(ci.inboxId), null) }));
	}
	return out;
}

/** The conversations/_conversation partial, in the key order listed by the reference (section 5). */
function conversationApi(S, conv) {
	const contact = S.contacts.get(conv.contactId);
	const inbox = S.inboxes.get(conv.inboxId);
	const ci = S.contactInboxes.get(conv.contactInboxId);
	const assignee = conv.assigneeId ? S.users.get(conv.assigneeId) : null;
	const meta = { sender: contactApi(S, contact, false), channel: inbox.channelType };
	if (assignee) {
		meta.assignee = agentApi(S, assignee);
		meta.assignee_type = 'User'; // both keys only when assigned (_conversation.json.jbuilder L10-20)
	}
	const team = teamPushEventData(S, conv);
	if (team) meta.team = team; // only with a team
	meta.hmac_verified = ci.hmacVerified;
	const last = lastMessage(S, conv);
	const lastNonActivity = lastMessage(S, conv, (m) => m.messageType !== 2);
	return {
		meta,
		id: conv.displayId,
		messages: last ? [messagePushEventData(S, last)] : [],
		account_id: S.account.id,
		uuid: conv.uuid,
		additional_attributes: conv.additionalAttributes,
		agent_last_seen_at: toInt(conv.agentLastSeenAt),
		assignee_last_seen_at: toInt(conv.assigneeLastSeenAt),
		can_reply: true,
		contact_last_seen_at: toInt(conv.contactLastSeenAt),
		custom_attributes: conv.customAttributes,
		inbox_id: conv.inboxId,
		labels: conv.labels.slice(),
		muted: conv.muted,
		snoozed_until: toIso(conv.snoozedUntil),
		status: conv.status,
		created_at: toInt(conv.createdAt),
		updated_at: toFloat(conv.updatedAt),
		timestamp: toInt(conv.lastActivityAt),
		first_reply_created_at: toInt(conv.firstReplyCreatedAt),
		unread_count: unreadCount(S, conv),
		last_non_activity_message: lastNonActivity ? messagePushEventData(S, lastNonActivity) : null,
		last_activity_at: toInt(conv.lastActivityAt),
		priority: conv.priority,
		waiting_since: toInt(conv.waitingSince),
		sla_policy_id: null,
	};
}

function messageApi(S, m) {
	const p = messagePushEventData(S, m);
	return {
		id: p.id,
		content: p.content,
		inbox_id: p.inbox_id,
		conversation_id: p.conversation_id,
		message_type: p.message_type,
		content_type: p.content_type,
		status: p.status,
		content_attributes: p.content_attributes,
		created_at: p.created_at,
		private: p.private,
		source_id: p.source_id,
		sender: p.sender,
	};
}

/** api/v1/models/_custom_attribute_definition.json.jbuilder */
function customAttributeDefinitionApi(d) {
	return {
		id: d.id,
		attribute_display_name: d.displayName,
		attribute_display_type: d.displayType,
		attribute_description: d.description,
		attribute_key: d.key,
		regex_pattern: d.regexPattern,
		regex_cue: d.regexCue,
		attribute_values: d.values,
		attribute_model: d.model,
		default_value: null,
		created_at: toIso(d.createdAt),
		updated_at: toIso(d.updatedAt),
	};
}

function webhookApi(S, w) {
	const out = {
		id: w.id,
		name: w.name,
		url: w.url,
		account_id: S.account.id,
		subscriptions: w.subscriptions.slice(),
	};
	if (S.features.accountWebhookSecret) out.secret = w.secret;
	if (w.inboxId) {
		const inbox = S.inboxes.get(w.inboxId);
		out.inbox = { id: inbox.id, name: inbox.name };
	}
	return out;
}

function agentBotApi(S, bot, isAdmin) {
	const out = {
		id: bot.id,
		name: bot.name,
		description: bot.description,
		thumbnail: '',
		outgoing_url: bot.outgoingUrl,
		bot_type: 'webhook',
		bot_config: {},
		account_id: S.account.id,
	};
	if (isAdmin) out.access_token = bot.token;
	if (isAdmin && S.features.apiInboxAndBotSecret) out.secret = bot.secret;
	out.system_bot = false;
	return out;
}

/** A subset of api/v1/models/_inbox (the common keys plus the channel keys of API and web-widget inboxes). */
function inboxApi(S, inbox, actor) {
	const isAdmin = actor && actor.role === 'administrator';
	const api = inbox.channelType === 'Channel::Api';
	const widget = inbox.channelType === 'Channel::WebWidget';
	const out = {
		id: inbox.id,
		avatar_url: '',
		channel_id: inbox.channelId,
		name: inbox.name,
		channel_type: inbox.channelType,
		greeting_enabled: false,
		greeting_message: null,
		working_hours_enabled: false,
		enable_email_collect: true,
		csat_survey_enabled: false,
		enable_auto_assignment: inbox.enableAutoAssignment,
		out_of_office_message: null,
		working_hours: [],
		timezone: 'UTC',
		callback_webhook_url: null,
		allow_messages_after_resolved: true,
		lock_to_single_conversation: inbox.lockToSingleConversation,
		sender_name_type: 'friendly',
		business_name: null,
		widget_color: widget ? '#1f93ff' : null,
		website_url: widget ? 'https://shop.example.com' : null,
		hmac_mandatory: widget ? false : null,
		welcome_title: widget ? '' : null,
		welcome_tagline: widget ? '' : null,
		web_widget_script: widget ? '<script>/* widget */</script>' : null,
		website_token: widget ? inbox.identifier : null,
		selected_feature_flags: widget ? ['attachments', 'emoji_picker', 'end_conversation'] : null,
		reply_time: widget ? 'in_a_few_minutes' : null,
	};
	if (widget) {
		out.pre_chat_form_enabled = false;
		out.pre_chat_form_options = {};
		out.continuity_via_email = true;
	}
	out.messaging_service_sid = null;
	out.phone_number = null;
	if (api) {
		if (isAdmin) out.hmac_token = inbox.hmacToken;
		if (isAdmin && S.features.apiInboxAndBotSecret) out.secret = inbox.channelSecret;
		out.webhook_url = inbox.webhookUrl;
		out.inbox_identifier = inbox.identifier;
		out.additional_attributes = {};
	}
	out.provider = null;
	return out;
}

function profileApi(S, u) {
	return {
		access_token: u.token,
		account_id: S.account.id,
		available_name: u.name,
		avatar_url: '',
		confirmed: true,
		display_name: null,
		message_signature: null,
		email: u.email,
		hmac_identifier: '',
		id: u.id,
		inviter_id: null,
		name: u.name,
		provider: 'email',
		pubsub_token: u.pubsubToken,
		custom_attributes: {},
		role: u.role,
		ui_settings: {},
		uid: u.email,
		type: 'User',
		accounts: [
			{
				id: S.account.id,
				name: S.account.name,
				status: S.account.suspended ? 'suspended' : 'active',
				active_at: null,
				role: u.role,
				permissions: [u.role],
				availability: S.assignment.presenceOf(u.id).availability,
				availability_status: S.assignment.availabilityStatus(u.id),
				auto_offline: S.assignment.presenceOf(u.id).autoOffline,
				custom_role_id: null,
				custom_role: null,
			},
		],
	};
}

function hookApi(S, hook, isAdmin) {
	const inbox = S.inboxes.get(hook.inboxId);
	const out = {
		id: hook.id,
		app_id: hook.appId,
		status: hook.enabled,
		inbox: inbox ? { id: inbox.id, name: inbox.name } : null,
		account_id: S.account.id,
		hook_type: 'inbox',
	};
	if (isAdmin) {
		out.settings = { project_id: hook.projectId, region: 'global' };
		out.reference_id = null;
	}
	return out;
}

function appsApi(S, actor) {
	const isAdmin = actor && actor.role === 'administrator';
	const dialogflowHooks = [...S.hooks.values()].filter((h) => h.appId === 'dialogflow');
	return {
		payload: [
			{
				id: 'dialogflow',
				name: 'Dialogflow',
				description: 'Build chatbots using Dialogflow and connect them to your inbox quickly.',
				short_description: null,
				enabled: dialogflowHooks.length > 0,
				hooks: dialogflowHooks.map((h) => hookApi(S, h, isAdmin)),
			},
			{
				id: 'slack',
				name: 'Slack',
				description: 'Integrate Chatwoot with Slack to keep your team in sync.',
				short_description: null,
				enabled: false,
				hooks: [],
			},
		],
	};
}

module.exports = {
	MESSAGE_TYPES,
	accountWebhookData,
	contactWebhookData,
	conversationWebhookData,
	messageWebhookData,
	messagePushEventData,
	conversationApi,
	messageApi,
	contactApi,
	agentApi,
	customAttributeDefinitionApi,
	webhookApi,
	agentBotApi,
	inboxApi,
	profileApi,
	appsApi,
	unreadCount,
};
