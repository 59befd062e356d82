/**
 * Property tests that reach the parsers: every delivery is validly signed, so it passes the signature check and is
 * read, decided and answered. Random deliveries shaped like each platform's, and real deliveries (FreeScout's
 * captures, Chatwoot's modelled ones) with values replaced, keys removed or prototype keys added. Whatever arrives:
 * no exception escapes, the answer is 200, 400 or 401 with a JSON body that quotes nothing of the body, a body
 * without a known status starts nothing, and the memory stays valid.
 *
 * Two levels: the core pipeline with many runs, and the trigger in n8n-core (the answer n8n sends) with fewer.
 */
import fc from 'fast-check';

import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { NO_FILTERS } from '../../nodes/core/trigger/filters';
import { Memory } from '../../nodes/core/trigger/memory';
import { handleDelivery, type DeliveryOutcome } from '../../nodes/core/trigger/pipeline';
import type { Delivery } from '../../nodes/core/trigger/types';
import { STATUSES, type Platform } from '../../nodes/core/types';
import { platforms } from '../../nodes/platforms';
import { signChatwoot } from '../../nodes/platforms/chatwoot/signature';
import { signFreeScout } from '../../nodes/platforms/freescout/signature';
import { autoAssignedOpen, created, reopenAsPendingSequence, statusChanged, updated } from '../fixtures/chatwoot-payloads';
import { dateNowFrom } from '../support/clock';
import { capturedAt, realFreeScoutDeliveries } from '../support/fixtures';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { CHATWOOT_TEST_KEY, FREESCOUT_REAL_KEY } from '../support/test-keys';

jest.setTimeout(120_000);

/** Every string the generators put into a body starts with it: an answer containing it quotes the body. */
const MARK = 'ⓩ';
const PROTO_MARK = 'ⓟ';

const FREESCOUT_EVENTS = ['convo.status', 'convo.customer.reply.created', 'convo.agent.reply.created', 'convo.note.created', 'convo.created', 'convo.assigned'];
const CHATWOOT_EVENTS = [
	'conversation_updated',
	'conversation_status_changed',
	'conversation_created',
	'message_created',
	'automation_event.conversation_resolved',
	'macro.executed',
];

/** FreeScout's clock for the captures: when they were fresh, so unmutated ones are reported. */
const FREESCOUT_NOW_MS = capturedAt('freescout-real');
const CHATWOOT_NOW_SECONDS = 1781946845;

const marked = fc.string({ maxLength: 12 }).map((text) => `${MARK}${text}`);
/** Any JSON value whose strings are all marked. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
	any: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), marked, tie('list'), tie('object')),
	list: fc.array(tie('any'), { maxLength: 3 }),
	object: fc.dictionary(fc.constantFrom('id', 'status', 'type', 'createdAt', 'updated_at', 'previous_value', 'current_value', 'event', 'value', 'name'), tie('any'), { maxKeys: 4 }),
})).any;

const iso = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-01-01T00:00:00Z') }).map((ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
const someStatus = (words: string[]) => fc.oneof(fc.constantFrom(...words), marked, fc.constant(undefined));

/** A body shaped like a Chatwoot conversation webhook, with any values where it matters. */
const randomChatwoot = fc.record({
	event: fc.oneof(fc.constantFrom(...CHATWOOT_EVENTS), marked),
	id: fc.oneof(fc.integer({ min: 1, max: 5 }), marked),
	status: someStatus(['open', 'pending', 'resolved', 'snoozed']),
	created_at: fc.integer({ min: CHATWOOT_NOW_SECONDS - 86_400, max: CHATWOOT_NOW_SECONDS }),
	updated_at: fc.double({ min: CHATWOOT_NOW_SECONDS - 86_400, max: CHATWOOT_NOW_SECONDS, noNaN: true }),
	changed_attributes: fc.oneof(
		fc.constant(null),
		fc.array(
			fc.dictionary(
				fc.constantFrom('status', 'assignee_id', 'updated_at', 'snoozed_until', PROTO_MARK),
				fc.record({ previous_value: fc.oneof(someStatus(['open', 'pending', 'resolved', 'snoozed']), iso, value), current_value: fc.oneof(someStatus(['open', 'pending', 'resolved', 'snoozed']), iso, value) }),
				{ maxKeys: 2 },
			),
			{ maxLength: 3 },
		),
	),
	messages: fc.array(fc.record({ message_type: fc.oneof(fc.constantFrom(0, 1, 2, 'incoming'), value) }), { maxLength: 1 }),
	meta: fc.oneof(value, fc.record({ sender: fc.record({ id: fc.integer(), email: marked }) })),
});

/** A body shaped like a FreeScout conversation, with threads of any kind. */
const randomFreeScout = fc.record({
	id: fc.oneof(fc.integer({ min: 1, max: 5 }), marked),
	status: someStatus(['active', 'pending', 'closed', 'spam']),
	updatedAt: fc.oneof(iso, value),
	mailboxId: fc.oneof(fc.integer({ min: 1, max: 3 }), value),
	customFields: fc.array(fc.record({ id: fc.integer(), name: fc.oneof(marked, fc.constant(PROTO_MARK)), value }), { maxLength: 2 }),
	_embedded: fc.record({
		threads: fc.array(
			fc.record({
				id: fc.integer({ min: 1, max: 50 }),
				type: fc.oneof(fc.constantFrom('lineitem', 'message', 'note', 'customer'), marked),
				status: someStatus(['active', 'pending', 'closed', 'spam', 'nochange']),
				state: fc.oneof(fc.constant('published'), fc.constant('draft'), value),
				createdAt: fc.oneof(iso, value),
				action: fc.record({ type: fc.oneof(fc.constantFrom('changed-ticket-status', 'merged', ''), marked) }),
				createdBy: fc.oneof(value, fc.record({ id: fc.integer(), type: fc.constantFrom('user', 'customer') })),
			}),
			{ maxLength: 4 },
		),
	}),
});

const s1State = { id: 140, inboxId: 4, status: 'resolved' as const, createdAt: CHATWOOT_NOW_SECONDS - 3600, updatedAt: CHATWOOT_NOW_SECONDS - 60 };
const realBodies: Record<Platform, string[]> = {
	chatwoot: [
		...reopenAsPendingSequence(140, CHATWOOT_NOW_SECONDS),
		autoAssignedOpen({ ...s1State, status: 'pending' }, CHATWOOT_NOW_SECONDS + 2),
		created(s1State),
		statusChanged(s1State),
		updated(s1State, [{ status: { previous_value: 'open', current_value: 'resolved' } }]),
	].map((body) => JSON.stringify(body)),
	freescout: [...realFreeScoutDeliveries('freescout-real'), ...realFreeScoutDeliveries('freescout-real-ui')].map((capture: { body: Buffer }) =>
		capture.body.toString('utf8'),
	),
};

type Mutation = { kind: 'replace'; path: number[]; value: unknown } | { kind: 'delete'; path: number[] } | { kind: 'proto'; path: number[]; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	fc.record({ kind: fc.constant('replace' as const), path: fc.array(fc.nat(60), { minLength: 1, maxLength: 5 }), value }),
	fc.record({ kind: fc.constant('delete' as const), path: fc.array(fc.nat(60), { minLength: 1, maxLength: 5 }) }),
	fc.record({ kind: fc.constant('proto' as const), path: fc.array(fc.nat(60), { maxLength: 4 }), value }),
);

/** Applies a mutation at the path (indexes pick among the keys present at each level); a copy. */
function mutate(json: unknown, m: Mutation, depth = 0): unknown {
	if (typeof json !== 'object' || json === null) return m.kind === 'replace' ? m.value : json;
	const copy: Record<string, unknown> = Array.isArray(json) ? ([...json] as unknown as Record<string, unknown>) : { ...json };
	const keys = Object.keys(copy);
	if (depth === m.path.length || keys.length === 0) {
		if (m.kind === 'proto' && !Array.isArray(json)) copy[PROTO_MARK] = m.value;
		return copy;
	}
	const key = keys[m.path[depth] % keys.length];
	const last = depth === m.path.length - 1;
	if (last && m.kind === 'delete' && !Array.isArray(json)) delete copy[key];
	else if (last && m.kind === 'replace') copy[key] = m.value;
	else copy[key] = mutate(copy[key], m, depth + 1);
	return copy;
}

/** The JSON text, with the placeholder key turned into a real "__proto__" key (an object literal cannot hold one). */
const text = (body: unknown) => (JSON.stringify(body) ?? 'null').split(JSON.stringify(PROTO_MARK)).join('"__proto__"');

function signed(platform: Platform, raw: string, event: string): Delivery {
	if (platform === 'freescout') {
		return { rawBody: Buffer.from(raw), headers: { 'x-freescout-event': event, 'x-freescout-signature': signFreeScout(FREESCOUT_REAL_KEY, raw) } };
	}
	const timestamp = String(Math.floor(Date.now() / 1000));
	return { rawBody: Buffer.from(raw), headers: { 'x-chatwoot-timestamp': timestamp, 'x-chatwoot-signature': signChatwoot(CHATWOOT_TEST_KEY, timestamp, raw) } };
}

/** Whether the body's conversation has a status the platform knows: without one nothing may be reported. */
function hasKnownStatus(platform: Platform, raw: string): boolean {
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		return false;
	}
	const status = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).status : undefined;
	return typeof status === 'string' && platforms.get(platform).statuses.toStatus(status) !== null;
}

/** The memory is what a fresh process can read back entirely: only known statuses, finite stamps, within bounds. */
function expectValidMemory(stored: unknown, maxConversations: number): void {
	const reader = new Memory(maxConversations);
	expect(reader.merge(stored, Date.now()).invalid).toBe(0);
	const state = reader.snapshot();
	expect(state.c.length).toBeLessThanOrEqual(maxConversations);
	for (const [key] of state.c) {
		// A key that is a number is stored as one.
		expect(typeof key === 'string' || Number.isSafeInteger(key)).toBe(true);
		const record = reader.get(String(key));
		expect(record).toBeDefined();
		for (const point of record?.points ?? []) {
			expect(STATUSES).toContain(point.status);
			expect(Number.isFinite(point.t) && point.t >= 0 && Number.isInteger(point.k) && point.k >= 0).toBe(true);
		}
	}
}

/** The real deliveries as they are, run before the random ones: whatever the seed, the property reaches reporting. */
const realUnmutated = (platform: Platform): Array<[string, string]> =>
	realBodies[platform].map((raw) => [raw, platform === 'freescout' ? 'convo.status' : '']);

const delivery = (platform: Platform) =>
	fc.oneof(
		(platform === 'chatwoot' ? randomChatwoot : randomFreeScout).map((body) => text(body)),
		fc.tuple(fc.constantFrom(...realBodies[platform]), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([raw, mutations]) =>
			text(mutations.reduce<unknown>((body, m) => mutate(body, m), JSON.parse(raw))),
		),
		fc.string({ maxLength: 30 }).map((junk) => `${MARK}${junk}`),
	);
const eventFor = (platform: Platform) => (platform === 'freescout' ? fc.constantFrom(...FREESCOUT_EVENTS) : fc.constant(''));

describe.each<Platform>(['chatwoot', 'freescout'])('%s: validly signed deliveries of any content', (platform) => {
	beforeEach(() => {
		if (platform === 'freescout') dateNowFrom(FREESCOUT_NOW_MS);
	});
	afterEach(() => jest.restoreAllMocks());

	it('the core pipeline: answers, never throws, reports nothing without a status, keeps a valid memory', () => {
		const memory = new Memory(20);
		const adapter = platforms.get(platform).trigger.adapter;
		const settings = {
			secret: platform === 'chatwoot' ? CHATWOOT_TEST_KEY : FREESCOUT_REAL_KEY,
			acceptUnsigned: false,
			toleranceSeconds: 300,
			context: { baseUrl: null, accountId: 1, apiUserIds: [] },
			filters: NO_FILTERS,
			container: platforms.get(platform).container,
		};
		let parsed = 0;
		let reported = 0;
		fc.assert(
			fc.property(delivery(platform), eventFor(platform), (raw, event) => {
				const outcome: DeliveryOutcome = handleDelivery(adapter, signed(platform, raw, event), settings, memory, Date.now());
				expect([200, 400]).toContain(outcome.httpStatus);
				const answer = 'message' in outcome ? outcome.message : 'ignored' in outcome ? outcome.ignored : '';
				expect(answer).not.toContain(MARK);
				if ('changes' in outcome && !hasKnownStatus(platform, raw)) throw new Error(`reported a change of a body without a known status: ${raw}`);
				if (outcome.httpStatus === 200) parsed++;
				if ('changes' in outcome) reported += outcome.changes.length;
				expectValidMemory(memory.snapshot(), 20);
			}),
			{ numRuns: 1500, examples: realUnmutated(platform) },
		);
		// The signatures were valid: the JSON ones (two in three) reached the parser, and some were real changes.
		expect(parsed).toBeGreaterThan(800);
		expect(reported).toBeGreaterThan(0);
	});

	it('the trigger in n8n: every answer is 200, 400 or 401 with a JSON body, and the stored memory stays valid', async () => {
		const harness = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform, options: { registerWebhook: false, rememberedConversations: 10 }, filters: {} },
			credentials:
				platform === 'chatwoot'
					? { chatwootApi: { baseUrl: 'http://127.0.0.1:9', accountId: 1, accessToken: 't', webhookSecret: CHATWOOT_TEST_KEY, ignoreSslIssues: false } }
					: { freeScoutApi: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', webhookSecret: FREESCOUT_REAL_KEY, defaultUserId: 1, ignoreSslIssues: false } },
		});
		let reported = 0;
		await fc.assert(
			fc.asyncProperty(delivery(platform), eventFor(platform), fc.boolean(), async (raw, event, tampered) => {
				const { rawBody, headers } = signed(platform, raw, event);
				const body = tampered ? Buffer.concat([rawBody as Buffer, Buffer.from(' ')]) : (rawBody as Buffer);
				const result = await harness.deliver({ body, headers });
				expect([200, 400, 401]).toContain(result.status);
				if (tampered) expect(result).toMatchObject({ status: 401, executed: false });
				expect(typeof result.body).toBe('object');
				expect(JSON.parse(JSON.stringify(result.body))).toEqual(result.body);
				expect(JSON.stringify(result.body)).not.toContain(MARK);
				if (result.executed && !hasKnownStatus(platform, raw)) throw new Error(`started an execution for a body without a known status: ${raw}`);
				reported += result.items.length;
				const stored = harness.storedMemory();
				if (stored !== undefined) expectValidMemory(stored, 10);
			}),
			{ numRuns: 150, examples: realUnmutated(platform).map(([raw, event]) => [raw, event, false] as [string, string, boolean]) },
		);
		await harness.close();
		// Unmutated enough deliveries are real changes: the property ran through reporting too.
		expect(reported).toBeGreaterThan(0);
	});
});
