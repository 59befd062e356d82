/**
 * The action node's pure core, without n8n: connection failures, retry policy (fake sleep and clock, no waiting),
 * bounded pool, platform API builders/readers on hand-written responses from the reference, error texts.
 */
import { ApiCallError, InvalidParameterError } from '../../nodes/core/action/conversation-api';
import { platformMessageOf, type ApiRequest, type ApiResponse } from '../../nodes/core/http';
import { applyStatus, createSession, getStatus } from '../../nodes/core/action/operations';
import { api as chatwoot } from '../../nodes/platforms/chatwoot/api';
import { api as freescout } from '../../nodes/platforms/freescout/api';
import { mapPool } from '../../nodes/core/action/pool';
import { backoffDelay, parseRetryAfter, sendWithRetry } from '../../nodes/core/action/retry';
import { connectionFailureOf } from '../../nodes/core/connection';

const res = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse => ({ statusCode, headers, body });

/** An error as n8n's HTTP helper throws it: n8n's NodeApiError wording around the client's error. */
function n8nError(outer: string, inner: { code: string; message: string }): Error {
	return Object.assign(new Error(outer), { httpCode: inner.code, cause: Object.assign(new Error(inner.message), { code: inner.code }) });
}
const timedOut = () => n8nError('The connection was aborted, perhaps the server is offline', { code: 'ECONNABORTED', message: 'timeout of 300ms exceeded' });
const unknownHost = () =>
	n8nError('The connection cannot be established, this usually occurs due to an incorrect host (domain) value', {
		code: 'ENOTFOUND',
		message: 'getaddrinfo ENOTFOUND chat.example.invalid',
	});
const refused = () => n8nError('The service refused the connection - perhaps it is offline', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' });
const NOW = Date.UTC(2026, 0, 1);

function fakeDeps(random = 0.5) {
	const sleeps: number[] = [];
	return {
		sleeps,
		deps: { sleep: async (ms: number) => void sleeps.push(ms), random: () => random, now: () => NOW },
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

describe('connection failures', () => {
	it('reads the kind and the client\'s own words through n8n\'s wrapping', () => {
		expect(connectionFailureOf(timedOut())).toEqual({ kind: 'timeout', detail: 'timeout of 300ms exceeded' });
		expect(connectionFailureOf(unknownHost())).toEqual({ kind: 'unknown_host', detail: 'getaddrinfo ENOTFOUND chat.example.invalid' });
		expect(connectionFailureOf(refused())).toEqual({ kind: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:9' });
		expect(connectionFailureOf(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toMatchObject({ kind: 'unreachable' });
		expect(connectionFailureOf(Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' }))).toMatchObject({ kind: 'timeout' });
		// A temporary DNS failure may heal: unreachable (retried), not unknown_host.
		expect(connectionFailureOf(Object.assign(new Error('getaddrinfo EAI_AGAIN chat'), { code: 'EAI_AGAIN' }))).toMatchObject({ kind: 'unreachable' });
	});

	it('anything else is not a connection failure: a bug, a cancelled execution', () => {
		expect(connectionFailureOf(new TypeError('x is not a function'))).toBeNull();
		expect(connectionFailureOf(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }))).toBeNull();
		expect(connectionFailureOf('boom')).toBeNull();
	});
});

describe('retry policy', () => {
	const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

	it('429 then 200: two sends, one backoff sleep', async () => {
		const { sleeps, deps } = fakeDeps(0.5);
		const s = scripted([res(429, 'Retry later\n'), res(200, { ok: 1 })]);
		const out = await sendWithRetry(s.send, policy, deps);
		expect(out).toEqual({ response: res(200, { ok: 1 }), attempts: 2, retryAt: null });
		expect(sleeps).toEqual([75]);
	});

	it('500 × N returns the last 500 after maxAttempts with exponential, capped, jittered sleeps', async () => {
		const { sleeps, deps } = fakeDeps(1);
		const s = scripted([res(500, { error: 'x' })]);
		const out = await sendWithRetry(s.send, { ...policy, maxAttempts: 5, maxDelayMs: 500 }, deps);
		expect(out.attempts).toBe(5);
		expect(out.response.statusCode).toBe(500);
		expect(out.retryAt).toBeNull();
		expect(s.sent).toHaveLength(5);
		expect(sleeps).toEqual([100, 200, 400, 500]);
	});

	it('honours Retry-After up to the longest wait (seconds and HTTP date)', async () => {
		const { sleeps, deps } = fakeDeps(0);
		const s = scripted([
			res(503, '', { 'retry-after': '0.3' }),
			res(429, '', { 'retry-after': 'Thu, 01 Jan 2026 00:00:01 GMT' }),
			res(200, {}),
		]);
		expect((await sendWithRetry(s.send, policy, deps)).attempts).toBe(3);
		expect(sleeps).toEqual([300, 1000]);
		expect(parseRetryAfter('soon', 0)).toBeNull();
		expect(parseRetryAfter(undefined, 0)).toBeNull();
	});

	it('a Retry-After beyond the longest wait ends the retries at once and says when the platform takes requests again', async () => {
		const { sleeps, deps } = fakeDeps();
		const seconds = scripted([res(429, '', { 'retry-after': '120' }), res(200, {})]);
		expect(await sendWithRetry(seconds.send, policy, deps)).toEqual({
			response: res(429, '', { 'retry-after': '120' }),
			attempts: 1,
			retryAt: NOW + 120_000,
		});
		const date = scripted([res(503, '', { 'retry-after': 'Thu, 01 Jan 2026 01:00:00 GMT' }), res(200, {})]);
		expect((await sendWithRetry(date.send, policy, deps)).retryAt).toBe(Date.UTC(2026, 0, 1, 1));
		expect([seconds.sent, date.sent, sleeps]).toEqual([[0], [0], []]);
	});

	it('when the attempts run out, a Retry-After of the last answer is still reported', async () => {
		const { deps } = fakeDeps();
		const s = scripted([res(429, '', { 'retry-after': '1' })]);
		expect(await sendWithRetry(s.send, { ...policy, maxAttempts: 2 }, deps)).toMatchObject({ attempts: 2, retryAt: NOW + 1000 });
	});

	it('does not retry 4xx other than 429', async () => {
		const { sleeps, deps } = fakeDeps();
		const s = scripted([res(404, { error: 'Resource could not be found' })]);
		expect((await sendWithRetry(s.send, policy, deps)).attempts).toBe(1);
		expect(sleeps).toEqual([]);
	});

	it('retries timeouts and refused connections like a 5xx, and rethrows anything else at once', async () => {
		const { sleeps, deps } = fakeDeps();
		const s = scripted([timedOut(), refused(), res(200, {})]);
		expect((await sendWithRetry(s.send, policy, deps)).attempts).toBe(3);
		expect(sleeps).toHaveLength(2);
		const bug = scripted([new TypeError('x is not a function')]);
		await expect(sendWithRetry(bug.send, policy, deps)).rejects.toThrow('x is not a function');
		expect(bug.sent).toHaveLength(1);
		const down = scripted([timedOut()]);
		await expect(sendWithRetry(down.send, { ...policy, maxAttempts: 3 }, deps)).rejects.toMatchObject({
			name: 'ConnectionFailedError',
			attempts: 3,
			failure: { kind: 'timeout' },
		});
		expect(down.sent).toHaveLength(3);
	});

	it('a host name that does not resolve is not retried', async () => {
		const { sleeps, deps } = fakeDeps();
		const s = scripted([unknownHost(), res(200, {})]);
		await expect(sendWithRetry(s.send, policy, deps)).rejects.toMatchObject({
			name: 'ConnectionFailedError',
			attempts: 1,
			failure: { kind: 'unknown_host', detail: 'getaddrinfo ENOTFOUND chat.example.invalid' },
		});
		expect([s.sent, sleeps]).toEqual([[0], []]);
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

describe('what the platform said (error bodies of every shape)', () => {
	it('quotes error / message, then the listed errors; text bodies as they are; nothing for no body', () => {
		expect(platformMessageOf({ error: 'Invalid Access Token' })).toBe('Invalid Access Token');
		expect(platformMessageOf({ message: 'Url has already been taken', attributes: ['url'] })).toBe('Url has already been taken');
		expect(platformMessageOf({ errors: ['You need to sign in or sign up before continuing.'] })).toBe(
			'You need to sign in or sign up before continuing.',
		);
		expect(
			platformMessageOf({ message: 'Error occurred', _embedded: { errors: [{ path: 'events', message: 'Invalid events' }, { path: 'url', message: 'Invalid url' }] } }),
		).toBe('Error occurred: Invalid events; Invalid url');
		expect(platformMessageOf('  Retry later\n')).toBe('Retry later');
		expect(platformMessageOf(`<html>${'x'.repeat(400)}</html>`)).toHaveLength(301);
		expect(platformMessageOf({ status: 500 })).toBe('{"status":500}');
		expect(platformMessageOf(null)).toBe('');
		expect(platformMessageOf(undefined)).toBe('');
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
		const ctx = { conversationId: 42, scope, action: 'reading' as const, attempts: 1, retryAt: null };
		expect(chatwoot.failure(res(404, { error: 'Resource could not be found' }), ctx).message).toBe(
			'Chatwoot: conversation 42 not found in account 3 (Chatwoot said: "Resource could not be found")',
		);
		expect(chatwoot.failure(res(401, { errors: ['You need to sign in or sign up before continuing.'] }), ctx).message).toBe(
			'Chatwoot rejected the credential while reading conversation 42 (Chatwoot said: "You need to sign in or sign up before continuing.")',
		);
		expect(chatwoot.failure(res(429, 'Retry later\n'), { ...ctx, attempts: 4 }).message).toBe(
			'Chatwoot kept rate-limiting the node (HTTP 429 after 4 attempts) while reading conversation 42 (Chatwoot said: "Retry later")',
		);
		const waitLonger = chatwoot.failure(res(429, 'Retry later\n'), { ...ctx, retryAt: Date.UTC(2026, 0, 1, 0, 2) });
		expect(waitLonger.message).toBe(
			'Chatwoot rate-limited the node (HTTP 429) while reading conversation 42 (Chatwoot said: "Retry later"). Try again after 2026-01-01T00:02:00.000Z',
		);
		expect(waitLonger.description).toContain('Chatwoot takes requests again after 2026-01-01T00:02:00.000Z (its Retry-After)');
		// A Retry-After beyond any date still gives an error, without a time.
		expect(chatwoot.failure(res(429, ''), { ...ctx, retryAt: 1e17 }).message).toBe('Chatwoot rate-limited the node (HTTP 429) while reading conversation 42');
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
		expect(platformMessageOf(bad.body)).toBe('Error occurred: byUser parameter is required.');
		const ctx = { conversationId: 12, scope, action: 'changing the status of' as const, attempts: 1, retryAt: null };
		expect(freescout.failure(bad, ctx).message).toBe(
			'FreeScout refused the request (HTTP 400) while changing the status of conversation 12 (FreeScout said: "Error occurred: byUser parameter is required.")',
		);
		expect(freescout.failure(res(404, { message: 'Not Found', _embedded: { errors: [] } }), ctx).message).toBe(
			'FreeScout: conversation 12 not found in this FreeScout installation (FreeScout said: "Not Found")',
		);
	});
});

describe('operations', () => {
	function session(responses: Array<ApiResponse | Error>, api = chatwoot, { maxAttempts = 1, timeoutMs = 30_000 } = {}) {
		const sent: ApiRequest[] = [];
		const timeouts: number[] = [];
		let i = 0;
		const { deps } = fakeDeps();
		return {
			sent,
			timeouts,
			session: createSession({
				api,
				scope: { accountId: 1 },
				send: async (request, options) => {
					sent.push(request);
					timeouts.push(options.timeoutMs);
					const response = responses[Math.min(i++, responses.length - 1)];
					if (response instanceof Error) throw response;
					return response;
				},
				retry: { maxAttempts, baseDelayMs: 0, maxDelayMs: 30_000 },
				timeoutMs,
				deps,
			}),
		};
	}
	const conversation5 = 'GET /api/v1/accounts/1/conversations/5';
	const lines = (sent: ApiRequest[]) => sent.map((r) => `${r.method} ${r.path.split('?')[0]}`);

	it('every attempt gets the timeout; one that runs out is retried, and the error says how long and how often', async () => {
		const { sent, timeouts, session: s } = session([timedOut()], chatwoot, { maxAttempts: 3, timeoutMs: 1500 });
		await expect(getStatus(s, 5)).rejects.toMatchObject({
			name: 'ApiCallError',
			message: 'Chatwoot did not answer within 1.5 s after 3 attempts while reading conversation 5',
			description: expect.stringContaining("raise the node's Timeout"),
			statusCode: null,
		});
		expect(lines(sent)).toEqual([conversation5, conversation5, conversation5]);
		expect(timeouts).toEqual([1500, 1500, 1500]);
	});

	it('a Base URL whose host does not resolve fails at once, saying so', async () => {
		const { sent, session: s } = session([unknownHost()], chatwoot, { maxAttempts: 4 });
		await expect(getStatus(s, 5)).rejects.toMatchObject({
			message: 'Could not find Chatwoot while reading conversation 5: the host name of its Base URL does not resolve',
			description: expect.stringMatching(/^getaddrinfo ENOTFOUND chat\.example\.invalid\. Check the Base URL of the Chatwoot credential/),
		});
		expect(sent).toHaveLength(1);
	});

	it('refused on every attempt: the client\'s words and the true number of attempts', async () => {
		const { sent, session: s } = session([refused()], chatwoot, { maxAttempts: 2 });
		await expect(getStatus(s, 5)).rejects.toMatchObject({
			message: 'Could not reach Chatwoot after 2 attempts while reading conversation 5',
			description: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:9\. Check the Base URL/),
		});
		expect(sent).toHaveLength(2);
	});

	it('a Retry-After beyond the longest wait ends the item with the time to try again, after one request', async () => {
		const { sent, session: s } = session([res(429, 'Retry later', { 'retry-after': '3600' }), res(200, {})], chatwoot, {
			maxAttempts: 4,
		});
		await expect(getStatus(s, 5)).rejects.toMatchObject({
			message:
				'Chatwoot rate-limited the node (HTTP 429) while reading conversation 5 (Chatwoot said: "Retry later"). Try again after 2026-01-01T01:00:00.000Z',
			statusCode: 429,
		});
		expect(sent).toHaveLength(1);
	});

	it('FreeScout: a failed lookup of the user to write as is an error with its true attempts; nothing is written', async () => {
		const { sent, session: s } = session(
			[res(200, { id: 7, status: 'pending', mailboxId: 1 }), res(503, 'Service Unavailable')],
			freescout,
			{ maxAttempts: 3 },
		);
		await expect(applyStatus(s, { conversationId: 7, target: 'open' })).rejects.toMatchObject({
			message:
				'FreeScout failed on its side (HTTP 503 after 3 attempts) while looking up who changes are made as (FreeScout said: "Service Unavailable")',
		});
		expect(lines(sent)).toEqual(['GET /api/conversations/7', 'GET /api/users', 'GET /api/users', 'GET /api/users']);
	});

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
