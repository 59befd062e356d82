/**
 * The trigger where n8n really runs it: static data read afresh for every request and written back the way n8n
 * writes it (test/support/n8n-webhook-harness.js), several n8n processes sharing it (queue mode's webhook
 * processes; each is its own module instance of the node), and restarts. Every scenario must give the same items,
 * one per real change, with 1, 2 or 3 processes taking the deliveries in turn, and with a restart between any two.
 */
import { autoAssignedOpen, reopenAsPendingSequence, type ConversationState } from '../fixtures/chatwoot-payloads';
import { dateNowFrom } from '../support/clock';
import { capturedAt, realFreeScoutDeliveries } from '../support/fixtures';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { CHATWOOT_TEST_KEY, FREESCOUT_REAL_KEY, FREESCOUT_REAL_MERGE_KEY, FREESCOUT_REAL_UI_KEY } from '../support/test-keys';
import { chatwootDelivery, NOW_SECONDS } from '../unit/pipeline-helpers';

type Harness = ReturnType<typeof createTriggerHarness>;

interface Request {
	name: string;
	body: Buffer;
	headers: Record<string, string>;
}

interface Scenario {
	platform: 'chatwoot' | 'freescout';
	secret: string;
	requests: Request[];
	/** "previous -> status" of every item, in order. */
	expected: string[];
	/** The real clock's time for captured FreeScout deliveries: when they were fresh (else the replay window refuses them). */
	clock?: number;
}

// Combining every scenario with every process count and restart place takes longer than jest's default 5 s.
jest.setTimeout(120_000);

/**
 * A fresh module instance of the trigger: what one n8n process (or one process after a restart) holds. n8n's own
 * library is shared (it keeps no state of the trigger's), so only the package's modules are loaded again.
 */
function loadNodeClass(): unknown {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const n8nWorkflow = require('n8n-workflow');
	let loaded: unknown;
	jest.isolateModules(() => {
		jest.doMock('n8n-workflow', () => n8nWorkflow);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		loaded = require('../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node').ConversationStatusTrigger;
	});
	return loaded;
}

afterEach(() => jest.restoreAllMocks());

function trigger(scenario: Scenario, processes: number): Harness {
	if (scenario.clock !== undefined) dateNowFrom(scenario.clock);
	const credentials =
		scenario.platform === 'chatwoot'
			? { chatwootApi: { baseUrl: 'http://127.0.0.1:9', accountId: 1, accessToken: 't', webhookSecret: scenario.secret, ignoreSslIssues: false } }
			: { freeScoutApi: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', webhookSecret: scenario.secret, defaultUserId: 1, ignoreSslIssues: false } };
	return createTriggerHarness({
		loadNodeClass,
		processes,
		parameters: { platform: scenario.platform, options: { registerWebhook: false }, filters: {} },
		credentials,
	});
}

function captures(folder: string, names?: string[]): Request[] {
	return realFreeScoutDeliveries(folder)
		.filter((capture: { name: string }) => names === undefined || names.some((name) => capture.name.startsWith(name)))
		.map((capture: { name: string; body: Buffer; event: string; signature: string }) => ({
			name: capture.name,
			body: capture.body,
			headers: { 'x-freescout-event': capture.event, 'x-freescout-signature': capture.signature },
		}));
}

function chatwootRequests(bodies: unknown[]): Request[] {
	return bodies.map((body, index) => {
		const delivery = chatwootDelivery(body, CHATWOOT_TEST_KEY, Math.floor(Date.now() / 1000));
		return { name: `${index}-${(body as { event: string }).event}`, body: delivery.rawBody as Buffer, headers: delivery.headers as Record<string, string> };
	});
}

const s1Conversation: ConversationState = { id: 140, inboxId: 4, status: 'pending', createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS + 1.25 };

const SCENARIOS: Record<string, Scenario> = {
	'FreeScout through the REST API (captures 001-011)': {
		platform: 'freescout',
		secret: FREESCOUT_REAL_KEY,
		requests: captures('freescout-real'),
		clock: capturedAt('freescout-real'),
		expected: ['null -> open', 'open -> resolved', 'resolved -> open', 'open -> resolved', 'resolved -> open', 'open -> pending', 'pending -> open', 'open -> resolved', 'resolved -> open'],
	},
	'FreeScout through the web UI (captures 017-063)': {
		platform: 'freescout',
		secret: FREESCOUT_REAL_UI_KEY,
		requests: captures('freescout-real-ui'),
		clock: capturedAt('freescout-real-ui'),
		expected: ['null -> open', 'open -> resolved', 'resolved -> open', 'open -> spam', 'spam -> open'],
	},
	'FreeScout module 1.0.81: Send & Close without convo.status, the customer writing within the undo delay': {
		platform: 'freescout',
		secret: FREESCOUT_REAL_UI_KEY,
		requests: captures('freescout-real-ui', ['017', '022', '023']),
		clock: capturedAt('freescout-real-ui'),
		expected: ['null -> open', 'open -> resolved', 'resolved -> open'],
	},
	'FreeScout merge: 12 closed, merged into 11, the customer writes on 11 (captures 018-024)': {
		platform: 'freescout',
		secret: FREESCOUT_REAL_MERGE_KEY,
		requests: captures('freescout-real-merge'),
		clock: capturedAt('freescout-real-merge'),
		expected: ['null -> open', 'null -> open', 'open -> resolved'],
	},
	'FreeScout: a close retried ten times with the same bytes': {
		platform: 'freescout',
		secret: FREESCOUT_REAL_KEY,
		requests: [...captures('freescout-real', ['001']), ...Array.from({ length: 10 }, () => captures('freescout-real', ['004'])[0])],
		clock: capturedAt('freescout-real'),
		expected: ['null -> open', 'open -> resolved'],
	},
	'Chatwoot S1 with Force Open hidden by auto-assignment': {
		platform: 'chatwoot',
		secret: CHATWOOT_TEST_KEY,
		requests: chatwootRequests([...reopenAsPendingSequence(140, NOW_SECONDS), autoAssignedOpen(s1Conversation, NOW_SECONDS + 1.25)]),
		expected: ['resolved -> pending', 'pending -> open'],
	},
};

const summaries = (harness: Harness) => harness.executions.flatMap((run) => run.items.map((item) => `${item.previousStatus} -> ${item.status}`));
const dedupeKeys = (harness: Harness) => harness.executions.flatMap((run) => run.items.map((item) => item.dedupeKey as string));

describe.each(Object.keys(SCENARIOS))('%s', (name) => {
	const scenario = SCENARIOS[name];

	test.each([1, 2, 3])('%i process(es) taking the deliveries in turn: one item per real change', async (processes) => {
		const harness = trigger(scenario, processes);
		for (const request of scenario.requests) await harness.deliver({ body: request.body, headers: request.headers });
		expect(summaries(harness)).toEqual(scenario.expected);
		expect(new Set(harness.executions.map((run) => run.process)).size).toBeLessThanOrEqual(processes);
	});

	test('a restart before every delivery: the same items', async () => {
		const harness = trigger(scenario, 1);
		for (const request of scenario.requests) {
			harness.restart();
			await harness.deliver({ body: request.body, headers: request.headers });
		}
		expect(summaries(harness)).toEqual(scenario.expected);
	});

	test('one restart, at each place in turn, two processes: the same items and dedupe keys', async () => {
		const reference = trigger(scenario, 1);
		for (const request of scenario.requests) await reference.deliver({ body: request.body, headers: request.headers });
		for (let gap = 1; gap < scenario.requests.length; gap++) {
			const harness = trigger(scenario, 2);
			for (const [index, request] of scenario.requests.entries()) {
				if (index === gap) harness.restart();
				await harness.deliver({ body: request.body, headers: request.headers });
			}
			expect(summaries(harness)).toEqual(scenario.expected);
			expect(dedupeKeys(harness)).toEqual(dedupeKeys(reference));
		}
	});
});

describe('deliveries at the same moment on different processes', () => {
	test('Chatwoot S1: all four at once over two processes, each reading the same stored memory: one item', async () => {
		const scenario = SCENARIOS['Chatwoot S1 with Force Open hidden by auto-assignment'];
		const harness = trigger(scenario, 2);
		await Promise.all(scenario.requests.slice(0, 4).map((request) => harness.deliver({ body: request.body, headers: request.headers })));
		expect(summaries(harness)).toEqual(['resolved -> pending']);
		await harness.deliver({ body: scenario.requests[4].body, headers: scenario.requests[4].headers });
		expect(summaries(harness)).toEqual(['resolved -> pending', 'pending -> open']);
	});

	test('FreeScout: a retry arriving at the other process while the first delivery is still being handled is one execution', async () => {
		const scenario = SCENARIOS['FreeScout: a close retried ten times with the same bytes'];
		const harness = trigger(scenario, 2);
		await harness.deliver({ ...scenario.requests[0], process: 0 });
		const close = scenario.requests[1];
		// Sequential on one process, then again on the other once the first answer was written.
		await harness.deliver({ body: close.body, headers: close.headers, process: 0 });
		await harness.deliver({ body: close.body, headers: close.headers, process: 1 });
		expect(summaries(harness)).toEqual(['null -> open', 'open -> resolved']);
	});
});

describe('restarts in the middle of a story', () => {
	test('a close reported, n8n restarts, the customer reopens: one item resolved -> open', async () => {
		const [created, close, reopen] = captures('freescout-real-ui', ['017', '021', '022']);
		const harness = trigger(SCENARIOS['FreeScout through the web UI (captures 017-063)'], 1);
		await harness.deliver(created);
		await harness.deliver(close);
		harness.restart();
		await harness.deliver(reopen);
		expect(harness.executions.map((run) => run.items.map((item) => `${item.previousStatus} -> ${item.status}`))).toEqual([
			['null -> open'],
			['open -> resolved'],
			['resolved -> open'],
		]);
	});

	test("a delivery processed but its answer lost, n8n restarts, FreeScout's retry: no second execution", async () => {
		const [created, close] = captures('freescout-real', ['001', '004']);
		const harness = trigger(SCENARIOS['FreeScout through the REST API (captures 001-011)'], 1);
		await harness.deliver(created);
		expect((await harness.deliver(close)).executed).toBe(true);
		harness.restart();
		expect(await harness.deliver(close)).toMatchObject({
			executed: false,
			body: { received: true, ignored: 'this delivery already started an execution (a retry)' },
		});
		expect(harness.executions).toHaveLength(2);
	});

	test('static data holding garbage: the deliveries are still answered 200, with one warning, and the memory repaired', async () => {
		const scenario = SCENARIOS['FreeScout through the REST API (captures 001-011)'];
		const harness = trigger(scenario, 1);
		harness.setStaticData({ memory: { version: 1, conversations: null } });
		const outcome = await harness.deliver(scenario.requests[0]);
		expect(outcome).toMatchObject({ status: 200, executed: true });
		expect(harness.logs.filter((log) => log.level === 'warn').map((log) => log.message)).toEqual([
			'Conversation Status Trigger: dropped 1 invalid entries of its stored memory (workflow static data); the rest is kept',
		]);
		expect(harness.storedMemory().v).toBe(2);
	});
});
