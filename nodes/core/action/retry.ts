/**
 * Retry policy for platform calls: 429, 5xx, timeouts and connection failures are retried with exponential backoff
 * and jitter, a bounded number of attempts, honouring Retry-After when the platform sends it (Chatwoot's rate limiter
 * sends none). Not retried: a host name that does not resolve (a wrong Base URL), and a Retry-After longer than the
 * longest wait (the platform would refuse an earlier retry; the caller says when to try again instead).
 * Sleeping, randomness and the clock are injected, so tests never wait.
 */
import { connectionFailureOf, type ConnectionFailure } from '../connection';
import type { ApiResponse } from '../http';

export interface RetryPolicy {
	/** Attempts in total, including the first (1 = no retry). */
	maxAttempts: number;
	/** Delay before the second attempt; doubles for each further attempt. */
	baseDelayMs: number;
	/** Upper bound of any single delay; a longer Retry-After ends the retries (RetryOutcome.retryAt says until when). */
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
	/**
	 * For a final 429 / 5xx that sent Retry-After: when the platform allows the next request (ms since epoch);
	 * else null. Set whether the attempts ran out or the wait was longer than the policy's longest.
	 */
	retryAt: number | null;
}

/** A request that got no HTTP answer: after the last attempt, or at once where retrying cannot help. */
export class ConnectionFailedError extends Error {
	readonly failure: ConnectionFailure;

	readonly attempts: number;

	constructor(failure: ConnectionFailure, attempts: number) {
		super(failure.detail);
		this.name = 'ConnectionFailedError';
		this.failure = failure;
		this.attempts = attempts;
	}
}

/**
 * Sends until the answer is not retryable or the attempts are used up; returns the last response (which may be a
 * 429/5xx: the caller turns it into an error). A connection failure on the last attempt, or a host name that does
 * not resolve, throws ConnectionFailedError; any other thrown error is rethrown at once.
 */
export async function sendWithRetry(
	send: () => Promise<ApiResponse>,
	policy: RetryPolicy,
	deps: RetryDeps,
): Promise<RetryOutcome> {
	const maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
	for (let attempt = 1; ; attempt++) {
		const outcome = await send().then(
			(response) => ({ response, error: null }),
			(error: unknown) => ({ response: null, error }),
		);
		const { response } = outcome;
		if (response === null) {
			const failure = connectionFailureOf(outcome.error);
			if (failure === null) throw outcome.error;
			if (failure.kind === 'unknown_host' || attempt >= maxAttempts) throw new ConnectionFailedError(failure, attempt);
			await deps.sleep(backoffDelay(attempt, policy, deps.random()));
			continue;
		}
		if (!isRetryableStatus(response.statusCode)) return { response, attempts: attempt, retryAt: null };
		const now = deps.now();
		const retryAfter = parseRetryAfter(response.headers['retry-after'], now);
		const retryAt = retryAfter === null ? null : now + retryAfter;
		if (attempt >= maxAttempts || (retryAfter !== null && retryAfter > policy.maxDelayMs)) {
			return { response, attempts: attempt, retryAt };
		}
		// Both are within maxDelayMs here: backoff is capped, a longer Retry-After returned above.
		await deps.sleep(Math.max(retryAfter ?? 0, backoffDelay(attempt, policy, deps.random())));
	}
}
