/**
 * Sync Status through the Conversation Status node, run in-process by n8n-core against both simulators: the node
 * takes both credentials (no Platform), reads the change from the trigger's item, and skips the echo of its own
 * write without a request. The rules themselves: sync-decision.test.ts and sync.test.ts.
 */
import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import * as harness from '../support/n8n-harness';
import type { ChatwootSim, FreeScoutSim, SimulatorPair } from './simulator-pair';
import { startSimulatorPair } from './simulator-pair';

describe('Sync Status node (in-process, both simulators)', () => {
	let pair: SimulatorPair;
	let cw: ChatwootSim;
	let fs: FreeScoutSim;
	let cwId: number;
	let fsId: number;

	beforeEach(async () => {
		pair = await startSimulatorPair();
		({ cw, fs } = pair);
		cwId = (await cw.createConversation({ status: 'open' })).result as number;
		fs.createConversation({ status: 'active' });
		fsId = fs.createConversation({ status: 'active' });
	});
	afterEach(async () => pair.stop());

	const credentials = () => ({
		chatwootApi: { baseUrl: cw.url as string, accountId: cw.ids().accountId, accessToken: cw.tokens().administrator, webhookSecret: '', ignoreSslIssues: false },
		freeScoutApi: { baseUrl: fs.url, apiKey: fs.apiKey, webhookSecret: '', defaultUserId: 1, ignoreSslIssues: false },
	});
	/** The node as the example wires it: every parameter from the trigger's item, the pair given here. */
	const sync = (item: Record<string, unknown>, counterpartId: number, extra: Record<string, unknown> = {}) =>
		harness.runNode({
			node: ConversationStatus,
			parameters: { operation: 'syncStatus', syncOptions: { counterpartId: String(counterpartId) }, ...extra },
			credentials: credentials(),
			inputItems: [item],
		});
	const cwCalls = () => cw.requests().map((r: { method: string; path: string }) => `${r.method} ${r.path}`);
	const fsCalls = () => fs.getApiRequests().map((r) => `${r.method} ${r.path}`);
	const conversationPath = (id: number) => `/api/v1/accounts/${cw.ids().accountId}/conversations/${id}`;

	it('a Chatwoot change goes to FreeScout; its echo comes back and is skipped without a single request', async () => {
		await cw.setStatus(cwId, 'resolved');
		cw.resetLogs();
		fs.clearLogs();
		const changedAt = new Date().toISOString();
		const out = await sync({ platform: 'chatwoot', conversationId: cwId, status: 'resolved', previousStatus: 'open', changedAt }, fsId);
		expect(out.error).toBeUndefined();
		expect(out.jsonItems).toEqual([
			{
				platform: 'freescout',
				conversationId: fsId,
				candidates: [],
				previousStatus: 'open',
				previousPlatformStatus: 'active',
				status: 'resolved',
				platformStatus: 'closed',
				changed: true,
				skipped: null,
				warnings: [],
				notes: [],
				requestedStatus: 'resolved',
				source: { platform: 'chatwoot', conversationId: cwId, status: 'resolved' },
				pairedBy: 'given',
				writes: 1,
			},
		]);
		// Source, target, the write (after the FreeScout user lookup), the source again.
		expect(cwCalls()).toEqual([`GET ${conversationPath(cwId)}`, `GET ${conversationPath(cwId)}`]);
		expect(fsCalls()).toEqual([`GET /api/conversations/${fsId}`, `PUT /api/conversations/${fsId}`]);
		expect(fs.getConversation(fsId).status).toBe('closed');

		cw.resetLogs();
		fs.clearLogs();
		const echo = await sync({ platform: 'freescout', conversationId: fsId, status: 'resolved', previousStatus: 'open', changedAt: new Date().toISOString() }, cwId);
		expect(echo.jsonItems[0]).toMatchObject({
			platform: 'chatwoot',
			conversationId: null,
			changed: false,
			writes: 0,
			skipped: `echo of this sync's own write: FreeScout conversation ${fsId} was set to resolved because Chatwoot conversation ${cwId} went resolved`,
		});
		expect(cwCalls()).toEqual([]);
		expect(fsCalls()).toEqual([]);
	});

	it('skips an item the trigger marks superseded; "Do Not Sync" makes no call', async () => {
		cw.resetLogs();
		fs.clearLogs();
		const superseded = await sync({ platform: 'chatwoot', conversationId: cwId, status: 'resolved', previousStatus: 'open', superseded: true }, fsId);
		expect(superseded.jsonItems[0].skipped).toBe(`superseded: a later change of Chatwoot conversation ${cwId} came with it and is synced on its own`);
		const notSynced = await sync({ platform: 'freescout', conversationId: fsId, status: 'pending', previousStatus: 'open' }, cwId, {
			mapping: { rules: [{ target: 'chatwoot', from: 'pending', to: 'skip' }] },
		});
		expect(notSynced.jsonItems[0].skipped).toBe('status pending is not synced to Chatwoot (mapping)');
		expect(cwCalls()).toEqual([]);
		expect(fsCalls()).toEqual([]);
	});

	it('clear errors for an unknown platform or status; with Continue On Fail they become error items', async () => {
		const wrongPlatform = await sync({ platform: 'zendesk', conversationId: 1, status: 'open' }, 1);
		expect(wrongPlatform.errorMessage).toBe('Changed On must be one of chatwoot, freescout, got "zendesk"');
		const wrongStatus = await sync({ platform: 'chatwoot', conversationId: cwId, status: 'active' }, fsId);
		expect(wrongStatus.errorMessage).toBe('Sync Status needs a normalized status (open, pending, resolved, snoozed, spam) as Status, got "active"');
		const continued = await harness.runNode({
			node: ConversationStatus,
			parameters: { operation: 'syncStatus' },
			credentials: credentials(),
			inputItems: [{ platform: 'chatwoot', conversationId: cwId, status: 'closed' }],
			continueOnFail: true,
		});
		expect(continued.jsonItems).toEqual([
			{
				error: 'Sync Status needs a normalized status (open, pending, resolved, snoozed, spam) as Status, got "closed"',
				description: 'Map it from the Conversation Status Trigger (for example {{ $json.status }}) or use Set Status for platform words.',
				platform: 'chatwoot+freescout',
				operation: 'syncStatus',
			},
		]);
	});
});
