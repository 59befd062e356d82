'use strict';
/**
 * Simulator of FreeScout 1.8.x with the "API & Webhooks" module (module 1.0.82 behaviour by default;
 * `moduleVersion: '1.0.81'` switches to the pre-1.0.82 status logic, `'1.0.87'` to the 1.0.87 API
 * create-thread logic and substring `subject` search). It exists because FreeScout cannot run on the test machine.
 *
 * Reference facts it implements (FreeScout notes §1-§5, the real deliveries of FreeScout 1.8.159 / module 1.0.82
 * made through the REST API (test/fixtures/freescout-real) and of FreeScout 1.8.235 / module 1.0.82 made in the
 * web UI (test/fixtures/freescout-real-ui); where a document and the captures disagree the captures win):
 * - Webhook delivery: POST, Content-Type application/json, X-FreeScout-Event, X-FreeScout-Signature =
 *   base64(HMAC-SHA1(raw body, Secret Key)), Guzzle User-Agent; body = PHP json_encode of the
 *   conversation exactly as GET /api/conversations/{id} formats it (keys in the captured order,
 *   "/" as "\/", non-ASCII as \uXXXX). Any 2xx is success; otherwise up to 10 attempts in total, each
 *   re-sending the first attempt's bytes and signature unchanged.
 * - Snapshot semantics: conversation fields are frozen when the event fires, `_embedded.threads` (and custom
 *   field values) are read when the first attempt is sent (published threads, newest first; same-second threads
 *   in id order, like the captured 11/12 pair). For events that add a thread, `threadsCount` and `preview`
 *   are the values from before that thread (the captured "lag by one"; `preview` "" in convo.created).
 * - Times are kept in whole seconds, as FreeScout stores them. Per action (captured; bulk and a UI reply that
 *   sets pending by source reading):
 *   status change by PUT, status menu or bulk: updatedAt = userUpdatedAt = the line item's createdAt, closedAt
 *   too when it closes; UI reply: updatedAt = userUpdatedAt = the message's createdAt, closedAt when it closes;
 *   API reply or note with a status: updatedAt = userUpdatedAt, closedAt untouched (1.0.82); customer reply:
 *   updatedAt only. closedAt is never cleared; closedBy/closedByUser are shown only while the status is closed.
 * - Which action fires what (module 1.0.82 unless noted):
 *   PUT status / status menu: line item (changed-ticket-status, source web, status = new status) and
 *   convo.status at once; unchanged status is a no-op. Bulk status change in the UI: the same for each
 *   selected conversation in id order within one second, with no "unchanged" check (that part source reading).
 *   "Not Spam": back to the newest non-spam status line item's status, else active (source reading).
 *   PUT assignTo: line item changed-ticket-assignee (status nochange) and convo.assigned, but nothing when
 *   unassigning. API reply/note with `status`: the status changes, the thread records "active", only the
 *   reply/note event fires (1.0.87: a reply with a changed status also fires convo.status first and records
 *   closedBy/closedAt). UI reply ("Send & Close", or a reply setting pending): its message thread records the
 *   status set, also when unchanged; module >= 1.0.82 sends convo.status at once (threads read when sent, so
 *   the reply thread is in it) and convo.agent.reply.created after the undo delay with the same conversation
 *   snapshot (byte-identical unless newer threads exist by then); < 1.0.82 only the reply event. Customer
 *   thread: closed/pending -> active, deleted -> published, only convo.customer.reply.created; spam -> active
 *   through the API (captured), but a customer e-mail leaves spam alone and its thread records "spam" (core
 *   >= 1.8.194, FetchEmails; source reading; `customerReplyKeepsSpam: false` for older cores). Agent replies
 *   and agent-created conversations are delivered after the undo delay (15 s, `undoDelayMs`; flushDelayed()
 *   ends it at once).
 * - REST API: key in X-FreeScout-API-Key or api_key (401 {"message":"Not Authorized"}); input strings
 *   trimmed and "" turned into null (Laravel middleware); PUT always answers 204 with an empty body and
 *   "Content-type: text/html"; 400 bodies with _embedded.errors; 404 {"message":"Not Found","_embedded":
 *   {"errors":[]}}; GET /api/webhooks -> 405 with "Allow: POST, OPTIONS" even without a key; POST /api/webhooks
 *   drops unknown events (400 if none left), no de-duplication by URL; DELETE /api/webhooks/{id} 204 then 404.
 *   GET /api/conversations: filters, sort and paging per freescout-list.js (threads off unless embedded, no
 *   default status or state filter); `embed` = threads, tags.
 * - Modules, both off by default like the captured instances (source reading, not captured: Tags 1.0.37 and
 *   Custom Fields 1.0.37 next to API & Webhooks 1.0.82 in JamesTuthill/freescout-upgrade@a4813641, and the
 *   module's ApiController.php with the docblocks api-docs.freescout.net is generated from; rules in
 *   freescout-modules.js):
 *   Custom Fields (`customFieldsModule: true`): GET /api/mailboxes/{id}/custom_fields, PUT
 *   /api/conversations/{id}/custom_fields {"customFields":[{"id","value"}]} -> 204 (400 without customFields,
 *   404 unknown conversation), customFields on POST /api/conversations, and `customFields`
 *   [{id,name,value,text}] after `_embedded` in every conversation JSON (webhooks included) when the mailbox
 *   has fields (a real body with it: xulerxyz/freescout_webhook_parser test.php). Tags (`tagsModule: true`):
 *   PUT /api/conversations/{id}/tags {"tags":[names]} -> 204 (full replacement), GET /api/tags, embed=tags,
 *   the list's `tag` filter. Without the module their routes answer 400 "<Name> module is not installed or not
 *   activated" (custom fields: 404 first for an unknown mailbox) and `tag`/embed=tags are ignored. Neither
 *   fires a webhook (no such event in the module; convo.tags is commented out) nor changes updatedAt.
 *
 * Retry schedule (compressed): FreeScout's cron runs every minute and retries a failed delivery once
 * (attempts - 1) x 2 minutes have passed since the last attempt. The simulator waits
 * max(1, (attempts - 1) x 2) "minutes" after a failed attempt, one minute being `retryIntervalMs`
 * (default 60000): waits of 1, 2, 4, 6, ... 16 minutes, ten attempts over about 73 minutes.
 *
 * Admin actions (source reading of core 1.8.235, freescout-help-desk/freescout@ab277253, and the module's
 * ApiWebhooksServiceProvider::hooks() of 1.0.87, rilustrisimo/freescout-support@309cac05; merge body captured in
 * test/fixtures/freescout-real-merge):
 * - Merge (ConversationsController.php 2263-2303 `conversation_merge` -> Conversation.php 1568-1640
 *   mergeConversations): every thread of the merged conversation moves into the target keeping its id and time
 *   (1576-1580); a `merged` line item is added to the target and one to the merged conversation (1583-1604), each
 *   with that conversation's own status (Thread.php 928-934 Thread::create copies it) and body ""; the merged
 *   conversation is deleted (1631, deleteToFolder: convo.deleted); `conversation.merged` has no module event.
 *   Captured: the target's userUpdatedAt becomes the merge time, its updatedAt and threadsCount stay, later
 *   deliveries list the moved threads (status line items too) among the target's, newest first.
 * - Bulk status (ConversationsController.php 2101-2127): changeStatus() for every selected conversation, with no
 *   "already set" check (Conversation.php 2028-2062: line item with the status, convo.status).
 * - Delete (ConversationsController.php 1909-1928, bulk 2129-2165 -> Conversation.php 2092-2127 deleteToFolder):
 *   state deleted, status kept, a `deleted-ticket` line item with status nochange, convo.deleted; the bulk action
 *   deletes a conversation already in Deleted forever. Restore (1957-1996): published again, a `restore-ticket`
 *   line item (nochange), convo.restored. Empty Deleted (2168-2206 -> deleteConversationsForever 2134):
 *   convo.deleted_forever per conversation, fired before the rows go, so the queued delivery finds no threads
 *   (inferred). A customer reply to a deleted conversation publishes it with only its reply event (above).
 * - Queue worker cache (ApiWebhooksServiceProvider::getWebhooks() keeps the list in a static; clearWebhooksCache()
 *   only in the web request that changed a webhook; observed on the real instance, freescout.md banner): events
 *   sent from the long-running worker (agent replies and agent-created conversations, after the undo delay) go
 *   to the webhooks the worker read at its first job since it (re)started; restartQueueWorker() is
 *   `php artisan queue:restart` (hourly in FreeScout's schedule). Immediate events read the current list.
 *   `queueWorkerCache: false` turns this off.
 *
 * Not modelled: HTML e-mail processing, attachments, timelogs, the Workflows module (which can react to
 * custom field and tag changes), customer.* events, moves by UI, drafts and thread states other than published,
 * the per-mailbox webhook filter, personal folders (folder ids are mailbox-relative, matching the captured
 * instance for mailbox 1), localisation, permissions (the key is all-powerful as in FreeScout), HTTP Basic auth,
 * core >= 1.8.234 extended statuses, agent replies by e-mail, PHP errors other than the inferred 500 for a
 * non-list `customFields`/`tags` or an unparsable date, and the texts of the merged conversation's, delete and
 * restore line items (not captured; localized anyway).
 */
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { readBody, parseBody, send, listenOptions, listen, close, request, assertLoopback } = require('./http-util');
const { phpJsonEncode, textPreview, phpTime, friendlySince } = require('./freescout-php');
const { selectConversations, paginate } = require('./freescout-list');
const { createTagsModule, createCustomFieldsModule } = require('./freescout-modules');

const STATUSES = ['active', 'pending', 'closed', 'spam'];
const STATES = ['draft', 'published', 'deleted'];
const STATUS_LABEL = { active: 'Active', pending: 'Pending', closed: 'Closed', spam: 'Spam' };
const CONVERSATION_TYPES = ['email', 'phone', 'chat', 'custom'];
const THREAD_TYPES = ['customer', 'message', 'note', 'lineitem', 'chat'];
const WEBHOOK_EVENTS = [
	'convo.assigned',
	'convo.created',
	'convo.deleted',
	'convo.deleted_forever',
	'convo.restored',
	'convo.moved',
	'convo.status',
	'convo.customer.reply.created',
	'convo.agent.reply.created',
	'convo.note.created',
	'customer.created',
	'customer.updated',
];
const MAX_ATTEMPTS = 10;
const FOLDER_OFFSET = { unassigned: 1, drafts: 2, assigned: 3, closed: 4, spam: 5, deleted: 6 };
const DEFAULT_USER_AGENT = 'GuzzleHttp/6.5.5 curl/7.88.1 PHP/8.2.36';
const FIXTURES = path.join(__dirname, '..', 'fixtures');
/** Secret Key of the FreeScout instance behind test/fixtures/freescout-real-ui (its signatures use it). */
const REAL_UI_SECRET_KEY = 'c17909b59a2b92c82a20e64182cacebf';

/**
 * Reads a file of test/fixtures/<set> (Buffer), for TypeScript tests that may not use fs. `set`:
 * 'freescout-real' (default; REST API actions) or 'freescout-real-ui' (web UI actions).
 */
function readFixture(name, set = 'freescout-real') {
	return fs.readFileSync(path.join(FIXTURES, set, name));
}
function listFixtures(set = 'freescout-real') {
	return fs.readdirSync(path.join(FIXTURES, set)).sort();
}

/** base64(HMAC-SHA1(raw body, secret)) as the module computes X-FreeScout-Signature. */
function signBody(body, secret) {
	return crypto.createHmac('sha1', String(secret)).update(body).digest('base64');
}

function versionAtLeast(version, wanted) {
	const a = String(version).split('.').map(Number);
	const b = wanted.split('.').map(Number);
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const x = a[i] || 0;
		const y = b[i] || 0;
		if (x !== y) return x > y;
	}
	return true;
}

function clone(v) {
	return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** Laravel's empty(): missing, null, false, 0, "", "0" and [] are empty. */
function phpEmpty(v) {
	return v === undefined || v === null || v === false || v === 0 || v === '' || v === '0' || (Array.isArray(v) && v.length === 0);
}

/** PHP's foreach over a decoded JSON value: arrays and objects give their values; anything else fails (500, inferred). */
function phpForeach(value) {
	if (Array.isArray(value)) return value;
	if (value && typeof value === 'object') return Object.values(value);
	throw new Error('FreeScout simulator: foreach() over a non-array');
}

/** Laravel's TrimStrings and ConvertEmptyStringsToNull middleware, applied to every input value. */
function cleanInput(value) {
	if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
	if (Array.isArray(value)) return value.map(cleanInput);
	if (value && typeof value === 'object') {
		const out = {};
		for (const [k, v] of Object.entries(value)) out[k] = cleanInput(v);
		return out;
	}
	return value;
}

/** ApiController::convertConversationCodes for `status`: anything but a known name becomes active. */
function toConversationStatus(v) {
	return typeof v === 'string' && STATUSES.includes(v) ? v : 'active';
}

function seedData(options) {
	const t0 = options.seedTime;
	const users = (options.users || [
		{ id: 1, firstName: 'Admin', lastName: 'User', email: 'admin@example.com', role: 'admin' },
		{ id: 2, firstName: 'Jane', lastName: 'Agent', email: 'jane@example.com', role: 'user' },
	]).map((u) => Object.assign({ role: 'user', createdAt: t0, updatedAt: t0 }, u));
	const customers = (options.customers || [
		{ id: 1, firstName: 'Mark', lastName: 'Morrison', email: 'mark@example.org' },
	]).map((c) => Object.assign({ createdAt: t0, updatedAt: t0 }, c));
	const mailboxes = (options.mailboxes || [{ id: 1, name: 'Support', email: 'support@example.com' }]).map((m) =>
		Object.assign({ createdAt: t0, updatedAt: t0 }, m),
	);
	return { users, customers, mailboxes };
}

/**
 * createFreeScoutSimulator(options) -> simulator (see the exported API list in the report / README of
 * the tests). Options:
 *   moduleVersion   '1.0.81' | '1.0.82' (default) | '1.0.87'
 *   secretKey       32 hex chars, the webhook Secret Key (default random)
 *   apiKey          API key (default random 32 hex)
 *   undoDelayMs     undo window before agent-reply / agent-created events (default 15000)
 *   retryIntervalMs length of one FreeScout "minute" in the retry schedule (default 60000)
 *   queueLatencyMs  delay before the queue worker picks up a job (default 0)
 *   deliveryTimeoutMs per-attempt HTTP timeout (default 30000, like the module)
 *   now             clock, () => epoch ms (default Date.now); timestamps and "friendly" use it
 *   users, customers, mailboxes  seed records ({id, firstName, lastName, email, role} etc.)
 *   userAgent       delivery User-Agent (default the captured Guzzle 6.5.5 string)
 *   queueWorkerCache  the queue worker keeps the webhook list it read at its first job (default true, as
 *                   FreeScout does); false: every event reads the current list
 *   customerReplyKeepsSpam  spam stays spam on customer e-mail replies (default true, core >= 1.8.194;
 *                   replies through the API reactivate spam either way)
 *   customFieldsModule  the Custom Fields module is active (default false)
 *   tagsModule      the Tags module is active (default false)
 *   apiModule       the API & Webhooks module is active (default true); false: every /api/ address is FreeScout's
 *                   HTML 404 page, as for any address without a route (inferred: the routes are the module's)
 *   listTieOrder    'with-sort' (default) | 'against-sort': order by id among equal list sort keys
 *   log             optional function(line) for debug output
 */
function createFreeScoutSimulator(options = {}) {
	const opts = Object.assign(
		{
			moduleVersion: '1.0.82',
			secretKey: crypto.randomBytes(16).toString('hex'),
			apiKey: crypto.randomBytes(16).toString('hex'),
			undoDelayMs: 15000,
			retryIntervalMs: 60000,
			queueLatencyMs: 0,
			deliveryTimeoutMs: 30000,
			now: () => Date.now(),
			userAgent: DEFAULT_USER_AGENT,
			queueWorkerCache: true,
			customerReplyKeepsSpam: true,
			tagsModule: false,
			customFieldsModule: false,
			apiModule: true,
			listTieOrder: 'with-sort',
			log: null,
		},
		options,
	);
	const now = () => opts.now();
	// FreeScout stores every time as 'Y-m-d H:i:s': whole seconds.
	const stamp = () => Math.floor(now() / 1000) * 1000;
	const log = (msg) => {
		if (typeof opts.log === 'function') opts.log(`[freescout-sim] ${msg}`);
	};
	const statusOnUiReply = versionAtLeast(opts.moduleVersion, '1.0.82');
	const statusOnApiReply = versionAtLeast(opts.moduleVersion, '1.0.87');

	let db;
	// State of the Tags and Custom Fields modules; null while the module is not active.
	let tagStore = null;
	let fieldStore = null;
	let server = null;
	let baseUrl = null;
	let jobSeq = 0;
	let deliverySeq = 0;
	const timers = new Set();
	// Set by stop(): a delivery still in flight then must not schedule its retry (a ref'd timer of minutes would
	// keep the test process alive after every test has ended).
	let stopped = false;
	let queue = [];
	let workerRunning = false;
	let workerScheduled = false;
	// Events waiting out their undo window, oldest first: { timer, release }.
	let delayed = [];
	let pendingRetries = 0;
	let inFlight = 0;
	let deliveries = [];
	let apiRequests = [];
	let firedEvents = [];
	// The queue worker's copy of the webhook list (ApiWebhooksServiceProvider::$webhooks in that process); null
	// until its first job after a (re)start loads it.
	let workerWebhooks = null;
	let idleWaiters = [];
	let deliveryWaiters = [];

	function resetState() {
		const seed = seedData(Object.assign({ seedTime: stamp() }, opts));
		db = {
			users: seed.users,
			customers: seed.customers,
			mailboxes: seed.mailboxes,
			conversations: [],
			webhooks: [],
			nextConversationId: 1,
			nextThreadId: 1,
			nextWebhookId: 1,
			nextCustomerId: Math.max(0, ...seed.customers.map((c) => c.id)) + 1,
		};
		tagStore = opts.tagsModule ? createTagsModule() : null;
		fieldStore = opts.customFieldsModule ? createCustomFieldsModule() : null;
	}
	resetState();

	function setTimer(fn, ms) {
		if (stopped) return null;
		const t = setTimeout(() => {
			timers.delete(t);
			fn();
		}, ms);
		timers.add(t);
		return t;
	}

	// ---------------------------------------------------------------- lookups and formatting
	const findUser = (id) => db.users.find((u) => String(u.id) === String(id)) || null;
	const findCustomer = (id) => db.customers.find((c) => String(c.id) === String(id)) || null;
	const findMailbox = (id) => db.mailboxes.find((m) => String(m.id) === String(id)) || null;
	const findConversation = (id) => db.conversations.find((c) => String(c.id) === String(id)) || null;
	const customerByEmail = (email) =>
		db.customers.find((c) => String(c.email).toLowerCase() === String(email).toLowerCase()) || null;

	const personName = (p) => [p.firstName, p.lastName].filter(Boolean).join(' ') || p.email || '';
	const userShort = (u) =>
		u ? { id: u.id, type: 'user', firstName: u.firstName, lastName: u.lastName, photoUrl: u.photoUrl || '', email: u.email } : null;
	const customerShort = (c) =>
		c
			? { id: c.id, type: 'customer', firstName: c.firstName, lastName: c.lastName, photoUrl: c.photoUrl || '', email: c.email }
			: null;

	function folderId(conv) {
		let kind;
		if (conv.state === 'deleted') kind = 'deleted';
		else if (conv.state === 'draft') kind = 'drafts';
		else if (conv.status === 'spam') kind = 'spam';
		else if (conv.status === 'closed') kind = 'closed';
		else kind = conv.userId ? 'assigned' : 'unassigned';
		return (Number(conv.mailboxId) - 1) * 10 + FOLDER_OFFSET[kind];
	}

	/**
	 * Published threads, newest first. created_at is stored in whole seconds, and threads of the same second come
	 * in id order (oldest first), as in the real capture 011 of payloads/freescout-real.
	 */
	function publishedThreads(conversationId) {
		const conv = findConversation(conversationId);
		if (!conv) return [];
		const second = (t) => Math.floor(t.createdAt / 1000);
		return conv.threads
			.filter((t) => t.state === 'published')
			.slice()
			.sort((a, b) => second(b) - second(a) || a.id - b.id);
	}

	function formatThread(t, number) {
		let text = t.actionText;
		if (typeof text === 'function') text = text(number);
		return {
			id: t.id,
			type: t.type,
			status: t.status,
			state: t.state,
			action: { type: t.actionType, text, associatedEntities: [] },
			body: t.body,
			source: { type: t.sourceType, via: t.sourceVia },
			customer: customerShort(findCustomer(t.customerId)),
			createdBy: t.sourceVia === 'user' ? userShort(findUser(t.createdByUserId)) : customerShort(findCustomer(t.createdByCustomerId)),
			assignedTo: t.userId ? userShort(findUser(t.userId)) : null,
			to: t.to.slice(),
			cc: t.cc.slice(),
			bcc: t.bcc.slice(),
			createdAt: phpTime(t.createdAt),
			openedAt: phpTime(t.openedAt),
			_embedded: { attachments: [] },
		};
	}

	/**
	 * ApiWebhooks::formatEntity(Conversation): `c` may be a live record or an event snapshot. Threads, tags and
	 * custom field values are always read from the current data.
	 */
	function formatConversation(c, { withThreads = true, withTags = false, at = now() } = {}) {
		const closed = c.status === 'closed';
		const waitingFrom = c.folderKind === 'closed' && c.closedAt ? c.closedAt : c.lastReplyAt;
		const embedded = { threads: withThreads ? publishedThreads(c.id).map((t) => formatThread(t, c.number)) : [] };
		if (withTags && tagStore) embedded.tags = tagStore.conversationTags(c.id).map((t) => ({ id: t.id, name: t.name }));
		const result = {
			id: c.id,
			number: c.number,
			threadsCount: c.threadsCount,
			type: c.type,
			folderId: c.folderId,
			status: c.status,
			state: c.state,
			subject: String(c.subject == null ? '' : c.subject),
			preview: c.preview,
			mailboxId: c.mailboxId,
			assignee: c.userId ? userShort(findUser(c.userId)) : null,
			createdBy: c.sourceVia === 'user' ? userShort(findUser(c.createdByUserId)) : customerShort(findCustomer(c.createdByCustomerId)),
			createdAt: phpTime(c.createdAt),
			updatedAt: phpTime(c.updatedAt),
			closedBy: closed ? (c.closedByUserId == null ? null : c.closedByUserId) : null,
			closedByUser: closed && c.closedByUserId ? userShort(findUser(c.closedByUserId)) : null,
			closedAt: phpTime(c.closedAt),
			userUpdatedAt: phpTime(c.userUpdatedAt),
			customerWaitingSince: {
				time: phpTime(c.lastReplyAt),
				friendly: friendlySince(waitingFrom, at),
				latestReplyFrom: c.lastReplyFrom || '',
			},
			source: { type: c.sourceType, via: c.sourceVia },
			cc: c.cc.slice(),
			bcc: c.bcc.slice(),
			customer: c.customerId ? customerShort(findCustomer(c.customerId)) : null,
			_embedded: embedded,
		};
		// Appended after _embedded, and only when the mailbox has fields.
		const customFields = fieldStore ? fieldStore.withValues(c.mailboxId, c.id) : [];
		if (customFields.length) result.customFields = customFields;
		return result;
	}

	function snapshotOf(conv, overrides) {
		const s = Object.assign({}, conv, { threads: undefined, cc: conv.cc.slice(), bcc: conv.bcc.slice() }, overrides || {});
		s.folderKind = folderKindOf(s);
		return s;
	}
	function folderKindOf(c) {
		const off = ((c.folderId - 1) % 10) + 1;
		return Object.keys(FOLDER_OFFSET).find((k) => FOLDER_OFFSET[k] === off);
	}

	// ---------------------------------------------------------------- mutations (FreeScout core logic)
	function touch(conv, at, { byUser = false } = {}) {
		conv.updatedAt = at;
		if (byUser) conv.userUpdatedAt = at;
	}
	function updateFolder(conv) {
		conv.folderId = folderId(conv);
	}

	function addThread(conv, fields) {
		const t = Object.assign(
			{
				id: db.nextThreadId++,
				conversationId: conv.id,
				status: 'active',
				state: 'published',
				actionType: '',
				actionText: '',
				body: null,
				sourceType: 'web',
				sourceVia: 'user',
				customerId: conv.customerId,
				createdByUserId: null,
				createdByCustomerId: null,
				userId: conv.userId,
				to: [],
				cc: [],
				bcc: [],
				createdAt: stamp(),
				openedAt: null,
			},
			fields,
		);
		conv.threads.push(t);
		// ThreadObserver: customer/message threads are counted; every non-line-item thread sets the preview.
		if (t.state === 'published' && (t.type === 'customer' || t.type === 'message')) conv.threadsCount++;
		if (t.type !== 'lineitem' && t.body != null) conv.preview = textPreview(t.body);
		return t;
	}

	/** Conversation::changeStatus (status menu, bulk action, API PUT): line item first, then the event. */
	function changeStatus(conv, status, user) {
		const at = stamp();
		conv.status = status;
		touch(conv, at, { byUser: true });
		if (status === 'closed') {
			conv.closedAt = at;
			conv.closedByUserId = user.id;
		}
		updateFolder(conv);
		addThread(conv, {
			type: 'lineitem',
			status,
			actionType: 'changed-ticket-status',
			actionText: (n) => `${personName(user)} marked as ${STATUS_LABEL[status]} conversation #${n}`,
			sourceType: 'web',
			sourceVia: 'user',
			createdByUserId: user.id,
			createdAt: at,
		});
		fire('convo.status', conv);
	}

	/** Conversation::changeUser: line item (status nochange); convo.assigned only when assigned to someone. */
	function changeUser(conv, newUserId, user) {
		const at = stamp();
		conv.userId = newUserId;
		touch(conv, at, { byUser: true });
		updateFolder(conv);
		const assignee = newUserId ? findUser(newUserId) : null;
		addThread(conv, {
			type: 'lineitem',
			status: 'nochange',
			actionType: 'changed-ticket-assignee',
			actionText: (n) => `${personName(user)} assigned ${assignee ? personName(assignee) : 'anyone'} conversation #${n}`,
			sourceType: 'web',
			sourceVia: 'user',
			createdByUserId: user.id,
			userId: newUserId,
			createdAt: at,
		});
		if (newUserId) fire('convo.assigned', conv);
	}

	function moveToMailbox(conv, mailbox, user) {
		const at = stamp();
		const from = findMailbox(conv.mailboxId);
		conv.mailboxId = mailbox.id;
		touch(conv, at, { byUser: true });
		updateFolder(conv);
		addThread(conv, {
			type: 'lineitem',
			status: 'nochange',
			actionType: 'moved-from-mailbox',
			actionText: () => `${personName(user)} moved conversation from ${from ? from.name : ''}`,
			createdByUserId: user.id,
			createdAt: at,
		});
		fire('convo.moved', conv);
	}

	/**
	 * Conversation::mergeConversations: every thread of `source` moves into `target` with its id and time, a
	 * `merged` line item carrying each conversation's own status is added to both, the source is deleted
	 * (deleteToFolder: convo.deleted) and the merge itself fires no module event (convo.merged is commented out).
	 * Captured (test/fixtures/freescout-real-merge 024): the target's line item has body "" and the target's
	 * userUpdatedAt becomes the merge time while its updatedAt and threadsCount stay.
	 */
	function mergeConversations(target, source, user) {
		const at = stamp();
		for (const thread of source.threads) {
			thread.conversationId = target.id;
			target.threads.push(thread);
		}
		source.threads = [];
		const mergeLineItem = (conv, text) =>
			addThread(conv, {
				type: 'lineitem',
				status: conv.status,
				actionType: 'merged',
				actionText: () => `${personName(user)} ${text}`,
				body: '',
				createdByUserId: user.id,
				createdAt: at,
			});
		target.userUpdatedAt = at;
		mergeLineItem(target, 'merged with another conversation');
		mergeLineItem(source, 'merged into another conversation');
		deleteToFolder(source, user);
	}

	/**
	 * Deleting and restoring alike: the new state, the user's update time, the folder, a nochange line item
	 * ("<user> <verb> conversation #n"); the status is kept.
	 */
	function setStateByUser(conv, user, state, actionType, verb) {
		const at = stamp();
		conv.state = state;
		conv.userUpdatedAt = at;
		updateFolder(conv);
		addThread(conv, {
			type: 'lineitem',
			status: 'nochange',
			actionType,
			actionText: (n) => `${personName(user)} ${verb} conversation #${n}`,
			createdByUserId: user.id,
			createdAt: at,
		});
	}

	/** Conversation::deleteToFolder: state deleted, status kept, a deleted-ticket line item (nochange), convo.deleted. */
	function deleteToFolder(conv, user) {
		setStateByUser(conv, user, 'deleted', 'deleted-ticket', 'deleted');
		fire('convo.deleted', conv);
	}

	/**
	 * Conversation::deleteConversationsForever: convo.deleted_forever for each (the hook runs before the rows go;
	 * the queued delivery then finds no threads), then the conversations are gone.
	 */
	function deleteForever(convs) {
		for (const conv of convs) fire('convo.deleted_forever', conv);
		db.conversations = db.conversations.filter((c) => !convs.includes(c));
	}

	function newConversation({ type = 'email', subject, mailbox, customer, status = 'active', userId = null, sourceType = 'api', createdAt }) {
		const at = createdAt || stamp();
		const conv = {
			id: db.nextConversationId,
			number: db.nextConversationId,
			threadsCount: 0,
			type: CONVERSATION_TYPES.includes(type) ? type : 'email',
			folderId: 0,
			status,
			state: 'published',
			subject: subject == null ? '' : String(subject),
			preview: '',
			mailboxId: mailbox.id,
			userId,
			createdByUserId: null,
			createdByCustomerId: null,
			createdAt: at,
			updatedAt: at,
			closedByUserId: null,
			closedAt: null,
			userUpdatedAt: null,
			lastReplyAt: null,
			lastReplyFrom: null,
			sourceType,
			sourceVia: 'customer',
			cc: [],
			bcc: [],
			customerId: customer.id,
			// conversations.customer_email, what the list's customerEmail filter compares with.
			customerEmail: customer.email,
			threads: [],
		};
		db.nextConversationId++;
		updateFolder(conv);
		db.conversations.push(conv);
		return conv;
	}

	/**
	 * One thread added to a conversation: ApiController::createThread semantics (`internal` = called
	 * from createConversation), also used by the UI-like control methods through `path`.
	 * data: { type, text, status?, customer (record), user (record), cc, bcc, sourceType }
	 */
	function createThread(conv, data, { internal = false, path = 'api' } = {}) {
		const at = stamp();
		const type = data.type;
		const isCustomer = type === 'customer';
		const isReply = type === 'customer' || type === 'message';
		const customer = data.customer || findCustomer(conv.customerId);
		const user = data.user || null;
		const isNew = !conv.threadsCount;
		const pre = { threadsCount: conv.threadsCount, preview: conv.preview };
		const prevStatus = conv.status;
		const requested = data.status === undefined || data.status === null || data.status === '' ? null : data.status;

		const thread = addThread(conv, {
			type,
			status: path === 'ui' && requested ? requested : 'active',
			actionType: '',
			actionText: (n) => {
				const who = isCustomer ? personName(customer) : personName(user);
				if (type === 'note') return `${who} added a note to conversation #${n}`;
				return isNew ? `${who} started a new conversation #${n}` : `${who} replied to conversation #${n}`;
			},
			body: data.text,
			sourceType: data.sourceType || 'api',
			sourceVia: isCustomer ? 'customer' : 'user',
			customerId: customer ? customer.id : conv.customerId,
			createdByCustomerId: isCustomer ? customer.id : null,
			createdByUserId: isCustomer ? null : user.id,
			userId: conv.userId,
			to: isCustomer ? (data.to || []) : [customer.email],
			cc: data.cc || [],
			bcc: data.bcc || [],
			createdAt: at,
		});
		// The counters the event snapshot shows are the ones from before this thread (captured lag).
		const lag = { threadsCount: pre.threadsCount, preview: pre.preview };

		if (isNew) {
			conv.sourceVia = isCustomer ? 'customer' : 'user';
			if (isCustomer) conv.createdByCustomerId = customer.id;
			else conv.createdByUserId = user.id;
		}
		conv.cc = (data.cc || []).slice();
		if (data.bcc && data.bcc.length) conv.bcc = data.bcc.slice();

		let dirty = false;
		if (isReply) {
			conv.lastReplyAt = at;
			dirty = true;
			if (isCustomer) {
				conv.lastReplyFrom = 'customer';
				conv.customerEmail = customer.email;
				// Only FetchEmails (core >= 1.8.194) leaves spam alone; the API and channel modules reactivate it.
				const keepsSpam = path === 'email' && opts.customerReplyKeepsSpam && conv.status === 'spam';
				if (requested) conv.status = requested;
				else if (!keepsSpam) conv.status = 'active';
				// FetchEmails records the conversation's resulting status on the customer thread.
				if (path === 'email') thread.status = conv.status;
				if (conv.state === 'deleted') conv.state = 'published';
			} else {
				conv.lastReplyFrom = 'user';
				conv.userUpdatedAt = at;
				conv.status = requested || 'pending';
			}
		} else if (requested && conv.status !== requested) {
			// Note with a status.
			conv.status = requested;
			conv.userUpdatedAt = at;
			dirty = true;
		}
		if (dirty) conv.updatedAt = at;
		updateFolder(conv);

		const statusChanged = prevStatus !== conv.status;
		let statusEventBeforeReply = false;
		if (!internal && type === 'message' && requested && user) {
			const setsClosed = path === 'ui' || statusOnApiReply;
			if (setsClosed && (statusChanged || isNew) && conv.status === 'closed') {
				conv.closedByUserId = user.id;
				conv.closedAt = at;
			}
			const fires = path === 'ui' ? statusOnUiReply : statusOnApiReply;
			if (!isNew && statusChanged && fires) statusEventBeforeReply = true;
		}
		if (statusEventBeforeReply) fire('convo.status', conv, { overrides: lag });

		if (isNew) {
			if (isCustomer) fire('convo.created', conv, { overrides: lag });
			else fire('convo.created', conv, { overrides: lag, delayMs: opts.undoDelayMs });
		} else if (type === 'note') {
			fire('convo.note.created', conv, { overrides: lag });
		} else if (isCustomer) {
			fire('convo.customer.reply.created', conv, { overrides: lag });
		} else {
			fire('convo.agent.reply.created', conv, { overrides: lag, delayMs: opts.undoDelayMs });
		}
		return thread;
	}

	function findOrCreateCustomer(spec) {
		if (!spec || typeof spec !== 'object') spec = {};
		if (Array.isArray(spec) && spec[0]) spec = spec[0];
		if (!phpEmpty(spec.id)) {
			const c = findCustomer(spec.id);
			if (!c) return { error: [`Customer with the following ID not found: ${spec.id}`, 'customer'] };
			return { customer: c };
		}
		if (!phpEmpty(spec.email)) {
			const c = customerByEmail(spec.email);
			if (c) return { customer: c };
		}
		if (phpEmpty(spec.firstName) && phpEmpty(spec.email)) {
			return { error: ['Customer first name or email is required.', 'customer.first_name'] };
		}
		const at = stamp();
		const c = {
			id: db.nextCustomerId++,
			firstName: phpEmpty(spec.firstName) ? null : spec.firstName,
			lastName: phpEmpty(spec.lastName) ? null : spec.lastName,
			email: spec.email || '',
			photoUrl: '',
			createdAt: at,
			updatedAt: at,
		};
		db.customers.push(c);
		return { customer: c };
	}

	// ---------------------------------------------------------------- events, queue, delivery
	/** Fires a module event: conversation snapshot now, subscribers now (or when the delay ends). */
	function fire(event, conv, { overrides, delayMs = 0 } = {}) {
		const snapshot = snapshotOf(conv, overrides);
		const record = { event, conversationId: conv.id, status: snapshot.status, firedAt: now(), delayMs };
		firedEvents.push(record);
		log(`event ${event} conversation ${conv.id} (${snapshot.status})${delayMs ? ` delayed ${delayMs} ms` : ''}`);
		if (delayMs > 0) {
			const entry = {
				release() {
					delayed = delayed.filter((d) => d !== entry);
					// Delayed events run inside the long-lived queue worker.
					enqueue(event, snapshot, subscribers(event, { worker: true }));
					checkIdle();
				},
			};
			entry.timer = setTimer(entry.release, delayMs);
			delayed.push(entry);
		} else {
			enqueue(event, snapshot, subscribers(event, { worker: false }));
		}
	}

	/**
	 * Who gets an event: a web request reads the webhook list afresh; the long-running queue worker reads it at its
	 * first job and keeps it until queue:restart (getWebhooks() caches it in a static; clearWebhooksCache() after a
	 * webhook is created or deleted only runs in the web request that did it).
	 */
	function subscribers(event, { worker }) {
		let list = db.webhooks;
		if (worker && opts.queueWorkerCache) {
			if (workerWebhooks === null) workerWebhooks = db.webhooks.slice();
			list = workerWebhooks;
		}
		return list.filter((w) => w.events.includes(event)).sort((a, b) => a.id - b.id);
	}

	function enqueue(event, snapshot, hooks) {
		for (const webhook of hooks) {
			queue.push({
				id: ++jobSeq,
				webhookId: webhook.id,
				url: webhook.url,
				event,
				snapshot,
				conversationId: snapshot.id,
				attempts: 0,
				body: null,
				signature: null,
			});
		}
		kickWorker();
	}

	function kickWorker() {
		if (workerRunning || workerScheduled || queue.length === 0) return;
		workerScheduled = true;
		setTimer(runWorker, opts.queueLatencyMs);
	}

	async function runWorker() {
		workerScheduled = false;
		workerRunning = true;
		try {
			while (queue.length) {
				const job = queue.shift();
				await attempt(job);
			}
		} finally {
			workerRunning = false;
			checkIdle();
		}
	}

	function buildBody(job) {
		// Webhook::run(): formatEntity() of the stored conversation, threads (and custom field values) loaded now.
		const at = now();
		const live = findConversation(job.snapshot.id);
		const data = formatConversation(job.snapshot, { at });
		if (!live) data._embedded.threads = [];
		job.body = Buffer.from(phpJsonEncode(data), 'utf8');
		job.signature = signBody(job.body, opts.secretKey);
	}

	async function attempt(job) {
		if (!job.body) buildBody(job);
		job.attempts++;
		inFlight++;
		const entry = {
			id: ++deliverySeq,
			jobId: job.id,
			webhookId: job.webhookId,
			url: job.url,
			event: job.event,
			conversationId: job.conversationId,
			status: job.snapshot.status,
			signature: job.signature,
			userAgent: opts.userAgent,
			body: job.body,
			bodyText: job.body.toString('utf8'),
			attempt: job.attempts,
			responseStatus: 0,
			error: null,
			startedAt: Date.now(),
			finishedAt: null,
		};
		try {
			assertLoopback(job.url);
			const res = await request({
				method: 'POST',
				url: job.url,
				headers: {
					'User-Agent': opts.userAgent,
					'Content-Type': 'application/json',
					'X-FreeScout-Event': job.event,
					'X-FreeScout-Signature': job.signature,
				},
				body: job.body,
				timeoutMs: opts.deliveryTimeoutMs,
			});
			entry.responseStatus = res.status;
		} catch (err) {
			entry.error = String((err && (err.code || err.message)) || err);
		}
		entry.finishedAt = Date.now();
		inFlight--;
		const ok = entry.responseStatus >= 200 && entry.responseStatus < 300;
		entry.ok = ok;
		deliveries.push(entry);
		log(`delivery ${job.event} -> ${job.url} attempt ${job.attempts}: ${entry.responseStatus || entry.error}`);
		if (!ok && job.attempts < MAX_ATTEMPTS) {
			pendingRetries++;
			const minutes = Math.max(1, (job.attempts - 1) * 2);
			setTimer(async () => {
				await attempt(job);
				pendingRetries--;
				checkIdle();
			}, minutes * opts.retryIntervalMs);
		}
		notifyDeliveryWaiters();
		return entry;
	}

	function isIdle() {
		return queue.length === 0 && !workerRunning && !workerScheduled && delayed.length === 0 && pendingRetries === 0 && inFlight === 0;
	}
	function checkIdle() {
		if (!isIdle()) return;
		const waiters = idleWaiters;
		idleWaiters = [];
		for (const w of waiters) w.resolve();
	}
	function notifyDeliveryWaiters() {
		for (const w of deliveryWaiters.slice()) {
			if (w.test()) {
				deliveryWaiters = deliveryWaiters.filter((x) => x !== w);
				w.resolve(deliveries.slice());
			}
		}
	}

	// ---------------------------------------------------------------- REST API
	const errorBody = (message, errors = []) => ({ message, _embedded: { errors } });
	const errorResponse = (message, pathName) =>
		[400, errorBody('Error occurred', [{ path: pathName, message, source: 'JSON' }])];
	const requireParams = (data, names) => {
		for (const n of names) {
			if (!Object.prototype.hasOwnProperty.call(data, n)) {
				return [400, errorBody('Error occurred', [{ path: n, message: '`' + n + '` parameter is required', source: 'JSON' }])];
			}
		}
		return null;
	};
	const NOT_FOUND = () => [404, errorBody('Not Found')];
	const NO_CONTENT = () => [204, null];

	function paged(items, query, key, format) {
		const { items: slice, page } = paginate(items, query);
		return { _embedded: { [key]: slice.map(format) }, page };
	}

	/** `embed`: threads, tags (timelogs: the Time Tracking module is not simulated). */
	function embedOptions(query, defaultThreads) {
		if (phpEmpty(query.embed)) return { withThreads: defaultThreads, withTags: false };
		const embeds = String(query.embed).split(',');
		return { withThreads: embeds.includes('threads'), withTags: embeds.includes('tags') };
	}
	const moduleInactive = (name) => [400, errorBody(`${name} module is not installed or not activated`)];

	const routes = [
		{ methods: ['GET'], re: /^\/api\/conversations$/, handler: apiListConversations },
		{ methods: ['POST'], re: /^\/api\/conversations$/, handler: apiCreateConversation },
		{ methods: ['GET'], re: /^\/api\/conversations\/(\d+)$/, handler: apiGetConversation },
		{ methods: ['PUT'], re: /^\/api\/conversations\/(\d+)$/, handler: apiUpdateConversation },
		{ methods: ['DELETE'], re: /^\/api\/conversations\/(\d+)$/, handler: apiDeleteConversation },
		{ methods: ['POST'], re: /^\/api\/conversations\/(\d+)\/threads$/, handler: apiCreateThread },
		{ methods: ['GET'], re: /^\/api\/users$/, handler: apiListUsers },
		{ methods: ['GET'], re: /^\/api\/mailboxes$/, handler: apiListMailboxes },
		{ methods: ['POST'], re: /^\/api\/webhooks$/, handler: apiCreateWebhook },
		{ methods: ['DELETE'], re: /^\/api\/webhooks\/(\d+)$/, handler: apiDeleteWebhook },
		{ methods: ['GET'], re: /^\/api\/mailboxes\/(\d+)\/custom_fields$/, handler: apiMailboxCustomFields },
		{ methods: ['PUT'], re: /^\/api\/conversations\/(\d+)\/custom_fields$/, handler: apiUpdateCustomFields },
		{ methods: ['GET'], re: /^\/api\/tags$/, handler: apiListTags },
		{ methods: ['PUT'], re: /^\/api\/conversations\/(\d+)\/tags$/, handler: apiUpdateTags },
	];

	function apiGetConversation(_data, query, id) {
		const conv = findConversation(id);
		if (!conv) return NOT_FOUND();
		return [200, formatConversation(conv, embedOptions(query, true))];
	}

	function apiListConversations(_data, q) {
		const list = selectConversations(db.conversations, q, {
			statuses: STATUSES,
			states: STATES,
			types: CONVERSATION_TYPES,
			subjectContains: versionAtLeast(opts.moduleVersion, '1.0.87'),
			tags: tagStore,
			tieOrder: opts.listTieOrder,
		});
		const emb = embedOptions(q, false);
		return [200, paged(list, q, 'conversations', (c) => formatConversation(c, emb))];
	}

	function apiUpdateConversation(data, _query, id) {
		const conv = findConversation(id);
		if (!conv) return NOT_FOUND();
		// Parameters are applied in the order they were sent.
		for (const param of Object.keys(data)) {
			if (param === 'byUser') continue;
			const value = data[param];
			let user = null;
			if (['status', 'assignTo', 'mailboxId'].includes(param)) {
				if (phpEmpty(data.byUser)) return errorResponse('byUser parameter is required.', 'byUser');
				user = findUser(data.byUser);
				if (!user) return errorResponse('User not found.', 'byUser');
			}
			if (param === 'status') {
				const status = toConversationStatus(value);
				if (conv.status !== status) changeStatus(conv, status, user);
			} else if (param === 'assignTo') {
				const target = phpEmpty(value) || Number(value) === -1 ? null : Number(value);
				if ((conv.userId || null) !== target) changeUser(conv, target, user);
			} else if (param === 'mailboxId') {
				if (String(conv.mailboxId) !== String(value)) {
					const mailbox = findMailbox(value);
					if (!mailbox) return errorResponse('Mailbox not found.', 'mailboxId');
					moveToMailbox(conv, mailbox, user);
				}
			} else if (param === 'customerId') {
				if (String(conv.customerId) !== String(value)) {
					const customer = findCustomer(value);
					if (!customer) return errorResponse('Customer not found.', 'customerId');
					conv.customerId = customer.id;
					conv.customerEmail = customer.email;
					touch(conv, stamp());
				}
			} else if (param === 'subject') {
				if (conv.subject !== value) {
					conv.subject = String(value);
					touch(conv, stamp());
				}
			}
		}
		return NO_CONTENT();
	}

	function apiDeleteConversation(_data, _query, id) {
		const conv = findConversation(id);
		if (!conv) return NOT_FOUND();
		deleteForever([conv]);
		return NO_CONTENT();
	}

	function threadDataFromRequest(data, conv) {
		const type = THREAD_TYPES.includes(data.type) && data.type !== 'lineitem' && data.type !== 'chat' ? data.type : data.type === 'chat' ? 'chat' : 'customer';
		let customer = null;
		if (!phpEmpty(data.customer)) {
			const found = findOrCreateCustomer(data.customer);
			if (found.error) return { error: errorResponse(found.error[0], found.error[1]) };
			customer = found.customer;
		}
		if (!customer) customer = findCustomer(conv.customerId);
		const user = type !== 'customer' && !phpEmpty(data.user) ? findUser(data.user) : null;
		if (type === 'customer' && !customer) return { error: errorResponse('`customer` parameter is required', 'customer') };
		if ((type === 'message' || type === 'note') && !user) return { error: errorResponse('`user` parameter is required', 'user') };
		let status = null;
		if (!phpEmpty(data.status)) status = toConversationStatus(data.status);
		return {
			thread: {
				type,
				text: data.text,
				status,
				customer,
				user,
				cc: Array.isArray(data.cc) ? data.cc : [],
				bcc: Array.isArray(data.bcc) ? data.bcc : [],
				sourceType: 'api',
			},
		};
	}

	function apiCreateThread(data, _query, id) {
		const conv = findConversation(id);
		if (!conv) return NOT_FOUND();
		const missing = requireParams(data, ['text', 'type']);
		if (missing) return missing;
		const parsed = threadDataFromRequest(data, conv);
		if (parsed.error) return parsed.error;
		const thread = createThread(conv, parsed.thread, { internal: false, path: 'api' });
		return [201, formatThread(thread, conv.number), { 'Resource-ID': String(thread.id) }];
	}

	function apiCreateConversation(data) {
		const missing = requireParams(data, ['subject', 'type', 'mailboxId', 'customer', 'threads']);
		if (missing) return missing;
		if (!Array.isArray(data.threads) || data.threads.some((t) => !t || typeof t !== 'object' || Array.isArray(t))) {
			return errorResponse("'threads' parameter must be an array", 'threads');
		}
		const found = findOrCreateCustomer(data.customer);
		if (found.error) return errorResponse(found.error[0], found.error[1]);
		const mailbox = findMailbox(data.mailboxId);
		if (!mailbox) return errorResponse('Mailbox not found', 'mailboxId');
		const assignee = !phpEmpty(data.assignTo) ? findUser(data.assignTo) : null;
		const conv = newConversation({
			type: data.type,
			subject: data.subject,
			mailbox,
			customer: found.customer,
			status: phpEmpty(data.status) ? 'active' : toConversationStatus(data.status),
			userId: assignee ? assignee.id : null,
			sourceType: 'api',
		});
		let created = 0;
		let lastError = null;
		for (const t of data.threads.slice().reverse()) {
			const td = Object.assign({}, t);
			if (!phpEmpty(data.status)) td.status = data.status;
			const missingT = requireParams(td, ['text', 'type']);
			if (missingT) {
				lastError = missingT;
				continue;
			}
			const parsed = threadDataFromRequest(td, conv);
			if (parsed.error) {
				lastError = parsed.error;
				continue;
			}
			createThread(conv, parsed.thread, { internal: true, path: 'api' });
			created++;
		}
		if (!created) {
			db.conversations = db.conversations.filter((c) => c !== conv);
			return lastError || errorResponse('Could no create thread(s)', 'threads');
		}
		// Set after the threads (so after convo.created fired; its body reads the values when it is sent).
		if (fieldStore && data.customFields && typeof data.customFields === 'object') {
			for (const item of Object.values(data.customFields)) {
				if (item && /^\s*[+-]?\d+(\.\d+)?\s*$/.test(String(item.id)) && item.value != null) fieldStore.setValue(conv.id, item.id, item.value);
			}
		}
		return [201, formatConversation(conv), { 'Resource-ID': String(conv.id) }];
	}

	function apiListUsers(_data, q) {
		let list = db.users.slice().sort((a, b) => b.id - a.id);
		if (!phpEmpty(q.email)) list = list.filter((u) => u.email === q.email);
		return [
			200,
			paged(list, q, 'users', (u) => ({
				id: u.id,
				firstName: u.firstName,
				lastName: u.lastName,
				email: u.email,
				role: u.role,
				alternateEmails: u.alternateEmails == null ? null : u.alternateEmails,
				jobTitle: u.jobTitle == null ? null : u.jobTitle,
				phone: u.phone == null ? null : u.phone,
				timezone: u.timezone || 'UTC',
				photoUrl: u.photoUrl || '',
				language: u.language || 'en',
				createdAt: phpTime(u.createdAt),
				updatedAt: phpTime(u.updatedAt),
			})),
		];
	}

	function apiListMailboxes(_data, q) {
		const list = db.mailboxes.slice();
		return [
			200,
			paged(list, q, 'mailboxes', (m) => ({ id: m.id, name: m.name, email: m.email, createdAt: phpTime(m.createdAt), updatedAt: phpTime(m.updatedAt) })),
		];
	}

	function apiCreateWebhook(data) {
		const missing = requireParams(data, ['url', 'events']);
		if (missing) return missing;
		let events = data.events;
		if (typeof events === 'string') events = events.split(',').map((s) => s.trim());
		if (!Array.isArray(events)) events = [];
		events = events.filter((e) => WEBHOOK_EVENTS.includes(e));
		if (phpEmpty(data.url) || events.length === 0) return [400, errorBody('Error occurred')];
		const webhook = { id: db.nextWebhookId++, url: String(data.url), events, lastRunTime: null, lastRunError: '' };
		db.webhooks.push(webhook);
		return [201, formatWebhook(webhook), { 'Resource-ID': String(webhook.id) }];
	}
	const formatWebhook = (w) => ({ id: w.id, url: w.url, events: w.events.slice(), lastRunTime: w.lastRunTime, lastRunError: w.lastRunError });

	function apiDeleteWebhook(_data, _query, id) {
		const w = db.webhooks.find((x) => String(x.id) === String(id));
		if (!w) return NOT_FOUND();
		db.webhooks = db.webhooks.filter((x) => x !== w);
		return NO_CONTENT();
	}

	/** GET /api/mailboxes/{id}/custom_fields: 404 for an unknown mailbox first, then 400 without the module. */
	function apiMailboxCustomFields(_data, q, mailboxId) {
		if (!findMailbox(mailboxId)) return NOT_FOUND();
		if (!fieldStore) return moduleInactive('Custom Fields');
		return [
			200,
			paged(fieldStore.mailboxFields(mailboxId), q, 'custom_fields', (f) => ({
				id: f.id,
				name: f.name,
				type: f.type,
				options: f.options,
				required: f.required,
				sortOrder: f.sortOrder,
			})),
		];
	}

	/**
	 * PUT /api/conversations/{id}/custom_fields {"customFields":[{"id":..,"value":..}]}: 204 whatever was applied;
	 * items without id or value (null, or "" which Laravel turned into null) are skipped. No webhook, no updatedAt.
	 */
	function apiUpdateCustomFields(data, _q, id) {
		const { conv, error } = moduleUpdateTarget(fieldStore, 'Custom Fields', data, id, 'customFields');
		if (error) return error;
		for (const item of phpForeach(data.customFields)) {
			if (item && typeof item === 'object' && item.id != null && item.value != null) fieldStore.setValue(conv.id, item.id, item.value);
		}
		return NO_CONTENT();
	}

	/** What both module PUTs check first, in ApiController's order: module active, conversation found, parameter given. */
	function moduleUpdateTarget(store, moduleName, data, id, param) {
		if (!store) return { error: moduleInactive(moduleName) };
		const conv = findConversation(id);
		if (!conv) return { error: NOT_FOUND() };
		const missing = requireParams(data, [param]);
		return missing ? { error: missing } : { conv };
	}

	/** GET /api/tags: tags in id order with counter and color, optionally of one conversation. */
	function apiListTags(_data, q) {
		if (!tagStore) return moduleInactive('Tags');
		const conversationId = phpEmpty(q.conversationId) ? null : parseInt(q.conversationId, 10) || 0;
		return [200, paged(tagStore.list(conversationId), q, 'tags', (t) => ({ id: t.id, name: t.name, counter: t.counter, color: t.color }))];
	}

	/** PUT /api/conversations/{id}/tags {"tags":[names]}: the full list (new names created, missing ones removed); 204. */
	function apiUpdateTags(data, _q, id) {
		const { conv, error } = moduleUpdateTarget(tagStore, 'Tags', data, id, 'tags');
		if (error) return error;
		tagStore.replaceConversationTags(conv.id, phpForeach(data.tags));
		return NO_CONTENT();
	}

	const HTML_HEADERS = { 'Content-type': 'text/html; charset=UTF-8' };
	const htmlPage = (status, title) => `<!DOCTYPE html><html><head><title>${title}</title></head><body>${status} ${title}</body></html>`;

	async function handle(req, res) {
		const u = new URL(req.url, 'http://127.0.0.1');
		const rawQuery = {};
		for (const [k, v] of u.searchParams) rawQuery[k] = v;
		const query = cleanInput(rawQuery);
		const raw = await readBody(req);
		const parsed = parseBody(raw, req.headers['content-type']);
		// Laravel: invalid JSON is treated as no input. $request->all() = body keys first, then query-only keys.
		const bodyData = parsed.ok && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value) ? parsed.value : {};
		const data = cleanInput(bodyData);
		for (const k of Object.keys(query)) if (!(k in data)) data[k] = query[k];
		delete data.api_key;

		const logEntry = { method: req.method, path: u.pathname, query: rawQuery, body: parsed.ok ? parsed.value : raw.toString('utf8'), status: 0, at: now() };
		apiRequests.push(logEntry);
		const reply = (status, payload, headers) => {
			logEntry.status = status;
			if (status === 204) return send(res, 204, undefined, HTML_HEADERS);
			if (typeof payload === 'string' && headers && headers['Content-type']) return send(res, status, payload, headers);
			return send(res, status, phpJsonEncode(payload), Object.assign({ 'Content-Type': 'application/json' }, headers || {}));
		};

		const matching = opts.apiModule ? routes.filter((r) => r.re.test(u.pathname)) : [];
		if (matching.length === 0) return reply(404, htmlPage(404, 'Not Found'), HTML_HEADERS);
		const route = matching.find((r) => r.methods.includes(req.method) || (req.method === 'HEAD' && r.methods.includes('GET')));
		if (req.method === 'OPTIONS') {
			const allow = [...new Set(matching.flatMap((r) => r.methods).concat('OPTIONS'))].join(', ');
			return reply(200, '', Object.assign({ Allow: allow }, HTML_HEADERS));
		}
		if (!route) {
			// Routing rejects the method before the API-key middleware runs.
			const allow = [...new Set(matching.flatMap((r) => r.methods).concat('OPTIONS'))].join(', ');
			return reply(405, htmlPage(405, 'Method Not Allowed'), Object.assign({ Allow: allow }, HTML_HEADERS));
		}
		const key = rawQuery.api_key || bodyData.api_key || req.headers['x-freescout-api-key'];
		if (!key || key !== opts.apiKey) return reply(401, { message: 'Not Authorized' });
		if (req.method === 'HEAD') return reply(405, 'Method Not Allowed');
		const params = u.pathname.match(route.re).slice(1);
		const [status, payload, headers] = route.handler(data, query, ...params);
		return reply(status, payload, headers);
	}

	/** The "Not Spam" target: newest changed-ticket-status line item that is not spam (by time, then id), else active. */
	function statusBeforeSpam(conv) {
		const items = conv.threads
			.filter((t) => t.type === 'lineitem' && t.actionType === 'changed-ticket-status' && t.status !== 'spam')
			.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
		return items.length ? items[0].status : 'active';
	}

	// ---------------------------------------------------------------- control API
	function requireConversation(id) {
		const conv = findConversation(id);
		if (!conv) throw new Error(`FreeScout simulator: no conversation ${id}`);
		return conv;
	}
	function requireUser(id) {
		const user = findUser(id);
		if (!user) throw new Error(`FreeScout simulator: no user ${id}`);
		return user;
	}

	const sim = {
		get url() {
			return baseUrl;
		},
		get apiUrl() {
			return baseUrl ? `${baseUrl}/api` : null;
		},
		secretKey: opts.secretKey,
		apiKey: opts.apiKey,
		moduleVersion: opts.moduleVersion,
		options: opts,

		/** Listens on `port` (a number or {port, host}; default a free one on 127.0.0.1). */
		async start(options) {
			const { port, host } = listenOptions(options);
			if (server) return { url: baseUrl };
			stopped = false;
			server = http.createServer((req, res) => {
				handle(req, res).catch((err) => {
					log(`handler error: ${err && err.stack}`);
					if (!res.headersSent) send(res, 500, htmlPage(500, 'Server Error'), HTML_HEADERS);
				});
			});
			baseUrl = await listen(server, port, host);
			log(`listening on ${baseUrl}`);
			return { url: baseUrl };
		},
		async stop() {
			stopped = true;
			for (const t of timers) clearTimeout(t);
			timers.clear();
			queue = [];
			delayed = [];
			pendingRetries = 0;
			if (server) await close(server);
			server = null;
			checkIdle();
		},
		/** Back to the seed data; drops webhooks, conversations, logs and every pending delivery. */
		reset() {
			for (const t of timers) clearTimeout(t);
			timers.clear();
			queue = [];
			delayed = [];
			pendingRetries = 0;
			workerScheduled = false;
			workerWebhooks = null;
			resetState();
			sim.clearLogs();
			checkIdle();
		},
		clearLogs() {
			deliveries = [];
			apiRequests = [];
			firedEvents = [];
		},

		// logs
		get deliveries() {
			return deliveries.slice();
		},
		get apiRequests() {
			return apiRequests.slice();
		},
		get firedEvents() {
			return firedEvents.slice();
		},
		getDeliveries: () => deliveries.slice(),
		getApiRequests: () => apiRequests.slice(),
		getFiredEvents: () => firedEvents.slice(),

		/** Resolves with the delivery log once it has `n` entries / once predicate(log) is truthy. */
		waitForDeliveries(predicateOrCount, timeoutMs = 5000) {
			const test =
				typeof predicateOrCount === 'number' ? () => deliveries.length >= predicateOrCount : () => Boolean(predicateOrCount(deliveries.slice()));
			if (test()) return Promise.resolve(deliveries.slice());
			return new Promise((resolve, reject) => {
				const w = { test, resolve: (v) => (clearTimeout(timer), resolve(v)) };
				const timer = setTimeout(() => {
					deliveryWaiters = deliveryWaiters.filter((x) => x !== w);
					reject(
						new Error(
							`FreeScout simulator: deliveries not reached within ${timeoutMs} ms; have ${deliveries.length}: ` +
								deliveries.map((d) => `${d.event}#${d.attempt}=${d.responseStatus || d.error}`).join(', '),
						),
					);
				}, timeoutMs);
				deliveryWaiters.push(w);
			});
		},
		/** Resolves when no event is waiting for its undo delay and no delivery is queued, in flight or due for a retry. */
		idle(timeoutMs = 10000) {
			if (isIdle()) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const w = { resolve: () => (clearTimeout(timer), resolve()) };
				const timer = setTimeout(() => {
					idleWaiters = idleWaiters.filter((x) => x !== w);
					reject(new Error(`FreeScout simulator: not idle within ${timeoutMs} ms (queue ${queue.length}, delayed ${delayed.length}, retries ${pendingRetries})`));
				}, timeoutMs);
				idleWaiters.push(w);
			});
		},
		isIdle,

		// state
		/** The conversation exactly as GET /api/conversations/{id} would return it (object, threads embedded). */
		getConversation(id, { withThreads = true } = {}) {
			const conv = findConversation(id);
			return conv ? formatConversation(conv, { withThreads }) : null;
		},
		/** Internal record (status, userId, closedAt, threads with their raw fields...), a deep copy. */
		getConversationRecord(id) {
			const conv = findConversation(id);
			if (!conv) return null;
			const copy = clone(Object.assign({}, conv, { threads: undefined }));
			copy.threads = conv.threads.map((t) => Object.assign(clone(Object.assign({}, t, { actionText: undefined })), { actionText: formatThread(t, conv.number).action.text }));
			return copy;
		},
		listConversations: () => db.conversations.map((c) => formatConversation(c, { withThreads: false })),
		getWebhooks: () => db.webhooks.map(formatWebhook),
		getUsers: () => clone(db.users),
		getCustomers: () => clone(db.customers),
		getMailboxes: () => clone(db.mailboxes),
		addUser(u) {
			const user = Object.assign({ id: Math.max(0, ...db.users.map((x) => x.id)) + 1, role: 'user', createdAt: stamp(), updatedAt: stamp() }, u);
			db.users.push(user);
			return clone(user);
		},
		addCustomer(c) {
			const customer = Object.assign({ id: db.nextCustomerId++, firstName: '', lastName: '', email: '', createdAt: stamp(), updatedAt: stamp() }, c);
			db.customers.push(customer);
			db.nextCustomerId = Math.max(db.nextCustomerId, customer.id + 1);
			return clone(customer);
		},
		/** Registers a webhook directly (as Manage » API & Webhooks would). */
		addWebhook(url, events) {
			const webhook = { id: db.nextWebhookId++, url, events: events.filter((e) => WEBHOOK_EVENTS.includes(e)), lastRunTime: null, lastRunError: '' };
			db.webhooks.push(webhook);
			return formatWebhook(webhook);
		},
		/**
		 * Creates a conversation like a customer e-mail (by: 'customer', default) or an agent in the UI
		 * (by: 'user', userId). Returns the conversation id. Customer-created -> convo.created at once;
		 * agent-created -> convo.created after the undo delay.
		 */
		createConversation({ subject = 'Test conversation', text = 'Hello', customerId = 1, mailboxId = 1, by = 'customer', userId = 1, status, assignTo, source = 'email' } = {}) {
			const customer = findCustomer(customerId);
			if (!customer) throw new Error(`FreeScout simulator: no customer ${customerId}`);
			const mailbox = findMailbox(mailboxId);
			if (!mailbox) throw new Error(`FreeScout simulator: no mailbox ${mailboxId}`);
			const conv = newConversation({ subject, mailbox, customer, status: status || 'active', userId: assignTo || null, sourceType: source });
			const user = by === 'user' ? requireUser(userId) : null;
			createThread(
				conv,
				{ type: by === 'user' ? 'message' : 'customer', text, status: status || null, customer, user, sourceType: source, to: by === 'user' ? undefined : [mailbox.email] },
				{ internal: true, path: source === 'api' ? 'api' : 'ui' },
			);
			return conv.id;
		},
		/**
		 * Status menu of one conversation: line item, then convo.status at once; no-op ("Status already set") if
		 * unchanged. `not_spam` (the "Not Spam" button) restores the status of the newest status line item that is
		 * not spam, else active.
		 */
		changeStatusFromMenu(convId, status, userId = 1) {
			const conv = requireConversation(convId);
			const target = status === 'not_spam' ? statusBeforeSpam(conv) : status;
			if (!STATUSES.includes(target)) throw new Error(`FreeScout simulator: unknown status ${status}`);
			if (conv.status === target) return false;
			changeStatus(conv, target, requireUser(userId));
			return true;
		},
		/**
		 * Bulk status change from a folder's list (ConversationsController bulk_conversation_change_status): every
		 * selected conversation, in id order, gets a line item and a convo.status, even one already in that status
		 * (there is no "already set" check on this path). Returns the ids changed.
		 */
		bulkChangeStatusFromUi(convIds, status, userId = 1) {
			if (!STATUSES.includes(status)) throw new Error(`FreeScout simulator: unknown status ${status}`);
			const user = requireUser(userId);
			const wanted = convIds.map(String);
			const list = db.conversations.filter((c) => wanted.includes(String(c.id))).sort((a, b) => a.id - b.id);
			for (const conv of list) changeStatus(conv, status, user);
			return list.map((c) => c.id);
		},
		/**
		 * "Merge" on the target's page (ConversationsController conversation_merge): each of `sourceIds` is merged
		 * into `targetId` in turn (see mergeConversations). The target keeps its status; only the sources' deletion
		 * fires an event (convo.deleted).
		 */
		mergeFromUi(targetId, sourceIds, userId = 1) {
			const target = requireConversation(targetId);
			const user = requireUser(userId);
			for (const id of sourceIds) {
				const source = requireConversation(id);
				if (source !== target) mergeConversations(target, source, user);
			}
		},
		/**
		 * "Delete" on one conversation or in the list's bulk action (delete_conversation, bulk_delete_conversation):
		 * a published conversation goes to Deleted (status kept, convo.deleted); the bulk action deletes one already
		 * in Deleted forever (convo.deleted_forever).
		 */
		deleteFromUi(convIds, userId = 1) {
			const user = requireUser(userId);
			for (const id of [].concat(convIds)) {
				const conv = requireConversation(id);
				if (conv.state === 'deleted') deleteForever([conv]);
				else deleteToFolder(conv, user);
			}
		},
		/** "Restore" (restore_conversation): published again, status kept, a restore-ticket line item, convo.restored. */
		restoreFromUi(convId, userId = 1) {
			const conv = requireConversation(convId);
			const user = requireUser(userId);
			if (conv.state !== 'deleted') return false;
			setStateByUser(conv, user, 'published', 'restore-ticket', 'restored');
			fire('convo.restored', conv);
			return true;
		},
		/** "Empty Deleted" of a mailbox (empty_folder): every conversation in its Deleted folder, forever. */
		emptyDeletedFolder(mailboxId = 1) {
			deleteForever(db.conversations.filter((c) => c.state === 'deleted' && String(c.mailboxId) === String(mailboxId)));
		},
		/** Assign (userId) or unassign (null) from the UI. */
		assignFromUi(convId, assigneeId, userId = 1) {
			const conv = requireConversation(convId);
			const target = assigneeId ? Number(assigneeId) : null;
			if ((conv.userId || null) === target) return false;
			changeUser(conv, target, requireUser(userId));
			return true;
		},
		/**
		 * Agent reply from the web form ("send" / "send & close"), status from the form (default
		 * pending, the mailbox default). Source reading, not capture: the reply thread carries the new
		 * status, closing records closedBy/closedAt, module >= 1.0.82 fires convo.status at once when the
		 * status changed, then convo.agent.reply.created after the undo delay (< 1.0.82: only the latter).
		 */
		replyFromUi(convId, { text = 'Reply', status = 'pending', userId = 1 } = {}) {
			const conv = requireConversation(convId);
			const t = createThread(conv, { type: 'message', text, status, user: requireUser(userId), sourceType: 'web' }, { path: 'ui' });
			return t.id;
		},
		/** Note from the UI (no status change): convo.note.created. */
		noteFromUi(convId, { text = 'Note', userId = 1 } = {}) {
			const conv = requireConversation(convId);
			return createThread(conv, { type: 'note', text, user: requireUser(userId), sourceType: 'web' }, { path: 'ui' }).id;
		},
		/** Customer e-mail reply: closed/pending -> active (spam stays spam), only convo.customer.reply.created. */
		customerEmailReply(convId, text = 'Customer reply') {
			const conv = requireConversation(convId);
			const mailbox = findMailbox(conv.mailboxId);
			return createThread(conv, { type: 'customer', text, sourceType: 'email', to: mailbox ? [mailbox.email] : [] }, { path: 'email' }).id;
		},
		/** Fires `event` for the conversation's current state (optionally after delayMs, like a queued job). */
		emitRaw(event, convId, { delayMs = 0 } = {}) {
			fire(event, requireConversation(convId), { delayMs });
		},
		/** Sets the conversation status without line item or event (a silent DB change, e.g. for setup). */
		setStatusSilently(convId, status) {
			const conv = requireConversation(convId);
			conv.status = status;
			updateFolder(conv);
		},
		/** Ends every undo window now: the waiting events are queued in the order they fired. */
		flushDelayed() {
			for (const entry of delayed.slice()) {
				clearTimeout(entry.timer);
				timers.delete(entry.timer);
				entry.release();
			}
		},
		/**
		 * `php artisan queue:restart` (FreeScout's schedule runs it hourly): the worker's next job reads the webhook
		 * list again, so webhooks created since its last start get queued events and deleted ones no longer do.
		 */
		restartQueueWorker() {
			workerWebhooks = null;
		},
		/** The ids of the webhooks the queue worker sends to now; null before its first job since a (re)start. */
		queueWorkerWebhookIds() {
			return workerWebhooks === null ? null : workerWebhooks.map((w) => w.id);
		},
		/**
		 * Custom Fields module (option customFieldsModule): adds a field to a mailbox as its settings page would.
		 * spec: { mailboxId = 1, name, type = 'singleline' | 'dropdown' | 'multiline' | 'number' | 'date' |
		 * 'singlelinetags' | 'multiselectdropdown', options (dropdown labels, a list), required }. Returns the
		 * field as GET /api/mailboxes/{id}/custom_fields shows it.
		 */
		addCustomField(spec) {
			if (!fieldStore) throw new Error('FreeScout simulator: the Custom Fields module is not active (option customFieldsModule)');
			const mailboxId = spec.mailboxId || 1;
			if (!findMailbox(mailboxId)) throw new Error(`FreeScout simulator: no mailbox ${mailboxId}`);
			const f = fieldStore.addField(Object.assign({}, spec, { mailboxId }));
			return { id: f.id, name: f.name, type: f.type, options: clone(f.options), required: f.required, sortOrder: f.sortOrder };
		},
		/** A value set from the conversation page (same rules as the API; no webhook, updatedAt unchanged). */
		setCustomFieldFromUi(convId, fieldId, value) {
			if (!fieldStore) throw new Error('FreeScout simulator: the Custom Fields module is not active (option customFieldsModule)');
			return Boolean(fieldStore.setValue(requireConversation(convId).id, fieldId, value));
		},
		/** Tags module (option tagsModule): the conversation's tag names, in tag-id order. */
		getConversationTags(convId) {
			if (!tagStore) throw new Error('FreeScout simulator: the Tags module is not active (option tagsModule)');
			return tagStore.conversationTags(requireConversation(convId).id).map((t) => t.name);
		},
		/** Signs bytes with this instance's Secret Key. */
		sign: (body) => signBody(body, opts.secretKey),
	};
	return sim;
}

/**
 * A loopback webhook receiver for tests: records raw bodies and headers; `respond(req, n)` returns
 * the status code for the n-th request (1-based), default 200.
 */
async function startWebhookReceiver({ respond } = {}) {
	const received = [];
	let waiters = [];
	const server = http.createServer(async (req, res) => {
		const body = await readBody(req);
		const entry = { method: req.method, path: req.url, headers: req.headers, body, bodyText: body.toString('utf8'), at: Date.now() };
		received.push(entry);
		const status = respond ? respond(entry, received.length) : 200;
		entry.status = status;
		send(res, status, '', { 'Content-Type': 'text/plain' });
		for (const w of waiters.slice()) {
			if (received.length >= w.n) {
				waiters = waiters.filter((x) => x !== w);
				w.resolve(received.slice());
			}
		}
	});
	const url = await listen(server);
	return {
		url,
		received,
		waitFor(n, timeoutMs = 5000) {
			if (received.length >= n) return Promise.resolve(received.slice());
			return new Promise((resolve, reject) => {
				const w = { n, resolve: (v) => (clearTimeout(timer), resolve(v)) };
				const timer = setTimeout(() => {
					waiters = waiters.filter((x) => x !== w);
					reject(new Error(`receiver: ${received.length}/${n} requests within ${timeoutMs} ms`));
				}, timeoutMs);
				waiters.push(w);
			});
		},
		close: () => close(server),
	};
}

module.exports = {
	createFreeScoutSimulator,
	startWebhookReceiver,
	readFixture,
	listFixtures,
	signBody,
	phpJsonEncode,
	WEBHOOK_EVENTS,
	REAL_UI_SECRET_KEY,
	MAX_ATTEMPTS,
	DEFAULT_USER_AGENT,
};
