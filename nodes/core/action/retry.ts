/**
 * Retry policy for platform calls: 429, 5xx and connection failures are retried with exponential backoff and
 * jitter, a bounded number of attempts, honouring Retry-After when the platform sends it (Chatwoot's rate limiter
 * sends none). Sleeping, randomness and the clock are injected, so tests never wait.
 */
import type { ApiResponse } from '../http';

export interface RetryPolicy {
	/** Attempts in total, including the first (1 = no retry). */
	maxAttempts: number;
	/** Delay before the second attempt; doubles for each further attempt. */
	baseDelayMs: number;
	/** Upper bound of any single delay, Retry-After included. */
	maxDelayMs: number;
}

export interface RetryDeps {
	sleep(ms: number): Promise<void>;
	/** A number in [0, 1). */
	random(): number;
	/** Milliseconds since epoch, for Retry-After dates. */
	now(): number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30000 };

export function isRetryableStatus(statusCode: number): boolean {
	return statusCode === 429 || (statusCode >= 500 && statusCode <= 599);
}

const CONNECTION_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
]);

const CONNECTION_TEXT = /socket hang up|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|network error|timeout of \d+ms exceeded/i;

/**
 * True for a request that got no HTTP answer. n8n wraps the HTTP client's error (NodeApiError), so the code is
 * looked for on the error and along its `cause` chain, then in the messages.
 */
export function isConnectionError(error: unknown): boolean {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current !== null && typeof current === 'object'; depth++) {
		const e = current as { code?: unknown; message?: unknown; cause?: unknown; httpCode?: unknown };
		if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
		if (typeof e.message === 'string' && CONNECTION_TEXT.test(e.message)) return true;
		current = e.cause;
	}
	return false;
}

/** Retry-After as milliseconds to wait: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
	if (value === undefined) return null;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return null;
	return Math.max(0, date - nowMs);
}

/** Delay before attempt `attempt + 1` (attempt counts from 1): exponential, with "equal jitter" (50-100 %). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: number): number {
	const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
	const capped = Math.min(policy.maxDelayMs, exponential);
	return Math.round(capped / 2 + (capped / 2) * random);
}

export interface RetryOutcome {
	response: ApiResponse;
	attempts: number;
}

/** A connection failure that outlived every attempt. */
export class RetriesExhaustedError extends Error {
	readonly attempts: number;

	readonly lastError: unknown;

	constructor(lastError: unknown, attempts: number) {
		super(lastError instanceof Error ? lastError.message : String(lastError));
		this.name = 'RetriesExhaustedError';
		this.attempts = attempts;
		this.lastError = lastError;
	}
}

/**
 * Sends until the answer is not retryable or the attempts are used up; returns the last response (which may be a
 * 429/5xx: the caller turns it into an error). A connection failure on the last attempt throws
 * RetriesExhaustedError; any other thrown error is rethrown at once.
 */
export async function sendWithRetry(
	send: () => Promise<ApiResponse>,
	policy: RetryPolicy,
	deps: RetryDeps,
): Promise<RetryOutcome> {
	const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
	for (let attempt = 1; ; attempt++) {
		let outcome: { response: ApiResponse; error?: undefined } | { response?: undefined; error: unknown };
		try {
			outcome = { response: await send() };
		} catch (error) {
			outcome = { error };
		}
		let delay: number;
		if (outcome.response) {
			const response = outcome.response;
			if (!isRetryableStatus(response.statusCode) || attempt >= maxAttempts) return { response, attempts: attempt };
			const retryAfter = parseRetryAfter(response.headers['retry-after'], deps.now());
			const backoff = backoffDelay(attempt, policy, deps.random());
			delay = Math.min(policy.maxDelayMs, retryAfter === null ? backoff : Math.max(retryAfter, backoff));
		} else {
			if (!isConnectionError(outcome.error)) throw outcome.error;
			if (attempt >= maxAttempts) throw new RetriesExhaustedError(outcome.error, attempt);
			delay = backoffDelay(attempt, policy, deps.random());
		}
		await deps.sleep(delay);
	}
}
