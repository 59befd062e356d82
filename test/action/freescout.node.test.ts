/**
 * The Conversation Status node run in-process by n8n-core against the FreeScout simulator, asserting the exact
 * HTTP calls made. Sync Status: sync.node.test.ts.
 */
import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import * as harness from '../support/n8n-harness';
import { simulatorsPerTest } from '../support/simulators';

/** The part of the FreeScout simulator these tests use. */
interface FreeScoutSim {
	url: string;
	createConversation(options: { status?: string; assignTo?: number }): number;
	getConversation(id: number): { status: string; number: number };
	getApiRequests(): unknown[];
	clearLogs(): void;
}
type ApiRequestLog = { method: string; path: string; query: Record<string, string>; body: unknown; status: number };

describe('Conversation Status node on FreeScout (in-process, simulator)', () => {
	const simulators = simulatorsPerTest();
	let sim: FreeScoutSim;
	let base: string;

	beforeEach(async () => {
		sim = (await simulators.freescout({ apiKey: 'fs-test-key' })) as unknown as FreeScoutSim;
		base = sim.url;
	});

	const credentials = (defaultUserId = 0, url = base, apiKey = 'fs-test-key') => ({
		freeScoutApi: { baseUrl: url, apiKey, webhookSecret: '', defaultUserId, ignoreSslIssues: false },
	});
	const calls = () => (sim.getApiRequests() as ApiRequestLog[]).map((r) => `${r.method} ${r.path}`);
	const statusOf = (id: number) => sim.getConversation(id).status;

	it('Force Open guarded by "pending" on an active conversation: 1 read, no write', async () => {
		const id = sim.createConversation({ status: 'active' });
		sim.clearLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'forceOpen', conversationId: String(id), onlyIfStatus: ['pending'] },
			credentials: credentials(),
		});
		expect(out.error).toBeUndefined();
		expect(calls()).toEqual([`GET /api/conversations/${id}`]);
		expect(out.jsonItems[0]).toMatchObject({ previousStatus: 'open', previousPlatformStatus: 'active', changed: false });
	});

	it('Force Open on a pending conversation: PUT {"status":"active","byUser":<first admin>} after one user lookup', async () => {
		const a = sim.createConversation({ status: 'pending' });
		const b = sim.createConversation({ status: 'closed' });
		sim.clearLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'forceOpen', conversationId: '={{ $json.id }}', options: { concurrency: 1 } },
			credentials: credentials(0),
			inputItems: [{ id: a }, { id: b }],
		});
		expect(out.error).toBeUndefined();
		expect(calls()).toEqual([
			`GET /api/conversations/${a}`,
			'GET /api/users',
			`PUT /api/conversations/${a}`,
			`GET /api/conversations/${b}`,
			`PUT /api/conversations/${b}`,
		]);
		const puts = (sim.getApiRequests() as ApiRequestLog[]).filter((r) => r.method === 'PUT');
		expect(puts.map((r) => [r.body, r.status])).toEqual([
			[{ status: 'active', byUser: 1 }, 204],
			[{ status: 'active', byUser: 1 }, 204],
		]);
		expect(out.jsonItems.map((j) => [j.previousStatus, j.status, j.platformStatus, j.changed])).toEqual([
			['pending', 'open', 'active', true],
			['resolved', 'open', 'active', true],
		]);
		expect([statusOf(a), statusOf(b)]).toEqual(['active', 'active']);
	});

	it('uses the credential\'s Default User ID, or Act As User, without a lookup', async () => {
		const id = sim.createConversation({ status: 'active' });
		sim.clearLogs();
		await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'setStatus', conversationId: String(id), status: 'resolved', options: { actAsUserId: 2 } },
			credentials: credentials(1),
		});
		expect(calls()).toEqual([`GET /api/conversations/${id}`, `PUT /api/conversations/${id}`]);
		expect((sim.getApiRequests() as ApiRequestLog[])[1].body).toEqual({ status: 'closed', byUser: 2 });
		expect(statusOf(id)).toBe('closed');
	});

	it('Set Status snoozed is a clear error and nothing is sent (FreeScout would turn unknown strings into active)', async () => {
		const id = sim.createConversation({ status: 'pending' });
		sim.clearLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'setStatus', conversationId: String(id), status: 'snoozed' },
			credentials: credentials(1),
		});
		expect(out.errorMessage).toBe('FreeScout has no "snoozed" status');
		expect(out.errorDescription).toContain('snoozed → pending');
		expect(calls()).toEqual([]);
		expect(statusOf(id)).toBe('pending');
	});

	it('Get Status: normalized and FreeScout status, number, mailbox, assignee', async () => {
		const id = sim.createConversation({ status: 'pending', assignTo: 2 });
		const record = sim.getConversation(id);
		sim.clearLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'getStatus', conversationId: String(id) },
			credentials: credentials(1),
		});
		expect(calls()).toEqual([`GET /api/conversations/${id}`]);
		expect(out.jsonItems).toEqual([
			{
				platform: 'freescout',
				conversationId: id,
				conversationNumber: record.number,
				status: 'pending',
				platformStatus: 'pending',
				assignee: { id: 2, name: 'Jane Agent', email: 'jane@example.com', type: 'agent' },
				accountId: null,
				inboxId: null,
				mailboxId: 1,
				snoozedUntil: null,
				subject: 'Test conversation',
			},
		]);
	});

	it('404 names the conversation; 401 points at the API key', async () => {
		const missing = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'getStatus', conversationId: '4040' },
			credentials: credentials(1),
		});
		expect(missing.errorMessage).toBe(
			'FreeScout: conversation 4040 not found in this FreeScout installation (FreeScout said: "Not Found")',
		);
		expect(missing.errorDescription).toContain('not the #number');
		const unauthorized = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'getStatus', conversationId: '1' },
			credentials: credentials(1, base, 'wrong'),
		});
		expect(unauthorized.errorMessage).toBe('FreeScout rejected the credential while reading conversation 1 (FreeScout said: "Not Authorized")');
		expect(unauthorized.errorDescription).toContain('API Key');
	});

	it('429 with Retry-After, then the simulator: retried once and succeeds', async () => {
		const id = sim.createConversation({ status: 'closed' });
		let n = 0;
		const api = await simulators.fakeApi(() =>
			n++ === 0 ? { status: 429, headers: { 'Retry-After': '0' }, body: { message: 'Too Many Requests' } } : undefined,
		);
		api.forwardTo = base;
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'getStatus', conversationId: String(id), options: { retryDelayMs: 0 } },
			credentials: credentials(1, api.url),
		});
		expect(out.error).toBeUndefined();
		expect(api.log.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/conversations/${id}`, `GET /api/conversations/${id}`]);
		expect(out.jsonItems[0].status).toBe('resolved');
	});

	it('500 on every attempt: Max Attempts requests, then a clear error', async () => {
		const api = await simulators.fakeApi(() => ({ status: 503, body: '<html>Service Unavailable</html>' }));
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'freescout', operation: 'getStatus', conversationId: '5', options: { maxAttempts: 2, retryDelayMs: 0 } },
			credentials: credentials(1, api.url),
		});
		expect(api.log.map((r) => `${r.method} ${r.path}`)).toEqual(Array(2).fill('GET /api/conversations/5'));
		expect(out.errorMessage).toBe(
			'FreeScout failed on its side (HTTP 503 after 2 attempts) while reading conversation 5 (FreeScout said: "<html>Service Unavailable</html>")',
		);
	});
});
