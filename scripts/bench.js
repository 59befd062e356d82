// Core throughput benchmark (a script, not a test): deliveries per second and microseconds per delivery through
// the trigger's pipeline (signature, JSON, dedupe, normalization), for a ~10 KB Chatwoot conversation_updated and
// a FreeScout convo.status with 3 threads, with and without signature verification, beside the floor (JSON.parse
// and HMAC alone) so the package's own share is visible on any machine. Runs on the built dist/ with the Node it
// is started with (`.runtime/node24/package/bin/node scripts/bench.js` for Node 24, after `npm run e2e:install`).
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const dist = path.join(__dirname, '..', 'dist', 'nodes');
const { handleDelivery } = require(path.join(dist, 'core', 'trigger', 'pipeline'));
const { Memory, MAX_MEMORY_SIZE, keptWhenTrimmed } = require(path.join(dist, 'core', 'trigger', 'memory'));
const { NO_FILTERS } = require(path.join(dist, 'core', 'trigger', 'filters'));
const { platforms } = require(path.join(dist, 'platforms'));
const { signChatwoot } = require(path.join(dist, 'platforms', 'chatwoot', 'signature'));
const { signFreeScout } = require(path.join(dist, 'platforms', 'freescout', 'signature'));

const COUNT = Number(process.argv[2] || 5000);
const SECRET = 'bench-secret-0123456789abcdef';
const NOW = 1781946845;

function chatwootBody(id, status, previous) {
	const filler = {};
	for (let index = 0; filler.length === undefined && index < 60; index++) filler[`field_${index}`] = 'x'.repeat(120);
	return {
		additional_attributes: { browser: { name: 'Chrome', platform: 'macOS' }, referer: 'https://shop.example.com/o' },
		can_reply: true,
		channel: 'Channel::Api',
		contact_inbox: { id: 5, contact_id: 42, inbox_id: 4, source_id: 'evo-5511999990000' },
		id,
		inbox_id: 4,
		messages: [{ id: 9000 + id, content: 'Oi, preciso de ajuda', account_id: 1, message_type: 0, created_at: NOW, sender: { id: 42, name: 'Ana', type: 'contact' } }],
		labels: ['whatsapp'],
		meta: { sender: { id: 42, name: 'Ana Souza', email: 'ana@example.org', phone_number: '+5511999990000', type: 'contact' }, assignee: null, assignee_type: null, team: null, hmac_verified: false },
		status,
		custom_attributes: filler,
		snoozed_until: null,
		unread_count: 1,
		created_at: NOW - 86400,
		updated_at: NOW + 0.4,
		account: { id: 1, name: 'Suporte' },
		event: 'conversation_updated',
		changed_attributes: [{ status: { previous_value: previous, current_value: status } }, { updated_at: { previous_value: '2026-06-20T09:04:05.000Z', current_value: '2026-06-20T09:14:05.300Z' } }],
	};
}

function freescoutBody(id, status) {
	const person = { id: 1, type: 'user', firstName: 'Admin', lastName: 'User', photoUrl: '', email: 'admin@example.com' };
	const customer = { id: 7, type: 'customer', firstName: 'Mark', lastName: 'Morrison', photoUrl: '', email: 'mark@example.org' };
	const thread = (threadId, type, threadStatus, action) => ({
		id: threadId, type, status: threadStatus, state: 'published', action: { type: action, text: '', associatedEntities: [] },
		body: type === 'lineitem' ? null : '<div>Printer on fire<\/div>', source: { type: 'web', via: 'user' }, customer, createdBy: type === 'customer' ? customer : person,
		assignedTo: null, to: [], cc: [], bcc: [], createdAt: '2026-11-22T05:00:36Z', openedAt: null, _embedded: { attachments: [] },
	});
	return {
		id, number: id, threadsCount: 2, type: 'email', folderId: 4, status, state: 'published', subject: 'Printer on fire', preview: 'Fire is back!',
		mailboxId: 1, assignee: null, createdBy: customer, createdAt: '2026-11-22T04:59:05Z', updatedAt: '2026-11-22T05:00:36Z', closedBy: null,
		closedByUser: null, closedAt: null, userUpdatedAt: '2026-11-22T05:00:36Z', customerWaitingSince: { time: '2026-11-22T05:00:08Z', friendly: 'Just now', latestReplyFrom: 'customer' },
		source: { type: 'email', via: 'customer' }, cc: [], bcc: [], customer,
		_embedded: { threads: [thread(3 * id + 2, 'lineitem', status, 'changed-ticket-status'), thread(3 * id + 1, 'message', 'active', ''), thread(3 * id, 'customer', 'active', '')] },
	};
}

/** PHP's json_encode escapes slashes: the bench body has the same bytes a real delivery would. */
const phpJson = (value) => JSON.stringify(value).replace(/\//g, '\\/');

function deliveries(platform, signed) {
	const list = [];
	for (let index = 0; index < COUNT; index++) {
		const id = index + 1;
		if (platform === 'chatwoot') {
			const raw = Buffer.from(JSON.stringify(chatwootBody(id, 'pending', 'resolved')));
			const headers = { 'content-type': 'application/json' };
			if (signed) Object.assign(headers, { 'x-chatwoot-timestamp': String(NOW), 'x-chatwoot-signature': signChatwoot(SECRET, String(NOW), raw) });
			list.push({ rawBody: raw, headers });
		} else {
			const raw = Buffer.from(phpJson(freescoutBody(id, 'closed')));
			const headers = { 'x-freescout-event': 'convo.status' };
			if (signed) headers['x-freescout-signature'] = signFreeScout(SECRET, raw);
			list.push({ rawBody: raw, headers });
		}
	}
	return list;
}

const ROUNDS = 5;
const settingsFor = (platform, signed) => ({
	secret: signed ? SECRET : null,
	acceptUnsigned: !signed,
	toleranceSeconds: 0,
	context: { baseUrl: 'https://example.com', accountId: 1, apiUserIds: [] },
	filters: NO_FILTERS,
	container: platforms.get(platform).container,
});

/** Median microseconds per delivery over ROUNDS rounds of `run(batch)`, after one warm-up round. */
async function timed(batch, run) {
	await run(batch.slice(0, Math.min(2000, batch.length)));
	const rounds = [];
	for (let round = 0; round < ROUNDS; round++) {
		const started = performance.now();
		await run(batch);
		rounds.push(((performance.now() - started) * 1000) / batch.length);
	}
	return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

/** The whole pipeline; every delivery must come out as a change (a fresh memory per round). */
async function pipeline(platform, signed, batch) {
	const settings = settingsFor(platform, signed);
	const { adapter } = platforms.get(platform).trigger;
	return timed(batch, async (deliveries) => {
		const memory = new Memory(1000);
		let emitted = 0;
		for (const delivery of deliveries) {
			const outcome = handleDelivery(adapter, delivery, settings, memory, NOW * 1000);
			if (outcome.changes) emitted += outcome.changes.length;
		}
		if (emitted !== deliveries.length) throw new Error(`expected ${deliveries.length} changes, got ${emitted}`);
	});
}

/** The floor no receiver can go below: decode and JSON.parse the body, plus the HMAC when signed. */
async function floor(platform, signed, batch) {
	return timed(batch, async (deliveries) => {
		for (const { rawBody } of deliveries) {
			JSON.parse(rawBody.toString('utf8'));
			if (!signed) continue;
			if (platform === 'chatwoot') signChatwoot(SECRET, String(NOW), rawBody);
			else signFreeScout(SECRET, rawBody);
		}
	});
}

/**
 * Merging two full memories (Remembered Conversations at its maximum) that saw different traffic, as a process does
 * when it reads another process's save, a re-activation's priming, or a save overwritten by an older one: half the
 * conversations in both, each with three points. Median milliseconds of ROUNDS merges into a fresh copy.
 */
function fullMemory(offset) {
	const memory = new Memory(MAX_MEMORY_SIZE);
	for (let index = 0; index < MAX_MEMORY_SIZE; index++) {
		const t = NOW * 1000 + (index + offset) * 1000;
		memory.learn(`1:${index + offset}`, [
			{ status: 'open', t, k: 0, kind: 'seen' },
			{ status: 'resolved', t: t + 10, k: 0, kind: 'reported' },
			{ status: 'open', t: t + 20 + offset, k: 0, kind: 'reported' },
		]);
	}
	return memory;
}

function mergeTiming() {
	const other = fullMemory(MAX_MEMORY_SIZE / 2).stored();
	const rounds = [];
	for (let round = 0; round < ROUNDS + 1; round++) {
		const memory = new Memory(MAX_MEMORY_SIZE);
		memory.merge(fullMemory(0).stored(), NOW * 1000);
		const started = performance.now();
		const result = memory.merge(other, NOW * 1000);
		const elapsed = performance.now() - started;
		if (!result.shouldWriteBack || memory.snapshot().c.length !== keptWhenTrimmed(MAX_MEMORY_SIZE)) throw new Error('the merge did not produce a full memory');
		if (round > 0) rounds.push(elapsed);
	}
	return rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
}

(async () => {
	const merge = mergeTiming();
	console.log(
		`Memory merge: two ${MAX_MEMORY_SIZE}-conversation memories (half shared, 3 points each) in ${merge.toFixed(1)} ms ` +
			`(median of ${ROUNDS}; target under 50 ms: ${merge < 50 ? 'met' : 'missed'})`,
	);
	console.log(`Core pipeline, ${COUNT} deliveries per case, median of ${ROUNDS} rounds, Node ${process.version}, one core`);
	console.log('case                           body bytes  deliveries/s  us/delivery  floor us  package us');
	for (const platform of ['chatwoot', 'freescout']) {
		for (const signed of [true, false]) {
			const batch = deliveries(platform, signed);
			const total = await pipeline(platform, signed, batch);
			const parsing = await floor(platform, signed, batch);
			const label = `${platform}${signed ? ', signature checked' : ', no signature'}`;
			console.log(
				label.padEnd(30) +
					String(batch[0].rawBody.length).padStart(11) +
					String(Math.round(1e6 / total)).padStart(14) +
					total.toFixed(1).padStart(13) +
					parsing.toFixed(1).padStart(10) +
					(total - parsing).toFixed(1).padStart(12),
			);
		}
	}
	console.log('floor: JSON.parse of the body (and the HMAC when signed), which any receiver pays; package: the rest');
})().catch((error) => {
	console.error(error);
	process.exit(1);
});
