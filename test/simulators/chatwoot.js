'use strict';
/**
 * Chatwoot simulator (state, REST API, webhook delivery, control API). Other parts: chatwoot-format.js
 * (serialization), chatwoot-presenters.js (payload and response shapes), chatwoot-assignment.js (inbox members,
 * availability, legacy auto-assignment), chatwoot-queries.js (list orders, conversation filters).
 *
 * An in-memory stand-in for ONE Chatwoot account, behaving like Chatwoot 4.15.1 (upstream tag v4.15.1, commit
 * 97bb8ecd; file and line references below are upstream paths at that tag) as described by the project's
 * verified Chatwoot reference notes (2026-11-30 audit and the 2026-12-04 one). Option `version` switches the
 * behaviours that differ between releases:
 *   - < 4.11.2: account webhooks have no `secret` (absent from the REST JSON) and deliveries carry no
 *     X-Chatwoot-Delivery, X-Chatwoot-Timestamp or X-Chatwoot-Signature header (all three came with #13573);
 *   - >= 4.13.0: assignment V2 is the default (config/features.yml L192-194, migration 20260409091202, PR #14031:
 *     on for every account created on 4.13.0 or later); `assignmentV2: false` models an older account;
 *   - < 4.13.0: API-inbox deliveries are unsigned and the inbox / agent-bot JSON has no `secret`;
 *   - < 4.14.2: conversation webhook payloads have no `account` key;
 *   - >= 4.14.0 with option `ssrfBlockPrivate: true`: deliveries to loopback fail like SafeFetch does
 *     (default false, i.e. as if SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true, so tests can receive them).
 * Behaviour options whose default is 4.15.1 and whose `false` keeps an older model reachable (see the
 * JSDoc of createChatwootSimulator): assignmentV2, autoAssignment, captainOpensBeforeMessage, firstReplySingleUpdate,
 * waitingSinceTouchesUpdatedAt, apiInboxFailureMarksMessage, activityMessages; onlineAgents: [] (nobody
 * online) also keeps status changes visible; botInboxCreationEvents (default false) adds the
 * pair of events a public capture from an older Chatwoot shows on a bot-inbox creation.
 *
 * Reference facts implemented:
 *   - REST (base /api/v1, token in `api_access_token` or `Api-Access-Token`):
 *       GET  /profile (user tokens only)
 *       GET/POST /accounts/{a}/webhooks, PATCH/PUT/DELETE /accounts/{a}/webhooks/{id} (administrators only)
 *       GET  /accounts/{a}/conversations: app/finders/conversation_finder.rb. status (default open, `all`),
 *         inbox_id, assignee_type (me | unassigned | assigned | anything else = all; counts taken before it),
 *         sort_by (L5-22; default last_activity_at_desc, see chatwoot-queries.js), page (option
 *         conversationsPerPage = CONVERSATION_RESULTS_PER_PAGE, L225, default 25; Ruby to_i), updated_within=<seconds> (L222-226: every conversation with updated_at newer than that,
 *         not paginated). Agents only see conversations of inboxes they are members of
 *         (Conversations::PermissionFilterService).
 *       POST /accounts/{a}/conversations (create: status from determine_conversation_status, conversation.rb
 *         L280-287: resolved for a blocked contact, pending when the inbox has an active bot even if `status:
 *         "open"` was sent)
 *       POST /accounts/{a}/conversations/filter (Conversations::FilterService; `{"payload":[{attribute_key,
 *         filter_operator, values, query_operator}]}`; standard keys of lib/filters/filter_keys.yml and
 *         conversation custom attributes defined in the account; 422 `{"error": ...}` with Chatwoot's
 *         messages; meta {mine_count, unassigned_count, all_count}; last_activity_at desc, 25 a page)
 *       GET  /accounts/{a}/conversations/{display_id} (the API partial, not the webhook shape)
 *       POST /accounts/{a}/conversations/{display_id}/toggle_status (toggle without status; same status saves
 *         nothing and sends nothing; agent-role user ending open self-assigns in a second save; bot token
 *         pending->open is a bot handoff answering `success: null`; invalid status -> 500; snoozed_until unix
 *         seconds -> ISO)
 *       POST /accounts/{a}/conversations/{display_id}/custom_attributes (conversations_controller.rb
 *         `custom_attributes`: the hash is replaced, answer `{"custom_attributes": {...}}`, a change fires
 *         conversation_updated [custom_attributes, updated_at]; missing hash -> 500; the jsonb length
 *         validator's 422; bot tokens allowed)
 *       POST /accounts/{a}/conversations/{display_id}/toggle_priority, .../assignments (assignee_id or team_id),
 *         .../messages; GET .../messages (the latest 20, oldest first, activity messages included)
 *       GET  /accounts/{a}/conversations/{display_id}/inbox_assistant (enterprise; `{"assistant": ...|null}`)
 *       GET/POST /accounts/{a}/custom_attribute_definitions (create: administrators; the model's
 *         validations; display types and models as names or integers; answer the definition partial)
 *       GET  /accounts/{a}/inboxes (agents: member inboxes only), /inboxes/{id}, /inboxes/{id}/agent_bot
 *         (agents who are not members: 401, inbox_policy.rb L22-27); POST /inboxes/{id}/set_agent_bot
 *       GET  /accounts/{a}/integrations/apps (dialogflow app with its per-inbox hooks)
 *       POST /accounts/{a}/contacts, POST /contacts/filter, GET /contacts/search, GET /contacts/{id}/conversations
 *         (what the EvolutionAPI integration uses)
 *     Agents who are not members of a conversation's inbox get the Pundit 401 on every conversation route.
 *   - Dashboard: GET /app and /app/* answer 200 with an HTML page and need no token (config/routes.rb
 *     `get '/app/*params', to: 'dashboard#index'`), so an API path behind a Base URL copied from the address bar
 *     gets a page, not JSON. The page is a stand-in; Rails' answer to a JSON-only Accept header is not modelled.
 *   - Errors: 401 `{"errors":["You need to sign in or sign up before continuing."]}` (no token),
 *     401 Invalid Access Token, 401 bots outside BOT_ACCESSIBLE_ENDPOINTS, 401 not authorized to access this
 *     account / Account is suspended, 401 Pundit "You are not authorized to do this action" (no 403),
 *     404 `{"error":"Resource could not be found"}`, 422 `{"message","attributes"}` (duplicate url, invalid
 *     url, invalid subscriptions), 500 for invalid enum values, 429 text/plain "Retry later\n" (rack-attack's
 *     default responder body, newline included) without Retry-After (armed through a control method).
 *   - Status logic: enum open/resolved/pending/snoozed; incoming message reopens (snoozed -> open, resolved ->
 *     pending when the inbox has an active bot: agent bot, enabled Dialogflow hook, or Captain with quota;
 *     else open); outgoing messages never reopen; muted conversations are not reopened; snoozed_until is
 *     cleared whenever the status is not snoozed; waiting_since cleared (silently) on resolve; snooze expiry
 *     and agent-bot failure (open!, then the activity message) as control methods.
 *   - Assignment V2 (the default from 4.13.0): app/models/concerns/auto_assignment_handler.rb L11-48 with
 *     inbox.rb L206-208 enqueues AutoAssignment::AssignmentJob instead of assigning inline, whenever the legacy
 *     system would have run (created or just opened, unassigned or assignee not a member, inbox
 *     enable_auto_assignment). The job (assignment_service.rb L30-47, L90-105) runs after the enqueuing operation's
 *     deliveries (option assignmentJobs 'auto'; 'manual': runAssignmentJobs()) and assigns each open, unassigned
 *     conversation of the inbox to the next online member, in an ordinary save by nobody: conversation_updated
 *     [assignee_id null -> X, updated_at], no activity message. Status changes stay visible. The periodic run
 *     (schedule.yml L58-62, every 30 minutes) for inboxes with an assignment policy: runPeriodicAssignment().
 *   - Manual assignment (conversations/assignment_service.rb L16-21: assign(), POST .../assignments) and an
 *     automation's assign_agent (automationAssign(), "Automation System" in the activity): conversation_updated
 *     [assignee_id, updated_at], no status change. Teams (createTeam, assignTeam, POST .../assignments {team_id}:
 *     conversation_updated [team_id, updated_at], meta.team {id, name}): auto-assignment picks among a team's
 *     members only when the team has allow_auto_assign; without it the conversation is never auto-assigned
 *     (auto_assignment_handler.rb L25, L34-38), so its status events stay visible in both systems.
 *   - Channels (addInbox): WhatsApp, SMS, Twilio SMS, Telegram, Line, Facebook, Instagram and TikTok inboxes put an
 *     incoming message after "resolved" into a NEW conversation (the contact's last unresolved one, else a new one:
 *     whatsapp/incoming_message_base_service.rb L115-121), unless lock_to_single_conversation (default false,
 *     schema.rb L904); the API channel (EvolutionAPI) and the web widget reopen the conversation.
 *   - Snooze expiry (reopen_snoozed_conversations_job.rb L5): only a snoozed_until within the last 3 days reopens
 *     (runSnoozeReopenJob by the clock, expireSnooze for one conversation); "snoozed until next reply" (no
 *     snoozed_until) never expires; no activity message.
 *   - Older auto-assignment (assignmentV2: false; chatwoot-assignment.js): inbox members, agent availability, the
 *     legacy round robin. When a save leaves an unassigned conversation just opened (toggle_status by any token, the bot handoff,
 *     the agent-bot failure, snooze expiry, an incoming message reopening a resolved or snoozed conversation
 *     in an inbox without a bot, a Captain reply) and an online member exists, the nested assignment save
 *     replaces previous_changes before the after-commit callbacks run: no conversation_status_changed, and
 *     conversation_updated carries only [assignee_id, updated_at]; the late-built payload's `status` shows the
 *     new status; when the assignee left the inbox the diff is assignee_id X -> Y (L40-48). On a creation only
 *     conversation_created is sent (its payload shows the assignee). With nobody online, auto-assignment off, an
 *     assignee who is a member, or a team without allow_auto_assign: events as usual.
 *     An agent token's toggle_status ending open then self-assigns in its own save (conversation_updated
 *     [assignee_id, updated_at] only if the auto-assignee was somebody else).
 *   - Message callbacks (message.rb L324-333, in order): reopen_conversation; Captain (enterprise/app/models/
 *     enterprise/message.rb L18-44): a human reply in an inbox with a Captain assistant moves pending -> open
 *     before message_created, quota or not; set_conversation_activity (L448-452: last_activity_at and
 *     updated_at by update_columns, no event, for every message type); message_created (incoming, outgoing,
 *     template, private notes too; never activity); then the first human reply saves first_reply_created_at
 *     and waiting_since together (L381-383, one conversation_updated), later human or agent-bot replies clear
 *     waiting_since, an incoming message sets it when blank ([waiting_since, updated_at]).
 *   - Activity messages (Conversations::ActivityMessageJob): after a save, for the Current.user of the request
 *     (REST: the token's user or agent bot; control methods: their `as`; channel code and jobs: nobody):
 *     status ("Conversation was marked resolved by <name>", "...reopened by...", "...marked as pending by...",
 *     "...snoozed by..."; an API-inbox contact reopening: "System reopened the conversation due to a new
 *     incoming message."), priority, and assignee ("Assigned to <agent> by <name>", "<name> self-assigned this
 *     conversation", "Conversation unassigned by <name>"; "Automation System" when only executed_by is set);
 *     the agent-bot failure and Captain auto-open messages. They run after the webhook jobs of the same
 *     operation (Sidekiq: critical before high), so those payloads do not show them; then, like any message,
 *     they move last_activity_at and updated_at. Nobody's change (snooze expiry, a widget reopen) writes none.
 *   - Events: conversation_created / conversation_status_changed (changed_attributes always null) /
 *     conversation_updated (changed_attributes captured when fired, only when a tracked key changed:
 *     status, assignee_id, snoozed_until, custom_attributes, waiting_since, first_reply_created_at, priority) /
 *     message_created / message_updated / contact_created. Resolved + incoming message in a bot inbox fires the
 *     real four: status_changed, updated [status, updated_at], message_created, updated [waiting_since,
 *     updated_at]. A new conversation fires conversation_created only.
 *   - Payloads: built by the presenters from state at SEND time ("late"; option latePayloads=false builds at
 *     fire time), key order and types of the reference (int message_type inside `messages`, string in
 *     message_created, ISO created_at there, float updated_at, waiting_since 0 when unset), serialized like
 *     ActiveSupport (compact, `<>&` and U+2028/9 escaped, floats keep ".0"). The GET partial's time keys:
 *     created_at, timestamp (= last_activity_at), last_activity_at, first_reply_created_at, waiting_since,
 *     agent_last_seen_at, assignee_last_seen_at and contact_last_seen_at are integer seconds (0 when unset),
 *     updated_at a float with microseconds, snoozed_until an ISO string with milliseconds or null;
 *     meta.assignee and meta.assignee_type only when assigned; unread_count counts at most 10.
 *   - Delivery: asynchronous, to every account webhook subscribed to the event whatever its inbox (inbox_id is
 *     not a filter) and, for conversation/message events, to an API inbox's webhook_url without subscription
 *     filter. Headers Content-Type/Accept application/json, from 4.11.2 a new X-Chatwoot-Delivery uuid per target, and
 *     with a secret X-Chatwoot-Timestamp + X-Chatwoot-Signature: sha256=HMAC(secret, "<ts>.<body>").
 *     5 s timeout (option), no retries: a non-2xx or a connection error is written to the delivery log; for
 *     the API inbox target a failed message_created / message_updated marks the message failed with
 *     `content_attributes.external_error` (trigger.rb L65-102; "<code> <reason>" or Net::HTTP's connection
 *     message, approximated) and fires message_updated when that changed something.
 *     X-Chatwoot-Timestamp always comes from the real wall clock (shiftable with setSignatureTimestampOffset),
 *     even with the manual clock, so a receiver's freshness window keeps working. Secrets are generated here
 *     (has_secure_token style) and cannot be set through the API.
 *     Every event is its own job, run concurrently as Sidekiq does (no ordering guarantee, reference §6): the
 *     sends of one operation start in a chosen order (natural, reversed, seeded shuffle or explicit
 *     permutation) without waiting for each other's responses, at most `deliveryConcurrency` at once.
 *   - Automation-rule webhooks: unsigned, no X-Chatwoot-* headers, event "automation_event.<rule event>".
 *
 * Deliberately not modelled: multiple accounts (a second id exists only to answer "not authorized to access
 * this account"), team REST routes (teams are made through the control API), labels API, SLA keys, contact merge, attachments, agent-bot outgoing webhooks and
 * their retries (only the "bot failed -> open" effect as a control method), assignment of agent bots,
 * campaigns, auto-resolve, typing/widget events, macro webhooks, message flood limits, custom roles,
 * V2's balanced policy and per-policy limits, activity messages for labels, teams and SLA, the conversation
 * search `q`, the channels' own webhooks and message formats (other channels differ only in where an incoming
 * message lands), the `include_contact_pii` webhook flag, the REST routes for inbox members and agents (members
 * and availability are set through the control API), and the PR #14870 behaviour after the reference
 * snapshot. The inbox, agent, contact and message REST JSON are reduced to the keys listed in the reference or
 * obviously needed.
 *
 * Usage: const sim = createChatwootSimulator({ version: '4.15.1' }); await sim.start(); ... await sim.stop();
 * Time: real clock by default; `startTime` (ms) gives a manual clock moved only by advanceTime / setTime.
 * updated_at is kept strictly increasing per conversation (+1 µs when the clock has not moved).
 */
const http = require('http');
const { readBody, parseBody, send, listenOptions, listen, close, request } = require('./http-util');
const F = require('./chatwoot-format');
const P = require('./chatwoot-presenters');
const { createAssignment } = require('./chatwoot-assignment');
const Q = require('./chatwoot-queries');

const STATUSES = ['open', 'resolved', 'pending', 'snoozed'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const ALLOWED_WEBHOOK_EVENTS = [
	'conversation_status_changed',
	'conversation_updated',
	'conversation_created',
	'contact_created',
	'contact_updated',
	'message_created',
	'message_updated',
	'webwidget_triggered',
	'inbox_created',
	'inbox_updated',
	'conversation_typing_on',
	'conversation_typing_off',
];
const DEFAULT_SUBSCRIPTIONS = ALLOWED_WEBHOOK_EVENTS.slice(0, 8);
const AUTOMATION_RULE_EVENTS = [
	'conversation_created',
	'conversation_updated',
	'conversation_opened',
	'conversation_resolved',
	'message_created',
];
/** Conversation#list_of_keys that make a save emit conversation_updated (tracked fields we model). */
const TRACKED = new Set(['status', 'assigneeId', 'teamId', 'snoozedUntil', 'customAttributes', 'waitingSince', 'firstReplyCreatedAt', 'priority']);
const ATTR_NAMES = {
	status: 'status',
	customAttributes: 'custom_attributes',
	assigneeId: 'assignee_id',
	teamId: 'team_id',
	snoozedUntil: 'snoozed_until',
	waitingSince: 'waiting_since',
	firstReplyCreatedAt: 'first_reply_created_at',
	priority: 'priority',
	updatedAt: 'updated_at',
};
/** reopen_snoozed_conversations_job.rb L5: `snoozed_until: 3.days.ago..Time.current`. */
const SNOOZE_REOPEN_WINDOW_US = 3 * 24 * 3600 * 1e6;
const TIME_FIELDS = new Set(['snoozedUntil', 'waitingSince', 'firstReplyCreatedAt', 'updatedAt']);

/** Stand-in for the page dashboard#index renders (the Vue app's shell). */
const DASHBOARD_PAGE = '<!DOCTYPE html><html><head><title>Chatwoot</title></head><body><div id="app"></div></body></html>\n';

const ERR = {
	noToken: { errors: ['You need to sign in or sign up before continuing.'] },
	invalidToken: { error: 'Invalid Access Token' },
	bots: { error: 'Access to this endpoint is not authorized for bots' },
	foreignAccount: { error: 'You are not authorized to access this account' },
	suspended: { error: 'Account is suspended' },
	pundit: { error: 'You are not authorized to do this action' },
	notFound: { error: 'Resource could not be found' },
	routing: { status: 404, error: 'Not Found' },
	server: { status: 500, error: 'Internal Server Error' },
	badRequest: { status: 400, error: 'Bad Request' },
};

/** Net::HTTP's message for a connection failure (approximated from the Node error code). */
function rubyConnectionError(err, url) {
	const u = new URL(url);
	const port = u.port || '80';
	if (err.code === 'ECONNREFUSED') return `Failed to open TCP connection to ${u.hostname}:${port} (Connection refused - connect(2) for "${u.hostname}" port ${port})`;
	if (err.code === 'ETIMEDOUT') return 'Net::ReadTimeout with #<TCPSocket:(closed)>';
	return err.message;
}

class HttpError extends Error {
	constructor(status, body) {
		super(`HTTP ${status}`);
		this.status = status;
		this.body = body;
	}
}
const notFound = () => new HttpError(404, ERR.notFound);
const forbidden = () => new HttpError(401, ERR.pundit);
const serverError = () => new HttpError(500, ERR.server);

function deferred() {
	let resolve;
	const promise = new Promise((r) => (resolve = r));
	return { promise, resolve };
}

function toId(v) {
	if (typeof v === 'number' && Number.isInteger(v)) return v;
	if (typeof v === 'string' && /^\d+$/.test(v)) return parseInt(v, 10);
	return null;
}

/** Equality as Rails dirty tracking sees it: jsonb hashes compare by content, key order ignored. */
function sameValue(a, b) {
	if (a === b) return true;
	if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a);
	return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
}

function present(v) {
	return !(v === undefined || v === null || (typeof v === 'string' && v.trim() === ''));
}

/**
 * @param {object} [options]
 * @param {string} [options.version='4.15.1'] Chatwoot version whose behaviour to follow.
 * @param {number} [options.accountId=1]
 * @param {string} [options.accountName='Acme Support']
 * @param {number} [options.startTime] epoch ms: use a manual clock starting there (default: real clock).
 * @param {object} [options.tokens] fixed tokens { administrator, agent, bot } (default: random).
 * @param {'natural'|'reversed'|{shuffle:number}|number[]} [options.deliveryOrder='natural']
 * @param {number} [options.deliveryConcurrency=10] deliveries in flight at once (Sidekiq workers); 1 = one by one.
 * @param {number} [options.webhookTimeoutMs=5000]
 * @param {boolean} [options.latePayloads=true] build payloads at send time (Chatwoot) or at fire time.
 * @param {boolean} [options.enterprise=true] enterprise edition (Captain, inbox_assistant route).
 * @param {boolean} [options.botInboxCreationEvents=false] the extra status_changed + updated on a bot-inbox create
 *   (a capture from an older Chatwoot; 4.15.1 sends conversation_created only).
 * @param {boolean} [options.autoAssignment=true] inbox setting enable_auto_assignment of both inboxes.
 * @param {boolean|null} [options.assignmentV2=null] account feature assignment_v2: on for every account created on
 *   4.13.0 or later, so the default is version >= 4.13.0; false models an older account (the legacy inline assignment).
 * @param {'auto'|'manual'} [options.assignmentJobs='auto'] assignment V2: the AssignmentJob an operation enqueues runs
 *   by itself once that operation's deliveries finished ('auto'), or only when runAssignmentJobs() is called.
 * @param {number} [options.conversationsPerPage=25] CONVERSATION_RESULTS_PER_PAGE of the conversation list.
 * @param {number[]|null} [options.onlineAgents=null] user ids connected and online at start (default: the agent
 *   user, a member of both inboxes, so auto-assignment happens as in a staffed Chatwoot; [] = nobody online).
 * @param {Record<number, number[]>|null} [options.inboxMembers=null] inbox id -> member user ids in membership
 *   order (default: the agent user is the only member of both inboxes).
 * @param {boolean} [options.captainOpensBeforeMessage=true] Captain inbox: a human reply opens the pending
 *   conversation before message_created, quota or not (false: after it and only with quota, the older model).
 * @param {boolean} [options.firstReplySingleUpdate=true] first human reply: first_reply_created_at and
 *   waiting_since in one save (false: two conversation_updated, the older model).
 * @param {boolean} [options.waitingSinceTouchesUpdatedAt=true] an incoming message's waiting_since save also
 *   moves updated_at (false: waiting_since alone, the older model).
 * @param {boolean} [options.apiInboxFailureMarksMessage=true] a failed API-inbox delivery of message_created /
 *   message_updated marks the message failed (a message_updated); false: only logged, the older model.
 * @param {boolean} [options.activityMessages=true] the activity messages Chatwoot's jobs write after status,
 *   priority and assignee changes (they move last_activity_at and updated_at); false: none, the older model.
 * @param {boolean} [options.keepPendingOnBotFailure=false] account setting keep_pending_on_bot_failure.
 * @param {boolean} [options.ssrfBlockPrivate=false] with version >= 4.14.0, refuse loopback targets like SafeFetch.
 * @param {string|null} [options.apiInboxWebhookUrl=null] webhook_url of the API inbox (EvolutionAPI's URL).
 * @param {boolean} [options.attachBot=true] whether the API inbox starts with the agent bot attached.
 */
function createChatwootSimulator(options = {}) {
	const opts = Object.assign(
		{
			version: '4.15.1',
			accountId: 1,
			accountName: 'Acme Support',
			startTime: null,
			tokens: {},
			deliveryOrder: 'natural',
			deliveryConcurrency: 10,
			webhookTimeoutMs: 5000,
			latePayloads: true,
			enterprise: true,
			botInboxCreationEvents: false,
			autoAssignment: true,
			assignmentV2: null,
			assignmentJobs: 'auto',
			conversationsPerPage: 25,
			onlineAgents: null,
			inboxMembers: null,
			captainOpensBeforeMessage: true,
			firstReplySingleUpdate: true,
			waitingSinceTouchesUpdatedAt: true,
			apiInboxFailureMarksMessage: true,
			activityMessages: true,
			keepPendingOnBotFailure: false,
			ssrfBlockPrivate: false,
			apiInboxWebhookUrl: null,
			attachBot: true,
		},
		options,
	);
	const atLeast = (v) => F.compareVersions(opts.version, v) >= 0;

	// ------------------------------------------------------------------ clock (microseconds)
	let manualUs = opts.startTime === null || opts.startTime === undefined ? null : Math.round(opts.startTime * 1000);
	let lastUs = 0;
	const hr0 = process.hrtime.bigint();
	const wall0 = Date.now() * 1000;
	function nowUs() {
		if (manualUs !== null) return manualUs;
		let t = wall0 + Number((process.hrtime.bigint() - hr0) / 1000n);
		if (t <= lastUs) t = lastUs + 1;
		lastUs = t;
		return t;
	}

	// ------------------------------------------------------------------ state
	const t0 = nowUs();
	const S = {
		account: { id: opts.accountId, name: opts.accountName, suspended: false },
		foreignAccountId: opts.accountId + 1,
		features: {
			accountWebhookSecret: atLeast('4.11.2'),
			apiInboxAndBotSecret: atLeast('4.13.0'),
			accountInConversationPayload: atLeast('4.14.2'),
			ssrf: atLeast('4.14.0') && opts.ssrfBlockPrivate,
			assignmentV2: opts.assignmentV2 === null || opts.assignmentV2 === undefined ? atLeast('4.13.0') : Boolean(opts.assignmentV2),
			// X-Chatwoot-Delivery came with the signing change (#13573, 4.11.2); before it the headers are bare.
			deliveryId: atLeast('4.11.2'),
		},
		teams: new Map(),
		users: new Map(),
		bot: null,
		inboxes: new Map(),
		hooks: new Map(),
		contacts: new Map(),
		contactInboxes: new Map(),
		conversations: new Map(),
		messages: [],
		webhooks: new Map(),
		customAttributeDefinitions: new Map(),
		seq: { contact: 0, contactInbox: 0, conversation: 0, conversationDb: 0, message: 0, webhook: 0, hook: 0, customAttribute: 0, team: 0, inbox: 2 },
	};
	const user = (id, name, email, role) => ({ id, name, email, role, token: opts.tokens[role] || F.secureToken(), pubsubToken: F.secureToken() });
	const admin = user(1, 'Ada Admin', 'ada.admin@example.com', 'administrator');
	const agent = user(2, 'Alex Agent', 'alex.agent@example.com', 'agent');
	S.users.set(admin.id, admin);
	S.users.set(agent.id, agent);
	S.bot = {
		id: 1,
		name: 'WhatsApp Bot',
		description: 'Answers WhatsApp customers before a human takes over',
		outgoingUrl: 'http://127.0.0.1:9/agent-bot',
		token: opts.tokens.bot || F.secureToken(),
		secret: F.secureToken(),
	};
	/** An inbox as the simulator keeps it; only API inboxes have a webhook URL and a channel secret. */
	function inboxRecord({ id, channelId, name, channelType, webhookUrl = null, channelSecret = null, lockToSingleConversation = false, botId = null }) {
		return {
			id,
			channelId,
			name,
			channelType,
			webhookUrl,
			channelSecret,
			hmacToken: F.secureToken(),
			identifier: F.secureToken(),
			lockToSingleConversation,
			botId,
			captain: null,
			enableAutoAssignment: Boolean(opts.autoAssignment),
			maxAssignmentLimit: null,
			assignmentPolicy: false,
		};
	}
	const apiInbox = inboxRecord({
		id: 1,
		channelId: 1,
		name: 'WhatsApp (EvolutionAPI)',
		channelType: 'Channel::Api',
		webhookUrl: opts.apiInboxWebhookUrl,
		channelSecret: F.secureToken(),
		botId: opts.attachBot ? S.bot.id : null,
	});
	const webInbox = inboxRecord({ id: 2, channelId: 1, name: 'Website', channelType: 'Channel::WebWidget' });
	S.inboxes.set(apiInbox.id, apiInbox);
	S.inboxes.set(webInbox.id, webInbox);
	void t0;
	const assignment = createAssignment(S, { enterprise: opts.enterprise, onlineAgents: opts.onlineAgents || [agent.id] });
	S.assignment = assignment;
	for (const inbox of S.inboxes.values()) {
		const configured = opts.inboxMembers && opts.inboxMembers[inbox.id];
		assignment.setMembers(inbox.id, configured || [agent.id]);
	}

	function actorRole(actor) {
		return actor.kind === 'bot' ? 'agent_bot' : actor.user.role;
	}

	function activeBot(inbox) {
		if (inbox.botId) return true;
		for (const h of S.hooks.values()) if (h.appId === 'dialogflow' && h.inboxId === inbox.id && h.enabled) return true;
		return Boolean(opts.enterprise && inbox.captain && !inbox.captain.quotaExhausted);
	}

	// ------------------------------------------------------------------ event batching and delivery queue
	let currentBatch = null;
	let batchSeq = 0;
	let jobSeq = 0;
	let deliverySeq = 0;
	let deliveryOrder = opts.deliveryOrder;
	let rng = null;
	const queue = [];
	let pumping = false;
	let pumpScheduled = false;
	let paused = false;
	let resumeWaiters = [];
	let inFlight = 0;
	const slotWaiters = [];
	let idleWaiters = [];
	const deliveryWaiters = new Set();
	let deliveryLog = [];
	let requestLog = [];
	let requestSeq = 0;
	let rateRules = [];
	let signatureOffset = 0;

	function setDeliveryOrder(order) {
		deliveryOrder = order || 'natural';
		rng = order && typeof order === 'object' && !Array.isArray(order) ? F.seededRandom(order.shuffle) : null;
	}
	setDeliveryOrder(deliveryOrder);

	function orderBatch(jobs) {
		const n = jobs.length;
		const o = deliveryOrder;
		if (o === 'reversed') return jobs.slice().reverse();
		if (Array.isArray(o)) {
			const valid = o.length === n && o.slice().sort((a, b) => a - b).every((v, i) => v === i);
			return valid ? o.map((i) => jobs[i]) : jobs.slice();
		}
		if (o && typeof o === 'object' && rng) {
			const out = jobs.slice();
			for (let i = out.length - 1; i > 0; i--) {
				const j = Math.floor(rng() * (i + 1));
				[out[i], out[j]] = [out[j], out[i]];
			}
			return out;
		}
		return jobs.slice();
	}

	/**
	 * Current.user / Current.executed_by of the running request or control call: the actor whose name goes
	 * into activity messages (null for channel code and jobs), and whether an API-inbox contact reopened it.
	 */
	let current = { actor: null, executedByContact: false };

	/**
	 * Run `fn` as one operation by `actor` (or nobody): events it fires are queued together (and ordered) when
	 * it returns, the activity-message jobs it enqueues after them.
	 */
	function operation(fn, actor = null) {
		if (currentBatch) return { result: fn(), done: Promise.resolve([]) };
		const batch = { id: ++batchSeq, jobs: [], afterCommit: [] };
		currentBatch = batch;
		current = { actor, executedByContact: false };
		let result;
		try {
			result = fn();
		} finally {
			currentBatch = null;
			current = { actor: null, executedByContact: false };
		}
		const done = commitBatch(batch);
		if (batch.afterCommit.length) done.then(() => batch.afterCommit.forEach((run) => run()));
		return { result, done };
	}

	/** Logs list deliveries in the order they were sent; they are written when they finish. */
	const bySeq = (a, b) => a.seq - b.seq;

	function commitBatch(batch) {
		if (!batch.jobs.length) return Promise.resolve([]);
		// Sidekiq runs the `critical` EventDispatcherJobs (they build the payloads) before the `high`
		// ActivityMessageJobs: the activity jobs start after every webhook job of the batch.
		const webhookJobs = batch.jobs.filter((j) => j.kind !== 'activity');
		webhookJobs.forEach((j, i) => (j.indexInBatch = i));
		for (const j of orderBatch(webhookJobs)) queue.push(j);
		for (const j of batch.jobs) if (j.kind === 'activity') queue.push(j);
		schedulePump();
		return Promise.all(batch.jobs.map((j) => j.done.promise)).then(() =>
			deliveryLog.filter((e) => e.batch === batch.id).sort(bySeq),
		);
	}

	function fire(job) {
		const full = Object.assign({ seq: ++jobSeq, firedAt: nowUs(), done: deferred() }, job);
		if (!opts.latePayloads && !full.payload && full.kind !== 'activity') full.payload = buildPayload(full);
		if (currentBatch) {
			full.batch = currentBatch.id;
			currentBatch.jobs.push(full);
		} else {
			// fired outside an operation: a batch of its own
			const batch = { id: ++batchSeq, jobs: [full] };
			full.batch = batch.id;
			commitBatch(batch);
		}
		return full;
	}

	function fireConversation(event, conv, changedAttributes) {
		const job = { event, kind: 'conversation', conversationId: conv.displayId };
		if (event === 'conversation_status_changed' || event === 'conversation_updated') {
			job.changedAttributes = changedAttributes === undefined ? null : changedAttributes;
		}
		return fire(job);
	}

	function schedulePump() {
		if (pumpScheduled || pumping) return;
		pumpScheduled = true;
		setImmediate(() => {
			pumpScheduled = false;
			pump();
		});
	}

	// Each event is its own Sidekiq job, and Sidekiq runs jobs concurrently: deliveries start in the batch's
	// order but do not wait for each other (a receiver that holds one delivery still gets the next).
	async function pump() {
		if (pumping) return;
		pumping = true;
		try {
			while (queue.length) {
				while (paused) await new Promise((r) => resumeWaiters.push(r));
				while (inFlight >= opts.deliveryConcurrency) await new Promise((r) => slotWaiters.push(r));
				const job = queue.shift();
				inFlight++;
				processJob(job)
					.catch((err) => {
						job.error = err;
					})
					.finally(() => {
						inFlight--;
						job.done.resolve();
						slotWaiters.splice(0).forEach((r) => r());
						checkIdle();
					});
				// Let this request go out before the next job starts, so sends start in the chosen order.
				await new Promise((r) => setImmediate(r));
			}
		} finally {
			pumping = false;
			checkIdle();
		}
	}

	function isIdle() {
		return !pumping && !pumpScheduled && queue.length === 0 && inFlight === 0 && assignmentJobsRunning === 0;
	}

	function checkIdle() {
		if (!isIdle()) return;
		const w = idleWaiters;
		idleWaiters = [];
		w.forEach((r) => r());
	}

	function buildPayload(job) {
		if (job.kind === 'conversation' || job.kind === 'automation') {
			const conv = S.conversations.get(job.conversationId);
			if (!conv) return null;
			const data = P.conversationWebhookData(S, conv);
			data.event = job.event;
			if ('changedAttributes' in job) data.changed_attributes = job.changedAttributes;
			return data;
		}
		if (job.kind === 'message') {
			const m = S.messages.find((x) => x.id === job.messageId);
			if (!m) return null;
			const data = P.messageWebhookData(S, m);
			data.event = job.event;
			return data;
		}
		if (job.kind === 'contact') {
			const c = S.contacts.get(job.contactId);
			if (!c) return null;
			const data = P.contactWebhookData(S, c);
			data.event = job.event;
			return data;
		}
		return null;
	}

	function targetsFor(job) {
		if (job.targets) return job.targets;
		const out = [];
		for (const w of S.webhooks.values()) {
			if (!w.subscriptions.includes(job.event)) continue;
			out.push({
				kind: 'account_webhook',
				webhookId: w.id,
				url: w.url,
				secret: S.features.accountWebhookSecret ? w.secret : null,
				deliveryId: S.features.deliveryId,
			});
		}
		if (job.kind === 'conversation' || job.kind === 'message') {
			const conv = S.conversations.get(job.conversationId);
			const inbox = conv && S.inboxes.get(conv.inboxId);
			if (inbox && inbox.channelType === 'Channel::Api' && inbox.webhookUrl) {
				out.push({
					kind: 'api_inbox',
					inboxId: inbox.id,
					url: inbox.webhookUrl,
					secret: S.features.apiInboxAndBotSecret ? inbox.channelSecret : null,
					deliveryId: S.features.deliveryId,
				});
			}
		}
		return out;
	}

	async function processJob(job) {
		if (job.kind === 'activity') return void createActivityMessage(job.conversationId, job.content);
		const payload = job.payload || buildPayload(job);
		if (!payload) return;
		const body = F.toRubyJson(payload);
		for (const target of targetsFor(job)) await deliver(target, body, job);
	}

	async function deliver(target, body, job) {
		const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
		if (target.deliveryId) headers['X-Chatwoot-Delivery'] = F.uuid();
		if (target.secret) {
			const ts = String(Math.floor(Date.now() / 1000) + signatureOffset);
			headers['X-Chatwoot-Timestamp'] = ts;
			headers['X-Chatwoot-Signature'] = `sha256=${F.hmacSha256Hex(target.secret, `${ts}.${body}`)}`;
		}
		const entry = {
			seq: ++deliverySeq,
			event: job.event,
			target: target.kind,
			webhookId: target.webhookId === undefined ? null : target.webhookId,
			url: target.url,
			headers,
			body,
			json: JSON.parse(body),
			status: null,
			error: null,
			responseBody: null,
			conversationId: job.conversationId === undefined ? null : job.conversationId,
			messageId: job.messageId === undefined ? null : job.messageId,
			batch: job.batch,
			indexInBatch: job.indexInBatch,
			firedSeq: job.seq,
		};
		try {
			if (S.features.ssrf) {
				const host = new URL(target.url).hostname;
				const e = new Error(`Hostname '${host}' has no public ip addresses`);
				e.code = 'ESSRF';
				throw e;
			}
			const res = await request({ method: 'POST', url: target.url, headers, body, timeoutMs: opts.webhookTimeoutMs });
			entry.status = res.status;
			entry.responseBody = res.body;
			if (res.status < 200 || res.status >= 300) {
				entry.error = `HTTP ${res.status}`;
				handleDeliveryFailure(target, job, `${res.status} ${http.STATUS_CODES[res.status] || ''}`.trim());
			}
		} catch (err) {
			entry.error = err.code || err.message;
			handleDeliveryFailure(target, job, rubyConnectionError(err, target.url));
		}
		deliveryLog.push(entry);
		for (const check of [...deliveryWaiters]) check();
		return entry;
	}

	/**
	 * Webhooks::Trigger#handle_error (trigger.rb L65-75, L100-102): a failed API-inbox delivery of
	 * message_created / message_updated runs Messages::StatusUpdateService(message, 'failed', error.message);
	 * a real change is a message update, hence message_updated. Account webhook failures are only logged.
	 */
	function handleDeliveryFailure(target, job, errorMessage) {
		if (!opts.apiInboxFailureMarksMessage || target.kind !== 'api_inbox') return;
		if (job.event !== 'message_created' && job.event !== 'message_updated') return;
		const m = S.messages.find((x) => x.id === job.messageId);
		if (!m || (m.status === 'failed' && m.contentAttributes.external_error === errorMessage)) return;
		m.status = 'failed';
		m.contentAttributes = Object.assign({}, m.contentAttributes, { external_error: errorMessage });
		m.updatedAt = nowUs();
		fire({ event: 'message_updated', kind: 'message', messageId: m.id, conversationId: m.conversationId });
	}

	// ------------------------------------------------------------------ domain operations (call inside operation())
	function findConversation(displayId) {
		const id = toId(displayId);
		const conv = id === null ? null : S.conversations.get(id);
		if (!conv) throw notFound();
		return conv;
	}

	function formatAttr(field, value) {
		if (TIME_FIELDS.has(field)) return F.toIso(value);
		return value === undefined ? null : value;
	}

	/** A strictly increasing updated_at per conversation (with the manual clock two saves would share it). */
	function nextUpdatedAt(conv) {
		const t = nowUs();
		return t <= conv.updatedAt ? conv.updatedAt + 1 : t;
	}

	/**
	 * One ActiveRecord save: apply changes, before_save resets snoozed_until, timestamps bump updated_at.
	 * Returns `previous_changes` as [field, previous, current] (null when nothing changed, so nothing saved).
	 */
	function applyChanges(conv, changes, touch) {
		const diffs = new Map();
		const set = (field, value) => {
			if (sameValue(conv[field], value)) return;
			if (!diffs.has(field)) diffs.set(field, conv[field]);
			conv[field] = value;
		};
		for (const [field, value] of changes) set(field, value);
		if (conv.status !== 'snoozed' && conv.snoozedUntil !== null) set('snoozedUntil', null);
		const saved = [...diffs.entries()].filter(([f, prev]) => !sameValue(prev, conv[f])).map(([f, prev]) => [f, prev, conv[f]]);
		if (!saved.length) return null;
		if (touch) {
			const t = nextUpdatedAt(conv);
			saved.push(['updatedAt', conv.updatedAt, t]);
			conv.updatedAt = t;
		}
		return saved;
	}

	/**
	 * The members auto-assignment may pick for a conversation: with a team, only a team that allows auto-assignment,
	 * and then its members among the inbox's (auto_assignment_handler.rb L25, L34-38; team_member_ids_with_capacity).
	 * null: nobody may be picked.
	 */
	function assignableMembers(conv) {
		if (conv.teamId === null || conv.teamId === undefined) return undefined;
		const team = S.teams.get(conv.teamId);
		if (!team || !team.allowAutoAssign) return null;
		return team.memberIds;
	}

	/**
	 * AutoAssignmentHandler#run_auto_assignment (after_save): runs when the conversation is open and was just created
	 * or had its status changed, the inbox has enable_auto_assignment, and nobody (or an agent who is no longer a
	 * member of the inbox) is assigned (L11-48). Legacy system: the nested `conversation.update(assignee:)` runs inside
	 * the first save's transaction and its changes become `previous_changes`; returns them (null: nobody assigned).
	 * Assignment V2 (inbox.rb L206-208): the status save stays as it is, and an AssignmentJob for the inbox is
	 * enqueued; it assigns later, in a save of its own (assignment_service.rb L30-47, L90-105).
	 */
	function autoAssign(conv, { created, statusChanged }) {
		if (conv.status !== 'open' || !(created || statusChanged)) return null;
		const inbox = S.inboxes.get(conv.inboxId);
		if (!inbox.enableAutoAssignment) return null;
		if (conv.assigneeId !== null && assignment.isMember(inbox.id, conv.assigneeId)) return null;
		const allowed = assignableMembers(conv);
		if (allowed === null) return null;
		if (S.features.assignmentV2) return void enqueueAssignmentJob(inbox.id), null;
		const userId = assignment.pickAssignee(inbox, allowed);
		return userId === null ? null : applyChanges(conv, [['assigneeId', userId]], true);
	}

	// ------------------------------------------------------------------ assignment V2 (AutoAssignment::AssignmentJob)
	/** Inbox ids with an AssignmentJob enqueued and not run yet. */
	const assignmentJobs = new Set();
	let assignmentJobsRunning = 0;

	function enqueueAssignmentJob(inboxId) {
		if (assignmentJobs.has(inboxId)) return;
		assignmentJobs.add(inboxId);
		if (opts.assignmentJobs !== 'auto') return;
		// Sidekiq takes the job after the enqueuing request: its save comes after that operation's events.
		const after = currentBatch ? currentBatch : null;
		assignmentJobsRunning++;
		const run = () => {
			assignmentJobsRunning--;
			if (!assignmentJobs.has(inboxId)) return checkIdle();
			const { done } = operation(() => runAssignmentJob(inboxId));
			done.then(checkIdle, checkIdle);
		};
		if (after) after.afterCommit.push(run);
		else setImmediate(run);
	}

	/**
	 * AutoAssignment::AssignmentService#perform_for_inbox: the inbox's open, unassigned conversations, oldest first,
	 * each to the next online member with capacity (a team that does not allow auto-assignment: nobody). Every
	 * assignment is an ordinary save by nobody: conversation_updated [assignee_id, updated_at], no activity message.
	 */
	function runAssignmentJob(inboxId) {
		assignmentJobs.delete(inboxId);
		const inbox = S.inboxes.get(inboxId);
		if (!inbox || !inbox.enableAutoAssignment) return 0;
		let assigned = 0;
		const waiting = [...S.conversations.values()]
			.filter((c) => c.inboxId === inboxId && c.status === 'open' && c.assigneeId === null)
			.sort((a, b) => a.createdAt - b.createdAt);
		for (const conv of waiting) {
			const allowed = assignableMembers(conv);
			if (allowed === null) continue;
			const userId = assignment.pickAssignee(inbox, allowed);
			if (userId === null) continue;
			saveConversation(conv, [['assigneeId', userId]]);
			assigned++;
		}
		return assigned;
	}

	/**
	 * Save a conversation like ActiveRecord + Conversation callbacks, then run the after_update_commit callbacks
	 * once with the final `previous_changes`: conversation_status_changed when the status is among them
	 * (changed_attributes null), conversation_updated when a tracked key is (changed_attributes = them).
	 * An auto-assignment in between replaces them, hiding the status change (chatwoot-assignment.js).
	 */
	function saveConversation(conv, changes, options) {
		return Boolean(commitSave(conv, changes, options));
	}

	/** saveConversation returning the committed `previous_changes` (null when nothing was saved). */
	function commitSave(conv, changes, { touch = true } = {}) {
		const saved = applyChanges(conv, changes, touch);
		if (!saved) return null;
		const statusChanged = saved.some(([f]) => f === 'status');
		const committed = autoAssign(conv, { created: false, statusChanged }) || saved;
		const committedStatus = committed.some(([f]) => f === 'status');
		if (committedStatus && conv.status === 'resolved') conv.waitingSince = null; // update_column, no event
		if (committedStatus) fireConversation('conversation_status_changed', conv, null);
		if (committed.some(([f]) => TRACKED.has(f))) {
			fireConversation(
				'conversation_updated',
				conv,
				committed.map(([f, prev, next]) => ({
					[ATTR_NAMES[f]]: { previous_value: formatAttr(f, prev), current_value: formatAttr(f, next) },
				})),
			);
		}
		queueChangeActivities(conv, committed);
		return committed;
	}

	// ------------------------------------------------------------------ activity messages (ActivityMessageJob)
	const STATUS_ACTIVITY = {
		resolved: (name) => `Conversation was marked resolved by ${name}`,
		open: (name) => `Conversation was reopened by ${name}`,
		pending: (name) => `Conversation was marked as pending by ${name}`,
		snoozed: (name) => `Conversation was snoozed by ${name}`,
	};
	const actorName = (actor) => (actor.kind === 'bot' ? actor.bot.name : actor.user.name);
	const actorId = (actor) => (actor.kind === 'bot' ? actor.bot.id : actor.user.id);

	/** Conversations::ActivityMessageJob.perform_later: runs after the batch's webhook jobs (commitBatch). */
	function queueActivity(conv, content) {
		if (opts.activityMessages) fire({ event: 'activity_message', kind: 'activity', conversationId: conv.displayId, content });
	}

	function createActivityMessage(displayId, content) {
		const conv = S.conversations.get(displayId);
		if (conv) createMessage(conv, { messageType: 'activity', content, sender: null });
	}

	/**
	 * The activity messages of one commit, in Rails 7.0's after_commit order (execute_after_update_commit_callbacks
	 * before AssignmentHandler#process_assignment_changes): activity_message_handler.rb (status by
	 * Current.user, or "System reopened..." when an API-inbox contact reopened it), priority_activity_message_
	 * handler.rb, assignee_activity_message_handler.rb (owner: Current.user, else "Automation System" when
	 * Current.executed_by is set; nobody: no message).
	 */
	function queueChangeActivities(conv, committed) {
		const changed = new Set(committed.map(([f]) => f));
		const userName = current.actor ? actorName(current.actor) : null;
		if (changed.has('status')) {
			if (current.executedByContact) {
				current.executedByContact = false; // automation_status_change_activity_content clears it
				queueActivity(conv, 'System reopened the conversation due to a new incoming message.');
			} else if (userName) {
				queueActivity(conv, STATUS_ACTIVITY[conv.status](userName));
			}
		}
		if (changed.has('priority')) {
			const [, before, after] = committed.find(([f]) => f === 'priority');
			const who = userName || '';
			if (before && after) queueActivity(conv, `${who} changed the priority from ${before} to ${after}`);
			else if (after) queueActivity(conv, `${who} set the priority to ${after}`);
			else queueActivity(conv, `${who} removed the priority`);
		}
		if (changed.has('assigneeId')) {
			const owner = userName || (current.executedByContact || current.executedByAutomation ? 'Automation System' : null);
			if (!owner) return;
			const assignee = conv.assigneeId === null ? null : S.users.get(conv.assigneeId);
			// self_assign? compares Current.user.id with assignee_id whatever Current.user's class is
			const self = assignee && current.actor && actorId(current.actor) === assignee.id;
			if (!assignee) queueActivity(conv, `Conversation unassigned by ${owner}`);
			else if (self) queueActivity(conv, `${owner} self-assigned this conversation`);
			else queueActivity(conv, `Assigned to ${assignee.name} by ${owner}`);
		}
	}

	function createContact({ name = null, email = null, phoneNumber = null, identifier = null, blocked = false } = {}) {
		const t = nowUs();
		const c = {
			id: ++S.seq.contact,
			name: name === null ? '' : name,
			email,
			phoneNumber,
			identifier,
			blocked: Boolean(blocked),
			additionalAttributes: {},
			customAttributes: {},
			createdAt: t,
			lastActivityAt: null,
		};
		S.contacts.set(c.id, c);
		fire({ event: 'contact_created', kind: 'contact', contactId: c.id });
		return c;
	}

	function findOrCreateContactInbox(contact, inbox, sourceId) {
		for (const ci of S.contactInboxes.values()) {
			if (ci.contactId === contact.id && ci.inboxId === inbox.id && (!sourceId || ci.sourceId === sourceId)) return ci;
		}
		const t = nowUs();
		const ci = {
			id: ++S.seq.contactInbox,
			contactId: contact.id,
			inboxId: inbox.id,
			sourceId: sourceId || F.uuid(),
			createdAt: t,
			updatedAt: t,
			hmacVerified: false,
			pubsubToken: F.secureToken(),
		};
		S.contactInboxes.set(ci.id, ci);
		return ci;
	}

	function createConversation({ contactInbox, status, assigneeId = null, additionalAttributes, customAttributes, snoozedUntil = null }) {
		const inbox = S.inboxes.get(contactInbox.inboxId);
		const contact = S.contacts.get(contactInbox.contactId);
		let finalStatus = status || 'open';
		let byBot = false;
		if (contact.blocked) finalStatus = 'resolved';
		else if (activeBot(inbox)) {
			byBot = true;
			finalStatus = 'pending';
		}
		const t = nowUs();
		const conv = {
			dbId: ++S.seq.conversationDb + 1000,
			displayId: ++S.seq.conversation,
			uuid: F.uuid(),
			inboxId: inbox.id,
			contactId: contact.id,
			contactInboxId: contactInbox.id,
			status: finalStatus,
			assigneeId,
			teamId: null,
			snoozedUntil: finalStatus === 'snoozed' ? snoozedUntil : null,
			waitingSince: t,
			firstReplyCreatedAt: null,
			priority: null,
			muted: false,
			labels: [],
			additionalAttributes: additionalAttributes || {},
			customAttributes: customAttributes || {},
			agentLastSeenAt: null,
			assigneeLastSeenAt: null,
			contactLastSeenAt: null,
			lastActivityAt: t,
			createdAt: t,
			updatedAt: t,
		};
		S.conversations.set(conv.displayId, conv);
		// after_save inside the create transaction: a nested assignment save sends no update events, because
		// only the after_create_commit callbacks run for a record created in the transaction
		autoAssign(conv, { created: true, statusChanged: false });
		fireConversation('conversation_created', conv);
		if (byBot && opts.botInboxCreationEvents) {
			fireConversation('conversation_status_changed', conv, null);
			fireConversation('conversation_updated', conv, [
				{ status: { previous_value: 'open', current_value: 'pending' } },
			]);
		}
		return conv;
	}

	function captainActive(inbox) {
		return Boolean(opts.enterprise && inbox.captain && !inbox.captain.quotaExhausted);
	}

	/** Message#human_response?: an outgoing message sent by a user (automation, campaign, echo: not modelled). */
	const humanResponse = (m) => m.messageType === 1 && m.senderType === 'User';

	/** Message#valid_first_reply? (message.rb L224-233). */
	function validFirstReply(conv, m) {
		if (!humanResponse(m) || m.private || conv.firstReplyCreatedAt !== null) return false;
		const replies = S.messages.filter(
			(x) => x.conversationId === conv.displayId && x.messageType === 1 && x.senderType !== 'AgentBot' && !x.private,
		);
		return replies.length <= 1;
	}

	/**
	 * Channels whose incoming-message services look for the contact's last conversation that is NOT resolved and
	 * create a new one when there is none, unless the inbox is locked to a single conversation
	 * (whatsapp/incoming_message_base_service.rb L115-121 `.where.not(status: :resolved).last`; the SMS, Twilio,
	 * Telegram, Line, Facebook, Instagram and TikTok services do the same; lock_to_single_conversation default
	 * false, schema.rb L904). The web widget (`conversations.last`) and API-channel clients such as EvolutionAPI
	 * write into the existing conversation, which then reopens.
	 */
	const NEW_CONVERSATION_CHANNELS = new Set([
		'Channel::Whatsapp',
		'Channel::Sms',
		'Channel::TwilioSms',
		'Channel::Telegram',
		'Channel::Line',
		'Channel::FacebookPage',
		'Channel::Instagram',
		'Channel::Tiktok',
	]);

	/** The conversation an incoming message of the contact of `conv` lands in (a new one on such channels). */
	function conversationForIncoming(conv) {
		const inbox = S.inboxes.get(conv.inboxId);
		if (!NEW_CONVERSATION_CHANNELS.has(inbox.channelType) || inbox.lockToSingleConversation) return conv;
		const ci = S.contactInboxes.get(conv.contactInboxId);
		const open = [...S.conversations.values()].filter((c) => c.contactInboxId === ci.id && c.status !== 'resolved');
		if (open.length) return open[open.length - 1];
		return createConversation({ contactInbox: ci, status: 'open' });
	}

	/** Message#reopen_conversation (message.rb L403-410, L424-438). */
	function reopenConversation(conv, inbox, m) {
		if (conv.muted) return;
		if (conv.status === 'snoozed') saveConversation(conv, [['status', 'open']]);
		if (conv.status !== 'resolved') return;
		if (activeBot(inbox)) return void saveConversation(conv, [['status', 'pending']]);
		// reopened_by_contact?: Current.executed_by = the contact (its activity message names the system)
		if (inbox.channelType === 'Channel::Api' && !m.private && m.senderType === 'Contact') current.executedByContact = true;
		saveConversation(conv, [['status', 'open']]);
	}

	/** Message#set_conversation_activity: update_columns(last_activity_at, updated_at), no callbacks, no event. */
	function setConversationActivity(conv, m) {
		conv.lastActivityAt = m.createdAt;
		conv.updatedAt = nextUpdatedAt(conv);
	}

	/** The waiting_since part of Message#dispatch_create_events (L378-387, update_waiting_since L339-360). */
	function updateWaitingSince(conv, m) {
		if (validFirstReply(conv, m)) {
			if (opts.firstReplySingleUpdate) {
				saveConversation(conv, [
					['firstReplyCreatedAt', m.createdAt],
					['waitingSince', null],
				]);
				return;
			}
			saveConversation(conv, [['firstReplyCreatedAt', m.createdAt]]);
		}
		const botResponse = m.messageType === 1 && m.senderType === 'AgentBot';
		if (conv.waitingSince !== null && !m.private && (humanResponse(m) || botResponse)) saveConversation(conv, [['waitingSince', null]]);
		if (m.messageType === 0 && conv.waitingSince === null) {
			saveConversation(conv, [['waitingSince', m.createdAt]], { touch: opts.waitingSinceTouchesUpdatedAt });
		}
	}

	/** Enterprise Message#mark_pending_conversation_as_open_for_human_response: any inbox with a Captain assistant. */
	function captainOpensOnHumanReply(conv, inbox, m) {
		if (!opts.enterprise || !inbox.captain || conv.status !== 'pending' || !humanResponse(m) || m.private) return;
		const outer = current;
		current = { actor: null, executedByContact: false }; // Current.user and executed_by are nil meanwhile
		let committed;
		try {
			committed = commitSave(conv, [['status', 'open']]);
		} finally {
			current = outer;
		}
		// only when saved_change_to_status? (an auto-assignment in the same save hides it)
		if (committed && committed.some(([f]) => f === 'status')) {
			queueActivity(conv, 'Conversation was marked open automatically after an agent reply');
		}
	}

	/** Message creation plus Message#execute_after_create_commit_callbacks (message.rb L324-333) in order. */
	function createMessage(conv, { messageType, content = '', isPrivate = false, sender, sourceId = null, contentAttributes = {}, contentType = 'text' }) {
		const t = nowUs();
		const typeIndex = P.MESSAGE_TYPES.indexOf(messageType);
		const m = {
			id: ++S.seq.message,
			conversationId: conv.displayId,
			inboxId: conv.inboxId,
			content,
			messageType: typeIndex,
			contentType,
			contentAttributes: contentAttributes || {},
			additionalAttributes: {},
			private: Boolean(isPrivate),
			status: 'sent',
			sourceId,
			senderType: sender ? sender.type : null,
			senderId: sender ? sender.id : null,
			createdAt: t,
			updatedAt: t,
		};
		S.messages.push(m);
		const inbox = S.inboxes.get(conv.inboxId);
		if (typeIndex === 0) reopenConversation(conv, inbox, m);
		if (opts.captainOpensBeforeMessage) captainOpensOnHumanReply(conv, inbox, m);
		setConversationActivity(conv, m);
		// activity messages (type 2) are dispatched too, but WebhookListener only sends incoming/outgoing/template
		if (typeIndex !== 2) fire({ event: 'message_created', kind: 'message', messageId: m.id, conversationId: conv.displayId });
		updateWaitingSince(conv, m);
		if (!opts.captainOpensBeforeMessage && humanResponse(m) && !m.private && conv.status === 'pending' && captainActive(inbox)) {
			saveConversation(conv, [['status', 'open']]);
		}
		if (typeIndex === 0) {
			const contact = S.contacts.get(conv.contactId);
			if (contact) contact.lastActivityAt = m.createdAt; // update_contact_activity
		}
		return m;
	}

	function senderForActor(actor) {
		return actor.kind === 'bot' ? { type: 'AgentBot', id: S.bot.id } : { type: 'User', id: actor.user.id };
	}

	/** ConversationsController#toggle_status. Returns the toggle_status.json.jbuilder body. */
	function toggleStatus(conv, actor, params) {
		let success;
		const statusParam = params.status;
		if (actor.kind === 'bot' && conv.status === 'pending' && statusParam === 'open') {
			// Conversation#bot_handoff!
			if (conv.waitingSince === null) saveConversation(conv, [['waitingSince', nowUs()]]);
			saveConversation(conv, [['status', 'open']]);
			success = null;
		} else if (present(statusParam)) {
			let status = statusParam;
			if (typeof status === 'number' && STATUSES[status]) status = STATUSES[status];
			if (!STATUSES.includes(status)) throw serverError();
			const changes = [['status', status]];
			if (present(params.snoozed_until)) {
				const secs = Number(params.snoozed_until);
				if (!Number.isFinite(secs)) throw serverError();
				changes.push(['snoozedUntil', Math.floor(secs) * 1e6]);
			}
			saveConversation(conv, changes);
			success = true;
		} else {
			// Conversation#toggle_status
			const next = conv.status === 'open' ? 'resolved' : 'open';
			saveConversation(conv, [['status', next]]);
			success = true;
		}
		if (actor.kind === 'user' && actor.user.role === 'agent' && conv.status === 'open') {
			saveConversation(conv, [['assigneeId', actor.user.id]]);
		}
		return {
			meta: {},
			payload: {
				success,
				conversation_id: conv.displayId,
				current_status: conv.status,
				snoozed_until: F.toIso(conv.snoozedUntil),
			},
		};
	}

	// ------------------------------------------------------------------ REST
	const routes = [];
	function route(method, pattern, handler, { bot = false, account = true, name } = {}) {
		routes.push({ method, re: new RegExp(`^${pattern}$`), handler, bot, account, name: name || pattern });
	}
	const A = '/api/v1/accounts/(?<a>[^/]+)';

	const requireAdmin = (ctx) => {
		if (ctx.actor.kind !== 'user' || ctx.actor.user.role !== 'administrator') throw forbidden();
	};
	const findInbox = (id) => {
		const inbox = S.inboxes.get(toId(id));
		if (!inbox) throw notFound();
		return inbox;
	};
	const findWebhook = (id) => {
		const w = S.webhooks.get(toId(id));
		if (!w) throw notFound();
		return w;
	};
	const findContact = (id) => {
		const c = S.contacts.get(toId(id));
		if (!c) throw notFound();
		return c;
	};
	/** User#assigned_inboxes: administrators see every inbox, agents the inboxes they are members of. */
	const canSeeInbox = (actor, inboxId) =>
		actor.kind === 'bot' || actor.user.role === 'administrator' || assignment.isMember(inboxId, actor.user.id);
	/** InboxesController#fetch_inbox: `authorize @inbox, :show?` (inbox_policy.rb L22-27). */
	const inboxFor = (ctx) => {
		const inbox = findInbox(ctx.params.id);
		if (!canSeeInbox(ctx.actor, inbox.id)) throw forbidden();
		return inbox;
	};
	/** ConversationsController#conversation: `authorize @conversation, :show?` (conversation_policy.rb, no teams). */
	const conversationFor = (ctx) => {
		const conv = findConversation(ctx.params.id);
		if (!canSeeInbox(ctx.actor, conv.inboxId)) throw forbidden();
		return conv;
	};
	/** Conversations::PermissionFilterService. */
	const visibleConversations = (actor) => [...S.conversations.values()].filter((c) => canSeeInbox(actor, c.inboxId));
	/** The counts ConversationFinder and FilterService compute before the assignee_type filter. */
	const conversationCounts = (list, actor) => {
		const me = actor.kind === 'user' ? actor.user.id : null;
		return {
			mine_count: list.filter((c) => c.assigneeId !== null && c.assigneeId === me).length,
			unassigned_count: list.filter((c) => c.assigneeId === null).length,
			all_count: list.length,
		};
	};
	// conversation_finder.rb L225: ENV CONVERSATION_RESULTS_PER_PAGE (default 25); the filter uses Kaminari's 25
	const pageOf = (list, page, perPage = 25) => {
		const n = Math.max(1, Q.rubyToI(page));
		return list.slice((n - 1) * perPage, n * perPage);
	};

	route('GET', '/api/v1/profile', (ctx) => ({ status: 200, json: P.profileApi(S, ctx.actor.user) }), { account: false });

	// --- account webhooks
	function validateWebhook(attrs, selfId) {
		const errors = [];
		const url = attrs.url;
		if (present(url) && [...S.webhooks.values()].some((w) => w.url === url && w.id !== selfId)) {
			errors.push(['url', 'Url has already been taken']);
		}
		let validUrl = false;
		try {
			const u = new URL(String(url));
			validUrl = typeof url === 'string' && (u.protocol === 'http:' || u.protocol === 'https:');
		} catch {
			validUrl = false;
		}
		if (!validUrl) errors.push(['url', 'Url is invalid']);
		const subs = attrs.subscriptions;
		const subsValid =
			Array.isArray(subs) && subs.length > 0 && subs.every((s) => typeof s === 'string' && ALLOWED_WEBHOOK_EVENTS.includes(s));
		if (!subsValid) errors.push(['subscriptions', 'Subscriptions Invalid events']);
		if (errors.length) {
			throw new HttpError(422, {
				message: errors.map((e) => e[1]).join(', '),
				attributes: [...new Set(errors.map((e) => e[0]))],
			});
		}
	}
	const webhookParams = (body) => (body && body.webhook && typeof body.webhook === 'object' ? body.webhook : body || {});

	function createWebhook(p) {
		const attrs = {
			url: p.url,
			subscriptions: p.subscriptions === undefined ? DEFAULT_SUBSCRIPTIONS.slice() : p.subscriptions,
			name: p.name === undefined ? null : p.name,
			inboxId: present(p.inbox_id) ? findInbox(p.inbox_id).id : null,
		};
		validateWebhook(attrs, null);
		const w = {
			id: ++S.seq.webhook,
			url: attrs.url,
			subscriptions: Array.from(new Set(attrs.subscriptions)),
			name: attrs.name,
			inboxId: attrs.inboxId,
			secret: F.secureToken(),
		};
		S.webhooks.set(w.id, w);
		return w;
	}

	route('GET', `${A}/webhooks`, (ctx) => {
		requireAdmin(ctx);
		return { status: 200, json: { payload: { webhooks: [...S.webhooks.values()].map((w) => P.webhookApi(S, w)) } } };
	});
	route('POST', `${A}/webhooks`, (ctx) => {
		requireAdmin(ctx);
		const w = createWebhook(webhookParams(ctx.body));
		return { status: 200, json: { payload: { webhook: P.webhookApi(S, w) } } };
	});
	const updateWebhookRoute = (ctx) => {
		requireAdmin(ctx);
		const w = findWebhook(ctx.params.id);
		const p = webhookParams(ctx.body);
		const attrs = {
			url: p.url === undefined ? w.url : p.url,
			subscriptions: p.subscriptions === undefined ? w.subscriptions : p.subscriptions,
			name: p.name === undefined ? w.name : p.name,
			inboxId: p.inbox_id === undefined ? w.inboxId : present(p.inbox_id) ? findInbox(p.inbox_id).id : null,
		};
		validateWebhook(attrs, w.id);
		Object.assign(w, attrs, { subscriptions: Array.from(new Set(attrs.subscriptions)) });
		return { status: 200, json: { payload: { webhook: P.webhookApi(S, w) } } };
	};
	route('PATCH', `${A}/webhooks/(?<id>[^/]+)`, updateWebhookRoute);
	route('PUT', `${A}/webhooks/(?<id>[^/]+)`, updateWebhookRoute);
	route('DELETE', `${A}/webhooks/(?<id>[^/]+)`, (ctx) => {
		requireAdmin(ctx);
		const w = findWebhook(ctx.params.id);
		S.webhooks.delete(w.id);
		return { status: 200 };
	});

	/** JsonbAttributesLengthValidator: strings up to 1500 chars, integers up to 9999999999, else 422. */
	function validateJsonbLengths(label, hash) {
		const errors = [];
		for (const [key, v] of Object.entries(hash)) {
			if (typeof v === 'string' && v.length > 1500) errors.push(`${label} ${key} length should be < 1500`);
			if (typeof v === 'number' && Number.isInteger(v) && v > 9999999999) errors.push(`${label} ${key} value should be < 9999999999`);
		}
		if (errors.length) throw new HttpError(422, { message: errors.join(', '), attributes: ['custom_attributes'] });
	}

	// --- custom attribute definitions (CustomAttributeDefinitionsController, custom_attribute_definition.rb)
	const ATTRIBUTE_MODELS = ['conversation_attribute', 'contact_attribute', 'company_attribute'];
	const DISPLAY_TYPES = ['text', 'number', 'currency', 'percent', 'link', 'date', 'list', 'checkbox'];
	// CustomAttributeDefinition::STANDARD_ATTRIBUTES[:conversation]
	const STANDARD_CONVERSATION_KEYS = 'status priority assignee_id inbox_id team_id display_id campaign_id labels browser_language country_code referer created_at last_activity_at'.split(' ');
	const DEFINITION_KEYS = ['attribute_display_name', 'attribute_description', 'attribute_display_type', 'attribute_key', 'attribute_model', 'regex_pattern', 'regex_cue', 'attribute_values'];
	/** A Rails enum assignment: the name or its integer; anything else raises ArgumentError (a 500). */
	const enumValue = (names, v, fallback) => {
		if (v === undefined) return fallback;
		if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
			if (names[Number(v)]) return names[Number(v)];
		} else if (names.includes(v)) return v;
		throw serverError();
	};
	function createCustomAttributeDefinition(p) {
		const t = nowUs();
		const d = {
			id: ++S.seq.customAttribute,
			displayName: typeof p.attribute_display_name === 'string' ? p.attribute_display_name.trim() : p.attribute_display_name,
			key: typeof p.attribute_key === 'string' ? p.attribute_key.trim() : p.attribute_key,
			displayType: enumValue(DISPLAY_TYPES, p.attribute_display_type, 'text'),
			model: enumValue(ATTRIBUTE_MODELS, p.attribute_model, 'conversation_attribute'),
			description: p.attribute_description === undefined ? null : p.attribute_description,
			values: Array.isArray(p.attribute_values) ? p.attribute_values : [],
			regexPattern: p.regex_pattern === undefined ? null : p.regex_pattern,
			regexCue: p.regex_cue === undefined ? null : p.regex_cue,
			createdAt: t,
			updatedAt: t,
		};
		const errors = [];
		if (!present(d.displayName)) errors.push(['attribute_display_name', "Attribute display name can't be blank"]);
		if (!present(d.key)) errors.push(['attribute_key', "Attribute key can't be blank"]);
		if (present(d.key) && [...S.customAttributeDefinitions.values()].some((x) => x.key === d.key && x.model === d.model)) {
			errors.push(['attribute_key', 'Attribute key has already been taken']);
		}
		if (!/^[\p{L}\p{N}_.-]+$/u.test(typeof d.key === 'string' ? d.key : '')) {
			errors.push(['attribute_key', 'Attribute key must only contain letters, numbers, underscores, hyphens, and dots']);
		}
		if (d.model === 'conversation_attribute' && STANDARD_CONVERSATION_KEYS.includes(d.key)) {
			errors.push(['attribute_key', 'Attribute key The provided key is not allowed as it might conflict with default attributes.']);
		}
		if (errors.length) {
			throw new HttpError(422, { message: errors.map((e) => e[1]).join(', '), attributes: [...new Set(errors.map((e) => e[0]))] });
		}
		S.customAttributeDefinitions.set(d.id, d);
		return d;
	}
	route('GET', `${A}/custom_attribute_definitions`, (ctx) => {
		const model = ctx.query.get('attribute_model');
		const wanted = present(model) ? enumValue(ATTRIBUTE_MODELS, model, null) : null;
		const list = [...S.customAttributeDefinitions.values()].filter((d) => wanted === null || d.model === wanted);
		return { status: 200, json: list.map((d) => P.customAttributeDefinitionApi(d)) };
	});
	route('POST', `${A}/custom_attribute_definitions`, (ctx) => {
		requireAdmin(ctx);
		// params.require(:custom_attribute_definition), filled by wrap_parameters from top-level column keys
		const wrapped = ctx.body.custom_attribute_definition;
		const b = wrapped && typeof wrapped === 'object' ? wrapped : Object.fromEntries(Object.entries(ctx.body).filter(([k]) => DEFINITION_KEYS.includes(k)));
		if (!Object.keys(b).length) throw new HttpError(422, { error: 'param is missing or the value is empty: custom_attribute_definition' });
		return { status: 200, json: P.customAttributeDefinitionApi(createCustomAttributeDefinition(b)) };
	});

	// --- conversations
	/** ConversationFinder#perform (app/finders/conversation_finder.rb, 4.15.1). */
	route('GET', `${A}/conversations`, (ctx) => {
		const q = ctx.query;
		const status = q.get('status') || 'open';
		if (status !== 'all' && !STATUSES.includes(status)) throw serverError();
		let list = visibleConversations(ctx.actor);
		if (q.has('inbox_id')) list = list.filter((c) => c.inboxId === toId(q.get('inbox_id')));
		if (status !== 'all') list = list.filter((c) => c.status === status);
		const counts = conversationCounts(list, ctx.actor);
		const meta = {
			mine_count: counts.mine_count,
			assigned_count: counts.all_count - counts.unassigned_count,
			unassigned_count: counts.unassigned_count,
			all_count: counts.all_count,
		};
		const me = ctx.actor.kind === 'user' ? ctx.actor.user.id : null;
		const at = q.get('assignee_type');
		if (at === 'me') list = list.filter((c) => c.assigneeId !== null && c.assigneeId === me);
		else if (at === 'unassigned') list = list.filter((c) => c.assigneeId === null);
		else if (at === 'assigned') list = list.filter((c) => c.assigneeId !== null);
		list = Q.sortConversations(S, list, q.get('sort_by'));
		// updated_within (seconds): every conversation updated since then, not paginated (L222-226)
		if (present(q.get('updated_within'))) {
			const since = nowUs() - Q.rubyToI(q.get('updated_within')) * 1e6;
			list = list.filter((c) => c.updatedAt > since);
		} else {
			list = pageOf(list, q.get('page'), opts.conversationsPerPage);
		}
		return { status: 200, json: { data: { meta, payload: list.map((c) => P.conversationApi(S, c)) } } };
	});

	/** Conversations::FilterService (filter.json.jbuilder: meta without assigned_count). */
	route('POST', `${A}/conversations/filter`, (ctx) => {
		const definitionOf = (key) => [...S.customAttributeDefinitions.values()].find((d) => d.model === 'conversation_attribute' && d.key === key);
		let list;
		try {
			const matches = Q.buildFilter(ctx.body.payload, definitionOf, nowUs() / 1000);
			list = visibleConversations(ctx.actor).filter(matches);
		} catch (err) {
			if (err instanceof Q.InvalidFilter) throw new HttpError(422, { error: err.message });
			if (err instanceof Q.SqlError) throw serverError();
			throw err;
		}
		const meta = conversationCounts(list, ctx.actor);
		const page = ctx.query.has('page') ? ctx.query.get('page') : ctx.body.page;
		const payload = pageOf(Q.sortConversations(S, list, 'last_activity_at_desc'), page).map((c) => P.conversationApi(S, c));
		return { status: 200, json: { meta, payload } };
	});

	route(
		'POST',
		`${A}/conversations`,
		(ctx) => {
			const b = ctx.body;
			const inbox = findInbox(b.inbox_id);
			let ci;
			if (present(b.source_id)) {
				ci = [...S.contactInboxes.values()].find((x) => x.sourceId === String(b.source_id) && x.inboxId === inbox.id);
				if (!ci) throw notFound();
			} else {
				ci = findOrCreateContactInbox(findContact(b.contact_id), inbox);
			}
			if (present(b.status) && !STATUSES.includes(b.status)) throw serverError();
			let assigneeId = null;
			if (present(b.assignee_id)) {
				const u = S.users.get(toId(b.assignee_id));
				assigneeId = u ? u.id : null;
			}
			const conv = createConversation({
				contactInbox: ci,
				status: present(b.status) ? b.status : 'open',
				assigneeId,
				additionalAttributes: b.additional_attributes,
				customAttributes: b.custom_attributes,
			});
			if (b.message && typeof b.message === 'object' && present(b.message.content)) {
				createMessage(conv, { messageType: 'outgoing', content: String(b.message.content), sender: senderForActor(ctx.actor) });
			}
			return { status: 200, json: P.conversationApi(S, conv) };
		},
		{ bot: true },
	);

	const C = `${A}/conversations/(?<id>[^/]+)`;
	route('GET', C, (ctx) => ({ status: 200, json: P.conversationApi(S, conversationFor(ctx)) }), { bot: true });

	route('POST', `${C}/toggle_status`, (ctx) => ({ status: 200, json: toggleStatus(conversationFor(ctx), ctx.actor, ctx.body) }), {
		bot: true,
	});

	route(
		'POST',
		`${C}/toggle_priority`,
		(ctx) => {
			const conv = conversationFor(ctx);
			const p = present(ctx.body.priority) ? ctx.body.priority : null;
			if (p !== null && !PRIORITIES.includes(p)) throw serverError();
			saveConversation(conv, [['priority', p]]);
			return { status: 200 };
		},
		{ bot: true },
	);

	route(
		'POST',
		`${C}/assignments`,
		(ctx) => {
			const conv = conversationFor(ctx);
			// assignments_controller.rb: assignee_id when given, else team_id (answering the team, or null)
			if (!('assignee_id' in ctx.body) && 'team_id' in ctx.body) {
				const team = present(ctx.body.team_id) ? S.teams.get(toId(ctx.body.team_id)) || null : null;
				saveConversation(conv, [['teamId', team ? team.id : null]]);
				return team ? { status: 200, json: { id: team.id, name: team.name, allow_auto_assign: team.allowAutoAssign } } : { status: 200, text: 'null', contentType: 'application/json; charset=utf-8' };
			}
			const u = present(ctx.body.assignee_id) ? S.users.get(toId(ctx.body.assignee_id)) || null : null;
			saveConversation(conv, [['assigneeId', u ? u.id : null]]);
			return u ? { status: 200, json: P.agentApi(S, u) } : { status: 200, text: 'null', contentType: 'application/json; charset=utf-8' };
		},
		{ bot: true },
	);

	route(
		'POST',
		`${C}/messages`,
		(ctx) => {
			const conv = conversationFor(ctx);
			const b = ctx.body;
			const type = present(b.message_type) ? b.message_type : 'outgoing';
			if (!['incoming', 'outgoing', 'template', 'activity'].includes(type)) throw serverError();
			const sender = type === 'incoming' ? { type: 'Contact', id: conv.contactId } : type === 'activity' ? null : senderForActor(ctx.actor);
			const m = createMessage(conv, {
				messageType: type,
				content: b.content === undefined || b.content === null ? '' : String(b.content),
				isPrivate: b.private === true || b.private === 'true',
				sender,
				sourceId: present(b.source_id) ? String(b.source_id) : null,
				contentAttributes: b.content_attributes && typeof b.content_attributes === 'object' ? b.content_attributes : {},
				contentType: present(b.content_type) ? b.content_type : 'text',
			});
			return { status: 200, json: P.messageApi(S, m) };
		},
		{ bot: true },
	);

	/** ConversationsController#custom_attributes: the whole hash is replaced (params.permit(custom_attributes: {})). */
	route(
		'POST',
		`${C}/custom_attributes`,
		(ctx) => {
			const conv = conversationFor(ctx);
			const value = ctx.body.custom_attributes;
			if (!value || typeof value !== 'object' || Array.isArray(value)) throw serverError(); // nil.empty? in the validator
			validateJsonbLengths('Custom attributes', value);
			saveConversation(conv, [['customAttributes', F.plain(value)]]);
			return { status: 200, json: { custom_attributes: conv.customAttributes } };
		},
		{ bot: true },
	);

	// messages_controller.rb#index (MessageFinder): the latest 20 messages, oldest first, activity messages included
	route('GET', `${C}/messages`, (ctx) => {
		const conv = conversationFor(ctx);
		const all = S.messages.filter((m) => m.conversationId === conv.displayId);
		const assignee = conv.assigneeId ? S.users.get(conv.assigneeId) : null;
		return {
			status: 200,
			json: {
				meta: {
					labels: conv.labels,
					additional_attributes: conv.additionalAttributes,
					contact: P.contactApi(S, S.contacts.get(conv.contactId), false),
					assignee: assignee ? P.agentApi(S, assignee) : null,
					agent_last_seen_at: F.toIso(conv.agentLastSeenAt),
					assignee_last_seen_at: F.toIso(conv.assigneeLastSeenAt),
				},
				payload: all.slice(-20).map((m) => P.messageApi(S, m)),
			},
		};
	});

	route('GET', `${C}/inbox_assistant`, (ctx) => {
		if (!opts.enterprise) throw new HttpError(404, ERR.routing);
		const conv = conversationFor(ctx);
		const inbox = S.inboxes.get(conv.inboxId);
		return {
			status: 200,
			json: { assistant: inbox.captain ? { id: inbox.captain.id, name: inbox.captain.name } : null },
		};
	});

	// --- inboxes and integrations
	route('GET', `${A}/inboxes`, (ctx) => ({
		status: 200,
		json: { payload: [...S.inboxes.values()].filter((i) => canSeeInbox(ctx.actor, i.id)).map((i) => P.inboxApi(S, i, { role: actorRole(ctx.actor) })) },
	}));
	route('GET', `${A}/inboxes/(?<id>[^/]+)`, (ctx) => ({
		status: 200,
		json: P.inboxApi(S, inboxFor(ctx), { role: actorRole(ctx.actor) }),
	}));
	route('GET', `${A}/inboxes/(?<id>[^/]+)/agent_bot`, (ctx) => {
		const inbox = inboxFor(ctx);
		const isAdmin = actorRole(ctx.actor) === 'administrator';
		return { status: 200, json: { agent_bot: inbox.botId ? P.agentBotApi(S, S.bot, isAdmin) : {} } };
	});
	route('POST', `${A}/inboxes/(?<id>[^/]+)/set_agent_bot`, (ctx) => {
		const inbox = inboxFor(ctx);
		requireAdmin(ctx);
		const v = ctx.body.agent_bot;
		if (present(v)) {
			if (toId(v) !== S.bot.id) throw notFound();
			inbox.botId = S.bot.id;
		} else {
			inbox.botId = null;
		}
		return { status: 200 };
	});
	route('GET', `${A}/integrations/apps`, (ctx) => ({ status: 200, json: P.appsApi(S, { role: actorRole(ctx.actor) }) }));

	// --- contacts (the subset EvolutionAPI uses)
	const samePhone = (a, b) => present(a) && present(b) && String(a).replace(/^\+/, '') === String(b).replace(/^\+/, '');
	route('POST', `${A}/contacts`, (ctx) => {
		const b = ctx.body;
		const inbox = present(b.inbox_id) ? findInbox(b.inbox_id) : null;
		const errors = [];
		if (present(b.phone_number) && [...S.contacts.values()].some((c) => c.phoneNumber === b.phone_number)) {
			errors.push(['phone_number', 'Phone number has already been taken']);
		}
		if (present(b.email) && [...S.contacts.values()].some((c) => c.email === b.email)) errors.push(['email', 'Email has already been taken']);
		if (present(b.identifier) && [...S.contacts.values()].some((c) => c.identifier === b.identifier)) {
			errors.push(['identifier', 'Identifier has already been taken']);
		}
		if (errors.length) {
			throw new HttpError(422, { message: errors.map((e) => e[1]).join(', '), attributes: errors.map((e) => e[0]) });
		}
		const c = createContact({
			name: present(b.name) ? String(b.name) : '',
			email: present(b.email) ? String(b.email) : null,
			phoneNumber: present(b.phone_number) ? String(b.phone_number) : null,
			identifier: present(b.identifier) ? String(b.identifier) : null,
		});
		const ci = inbox ? findOrCreateContactInbox(c, inbox, present(b.source_id) ? String(b.source_id) : null) : null;
		return {
			status: 200,
			json: {
				payload: {
					contact: P.contactApi(S, c, true),
					contact_inbox: { inbox: ci ? P.inboxApi(S, inbox, null) : null, source_id: ci ? ci.sourceId : null },
				},
			},
		};
	});
	route('POST', `${A}/contacts/filter`, (ctx) => {
		const rules = Array.isArray(ctx.body.payload) ? ctx.body.payload : null;
		if (!rules) throw new HttpError(422, { error: 'Invalid filter' });
		const matches = (c, r) => {
			const values = Array.isArray(r.values) ? r.values : [r.values];
			const field = r.attribute_key;
			const v =
				field === 'phone_number' ? c.phoneNumber : field === 'email' ? c.email : field === 'name' ? c.name : field === 'identifier' ? c.identifier : undefined;
			if (v === undefined) return false;
			const eq = values.some((x) => (field === 'phone_number' ? samePhone(v, x) : String(v) === String(x)));
			return r.filter_operator === 'not_equal_to' ? !eq : eq;
		};
		const list = [...S.contacts.values()].filter((c) => rules.some((r) => matches(c, r)));
		return { status: 200, json: { meta: { count: list.length, current_page: 1 }, payload: list.map((c) => P.contactApi(S, c, false)) } };
	});
	route('GET', `${A}/contacts/search`, (ctx) => {
		const q = (ctx.query.get('q') || '').toLowerCase();
		const list = [...S.contacts.values()].filter((c) =>
			[c.name, c.email, c.phoneNumber, c.identifier].some((v) => present(v) && String(v).toLowerCase().includes(q)),
		);
		return { status: 200, json: { meta: { count: list.length, current_page: 1 }, payload: list.map((c) => P.contactApi(S, c, false)) } };
	});
	route('GET', `${A}/contacts/(?<id>[^/]+)/conversations`, (ctx) => {
		const c = findContact(ctx.params.id);
		const list = [...S.conversations.values()]
			.filter((x) => x.contactId === c.id)
			.sort((x, y) => y.lastActivityAt - x.lastActivityAt || y.displayId - x.displayId);
		return { status: 200, json: { payload: list.map((x) => P.conversationApi(S, x)) } };
	});

	function authenticate(req) {
		const token = req.headers['api_access_token'] || req.headers['api-access-token'];
		if (!present(token)) return { error: new HttpError(401, ERR.noToken), token: null };
		for (const u of S.users.values()) if (u.token === token) return { actor: { kind: 'user', user: u }, token };
		if (S.bot.token === token) return { actor: { kind: 'bot', bot: S.bot }, token };
		return { error: new HttpError(401, ERR.invalidToken), token };
	}

	async function handle(req, res) {
		const u = new URL(req.url, 'http://127.0.0.1');
		const raw = await readBody(req);
		const token = req.headers['api_access_token'] || req.headers['api-access-token'] || null;
		const entry = {
			seq: ++requestSeq,
			method: req.method,
			path: u.pathname,
			url: u.pathname + u.search,
			query: Object.fromEntries(u.searchParams),
			token,
			role: null,
			actorId: null,
			rawBody: raw.toString('utf8'),
			body: null,
			status: null,
			response: null,
		};
		requestLog.push(entry);
		const reply = (status, { json, text, contentType, headers } = {}) => {
			entry.status = status;
			let bodyText;
			const h = Object.assign({}, headers || {});
			if (json !== undefined) {
				bodyText = F.toRubyJson(json);
				h['Content-Type'] = 'application/json; charset=utf-8';
				entry.response = F.plain(json);
			} else if (text !== undefined) {
				bodyText = text;
				h['Content-Type'] = contentType || 'text/plain; charset=utf-8';
				entry.response = text;
			}
			send(res, status, bodyText, h);
		};

		// rack-attack runs before everything else
		const rule = rateRules.find((r) => r.remaining > 0 && (r.token === null || r.token === token));
		if (rule) {
			rule.remaining--;
			rateRules = rateRules.filter((r) => r.remaining > 0);
			return reply(429, { text: 'Retry later\n', contentType: 'text/plain' }); // rack-attack default responder
		}

		if (req.method === 'GET' && (u.pathname === '/app' || u.pathname.startsWith('/app/'))) {
			return reply(200, { text: DASHBOARD_PAGE, contentType: 'text/html; charset=utf-8' });
		}

		let match = null;
		for (const r of routes) {
			if (r.method !== req.method) continue;
			const m = r.re.exec(u.pathname);
			if (m) {
				match = { route: r, params: m.groups || {} };
				break;
			}
		}
		if (!match) return reply(404, { json: ERR.routing });

		const parsed = parseBody(raw, req.headers['content-type']);
		if (!parsed.ok) return reply(400, { json: ERR.badRequest });
		entry.body = parsed.value;
		const body = parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value) ? parsed.value : {};

		try {
			const auth = authenticate(req);
			if (auth.error) throw auth.error;
			const actor = auth.actor;
			entry.role = actorRole(actor);
			entry.actorId = actor.kind === 'bot' ? actor.bot.id : actor.user.id;
			if (actor.kind === 'bot' && !match.route.bot) throw new HttpError(401, ERR.bots);
			if (match.route.account) {
				const a = toId(match.params.a);
				if (a === S.foreignAccountId) throw new HttpError(401, ERR.foreignAccount);
				if (a !== S.account.id) throw notFound();
				if (S.account.suspended) throw new HttpError(401, ERR.suspended);
			}
			const ctx = { actor, params: match.params, query: u.searchParams, body, req };
			const { result } = operation(() => match.route.handler(ctx), actor);
			return reply(result.status, result);
		} catch (err) {
			if (err instanceof HttpError) return reply(err.status, { json: err.body });
			entry.error = String(err && err.stack ? err.stack : err);
			return reply(500, { json: ERR.server });
		}
	}

	// ------------------------------------------------------------------ server lifecycle
	let server = null;
	const sim = {
		/** @type {string|null} base url once started */
		url: /** @type {string|null} */ (null),
		/**
		 * @param {number | { port?: number, host?: string }} [options] port to listen on (default: a free one), host
		 *   (default 127.0.0.1)
		 * @returns {Promise<{url: string}>}
		 */
		async start(options) {
			const { port, host } = listenOptions(options);
			if (server) return { url: /** @type {string} */ (sim.url) };
			server = http.createServer((req, res) => {
				handle(req, res).catch((err) => {
					try {
						send(res, 500, JSON.stringify(ERR.server), { 'Content-Type': 'application/json; charset=utf-8' });
					} catch {
						/* socket gone */
					}
					void err;
				});
			});
			const url = await listen(server, port, host);
			sim.url = url;
			return { url };
		},
		async stop() {
			paused = false;
			resumeWaiters.forEach((r) => r());
			resumeWaiters = [];
			const s = server;
			server = null;
			await close(s);
		},
	};

	// ------------------------------------------------------------------ control API
	const actorFor = (as) => {
		if (as === 'bot' || as === 'agent_bot') return { kind: 'bot', bot: S.bot };
		if (as === 'agent') return { kind: 'user', user: agent };
		return { kind: 'user', user: admin };
	};
	/**
	 * @template T
	 * @param {() => T} fn
	 * @returns {Promise<{ result: T, deliveries: any[] }>}
	 */
	const withDeliveries = (fn, actor = null) => {
		const { result, done } = operation(fn, actor);
		return done.then((deliveries) => ({ result, deliveries }));
	};

	return Object.assign(sim, {
		/** API tokens by role. */
		tokens() {
			return { administrator: admin.token, agent: agent.token, bot: S.bot.token };
		},
		ids() {
			return {
				accountId: S.account.id,
				foreignAccountId: S.foreignAccountId,
				adminUserId: admin.id,
				agentUserId: agent.id,
				agentBotId: S.bot.id,
				apiInboxId: apiInbox.id,
				webInboxId: webInbox.id,
			};
		},
		version: opts.version,
		features: Object.assign({}, S.features),

		/**
		 * Create a contact (fires contact_created). Resolves { result: contactId, deliveries }.
		 * @param {{ name?: string, phoneNumber?: string|null, email?: string|null, identifier?: string|null, blocked?: boolean }} [o]
		 */
		createContact({ name = 'Jane Doe', phoneNumber = null, email = null, identifier = null, blocked = false } = {}) {
			return withDeliveries(() => createContact({ name, phoneNumber, email, identifier, blocked }).id);
		},
		/**
		 * Create a conversation as the UI/API would (determine_conversation_status applies). result: display id.
		 * A new contact is created when contactId is omitted.
		 * @param {{ contactId?: number|null, inboxId?: number, status?: string, assigneeId?: number|null, sourceId?: string|null, customAttributes?: object }} [o]
		 */
		createConversation({ contactId, inboxId = apiInbox.id, status = 'open', assigneeId = null, sourceId = null, customAttributes } = {}) {
			return withDeliveries(() => {
				let cid = contactId;
				if (cid === undefined || cid === null) cid = createContact({ name: 'Jane Doe' }).id;
				const ci = findOrCreateContactInbox(findContact(cid), findInbox(inboxId), sourceId);
				return createConversation({ contactInbox: ci, status, assigneeId, customAttributes }).displayId;
			});
		},
		/**
		 * An incoming (contact) message: runs the reopen logic. result: message id.
		 * @param {number} displayId
		 * @param {string} [content]
		 * @param {{ sourceId?: string|null }} [o]
		 */
		receiveMessage(displayId, content = 'Hello', { sourceId = null } = {}) {
			return withDeliveries(() => {
				const conv = conversationForIncoming(findConversation(displayId));
				return createMessage(conv, { messageType: 'incoming', content, sender: { type: 'Contact', id: conv.contactId }, sourceId }).id;
			});
		},
		/** The conversation a message is in (after receiveMessage on a channel that started a new one). */
		conversationOfMessage(messageId) {
			const m = S.messages.find((x) => x.id === messageId);
			if (!m) throw new Error(`unknown message ${messageId}`);
			return m.conversationId;
		},
		/**
		 * Add an inbox of another channel (its members: the agent user). WhatsApp, SMS, Telegram, Line, Facebook,
		 * Instagram and TikTok start a new conversation for a message after "resolved" unless
		 * lockToSingleConversation. result: the inbox id.
		 * @param {{ name?: string, channelType: string, lockToSingleConversation?: boolean, bot?: boolean }} o
		 */
		addInbox({ name, channelType, lockToSingleConversation = false, bot = false }) {
			const id = ++S.seq.inbox;
			S.inboxes.set(
				id,
				inboxRecord({
					id,
					channelId: id,
					name: name || channelType.replace('Channel::', ''),
					channelType,
					lockToSingleConversation: Boolean(lockToSingleConversation),
					botId: bot ? S.bot.id : null,
				}),
			);
			assignment.setMembers(id, [agent.id]);
			return id;
		},
		/**
		 * An outgoing message by `as` ('administrator' | 'agent' | 'bot'); private notes with isPrivate.
		 * @param {number} displayId
		 * @param {string} [content]
		 * @param {{ as?: string, isPrivate?: boolean }} [o]
		 */
		sendMessage(displayId, content = 'Hi!', { as = 'agent', isPrivate = false } = {}) {
			return withDeliveries(() => {
				const conv = findConversation(displayId);
				return createMessage(conv, { messageType: 'outgoing', content, isPrivate, sender: senderForActor(actorFor(as)) }).id;
			}, actorFor(as));
		},
		/**
		 * Set a status the way the UI does (toggle_status as `as`). result: the toggle_status response body.
		 * @param {number} displayId
		 * @param {string|undefined} status
		 * @param {{ as?: string, snoozedUntil?: number }} [o]
		 */
		setStatus(displayId, status, { as = 'administrator', snoozedUntil } = {}) {
			return withDeliveries(() => {
				const params = { status };
				if (snoozedUntil !== undefined) params.snoozed_until = snoozedUntil;
				return F.plain(toggleStatus(findConversation(displayId), actorFor(as), params));
			}, actorFor(as));
		},
		/**
		 * Assign to a user id (or null), as `as` does in the UI.
		 * @param {number} displayId
		 * @param {number|null} userId
		 * @param {{ as?: string }} [o]
		 */
		assign(displayId, userId, { as = 'administrator' } = {}) {
			return withDeliveries(
				() => saveConversation(findConversation(displayId), [['assigneeId', userId === null ? null : userId]]),
				actorFor(as),
			);
		},
		/**
		 * The snooze of one conversation runs out: Conversations::ReopenSnoozedConversationsJob reopens it (open!, no
		 * activity message) when it has a snoozed_until (as if that time had come, whatever the clock says) no more
		 * than 3 days old (reopen_snoozed_conversations_job.rb L5). "Snoozed until next reply" (no snoozed_until)
		 * never expires. result: the status after.
		 */
		expireSnooze(displayId) {
			return withDeliveries(() => {
				const conv = findConversation(displayId);
				const threeDaysAgo = nowUs() - SNOOZE_REOPEN_WINDOW_US;
				if (conv.status === 'snoozed' && conv.snoozedUntil !== null && conv.snoozedUntil >= threeDaysAgo) {
					saveConversation(conv, [['status', 'open']]);
				}
				return conv.status;
			});
		},
		/**
		 * The periodic ReopenSnoozedConversationsJob by the clock: every snoozed conversation whose snoozed_until lies
		 * in the last 3 days (up to now) is reopened. result: the reopened display ids.
		 */
		runSnoozeReopenJob() {
			return withDeliveries(() => {
				const now = nowUs();
				const due = [...S.conversations.values()].filter(
					(c) => c.status === 'snoozed' && c.snoozedUntil !== null && c.snoozedUntil <= now && c.snoozedUntil >= now - SNOOZE_REOPEN_WINDOW_US,
				);
				for (const conv of due) saveConversation(conv, [['status', 'open']]);
				return due.map((c) => c.displayId);
			});
		},
		/** Agent-bot webhook failure (trigger.rb): pending -> open with an activity message unless keep_pending. */
		botWebhookFailure(displayId) {
			return withDeliveries(() => {
				const conv = findConversation(displayId);
				if (conv.status !== 'pending' || opts.keepPendingOnBotFailure) return conv.status;
				const content = 'Conversation was marked open by system due to an error with the agent bot.';
				if (!opts.activityMessages) createMessage(conv, { messageType: 'activity', content, sender: null }); // the older model
				saveConversation(conv, [['status', 'open']]);
				queueActivity(conv, content); // Conversations::ActivityMessageJob (trigger.rb L82-89)
				return conv.status;
			});
		},
		/**
		 * Replace a conversation's custom attributes as POST .../custom_attributes does (conversation_updated
		 * with custom_attributes + updated_at when they differ).
		 * @param {number} displayId
		 * @param {Record<string, unknown>} attributes
		 */
		setCustomAttributes(displayId, attributes) {
			return withDeliveries(() => saveConversation(findConversation(displayId), [['customAttributes', F.plain(attributes)]]));
		},
		/**
		 * Define a custom attribute as POST /custom_attribute_definitions does (needed before filtering on it).
		 * @param {{ key: string, displayName?: string, displayType?: string, model?: string }} o
		 */
		defineCustomAttribute({ key, displayName = key, displayType = 'text', model = 'conversation_attribute' }) {
			const d = createCustomAttributeDefinition({ attribute_key: key, attribute_display_name: displayName, attribute_display_type: displayType, attribute_model: model });
			return F.plain(P.customAttributeDefinitionApi(d));
		},

		/**
		 * An automation rule's assign_agent action (ActionService#assign_agent, Current.executed_by = the rule): an
		 * ordinary save [assignee_id, updated_at], no status change; its activity names "Automation System".
		 * @param {number} displayId
		 * @param {number} userId
		 */
		automationAssign(displayId, userId) {
			return withDeliveries(() => {
				current.executedByAutomation = true;
				return saveConversation(findConversation(displayId), [['assigneeId', userId]]);
			});
		},
		/**
		 * Assign a team (POST .../assignments {team_id} or the UI): conversation_updated [team_id, updated_at].
		 * @param {number} displayId
		 * @param {number|null} teamId
		 * @param {{ as?: string }} [o]
		 */
		assignTeam(displayId, teamId, { as = 'administrator' } = {}) {
			if (teamId !== null && !S.teams.has(teamId)) throw new Error(`unknown team ${teamId}`);
			return withDeliveries(() => saveConversation(findConversation(displayId), [['teamId', teamId]]), actorFor(as));
		},
		/**
		 * Create a team. allowAutoAssign (default true): auto-assignment picks among its members; false: its
		 * conversations are never auto-assigned. result: the team id.
		 * @param {{ name?: string, allowAutoAssign?: boolean, memberIds?: number[] }} [o]
		 */
		createTeam({ name = 'Support', allowAutoAssign = true, memberIds = [agent.id] } = {}) {
			const team = { id: ++S.seq.team, name, allowAutoAssign: Boolean(allowAutoAssign), memberIds: memberIds.slice() };
			S.teams.set(team.id, team);
			return team.id;
		},
		/** Assignment V2: run the AssignmentJobs enqueued so far (option assignmentJobs 'manual'). */
		runAssignmentJobs() {
			return withDeliveries(() => [...assignmentJobs].reduce((n, inboxId) => n + runAssignmentJob(inboxId), 0));
		},
		/**
		 * Assignment V2: the periodic AssignmentJob (every 30 minutes, schedule.yml L58-62) for every inbox with an
		 * assignment policy: its open, unassigned conversations get an agent. result: how many were assigned.
		 */
		runPeriodicAssignment() {
			if (!S.features.assignmentV2) return withDeliveries(() => 0);
			return withDeliveries(() =>
				[...S.inboxes.values()].filter((inbox) => inbox.assignmentPolicy).reduce((n, inbox) => n + runAssignmentJob(inbox.id), 0),
			);
		},
		/** Assignment V2: attach (or detach) an assignment policy to an inbox, which the periodic job serves. */
		setAssignmentPolicy(inboxId, attached = true) {
			findInbox(inboxId).assignmentPolicy = Boolean(attached);
		},
		/** AssignmentJobs enqueued and not run yet (inbox ids). */
		pendingAssignmentJobs() {
			return [...assignmentJobs];
		},

		// --- auto-assignment (chatwoot-assignment.js)
		/**
		 * Inbox members in membership order (the round robin serves them in this order).
		 * @param {number} inboxId
		 * @param {number[]} userIds
		 */
		setInboxMembers(inboxId, userIds) {
			assignment.setMembers(findInbox(inboxId).id, userIds);
		},
		inboxMembers(inboxId) {
			return assignment.membersOf(findInbox(inboxId).id).slice();
		},
		/**
		 * An agent's presence: availability (account user setting), connected (a dashboard open: presence in
		 * the last 20 s) and autoOffline (false: listed as available even when not connected).
		 * @param {number} userId
		 * @param {{ availability?: 'online'|'busy'|'offline', connected?: boolean, autoOffline?: boolean }} change
		 */
		setAgentPresence(userId, change) {
			assignment.setPresence(userId, change);
		},
		/** Shorthand: connected with availability online (true), or disconnected (false). */
		setAgentOnline(userId, online = true) {
			assignment.setPresence(userId, online ? { connected: true, availability: 'online' } : { connected: false });
		},
		/** AccountUser#availability_status as the API shows it: 'online' | 'busy' | 'offline'. */
		agentAvailability(userId) {
			return assignment.availabilityStatus(userId);
		},
		/**
		 * Inbox setting enable_auto_assignment and (enterprise) auto_assignment_config.max_assignment_limit.
		 * @param {number} inboxId
		 * @param {boolean} enabled
		 * @param {{ maxAssignmentLimit?: number|null }} [o]
		 */
		setAutoAssignment(inboxId, enabled, { maxAssignmentLimit = null } = {}) {
			const inbox = findInbox(inboxId);
			inbox.enableAutoAssignment = Boolean(enabled);
			inbox.maxAssignmentLimit = maxAssignmentLimit;
		},
		setMuted(displayId, muted = true) {
			findConversation(displayId).muted = Boolean(muted);
		},
		markAgentSeen(displayId) {
			findConversation(displayId).agentLastSeenAt = nowUs();
		},
		attachBot(inboxId = apiInbox.id) {
			findInbox(inboxId).botId = S.bot.id;
		},
		detachBot(inboxId = apiInbox.id) {
			findInbox(inboxId).botId = null;
		},
		/** Create (or toggle) the Dialogflow hook of an inbox. */
		setDialogflow(inboxId, enabled = true) {
			const inbox = findInbox(inboxId);
			let hook = [...S.hooks.values()].find((h) => h.appId === 'dialogflow' && h.inboxId === inbox.id);
			if (!hook) {
				hook = { id: ++S.seq.hook, appId: 'dialogflow', inboxId: inbox.id, enabled: Boolean(enabled), projectId: 'shop-bot-1234' };
				S.hooks.set(hook.id, hook);
			}
			hook.enabled = Boolean(enabled);
		},
		removeDialogflow(inboxId) {
			for (const h of [...S.hooks.values()]) if (h.appId === 'dialogflow' && h.inboxId === toId(inboxId)) S.hooks.delete(h.id);
		},
		/**
		 * Attach a Captain assistant (enterprise); quotaExhausted makes it inactive for active_bot?.
		 * @param {number} inboxId
		 * @param {{ id?: number, name?: string, quotaExhausted?: boolean }} [o]
		 */
		setCaptain(inboxId, { id = 1, name = 'Captain', quotaExhausted = false } = {}) {
			findInbox(inboxId).captain = { id, name, quotaExhausted: Boolean(quotaExhausted) };
		},
		removeCaptain(inboxId) {
			findInbox(inboxId).captain = null;
		},
		setApiInboxWebhookUrl(url, inboxId = apiInbox.id) {
			findInbox(inboxId).webhookUrl = url;
		},
		inboxSecret(inboxId = apiInbox.id) {
			return findInbox(inboxId).channelSecret;
		},
		suspendAccount(suspended = true) {
			S.account.suspended = Boolean(suspended);
		},
		/**
		 * Register an account webhook directly (same validation as the API). Returns its REST JSON (+ secret).
		 * @param {{ url: string, subscriptions?: string[], name?: string|null, inboxId?: number|null }} o
		 */
		addWebhook({ url, subscriptions, name = null, inboxId = null }) {
			const w = createWebhook({ url, subscriptions, name, inbox_id: inboxId });
			return Object.assign(F.plain(P.webhookApi(S, w)), { secret: w.secret });
		},
		webhooks() {
			return [...S.webhooks.values()].map((w) => Object.assign(F.plain(P.webhookApi(S, w)), { secret: w.secret }));
		},
		/** Current state of a conversation (plain, for assertions). */
		getConversation(displayId) {
			const c = findConversation(displayId);
			return {
				id: c.displayId,
				inboxId: c.inboxId,
				contactId: c.contactId,
				status: c.status,
				assigneeId: c.assigneeId,
				muted: c.muted,
				snoozedUntil: F.toIso(c.snoozedUntil),
				waitingSince: F.toInt(c.waitingSince),
				firstReplyCreatedAt: F.toInt(c.firstReplyCreatedAt),
				customAttributes: F.plain(c.customAttributes),
				createdAt: c.createdAt / 1e6,
				lastActivityAt: c.lastActivityAt / 1e6,
				updatedAt: c.updatedAt / 1e6,
				messages: S.messages
					.filter((m) => m.conversationId === c.displayId)
					.map((m) => ({
						id: m.id,
						messageType: P.MESSAGE_TYPES[m.messageType],
						content: m.content,
						private: m.private,
						status: m.status,
						senderType: m.senderType,
						senderId: m.senderId,
					})),
			};
		},
		/** The webhook object (conversation webhook_data) as it would be built now. */
		conversationWebhookPayload(displayId) {
			return F.plain(P.conversationWebhookData(S, findConversation(displayId)));
		},
		/** The REST conversation partial as GET would answer now. */
		conversationApiPayload(displayId) {
			return F.plain(P.conversationApi(S, findConversation(displayId)));
		},
		activeBot(inboxId) {
			return activeBot(findInbox(inboxId));
		},
		listConversations() {
			return [...S.conversations.keys()];
		},

		/** Send an automation-rule webhook (unsigned, no X-Chatwoot-* headers). Resolves with its log entry. */
		sendAutomationEvent(url, displayId, ruleEvent) {
			if (!AUTOMATION_RULE_EVENTS.includes(ruleEvent)) throw new Error(`unknown automation rule event "${ruleEvent}"`);
			const conv = findConversation(displayId);
			const job = fire({
				event: `automation_event.${ruleEvent}`,
				kind: 'automation',
				conversationId: conv.displayId,
				targets: [{ kind: 'automation', url, secret: null, deliveryId: false }],
			});
			return job.done.promise.then(() => deliveryLog.find((e) => e.firedSeq === job.seq) || null);
		},

		// --- delivery control
		setDeliveryOrder,
		pauseDeliveries() {
			paused = true;
		},
		/**
		 * `shuffle` (a seed) first shuffles the backlog queued while paused: Sidekiq works a backlog off with all its
		 * threads at once (`deliveryConcurrency`), in no particular order (reference §6).
		 */
		resumeDeliveries({ shuffle } = {}) {
			if (shuffle !== undefined) {
				const random = F.seededRandom(shuffle);
				for (let i = queue.length - 1; i > 0; i--) {
					const j = Math.floor(random() * (i + 1));
					[queue[i], queue[j]] = [queue[j], queue[i]];
				}
			}
			paused = false;
			const w = resumeWaiters;
			resumeWaiters = [];
			w.forEach((r) => r());
		},
		/** Deliveries sent and not yet answered (pausing lets them finish). */
		deliveriesInFlight() {
			return inFlight;
		},
		/** Shift X-Chatwoot-Timestamp by `seconds` (e.g. -600 to test stale-timestamp rejection). */
		setSignatureTimestampOffset(seconds) {
			signatureOffset = seconds;
		},
		/**
		 * Resolve once the delivery log has `n` entries, or `predicate(log)` is true. Rejects after timeoutMs.
		 * @param {number | ((log: any[]) => unknown)} predicateOrCount
		 * @param {number} [timeoutMs]
		 * @returns {Promise<any[]>}
		 */
		waitForDeliveries(predicateOrCount, timeoutMs = 5000) {
			const test =
				typeof predicateOrCount === 'number' ? (log) => log.length >= predicateOrCount : (log) => Boolean(predicateOrCount(log));
			return new Promise((resolve, reject) => {
				if (test(deliveryLog)) return resolve(deliveryLog.slice());
				let timer = null;
				const check = () => {
					if (!test(deliveryLog)) return;
					deliveryWaiters.delete(check);
					clearTimeout(timer);
					resolve(deliveryLog.slice());
				};
				deliveryWaiters.add(check);
				timer = setTimeout(() => {
					deliveryWaiters.delete(check);
					const seen = deliveryLog.map((e) => `${e.event}->${e.url} (${e.status === null ? e.error : e.status})`);
					reject(new Error(`waitForDeliveries timed out after ${timeoutMs} ms; ${deliveryLog.length} deliveries: ${seen.join(', ')}`));
				}, timeoutMs);
				if (timer.unref) timer.unref();
			});
		},
		/** Resolve when every queued delivery has finished (waits while deliveries are paused). */
		idle() {
			return new Promise((resolve) => {
				if (isIdle()) return resolve();
				idleWaiters.push(resolve);
			});
		},
		/** @returns {any[]} */
		deliveries() {
			return deliveryLog.slice().sort(bySeq);
		},
		/** @returns {any[]} */
		requests() {
			return requestLog.slice();
		},
		resetLogs() {
			deliveryLog = [];
			requestLog = [];
		},
		/**
		 * Make the next `count` requests (only those with `token`, if given) answer 429 "Retry later".
		 * @param {{ count?: number, token?: string|null }} [o]
		 */
		rateLimit({ count = 1, token = null } = {}) {
			rateRules.push({ remaining: count, token });
		},
		clearRateLimit() {
			rateRules = [];
		},
		/** Manual clock only: move time forward (ms). */
		advanceTime(ms) {
			if (manualUs === null) throw new Error('advanceTime needs the manual clock (option startTime)');
			manualUs += Math.round(ms * 1000);
		},
		setTime(epochMs) {
			manualUs = Math.round(epochMs * 1000);
		},
		now() {
			return nowUs() / 1000;
		},
	});
}

module.exports = {
	createChatwootSimulator,
	ALLOWED_WEBHOOK_EVENTS,
	DEFAULT_SUBSCRIPTIONS,
	AUTOMATION_RULE_EVENTS,
	STATUSES,
};
