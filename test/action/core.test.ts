/**
 * The action node's pure core, without n8n: retry policy (fake sleep, no waiting), bounded pool, platform API
 * builders/readers on hand-written responses from the reference, error texts.
 */
import { textFromBody } from '../../nodes/core/action/api-error';
import { ApiCallError, InvalidParameterError } from '../../nodes/core/action/conversation-api';
import type { ApiRequest, ApiResponse } from '../../nodes/core/http';
import { applyStatus, createSession } from '../../nodes/core/action/operations';
import { api as chatwoot } from '../../nodes/platforms/chatwoot/api';
import { api as freescout } from '../../nodes/platforms/freescout/api';
import { mapPool } from '../../nodes/core/action/pool';
import { backoffDelay, isConnectionError, parseRetryAfter, sendWithRetry } from '../../nodes/core/action/retry';

const res = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({ statusCode, headers, body });

function fakeDeps(random = 0.5) {
	const sleeps: number[] = [];
	return {
		sleeps,
		deps: { sleep: async (ms: number) => void sleeps.push(ms), random: () => random, now: () => Date.UTC(2026, 0, 1) },
	};
}

function scripted(responses: Array<ApiResponse | Error>) {
	const sent: number[] = [];
	let i = 0;
	return {
		sent,
		send: async () => {
			sent.push(i);
			const r = responses[Math.min(i++, responses.length - 1)];
			if (r instanceof Error) throw r;
			return r;
		},
	};
}

describe('retry policy', () => {
	const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

	it('429 then 200: two sends, one backoff sleep', async () => {
		const { sleeps, deps } = fakeDeps(0.5);
		const s = scripted([res(429, 'Retry later\n'), res(200, { ok: 1 })]);
		const out = await sendWithRetry(s.send, policy, deps);
		expect(out).toEqual({ response: res(200, { ok: 1 }), attempts: 2 });
		expect(sleeps).toEqual([75]);
	});

	it('500 × N returns the last 500 after maxAttempts with exponential, capped, jittered sleeps', async () => {
		const { sleeps, deps } = fakeDeps(1);
		const s = scripted([res(500, { error: 'x' })]);
		const out = await sendWithRetry(s.send, { ...policy, maxAttempts: 5, maxDelayMs: 500 }, deps);
		expect(out.attempts).toBe(5);
		expect(out.response.statusCode).toBe(500);
		expect(s.sent).toHaveLength(5);
		expect(sleeps).toEqual([100, 200, 400, 500]);
	});

	it('honours Retry-After (seconds and HTTP date), capped by maxDelayMs', async () => {
		const { sleeps, deps } = fakeDeps(0);
		const s = scripted([
			res(503, '', { 'retry-after': '0.3' }),
			res(429, '', { 'retry-after': 'Thu, 01 Jan 2026 00:00:02 GMT' }),
			res(200, {}),
		]);
		await sendWithRetry(s.send, policy, deps);
		expect(sleeps).toEqual([300, 1000]);
		expect(parseRetryAfter('soon', 0)).toBeNull();
		expect(parseRetryAfter(undefined, 0)).toBeNull();
	});

	it('does not retry 4xx other than 429', async () => {
		const { sleeps, deps } = fakeDeps();
		const s = scripted([res(404, { error: 'Resource could not be found' })]);
		expect((await sendWithRetry(s.send, policy, deps)).attempts).toBe(1);
		expect(sleeps).toEqual([]);
	});

	it('retries connection errors (also wrapped in a cause chain) and rethrows anything else at once', async () => {
		const { deps } = fakeDeps();
		const wrapped = Object.assign(new Error('The service refused the connection'), {
			cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
		});
		expect(isConnectionError(wrapped)).toBe(true);
		const s = scripted([wrapped, res(200, {})]);
		expect((await sendWithRetry(s.send, policy, deps)).attempts).toBe(2);
		const bug = scripted([new TypeError('x is not a function')]);
		await expect(sendWithRetry(bug.send, policy, deps)).rejects.toThrow('x is not a function');
		expect(bug.sent).toHaveLength(1);
		const down = scripted([wrapped]);
		await expect(sendWithRetry(down.send, { ...policy, maxAttempts: 3 }, deps)).rejects.toMatchObject({
			name: 'RetriesExhaustedError',
			attempts: 3,
		});
	});

	it('backoff is 50-100 % of the exponential step', () => {
		expect([0, 0.5, 0.999].map((r) => backoffDelay(3, policy, r))).toEqual([200, 300, 400]);
	});
});

describe('bounded pool', () => {
	it('keeps input order, never exceeds the limit, and with stopOnError starts nothing after a failure', async () => {
		let running = 0;
		let peak = 0;
		const finished: number[] = [];
		// Earlier items take more microtask turns, so later items finish first.
		const fn = async (n: number) => {
			running++;
			peak = Math.max(peak, running);
			for (let turn = 0; turn < (12 - n) * 3; turn++) await Promise.resolve();
			running--;
			finished.push(n);
			return n * 2;
		};
		const items = Array.from({ length: 12 }, (_v, i) => i);
		const results = await mapPool(items, 3, fn);
		expect(peak).toBe(3);
		expect(finished).not.toEqual(items);
		expect(results).toEqual(items.map((n) => ({ status: 'fulfilled', value: n * 2 })));

		const started: number[] = [];
		const stopped = await mapPool(
			[0, 1, 2, 3],
			1,
			async (n) => {
				started.push(n);
				if (n === 1) throw new Error('boom');
				return n;
			},
			{ stopOnError: true },
		);
		expect(started).toEqual([0, 1]);
		expect(stopped.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'skipped', 'skipped']);
	});
});

describe('Chatwoot api', () => {
	const scope = { accountId: 3 };

	it('builds the read and toggle_status requests', () => {
		expect(chatwoot.getConversation(42, scope)).toEqual({ method: 'GET', path: '/api/v1/accounts/3/conversations/42' });
		const writer = { userId: 1, role: 'administrator' as const };
		expect(chatwoot.setStatus(42, 'snoozed', scope, { writer, snoozedUntil: 1900000000 })).toEqual({
			method: 'POST',
			path: '/api/v1/accounts/3/conversations/42/toggle_status',
			body: { status: 'snoozed', snoozed_until: 1900000000 },
		});
		expect(() => chatwoot.getConversation(1, { accountId: null })).toThrow(InvalidParameterError);
	});

	it('reads toggle_status: success true, success null (bot handoff), success false', () => {
		const ok = res(200, { meta: {}, payload: { success: true, conversation_id: 42, current_status: 'open', snoozed_until: null } });
		expect(chatwoot.readSetStatus(ok)).toEqual({ platformStatus: 'open', notes: [] });
		const handoff = res(200, { meta: {}, payload: { success: null, conversation_id: 42, current_status: 'open', snoozed_until: null } });
		expect(chatwoot.readSetStatus(handoff).notes).toEqual([expect.stringContaining('bot handoff')]);
		const failed = res(200, { meta: {}, payload: { success: false, conversation_id: 42, current_status: 'pending' } });
		expect(() => chatwoot.readSetStatus(failed)).toThrow(ApiCallError);
	});

	it('reads the token role from the profile of the credential account; a bot token is recognised by its 401', () => {
		const profile = res(200, { id: 7, account_id: 3, role: 'administrator', accounts: [{ id: 5, role: 'administrator' }, { id: 3, role: 'agent' }] });
		expect(chatwoot.readWriter(profile, null)).toEqual({ userId: 7, role: 'agent' });
		expect(chatwoot.readWriter(res(401, { error: 'Access to this endpoint is not authorized for bots' }), null)).toEqual({ userId: null, role: 'bot' });
		expect(chatwoot.readWriter(res(401, { error: 'Invalid Access Token' }), null)).toEqual({ userId: null, role: 'unknown' });
		expect(chatwoot.writeWarnings({ userId: 7, role: 'agent' }, { conversationId: 9, status: 'open', changed: true })).toHaveLength(1);
		expect(chatwoot.writeWarnings({ userId: 7, role: 'agent' }, { conversationId: 9, status: 'resolved', changed: true })).toEqual([]);
		expect(chatwoot.writeWarnings({ userId: 7, role: 'administrator' }, { conversationId: 9, status: 'open', changed: true })).toEqual([]);
	});

	it('validates statuses before any request', () => {
		expect(chatwoot.checkWritable('pending', { snoozedUntil: null })).toBe('pending');
		expect(() => chatwoot.checkWritable('spam', { snoozedUntil: null })).toThrow('Chatwoot has no "spam" status');
		expect(() => chatwoot.checkWritable('open', { snoozedUntil: 5 })).toThrow('Snoozed Until only applies');
	});

	it('error texts: the platform words, the conversation and the account, and what to check', () => {
		const ctx = { conversationId: 42, scope, action: 'reading' as const, attempts: 1 };
		expect(chatwoot.failure(res(404, { error: 'Resource could not be found' }), ctx).message).toBe(
			'Chatwoot: conversation 42 not found in account 3 (Chatwoot said: "Resource could not be found")',
		);
		expect(chatwoot.failure(res(401, { errors: ['You need to sign in or sign up before continuing.'] }), ctx).message).toBe(
			'Chatwoot rejected the credential while reading conversation 42 (Chatwoot said: "You need to sign in or sign up before continuing.")',
		);
		expect(chatwoot.failure(res(429, 'Retry later\n'), { ...ctx, attempts: 4 }).message).toBe(
			'Chatwoot kept rate-limiting the node (HTTP 429 after 4 attempts) while reading conversation 42 (Chatwoot said: "Retry later")',
		);
	});
});

describe('FreeScout api', () => {
	const scope = { accountId: null };

	it('builds the read and PUT requests; byUser is always sent', () => {
		expect(freescout.getConversation(12, scope)).toEqual({ method: 'GET', path: '/api/conversations/12', qs: { embed: 'tags' } });
		expect(freescout.setStatus(12, 'closed', scope, { writer: { userId: 3, role: null }, snoozedUntil: null })).toEqual({
			method: 'PUT',
			path: '/api/conversations/12',
			body: { status: 'closed', byUser: 3 },
		});
		expect(freescout.readSetStatus(res(204, ''))).toEqual({ platformStatus: null, notes: [] });
	});

	it('picks the first administrator from /api/users unless a user is configured', () => {
		expect(freescout.writerRequest(scope, 5)).toBeNull();
		expect(freescout.readWriter(null, 5)).toEqual({ userId: 5, role: null });
		expect(freescout.writerRequest(scope, 0)).toEqual({ method: 'GET', path: '/api/users', qs: { pageSize: 100 } });
		const users = res(200, {
			_embedded: {
				users: [
					{ id: 9, firstName: 'New', lastName: 'Admin', role: 'admin' },
					{ id: 4, firstName: 'Old', lastName: 'Admin', role: 'admin' },
					{ id: 2, firstName: 'Jane', lastName: 'Agent', role: 'user' },
				],
			},
		});
		expect(freescout.readWriter(users, 0)).toEqual({ userId: 4, role: null });
		expect(() => freescout.readWriter(res(200, { _embedded: { users: [{ id: 2, role: 'user' }] } }), 0)).toThrow('no administrator');
	});

	it('validates statuses: snoozed is a clear error (FreeScout would silently make it active)', () => {
		expect(freescout.checkWritable('open', { snoozedUntil: null })).toBe('active');
		expect(freescout.checkWritable('resolved', { snoozedUntil: null })).toBe('closed');
		expect(() => freescout.checkWritable('snoozed', { snoozedUntil: null })).toThrow('FreeScout has no "snoozed" status');
	});

	it('reads the 400 body shape and the 404', () => {
		const bad = res(400, { message: 'Error occurred', _embedded: { errors: [{ path: 'byUser', message: 'byUser parameter is required.', source: 'JSON' }] } });
		expect(textFromBody(bad.body)).toBe('Error occurred; byUser parameter is required.');
		const ctx = { conversationId: 12, scope, action: 'changing the status of' as const, attempts: 1 };
		expect(freescout.failure(bad, ctx).message).toBe(
			'FreeScout refused the request (HTTP 400) while changing the status of conversation 12 (FreeScout said: "Error occurred; byUser parameter is required.")',
		);
		expect(freescout.failure(res(404, { message: 'Not Found', _embedded: { errors: [] } }), ctx).message).toBe(
			'FreeScout: conversation 12 not found in this FreeScout installation (FreeScout said: "Not Found")',
		);
	});
});

describe('operations', () => {
	function session(responses: Array<ApiResponse | Error>, api = chatwoot) {
		const sent: ApiRequest[] = [];
		let i = 0;
		const { deps } = fakeDeps();
		return {
			sent,
			session: createSession({
				api,
				scope: { accountId: 1 },
				send: async (request) => {
					sent.push(request);
					const response = responses[i++];
					if (response instanceof Error) throw response;
					return response;
				},
				retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
				deps,
			}),
		};
	}

	it('applyStatus reads, skips when already there, and never writes twice', async () => {
		const { sent, session: s } = session([res(200, { id: 5, status: 'open', inbox_id: 1 })]);
		const out = await applyStatus(s, { conversationId: 5, target: 'open' });
		expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/accounts/1/conversations/5']);
		expect(out).toMatchObject({ changed: false, skipped: 'already open' });
	});

	it('Chatwoot writes before it asks who writes; a failed lookup then costs the warning, not the change', async () => {
		const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const { sent, session: s } = session([
			res(200, { id: 5, status: 'pending', inbox_id: 1 }),
			res(200, { payload: { success: true, current_status: 'open', conversation_id: 5 } }),
			dropped,
		]);
		const out = await applyStatus(s, { conversationId: 5, target: 'open' });
		expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
			'GET /api/v1/accounts/1/conversations/5',
			'POST /api/v1/accounts/1/conversations/5/toggle_status',
			'GET /api/v1/profile',
		]);
		expect(out).toMatchObject({ previousStatus: 'pending', status: 'open', changed: true, warnings: [] });
	});

	it('FreeScout needs the writer for the write (byUser): it is looked up first', async () => {
		const { sent, session: s } = session(
			[
				res(200, { id: 7, status: 'pending', mailboxId: 1 }),
				res(200, { _embedded: { users: [{ id: 3, role: 'admin' }] } }),
				res(204, ''),
			],
			freescout,
		);
		const out = await applyStatus(s, { conversationId: 7, target: 'open' });
		expect(sent.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
			'GET /api/conversations/7',
			'GET /api/users',
			'PUT /api/conversations/7',
		]);
		expect(sent[2].body).toEqual({ status: 'active', byUser: 3 });
		expect(out).toMatchObject({ previousStatus: 'pending', status: 'open', changed: true });
	});
});
