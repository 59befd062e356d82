/**
 * Sync Status's orchestration (nodes/core/action/sync.ts) against the Chatwoot and FreeScout simulators, without
 * n8n: the exact requests each side receives for the round trips of the lossy mappings, the rules that keep a
 * later change, and the follow-up write when the source changes while a write is on its way. A fresh RecentWrites
 * per step plays an echo handled by another n8n process, where only the platforms' state decides.
 */
import type { Session } from '../../nodes/core/action/operations';
import type { IncomingChange, SyncRequest } from '../../nodes/core/action/sync';
import { newSyncMemory, syncChange } from '../../nodes/core/action/sync';
import type { Status } from '../../nodes/core/types';
import { api as freescoutApi } from '../../nodes/platforms/freescout/api';
import { startFakeApi } from './fake-api';
import type { ChatwootSim, FreeScoutSim, SimulatorPair } from './simulator-pair';
import { sessionTo, startSimulatorPair } from './simulator-pair';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Sync Status between the Chatwoot and FreeScout simulators', () => {
	let pair: SimulatorPair;
	let cw: ChatwootSim;
	let fs: FreeScoutSim;
	let chatwoot: Session;
	let freescout: Session;
	let cwId: number;
	let fsId: number;

	beforeEach(async () => {
		pair = await startSimulatorPair();
		({ cw, fs, chatwoot, freescout } = pair);
		cwId = (await cw.createConversation({ status: 'open' })).result as number;
		// Another conversation first, so the pair's ids differ and a mix-up shows.
		fs.createConversation({ status: 'active' });
		fsId = fs.createConversation({ status: 'active' });
		expect(fsId).not.toBe(cwId);
	});
	afterEach(async () => pair.stop());

	const toggles = () => cw.requests().filter((r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/toggle_status'));
	const puts = () => fs.getApiRequests().filter((r) => r.method === 'PUT');
	const resetLogs = () => {
		cw.resetLogs();
		fs.clearLogs();
	};

	function change(platform: 'chatwoot' | 'freescout', status: Status, previousStatus: Status | null, changedAt = new Date()): IncomingChange {
		return { platform, conversationId: platform === 'chatwoot' ? cwId : fsId, status, previousStatus, changedAt: changedAt.toISOString(), superseded: false };
	}

	function request(incoming: IncomingChange, extra: Partial<SyncRequest> = {}): SyncRequest {
		const counterpartId = incoming.platform === 'chatwoot' ? fsId : cwId;
		return {
			change: incoming,
			rules: [],
			pairing: { counterpartId, byEmail: false, windowMs: DAY_MS, sourceField: 'unused', targetField: 'unused' },
			userIds: { source: 1, target: 1 },
			...extra,
		};
	}

	const fromChatwoot = (incoming: IncomingChange, writes = newSyncMemory(), extra: Partial<SyncRequest> = {}) =>
		syncChange({ source: chatwoot, target: freescout }, request(incoming, extra), writes);
	const fromFreeScout = (incoming: IncomingChange, writes = newSyncMemory(), extra: Partial<SyncRequest> = {}) =>
		syncChange({ source: freescout, target: chatwoot }, request(incoming, extra), writes);

	it('FreeScout spam → Chatwoot resolved; the echo leaves spam, in this process (no request) and in another (reads only)', async () => {
		fs.changeStatusFromMenu(fsId, 'spam');
		resetLogs();
		const writes = newSyncMemory();
		const there = await fromFreeScout(change('freescout', 'spam', 'open'), writes);
		expect(there).toMatchObject({ platform: 'chatwoot', conversationId: cwId, previousStatus: 'open', status: 'resolved', changed: true, writes: 1 });
		expect(toggles().map((r: { body: unknown }) => r.body)).toEqual([{ status: 'resolved' }]);

		// The echo: the Chatwoot trigger reports open → resolved.
		resetLogs();
		const echo = change('chatwoot', 'resolved', 'open');
		const elsewhere = await fromChatwoot(echo);
		expect(elsewhere).toMatchObject({ conversationId: fsId, changed: false, writes: 0, skipped: `FreeScout conversation ${fsId} is spam, which syncs back as resolved: left as it is` });
		expect(fs.getApiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/conversations/${fsId}`]);
		expect(puts()).toEqual([]);

		fs.clearLogs();
		const here = await fromChatwoot(echo, writes);
		expect(here.skipped).toBe(`echo of this sync's own write: Chatwoot conversation ${cwId} was set to resolved because FreeScout conversation ${fsId} went spam`);
		expect(fs.getApiRequests()).toEqual([]);
		expect(fs.getConversation(fsId).status).toBe('spam');
	});

	it('Chatwoot snoozed → FreeScout pending; the echo leaves the snooze', async () => {
		await cw.setStatus(cwId, 'snoozed');
		resetLogs();
		const there = await fromChatwoot(change('chatwoot', 'snoozed', 'open'));
		expect(there).toMatchObject({ platform: 'freescout', status: 'pending', requestedStatus: 'snoozed', changed: true, writes: 1 });
		expect(puts().map((r) => r.body)).toEqual([{ status: 'pending', byUser: 1 }]);

		resetLogs();
		const back = await fromFreeScout(change('freescout', 'pending', 'open'));
		expect(back).toMatchObject({ changed: false, skipped: `Chatwoot conversation ${cwId} is snoozed, which syncs back as pending: left as it is` });
		expect(toggles()).toEqual([]);
		expect(cw.getConversation(cwId).status).toBe('snoozed');
	});

	it('"Do Not Sync" and a superseded change make no request at all', async () => {
		resetLogs();
		const rules = [{ target: 'freescout', from: 'snoozed' as const, to: 'skip' as const }];
		expect((await fromChatwoot(change('chatwoot', 'snoozed', 'open'), undefined, { rules })).skipped).toBe('status snoozed is not synced to FreeScout (mapping)');
		const superseded = { ...change('chatwoot', 'resolved', 'open'), superseded: true };
		expect((await fromChatwoot(superseded)).skipped).toBe(
			`superseded: a later change of Chatwoot conversation ${cwId} came with it and is synced on its own`,
		);
		expect(cw.requests()).toEqual([]);
		expect(fs.getApiRequests()).toEqual([]);
	});

	it('a change the source has moved on from is not written; a status set later on the target wins on both sides', async () => {
		const before = new Date(Date.now() - 10_000);
		resetLogs();
		// Chatwoot went resolved and back to open since: only its latest change counts.
		expect((await fromChatwoot(change('chatwoot', 'resolved', 'open', before))).skipped).toBe(
			`Chatwoot conversation ${cwId} is open now, no longer resolved: its newer change is synced on its own`,
		);
		// A person set FreeScout pending after the Chatwoot change was made (whose own sync has not run yet).
		await cw.setStatus(cwId, 'resolved');
		fs.changeStatusFromMenu(fsId, 'pending');
		resetLogs();
		const out = await fromChatwoot(change('chatwoot', 'resolved', 'open', before));
		expect(out).toMatchObject({
			conversationId: fsId,
			status: 'pending',
			changed: false,
			skipped: null,
			writes: 1,
			source: { platform: 'chatwoot', conversationId: cwId, status: 'pending' },
			notes: [`FreeScout conversation ${fsId} got its status later than this change: Chatwoot conversation ${cwId} follows it (pending)`],
		});
		// FreeScout read twice (the conversation, then its threads for the status time), never written.
		expect(fs.getApiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/conversations/${fsId}`, `GET /api/conversations/${fsId}`]);
		expect(toggles().map((r: { body: unknown }) => r.body)).toEqual([{ status: 'pending' }]);
		expect(cw.getConversation(cwId).status).toBe('pending');
		expect(fs.getConversation(fsId).status).toBe('pending');
	});

	it('a target that missed a change (previous status unknown) is brought in line when the change is newer', async () => {
		fs.changeStatusFromMenu(fsId, 'pending');
		await cw.setStatus(cwId, 'resolved');
		resetLogs();
		const later = new Date(Date.now() + 2000);
		const out = await fromChatwoot(change('chatwoot', 'resolved', null, later));
		expect(out).toMatchObject({ previousStatus: 'pending', status: 'resolved', changed: true, writes: 1 });
		expect(fs.getConversation(fsId).status).toBe('closed');
	});

	it('the source changes while the write is on its way: the target follows it (two writes, no more)', async () => {
		await cw.setStatus(cwId, 'resolved');
		// In front of FreeScout: the first PUT goes through only after the agent reopened the Chatwoot conversation.
		const proxy = await startFakeApi(async (req) => {
			if (req.method === 'PUT' && proxy.log.filter((r) => r.method === 'PUT').length === 1) await cw.setStatus(cwId, 'open');
			return undefined;
		});
		proxy.forwardTo = fs.url;
		try {
			const viaProxy = sessionTo(freescoutApi, proxy.url, { 'X-FreeScout-API-Key': fs.apiKey }, null);
			resetLogs();
			const out = await syncChange({ source: chatwoot, target: viaProxy }, request(change('chatwoot', 'resolved', 'open')), newSyncMemory());
			expect(puts().map((r) => r.body)).toEqual([
				{ status: 'closed', byUser: 1 },
				{ status: 'active', byUser: 1 },
			]);
			expect(out).toMatchObject({ previousStatus: 'open', status: 'open', changed: false, writes: 2 });
			expect(out.notes).toEqual([
				`Chatwoot conversation ${cwId} changed to open while this change was synced; FreeScout conversation ${fsId} followed it`,
			]);
			expect(fs.getConversation(fsId).status).toBe('active');
		} finally {
			await proxy.stop();
		}
	});
});

describe('Sync Status pairing between the simulators', () => {
	const FIELD = 'Chatwoot Conversation ID';
	const ATTRIBUTE = 'freescout_conversation_id';
	let pair: SimulatorPair;
	let cw: ChatwootSim;
	let fs: FreeScoutSim;
	let chatwoot: Session;
	let freescout: Session;
	let fieldId: number;

	/** How far FreeScout's clock is moved (to create conversations in the past). */
	let fsOffsetMs = 0;
	const inThePast = <T>(ms: number, act: () => T): T => {
		fsOffsetMs = -ms;
		try {
			return act();
		} finally {
			fsOffsetMs = 0;
		}
	};
	const YEAR_MS = 365 * DAY_MS;

	beforeEach(async () => {
		pair = await startSimulatorPair({ customFieldsModule: true, now: () => Date.now() + fsOffsetMs });
		({ cw, fs, chatwoot, freescout } = pair);
		fieldId = fs.addCustomField({ mailboxId: 1, name: FIELD, type: 'number' }).id;
	});
	afterEach(async () => pair.stop());

	async function chatwootConversationOf(email: string): Promise<number> {
		const { result: contactId } = await cw.createContact({ name: email, email });
		return (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
	}
	const pairing = { counterpartId: null, byEmail: true, windowMs: DAY_MS, sourceField: '', targetField: '' };
	const fromChatwoot = (conversationId: number, status: Status, previousStatus: Status) =>
		syncChange(
			{ source: chatwoot, target: freescout },
			{
				change: { platform: 'chatwoot', conversationId, status, previousStatus, changedAt: new Date().toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, sourceField: ATTRIBUTE, targetField: FIELD },
				userIds: { source: null, target: 1 },
			},
			newSyncMemory(),
		);
	const fromFreeScout = (conversationId: number, status: Status, previousStatus: Status) =>
		syncChange(
			{ source: freescout, target: chatwoot },
			{
				change: { platform: 'freescout', conversationId, status, previousStatus, changedAt: new Date().toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, sourceField: FIELD, targetField: ATTRIBUTE },
				userIds: { source: 1, target: null },
			},
			newSyncMemory(),
		);
	const attributesOf = (id: number) => cw.conversationApiPayload(id).custom_attributes;
	const fieldOf = (id: number) => fs.getConversation(id, { withThreads: false }).customFields?.find((f) => f.name === FIELD)?.value;
	const calls = () => [
		...cw.requests().map((r: { method: string; path: string }) => `chatwoot ${r.method} ${r.path}`),
		...fs.getApiRequests().map((r) => `freescout ${r.method} ${r.path}`),
	];

	it('pairs by the customer e-mail (the one unpaired conversation), keeps both ids, and later changes go straight to the pair', async () => {
		const cwId = await chatwootConversationOf('ana@example.org');
		const ana = fs.addCustomer({ firstName: 'Ana', email: 'ana@example.org' }).id;
		fs.createConversation({ subject: 'Someone else' });
		const pairedElsewhere = fs.createConversation({ customerId: ana, subject: 'Old order' });
		fs.setCustomFieldFromUi(pairedElsewhere, fieldId, '99');
		const fsId = fs.createConversation({ customerId: ana, subject: 'New order' });
		await cw.setStatus(cwId, 'resolved');
		cw.resetLogs();
		fs.clearLogs();

		const first = await fromChatwoot(cwId, 'resolved', 'open');
		expect(first).toMatchObject({ conversationId: fsId, pairedBy: 'email', status: 'resolved', changed: true, writes: 1, warnings: [] });
		expect(attributesOf(cwId)).toEqual({ [ATTRIBUTE]: fsId });
		expect(fieldOf(fsId)).toBe(String(cwId));
		expect(fs.getConversation(pairedElsewhere).status).toBe('active');
		const accountPath = `/api/v1/accounts/${cw.ids().accountId}`;
		expect(calls()).toEqual([
			`chatwoot GET ${accountPath}/conversations/${cwId}`,
			`chatwoot POST ${accountPath}/conversations/${cwId}/custom_attributes`,
			`chatwoot GET ${accountPath}/conversations/${cwId}`,
			'freescout GET /api/conversations',
			// The claim: compare (the field is still empty), write, verify (it holds this pair).
			`freescout GET /api/conversations/${fsId}`,
			'freescout GET /api/mailboxes/1/custom_fields',
			`freescout PUT /api/conversations/${fsId}/custom_fields`,
			`freescout GET /api/conversations/${fsId}`,
			`freescout PUT /api/conversations/${fsId}`,
		]);
		// Only the customer's conversations created within the window were asked for.
		const list = fs.getApiRequests().find((r) => r.path === '/api/conversations') as unknown as { query: Record<string, string> };
		expect(list.query).toMatchObject({ customerEmail: 'ana@example.org', state: 'published', sortField: 'createdAt', createdSince: expect.stringMatching(/Z$/) });

		// Both directions now find the pair through the kept ids: no customer lookup.
		fs.changeStatusFromMenu(fsId, 'active');
		cw.resetLogs();
		fs.clearLogs();
		expect(await fromFreeScout(fsId, 'open', 'resolved')).toMatchObject({ conversationId: cwId, pairedBy: 'stored', status: 'open', writes: 1 });
		await cw.setStatus(cwId, 'pending');
		expect(await fromChatwoot(cwId, 'pending', 'open')).toMatchObject({ conversationId: fsId, pairedBy: 'stored', status: 'pending', writes: 1 });
		expect(calls().filter((call) => call.includes('/contacts/') || call === 'freescout GET /api/conversations')).toEqual([]);
	});

	it('pairs a FreeScout conversation by e-mail through Chatwoot\'s contact search', async () => {
		const cwId = await chatwootConversationOf('bo@example.org');
		await chatwootConversationOf('someone@example.org');
		const fsId = fs.createConversation({ customerId: fs.addCustomer({ firstName: 'Bo', email: 'bo@example.org' }).id });
		fs.changeStatusFromMenu(fsId, 'pending');
		const out = await fromFreeScout(fsId, 'pending', 'open');
		expect(out).toMatchObject({ conversationId: cwId, pairedBy: 'email', status: 'pending', changed: true });
		expect(attributesOf(cwId)).toEqual({ [ATTRIBUTE]: fsId });
		expect(fieldOf(fsId)).toBe(String(cwId));
	});

	it('several unpaired conversations of the customer, or a pair pointing elsewhere: skipped with the reason, nothing written', async () => {
		const cwId = await chatwootConversationOf('cy@example.org');
		const cy = fs.addCustomer({ firstName: 'Cy', email: 'cy@example.org' }).id;
		const a = fs.createConversation({ customerId: cy });
		const b = fs.createConversation({ customerId: cy });
		await cw.setStatus(cwId, 'resolved');
		cw.resetLogs();
		fs.clearLogs();
		const ambiguous = await fromChatwoot(cwId, 'resolved', 'open');
		expect(ambiguous).toMatchObject({
			conversationId: null,
			pairedBy: null,
			writes: 0,
			skipped: `not paired: 2 conversations of cy@example.org on FreeScout could be the same request (${b}, ${a}); give the right one's id in Counterpart Conversation ID or put it into the Chatwoot custom attribute "${ATTRIBUTE}" to pair it anyway`,
		});
		expect(ambiguous.candidates.map((c) => `${c.conversationId}:${c.refused}`)).toEqual([
			`${b}:one of several that could be the same request`,
			`${a}:one of several that could be the same request`,
		]);
		expect(calls().filter((call) => !call.includes(' GET '))).toEqual([]);

		// Paired by hand on Chatwoot with a, whose own field points at another Chatwoot conversation.
		await cw.setCustomAttributes(cwId, { [ATTRIBUTE]: a });
		fs.setCustomFieldFromUi(a, fieldId, '77');
		cw.resetLogs();
		fs.clearLogs();
		expect((await fromChatwoot(cwId, 'resolved', 'open')).skipped).toBe(
			`Chatwoot conversation ${cwId} keeps ${a} as its counterpart, but FreeScout conversation ${a} keeps 77: correct one of the two`,
		);
		expect(calls().filter((call) => !call.includes(' GET '))).toEqual([]);
	});

	it('a mailbox without the pair field: the status is synced, the pair kept on Chatwoot, a warning says what to create', async () => {
		const cwId = await chatwootConversationOf('di@example.org');
		const fsId = fs.createConversation({ customerId: fs.addCustomer({ firstName: 'Di', email: 'di@example.org' }).id });
		await cw.setStatus(cwId, 'resolved');
		const out = await syncChange(
			{ source: chatwoot, target: freescout },
			{
				change: { platform: 'chatwoot', conversationId: cwId, status: 'resolved', previousStatus: 'open', changedAt: new Date().toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, sourceField: ATTRIBUTE, targetField: 'Chat ID' },
				userIds: { source: null, target: 1 },
			},
			newSyncMemory(),
		);
		expect(out).toMatchObject({ conversationId: fsId, status: 'resolved', changed: true });
		expect(out.warnings).toEqual([
			`The pair could not be kept on FreeScout conversation ${fsId}: FreeScout mailbox 1 has no custom field named "Chat ID". Create the custom field "Chat ID" in that mailbox (Mailbox settings → Custom Fields; FreeScout's Custom Fields module), or change the field name in the node's pairing options.`,
		]);
		expect(attributesOf(cwId)).toEqual({ [ATTRIBUTE]: fsId });
	});

	it("the issue's case: a new Chatwoot conversation is not paired with the customer's FreeScout conversation closed two years ago", async () => {
		const eve = fs.addCustomer({ firstName: 'Eve', email: 'eve@example.org' }).id;
		const old = inThePast(2 * YEAR_MS, () => {
			const id = fs.createConversation({ customerId: eve, subject: 'Order from two years ago' });
			fs.changeStatusFromMenu(id, 'closed');
			return id;
		});
		const cwId = await chatwootConversationOf('eve@example.org');
		await cw.setStatus(cwId, 'resolved');
		cw.resetLogs();
		fs.clearLogs();
		// FreeScout's createdSince leaves the old one out; without that filter (an older module) the rules refuse it.
		const out = await fromChatwoot(cwId, 'resolved', 'open');
		expect(out).toMatchObject({ conversationId: null, pairedBy: null, writes: 0, skipped: 'not paired: no conversation of eve@example.org on FreeScout' });
		expect(calls().filter((call) => !call.includes(' GET '))).toEqual([]);
		expect(attributesOf(cwId)).toEqual({});
		expect(fieldOf(old) ?? '').toBe('');
		expect(fs.getConversation(old).status).toBe('closed');

		// The customer writes again by e-mail: that new open conversation is the one paired.
		const fresh = fs.createConversation({ customerId: eve, subject: 'Where is my new order?' });
		const paired = await fromChatwoot(cwId, 'resolved', 'open');
		expect(paired).toMatchObject({ conversationId: fresh, pairedBy: 'email', status: 'resolved', writes: 1 });
		expect(fs.getConversation(old).status).toBe('closed');
		expect(fieldOf(old) ?? '').toBe('');
	});

	it('closed, spam, paired-elsewhere and old candidates are refused, each with its reason, and nothing is written', async () => {
		const cwId = await chatwootConversationOf('flo@example.org');
		const flo = fs.addCustomer({ firstName: 'Flo', email: 'flo@example.org' }).id;
		const closed = fs.createConversation({ customerId: flo });
		fs.changeStatusFromMenu(closed, 'closed');
		const spam = fs.createConversation({ customerId: flo });
		fs.changeStatusFromMenu(spam, 'spam');
		const elsewhere = fs.createConversation({ customerId: flo });
		fs.setCustomFieldFromUi(elsewhere, fieldId, '99');
		const twoDaysOld = inThePast(2 * DAY_MS, () => fs.createConversation({ customerId: flo }));
		await cw.setStatus(cwId, 'resolved');
		cw.resetLogs();
		fs.clearLogs();
		// With a window of one day FreeScout's createdSince leaves the two-day-old one out; with three it is the one.
		const wide = await syncChange(
			{ source: chatwoot, target: freescout },
			{
				change: { platform: 'chatwoot', conversationId: cwId, status: 'resolved', previousStatus: 'open', changedAt: new Date().toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, windowMs: DAY_MS, sourceField: ATTRIBUTE, targetField: FIELD },
				userIds: { source: null, target: 1 },
			},
			newSyncMemory(),
		);
		expect(wide.candidates.map((c) => `${c.conversationId}:${c.refused}`).sort()).toEqual(
			[
				`${closed}:resolved: only open or pending conversations are paired by e-mail`,
				`${spam}:spam: only open or pending conversations are paired by e-mail`,
				`${elsewhere}:paired with Chatwoot conversation 99`,
			].sort(),
		);
		expect(wide).toMatchObject({ conversationId: null, pairedBy: null, writes: 0, skipped: expect.stringMatching(/^not paired: no conversation of flo@example.org on FreeScout can be the same request as Chatwoot conversation/) });

		const threeDays = await syncChange(
			{ source: chatwoot, target: freescout },
			{
				change: { platform: 'chatwoot', conversationId: cwId, status: 'resolved', previousStatus: 'open', changedAt: new Date().toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, windowMs: 3 * DAY_MS, sourceField: ATTRIBUTE, targetField: FIELD },
				userIds: { source: null, target: 1 },
			},
			newSyncMemory(),
		);
		expect(threeDays).toMatchObject({ conversationId: twoDaysOld, pairedBy: 'email', writes: 1 });
		// The only writes: the pair and the status of the one chosen.
		expect(calls().filter((call) => !call.includes(' GET '))).toEqual([
			`chatwoot POST /api/v1/accounts/${cw.ids().accountId}/conversations/${cwId}/custom_attributes`,
			`freescout PUT /api/conversations/${twoDaysOld}/custom_fields`,
			`freescout PUT /api/conversations/${twoDaysOld}`,
		]);
		expect([closed, spam, elsewhere].map((id) => fs.getConversation(id).status)).toEqual(['closed', 'spam', 'active']);
	});

	it("FreeScout → Chatwoot: resolved and paired-elsewhere conversations are refused, and a FreeScout conversation two years old pairs with nothing new", async () => {
		const gus = fs.addCustomer({ firstName: 'Gus', email: 'gus@example.org' }).id;
		const { result: contactId } = await cw.createContact({ name: 'Gus', email: 'gus@example.org' });
		const resolved = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		await cw.setStatus(resolved, 'resolved');
		const elsewhere = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId, customAttributes: { [ATTRIBUTE]: 77 } })).result as number;
		const fsId = fs.createConversation({ customerId: gus });
		fs.changeStatusFromMenu(fsId, 'pending');
		cw.resetLogs();
		const out = await fromFreeScout(fsId, 'pending', 'open');
		expect(out.candidates.map((c) => `${c.conversationId}:${c.refused}`).sort()).toEqual(
			[`${resolved}:resolved: only open or pending conversations are paired by e-mail`, `${elsewhere}:paired with FreeScout conversation 77`].sort(),
		);
		expect(out).toMatchObject({ conversationId: null, writes: 0 });
		expect(cw.requests().filter((r: { method: string }) => r.method !== 'GET')).toEqual([]);

		// An open Chatwoot conversation of the customer, and a FreeScout one created two years before it.
		const open = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		const old = inThePast(2 * YEAR_MS, () => fs.createConversation({ customerId: gus }));
		fs.changeStatusFromMenu(old, 'closed');
		const fromOld = await fromFreeScout(old, 'resolved', 'open');
		expect(fromOld.candidates.find((c) => c.conversationId === open)?.refused).toMatch(/^created \d+ h apart from FreeScout conversation \d+ \(pairing window: 24 h\)$/);
		expect(fromOld).toMatchObject({ conversationId: null, writes: 0 });
		expect(cw.getConversation(open).status).toBe('open');
		expect(attributesOf(open)).toEqual({});
	});

	it('an explicit pair is used whatever the status and age: the given id, or the ids put into the fields by hand', async () => {
		const hal = fs.addCustomer({ firstName: 'Hal', email: 'hal@example.org' }).id;
		const old = inThePast(2 * YEAR_MS, () => fs.createConversation({ customerId: hal }));
		fs.changeStatusFromMenu(old, 'closed');
		const cwId = await chatwootConversationOf('hal@example.org');
		await cw.setStatus(cwId, 'pending');
		const given = await syncChange(
			{ source: chatwoot, target: freescout },
			{
				change: { platform: 'chatwoot', conversationId: cwId, status: 'pending', previousStatus: 'open', changedAt: new Date(Date.now() + 2000).toISOString(), superseded: false },
				rules: [],
				pairing: { ...pairing, counterpartId: old, sourceField: ATTRIBUTE, targetField: FIELD },
				userIds: { source: null, target: 1 },
			},
			newSyncMemory(),
		);
		expect(given).toMatchObject({ conversationId: old, pairedBy: 'given', writes: 1 });
		expect(fs.getConversation(old).status).toBe('pending');

		await cw.setCustomAttributes(cwId, { [ATTRIBUTE]: old });
		await cw.setStatus(cwId, 'resolved');
		expect(await fromChatwoot(cwId, 'resolved', 'pending')).toMatchObject({ conversationId: old, pairedBy: 'stored', writes: 1 });
		expect(fs.getConversation(old).status).toBe('closed');
		// The kept id of one side completes the other: compare-and-set of the empty FreeScout field.
		expect(fieldOf(old)).toBe(String(cwId));
	});

	it('two Syncs of one customer\'s two Chatwoot conversations at once, in one n8n process: one claims the FreeScout conversation, the other writes nothing and says why', async () => {
		const { result: contactId } = await cw.createContact({ name: 'Ida', email: 'ida@example.org' });
		const first = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		const second = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		const fsId = fs.createConversation({ customerId: fs.addCustomer({ firstName: 'Ida', email: 'ida@example.org' }).id });
		await cw.setStatus(first, 'resolved');
		await cw.setStatus(second, 'pending');
		const memory = newSyncMemory();
		const sync = (conversationId: number, status: Status) =>
			syncChange(
				{ source: chatwoot, target: freescout },
				{
					change: { platform: 'chatwoot', conversationId, status, previousStatus: 'open', changedAt: new Date().toISOString(), superseded: false },
					rules: [],
					pairing: { ...pairing, sourceField: ATTRIBUTE, targetField: FIELD },
					userIds: { source: null, target: 1 },
				},
				memory,
			);
		const [a, b] = await Promise.all([sync(first, 'resolved'), sync(second, 'pending')]);
		const winner = fieldOf(fsId);
		expect([String(first), String(second)]).toContain(winner);
		const [won, lost, loser] = winner === String(first) ? [a, b, second] : [b, a, first];
		expect(won).toMatchObject({ conversationId: fsId, pairedBy: 'email', writes: 1 });
		expect(lost).toMatchObject({ conversationId: null, pairedBy: null, writes: 0 });
		expect(lost.skipped).toMatch(new RegExp(`^not paired: FreeScout conversation ${fsId} was paired with Chatwoot conversation ${winner} meanwhile`));
		expect(attributesOf(loser)).toEqual({});
		expect(fs.getConversation(fsId).status).toBe(won.status === 'resolved' ? 'closed' : 'pending');
	});

	it('two n8n processes claim one FreeScout conversation: the verify read after the write sees the later claim, and only that one pairs', async () => {
		const { result: contactId } = await cw.createContact({ name: 'Jo', email: 'jo@example.org' });
		const first = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		const second = (await cw.createConversation({ contactId, inboxId: cw.ids().webInboxId })).result as number;
		const fsId = fs.createConversation({ customerId: fs.addCustomer({ firstName: 'Jo', email: 'jo@example.org' }).id });
		await cw.setStatus(first, 'resolved');
		await cw.setStatus(second, 'resolved');
		// Each process reaches FreeScout through its own proxy, which orders their requests: B reads the empty field,
		// A writes it, B writes it, and only then A's verify read goes through.
		const signal = () => {
			let open: () => void = () => undefined;
			const promise = new Promise<void>((resolve) => (open = resolve));
			return { promise, open };
		};
		const bCompared = signal();
		const aVerifying = signal();
		const bVerifying = signal();
		const isField = (r: { method: string; path: string }) => r.method === 'PUT' && r.path === `/api/conversations/${fsId}/custom_fields`;
		const isTarget = (r: { method: string; path: string }) => r.method === 'GET' && r.path === `/api/conversations/${fsId}`;
		const proxyA = await startFakeApi(async (r) => {
			if (isField(r)) await bCompared.promise;
			if (isTarget(r) && proxyA.log.some(isField)) {
				aVerifying.open();
				await bVerifying.promise;
			}
			return undefined;
		});
		const proxyB = await startFakeApi(async (r) => {
			if (isTarget(r) && !proxyB.log.some(isField)) bCompared.open();
			if (isField(r)) await aVerifying.promise;
			if (isTarget(r) && proxyB.log.some(isField)) bVerifying.open();
			return undefined;
		});
		proxyA.forwardTo = fs.url;
		proxyB.forwardTo = fs.url;
		try {
			const via = (proxy: { url: string }) => sessionTo(freescoutApi, proxy.url, { 'X-FreeScout-API-Key': fs.apiKey }, null);
			const sync = (conversationId: number, target: Session) =>
				syncChange(
					{ source: chatwoot, target },
					{
						change: { platform: 'chatwoot', conversationId, status: 'resolved', previousStatus: 'open', changedAt: new Date().toISOString(), superseded: false },
						rules: [],
						pairing: { ...pairing, sourceField: ATTRIBUTE, targetField: FIELD },
						userIds: { source: null, target: 1 },
					},
					// Another process: nothing of this one's memory.
					newSyncMemory(),
				);
			const [a, b] = await Promise.all([sync(first, via(proxyA)), sync(second, via(proxyB))]);
			expect(a).toMatchObject({ conversationId: null, pairedBy: null, writes: 0 });
			expect(a.skipped).toMatch(new RegExp(`^not paired: FreeScout conversation ${fsId} was paired with Chatwoot conversation ${second} meanwhile`));
			expect(b).toMatchObject({ conversationId: fsId, pairedBy: 'email', writes: 1 });
			expect(fieldOf(fsId)).toBe(String(second));
			expect(attributesOf(first)).toEqual({});
			expect(attributesOf(second)).toEqual({ [ATTRIBUTE]: fsId });
		} finally {
			await proxyA.stop();
			await proxyB.stop();
		}
	});
});
