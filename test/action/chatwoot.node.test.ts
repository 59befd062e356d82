/**
 * The Conversation Status node run in-process by n8n-core (WorkflowExecute) against the Chatwoot simulator,
 * asserting the exact HTTP calls the simulator received.
 */
import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import type { startFakeApi } from './fake-api';
import * as harness from '../support/n8n-harness';
import { simulatorsPerTest, type ChatwootSim } from '../support/simulators';

describe('Conversation Status node on Chatwoot (in-process, simulator)', () => {
	const simulators = simulatorsPerTest();
	let sim: ChatwootSim;
	let base: string;
	let accountId: number;
	let tokens: { administrator: string; agent: string; bot: string };

	beforeEach(async () => {
		sim = await simulators.chatwoot({ attachBot: false });
		base = sim.url as string;
		accountId = sim.ids().accountId;
		tokens = sim.tokens();
	});

	const credentials = (token: string, url = base) => ({
		chatwootApi: { baseUrl: url, accountId, accessToken: token, webhookSecret: '', ignoreSslIssues: false },
	});
	const calls = () => sim.requests().map((r: { method: string; url: string; body: unknown }) => `${r.method} ${r.url}`);
	const conv = (id: number) => `/api/v1/accounts/${accountId}/conversations/${id}`;

	async function newConversation(status = 'open'): Promise<number> {
		const { result } = await sim.createConversation({ status });
		return result as number;
	}

	it('Force Open guarded by "pending" makes no write on an open conversation', async () => {
		const id = await newConversation('open');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: String(id), onlyIfStatus: ['pending'] },
			credentials: credentials(tokens.administrator),
		});
		expect(out.error).toBeUndefined();
		expect(calls()).toEqual([`GET ${conv(id)}`]);
		expect(out.jsonItems).toEqual([
			{
				platform: 'chatwoot',
				conversationId: id,
				previousStatus: 'open',
				previousPlatformStatus: 'open',
				status: 'open',
				platformStatus: 'open',
				changed: false,
				skipped: 'current status is open, not pending',
				warnings: [],
				notes: [],
			},
		]);
	});

	it('Force Open on a pending conversation: 1 read, 1 write, then the profile once; an admin token gives no warning', async () => {
		const id = await newConversation('pending');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: '={{ $json.conversationId }}', onlyIfStatus: ['pending'] },
			credentials: credentials(tokens.administrator),
			inputItems: [{ conversationId: id }],
		});
		expect(out.error).toBeUndefined();
		// The profile only explains the result (agent-token warning): the write does not wait for it.
		expect(calls()).toEqual([`GET ${conv(id)}`, `POST ${conv(id)}/toggle_status`, 'GET /api/v1/profile']);
		expect(sim.requests()[1].body).toEqual({ status: 'open' });
		expect(out.jsonItems[0]).toMatchObject({ previousStatus: 'pending', status: 'open', changed: true, skipped: null, warnings: [] });
		expect(sim.getConversation(id).status).toBe('open');
	});

	it('warns when an agent-role token opens a conversation (Chatwoot self-assigns it); the profile is read once for all items', async () => {
		const a = await newConversation('pending');
		const b = await newConversation('resolved');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: '={{ $json.id }}', options: { concurrency: 1 } },
			credentials: credentials(tokens.agent),
			inputItems: [{ id: a }, { id: b }],
		});
		expect(out.error).toBeUndefined();
		expect(calls()).toEqual([
			`GET ${conv(a)}`,
			`POST ${conv(a)}/toggle_status`,
			'GET /api/v1/profile',
			`GET ${conv(b)}`,
			`POST ${conv(b)}/toggle_status`,
		]);
		expect(out.jsonItems.map((j) => j.warnings)).toEqual([
			[expect.stringContaining(`Chatwoot assigned conversation ${a} to the agent who owns this access token`)],
			[expect.stringContaining(`Chatwoot assigned conversation ${b} to the agent`)],
		]);
		expect(sim.getConversation(a).assigneeId).toBe(sim.ids().agentUserId);
	});

	it('a bot token: toggle answers success null (bot handoff), which is not a failure', async () => {
		sim.attachBot();
		const id = await newConversation('open');
		expect(sim.getConversation(id).status).toBe('pending');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: String(id) },
			credentials: credentials(tokens.bot),
		});
		expect(out.error).toBeUndefined();
		expect(calls()).toEqual([`GET ${conv(id)}`, `POST ${conv(id)}/toggle_status`, 'GET /api/v1/profile']);
		expect(sim.requests()[2].status).toBe(401);
		expect(sim.requests()[1].response).toMatchObject({ payload: { success: null, current_status: 'open' } });
		expect(out.jsonItems[0]).toMatchObject({ previousStatus: 'pending', status: 'open', changed: true, warnings: [] });
		expect(out.jsonItems[0].notes).toEqual([expect.stringContaining('success: null')]);
	});

	it('Set Status validates before sending: spam is a clear error and nothing is sent', async () => {
		const id = await newConversation('open');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'setStatus', conversationId: String(id), status: 'spam' },
			credentials: credentials(tokens.administrator),
		});
		expect(out.errorMessage).toBe('Chatwoot has no "spam" status');
		expect(calls()).toEqual([]);
	});

	it('Set Status snoozed with Snoozed Until sends unix seconds', async () => {
		const id = await newConversation('open');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: {
				platform: 'chatwoot',
				operation: 'setStatus',
				conversationId: String(id),
				status: 'snoozed',
				snoozedUntil: '2031-01-02T03:04:05.000Z',
			},
			credentials: credentials(tokens.administrator),
		});
		expect(out.error).toBeUndefined();
		expect(sim.requests()[1].body).toEqual({ status: 'snoozed', snoozed_until: 1925089445 });
		expect(out.jsonItems[0]).toMatchObject({ previousStatus: 'open', status: 'snoozed', changed: true });
	});

	it('Get Status reports normalized and platform status, assignee and inbox', async () => {
		const id = await newConversation('pending');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: String(id) },
			credentials: credentials(tokens.administrator),
		});
		expect(calls()).toEqual([`GET ${conv(id)}`]);
		expect(out.jsonItems).toEqual([
			{
				platform: 'chatwoot',
				conversationId: id,
				conversationNumber: null,
				status: 'pending',
				platformStatus: 'pending',
				assignee: null,
				accountId,
				inboxId: sim.ids().apiInboxId,
				mailboxId: null,
				snoozedUntil: null,
				subject: null,
			},
		]);
	});

	it('404 names the conversation and the account; 401 points at the credential', async () => {
		const missing = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: '999' },
			credentials: credentials(tokens.administrator),
		});
		expect(missing.errorMessage).toBe(
			`Chatwoot: conversation 999 not found in account ${accountId} (Chatwoot said: "Resource could not be found")`,
		);
		const unauthorized = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: '1' },
			credentials: credentials('wrong-token'),
		});
		expect(unauthorized.errorMessage).toBe('Chatwoot rejected the credential while reading conversation 1 (Chatwoot said: "Invalid Access Token")');
		expect(unauthorized.errorDescription).toContain('Check the Access Token and Account ID of the Chatwoot credential');
	});

	it('429 "Retry later" (no Retry-After) then 200: retried and succeeds', async () => {
		const id = await newConversation('pending');
		sim.resetLogs();
		sim.rateLimit({ count: 1 });
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: String(id), options: { retryDelayMs: 0 } },
			credentials: credentials(tokens.administrator),
		});
		expect(out.error).toBeUndefined();
		expect(sim.requests().map((r: { status: number }) => r.status)).toEqual([429, 200]);
		expect(out.jsonItems[0].status).toBe('pending');
	});

	it('500 on every attempt fails after Max Attempts with a clear message', async () => {
		const api = await simulators.fakeApi(() => ({ status: 500, body: { status: 500, error: 'Internal Server Error' } }));
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: '7', options: { maxAttempts: 3, retryDelayMs: 0 } },
			credentials: credentials(tokens.administrator, api.url),
		});
		expect(api.log.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill(`GET ${conv(7)}`));
		expect(out.errorMessage).toBe(
			'Chatwoot failed on its side (HTTP 500 after 3 attempts) while reading conversation 7 (Chatwoot said: "Internal Server Error")',
		);
	});

	/**
	 * Get Status through a scripted fake API in front of the simulator (requests its handler answers with undefined
	 * reach the simulator); resolves the node's result and the requests the fake API received.
	 */
	async function getStatusThrough(handler: Parameters<typeof startFakeApi>[0], conversationId: number, options: Record<string, unknown>) {
		const api = await simulators.fakeApi(handler);
		api.forwardTo = base;
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: String(conversationId), options: { retryDelayMs: 0, ...options } },
			credentials: credentials(tokens.administrator, api.url),
		});
		return { out, requests: api.log.map((r) => `${r.method} ${r.path}`) };
	}

	it('a dropped connection is retried like a 5xx', async () => {
		let n = 0;
		const id = await newConversation('resolved');
		const { out, requests } = await getStatusThrough(() => (n++ === 0 ? 'drop' : undefined), id, {});
		expect(out.error).toBeUndefined();
		expect(requests).toEqual(Array(2).fill(`GET ${conv(id)}`));
		expect(out.jsonItems[0].status).toBe('resolved');
	});

	it('a platform that accepts the connection and never answers: each attempt ends at the Timeout and is retried', async () => {
		const { out, requests } = await getStatusThrough(() => 'hang', 7, { timeoutMs: 300, maxAttempts: 2 });
		expect(requests).toEqual(Array(2).fill(`GET ${conv(7)}`));
		expect(out.errorMessage).toBe('Chatwoot did not answer within 0.3 s after 2 attempts while reading conversation 7');
		expect(out.errorDescription).toContain("raise the node's Timeout");
	});

	it('an attempt that times out is retried like a 5xx: the next answer counts', async () => {
		let n = 0;
		const id = await newConversation('pending');
		const { out, requests } = await getStatusThrough(() => (n++ === 0 ? 'hang' : undefined), id, { timeoutMs: 2000 });
		expect(out.error).toBeUndefined();
		expect(requests).toEqual(Array(2).fill(`GET ${conv(id)}`));
		expect(out.jsonItems[0].status).toBe('pending');
	});

	it('a Retry-After beyond the longest wait ends the item after one request, saying when to try again', async () => {
		const rateLimited = { status: 429, headers: { 'Retry-After': 'Wed, 01 Jan 2031 00:00:00 GMT' }, body: 'Retry later' };
		const { out, requests } = await getStatusThrough(() => rateLimited, 7, {});
		expect(requests).toEqual([`GET ${conv(7)}`]);
		expect(out.errorMessage).toBe(
			'Chatwoot rate-limited the node (HTTP 429) while reading conversation 7 (Chatwoot said: "Retry later"). Try again after 2031-01-01T00:00:00.000Z',
		);
	});

	it('a Base URL whose host name does not resolve (ENOTFOUND) is not retried', async () => {
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'getStatus', conversationId: '7', options: { retryDelayMs: 0 } },
			credentials: credentials(tokens.administrator, 'http://chatwoot.example.invalid'),
		});
		expect(out.errorMessage).toBe('Could not find Chatwoot while reading conversation 7: the host name of its Base URL does not resolve');
		expect(out.errorDescription).toMatch(/^getaddrinfo ENOTFOUND chatwoot\.example\.invalid\. .*Not retried/);
	});

	it('continueOnFail: a failing item becomes an error item, the others go on, pairedItem on all', async () => {
		const id = await newConversation('pending');
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: '={{ $json.id }}' },
			credentials: credentials(tokens.administrator),
			inputItems: [{ id: 424242 }, { id }],
			onError: 'continueRegularOutput',
		});
		expect(out.error).toBeUndefined();
		expect(out.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out.jsonItems[0]).toEqual({
			error: `Chatwoot: conversation 424242 not found in account ${accountId} (Chatwoot said: "Resource could not be found")`,
			description: expect.stringContaining('conversation number shown in Chatwoot'),
			platform: 'chatwoot',
			operation: 'forceOpen',
		});
		expect(out.jsonItems[1]).toMatchObject({ conversationId: id, previousStatus: 'pending', status: 'open', changed: true });
	});

	it('50 items with concurrency 5 keep the input order', async () => {
		const ids: number[] = [];
		for (let i = 0; i < 50; i++) ids.push(await newConversation(i % 2 === 0 ? 'pending' : 'open'));
		sim.resetLogs();
		const out = await harness.runNode({
			node: ConversationStatus,
			parameters: { platform: 'chatwoot', operation: 'forceOpen', conversationId: '={{ $json.id }}', options: { concurrency: 5 } },
			credentials: credentials(tokens.administrator),
			inputItems: ids.map((id) => ({ id })),
		});
		expect(out.error).toBeUndefined();
		expect(out.jsonItems.map((j) => j.conversationId)).toEqual(ids);
		expect(out.jsonItems.map((j) => j.changed)).toEqual(ids.map((_id, i) => i % 2 === 0));
		expect(out.items.map((i) => i.pairedItem)).toEqual(ids.map((_id, item) => ({ item })));
		const methods = calls();
		expect(methods.filter((c) => c.startsWith('GET /api/v1/accounts'))).toHaveLength(50);
		expect(methods.filter((c) => c.startsWith('POST'))).toHaveLength(25);
		expect(methods.filter((c) => c === 'GET /api/v1/profile')).toHaveLength(1);
		expect(ids.map((id) => sim.getConversation(id).status)).toEqual(ids.map(() => 'open'));
	});

	describe('Diagnose Pending', () => {
		// The simulator may be replaced inside a test (Community edition), so the token is read at call time.
		const diagnose = (target: { conversationId: number } | { inboxId: number | string }) =>
			harness.runNode({
				node: ConversationStatus,
				parameters:
					'conversationId' in target
						? { platform: 'chatwoot', operation: 'diagnosePending', diagnoseConversationId: String(target.conversationId) }
						: { platform: 'chatwoot', operation: 'diagnosePending', diagnoseConversationId: '', inboxId: String(target.inboxId) },
				credentials: credentials(sim.tokens().administrator),
			});
		type Check = { check: string; result: string; detail?: string };
		/** The diagnosis's checks as [check, result] pairs, in the order it ran them. */
		const checkResults = (diagnosis: { checks: Check[] }) => diagnosis.checks.map((c) => [c.check, c.result]);
		const captainCheck = (diagnosis: { checks: Check[] }) => diagnosis.checks.find((c) => c.check === 'captain');
		/** Diagnoses a new open conversation; the request log holds only the diagnosis's requests. */
		const diagnoseNewConversation = async () => {
			const id = await newConversation('open');
			sim.resetLogs();
			const out = await diagnose({ conversationId: id });
			expect(out.error).toBeUndefined();
			return { id, out };
		};

		it('an Inbox ID that is not a whole number ends the item before any request, saying what to type', async () => {
			sim.resetLogs();
			const out = await diagnose({ inboxId: 'support' });
			expect(calls()).toEqual([]);
			expect(out.errorMessage).toBe('Inbox ID must be a whole number, got "support"');
			expect(out.errorDescription).toBe("Type the inbox's number, or leave it empty to check the inbox of the conversation given above.");
		});

		it('finds the inbox agent bot and says how to fix it', async () => {
			sim.attachBot();
			const { id, out } = await diagnoseNewConversation();
			const inbox = sim.ids().apiInboxId;
			expect(calls()).toEqual([
				`GET ${conv(id)}`,
				`GET /api/v1/accounts/${accountId}/inboxes/${inbox}/agent_bot`,
				`GET /api/v1/accounts/${accountId}/integrations/apps`,
				`GET ${conv(id)}/inbox_assistant`,
			]);
			const d = out.jsonItems[0];
			expect(d).toMatchObject({ platform: 'chatwoot', conversationId: id, inboxId: inbox, status: 'pending', pendingCause: 'agent_bot' });
			expect(d.finding).toContain(`Inbox ${inbox} has the agent bot`);
			expect(d.finding).toContain('not a setting of the channel');
			expect(d.fix).toContain('Bot Configuration → Disconnect');
			expect(checkResults(d)).toEqual([
				['agent_bot', 'found'],
				['dialogflow', 'clear'],
				['captain', 'clear'],
			]);
		});

		it('finds an enabled Dialogflow hook', async () => {
			const inbox = sim.ids().apiInboxId;
			sim.setDialogflow(inbox, true);
			const out = await diagnose({ inboxId: inbox });
			expect(out.error).toBeUndefined();
			expect(out.jsonItems[0]).toMatchObject({ pendingCause: 'dialogflow', conversationId: null, inboxId: inbox, status: null });
			expect(out.jsonItems[0].fix).toContain('Dialogflow');
		});

		it('finds a Captain assistant through the conversation and names it in the fix', async () => {
			const inbox = sim.ids().apiInboxId;
			sim.setCaptain(inbox, { id: 7, name: 'Sales Helper' });
			const { id, out } = await diagnoseNewConversation();
			expect(calls()).toContain(`GET ${conv(id)}/inbox_assistant`);
			const d = out.jsonItems[0];
			expect(d).toMatchObject({ conversationId: id, inboxId: inbox, pendingCause: 'captain' });
			expect(d.finding).toContain(`Inbox ${inbox} has the Captain assistant "Sales Helper"`);
			expect(d.fix).toContain('Captain → Assistants → "Sales Helper" → Inboxes');
			expect(checkResults(d)).toEqual([
				['agent_bot', 'clear'],
				['dialogflow', 'clear'],
				['captain', 'found'],
			]);
		});

		it('on the Community edition (no inbox_assistant route, 404) Captain is reported as not available, not as an error', async () => {
			await simulators.stopAll();
			sim = await simulators.chatwoot({ attachBot: false, enterprise: false });
			base = sim.url as string;
			const { id, out } = await diagnoseNewConversation();
			expect(calls()).toContain(`GET ${conv(id)}/inbox_assistant`);
			const captain = captainCheck(out.jsonItems[0]);
			expect(captain).toMatchObject({ result: 'not_available' });
			expect(captain?.detail).toContain('Community edition');
			expect(out.jsonItems[0].pendingCause).toBeNull();
		});

		it('with only an inbox ID, says Captain needs a conversation to be checked', async () => {
			const inbox = sim.ids().apiInboxId;
			sim.resetLogs();
			const out = await diagnose({ inboxId: inbox });
			expect(out.error).toBeUndefined();
			expect(calls().some((c: string) => c.endsWith('/inbox_assistant'))).toBe(false);
			const captain = captainCheck(out.jsonItems[0]);
			expect(captain).toMatchObject({ result: 'not_available' });
			expect(captain?.detail).toContain('give a conversation ID');
		});

		it('a check that keeps failing ends with its true number of attempts; the checks before it were sent once', async () => {
			const inbox = sim.ids().apiInboxId;
			const id = await newConversation('open');
			const api = await simulators.fakeApi((req) => (req.path.endsWith('/integrations/apps') ? { status: 503, body: 'Service Unavailable' } : undefined));
			api.forwardTo = base;
			const out = await harness.runNode({
				node: ConversationStatus,
				parameters: {
					platform: 'chatwoot',
					operation: 'diagnosePending',
					diagnoseConversationId: String(id),
					options: { maxAttempts: 3, retryDelayMs: 0 },
				},
				credentials: credentials(tokens.administrator, api.url),
			});
			expect(api.log.map((r) => `${r.method} ${r.path}`)).toEqual([
				`GET ${conv(id)}`,
				`GET /api/v1/accounts/${accountId}/inboxes/${inbox}/agent_bot`,
				...Array(3).fill(`GET /api/v1/accounts/${accountId}/integrations/apps`),
			]);
			expect(out.errorMessage).toBe(
				'Chatwoot failed on its side (HTTP 503 after 3 attempts) while diagnosing (Chatwoot said: "Service Unavailable")',
			);
		});

		it('the Captain check names the conversation when it fails, after its true number of attempts', async () => {
			const id = await newConversation('open');
			let captainCalls = 0;
			const api = await simulators.fakeApi((req) => {
				if (!req.path.endsWith('/inbox_assistant')) return undefined;
				captainCalls += 1;
				return { status: 500, body: { error: 'Internal Server Error' } };
			});
			api.forwardTo = base;
			const failed = await harness.runNode({
				node: ConversationStatus,
				parameters: {
					platform: 'chatwoot',
					operation: 'diagnosePending',
					diagnoseConversationId: String(id),
					options: { maxAttempts: 2, retryDelayMs: 0 },
				},
				credentials: credentials(tokens.administrator, api.url),
			});
			expect(captainCalls).toBe(2);
			expect(failed.errorMessage).toBe(
				`Chatwoot failed on its side (HTTP 500 after 2 attempts) while diagnosing conversation ${id} (Chatwoot said: "Internal Server Error")`,
			);
		});

		it('nothing found: says where else pending comes from', async () => {
			const id = await newConversation('open');
			const out = await diagnose({ conversationId: id });
			expect(out.jsonItems[0].pendingCause).toBeNull();
			expect(out.jsonItems[0].finding).toContain('no bot that Chatwoot counts');
			expect(out.jsonItems[0].fix).toContain('Automation');
		});
	});
});
