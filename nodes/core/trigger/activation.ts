/**
 * How the trigger's webhook registration fails inside n8n's activation. n8n 2.x (workflow publication service)
 * tries to activate a trigger up to 5 times, 1, 2, 4 and 8 s apart, calling checkExists and create again each time
 * on the same workflow object, and counts every error as transient. Left alone, a wrong token is sent to the
 * platform 5 times, the URL warning is logged 5 times, and a platform that never answers holds each attempt for
 * n8n's default HTTP timeout (5 minutes). So registration calls get a short timeout, and a failure that the next
 * attempt a few seconds later cannot change is remembered for the rest of that activation and thrown again at once.
 * n8n's own pauses between its attempts (15 s in all) are outside the node's reach.
 */
import type { ConnectionFailure, ConnectionFailureKind } from '../connection';
import { connectionHint, secondsText } from '../connection';
import type { ApiRequest } from '../http';

/** Registration calls (and the delete on deactivation) wait at most this long for the platform's answer. */
export const REGISTRATION_TIMEOUT_MS = 5000;

/**
 * Whether n8n's next activation attempt, seconds later, could get another answer: a rate limit, an error inside
 * the platform, a platform that is (re)starting. A rejected credential, a wrong URL or account (4xx), a host name
 * that does not resolve and a platform that accepts the connection but does not answer will not change that fast.
 */
export function mayHealOnRetry(cause: { statusCode: number } | { kind: ConnectionFailureKind }): boolean {
	if ('kind' in cause) return cause.kind === 'unreachable';
	return cause.statusCode === 408 || cause.statusCode === 429 || cause.statusCode >= 500;
}

/** The error of a registration call that got no HTTP answer; the client's words stay out of the message (n8n rewords messages that name an error code). */
export function unansweredFailure(
	displayName: string,
	baseUrl: string | null,
	request: ApiRequest,
	failure: ConnectionFailure,
): { message: string; description: string } {
	const where = `${displayName} at ${baseUrl ?? '(no Base URL)'}`;
	const call = `${request.method} ${request.path}`;
	const hint = connectionHint(failure, displayName);
	switch (failure.kind) {
		case 'timeout': {
			const limit = secondsText(REGISTRATION_TIMEOUT_MS);
			return { message: `${where} did not answer within ${limit}`, description: `${call} got no answer within ${limit}. ${hint}` };
		}
		case 'unknown_host':
			return {
				message: `Could not find ${where}: the host name does not resolve`,
				description: `${call}: ${failure.detail}. ${hint}`,
			};
		case 'unreachable':
			return { message: `Could not reach ${where}`, description: `${call} got no answer (${failure.detail}). ${hint}` };
	}
}

/**
 * What the trigger remembers across n8n's attempts of one activation, keyed by the node's static data object: n8n
 * keeps that object for all attempts of one activation (its cleanup between attempts included) and loads a fresh
 * copy from its database for every publish, so the next publish (after fixing the token, say) starts clean. Held
 * weakly: nothing outlives the activation.
 */
export class ActivationMemory<Failure> {
	private readonly activations = new WeakMap<object, { failure: Failure | null; said: Set<string> }>();

	private of(activation: object): { failure: Failure | null; said: Set<string> } {
		let entry = this.activations.get(activation);
		if (entry === undefined) {
			entry = { failure: null, said: new Set() };
			this.activations.set(activation, entry);
		}
		return entry;
	}

	/** The failure an earlier attempt of this activation ended with and another attempt cannot change; else null. */
	lastingFailure(activation: object): Failure | null {
		return this.of(activation).failure;
	}

	rememberLastingFailure(activation: object, failure: Failure): void {
		this.of(activation).failure = failure;
	}

	/** True the first time `topic` comes up in this activation only: one log line per activation, not per attempt. */
	firstTime(activation: object, topic: string): boolean {
		const { said } = this.of(activation);
		if (said.has(topic)) return false;
		said.add(topic);
		return true;
	}
}
