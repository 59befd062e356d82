/**
 * A platform call that got no HTTP answer, read from whatever n8n's HTTP helper threw. n8n wraps the client's
 * error (NodeApiError, with its own wording for known codes), so the code and the client's words are looked for
 * along the `cause` chain; what the nodes need is only which of three things happened and the client's words.
 */

export type ConnectionFailureKind =
	/** No answer within the timeout: the platform is hung, overloaded or behind a firewall that drops packets. */
	| 'timeout'
	/** The host name of the Base URL does not resolve: a wrong URL, which no retry fixes. */
	| 'unknown_host'
	/** Refused, reset or unreachable: the platform is down or restarting. */
	| 'unreachable';

export interface ConnectionFailure {
	kind: ConnectionFailureKind;
	/** The HTTP client's own words, e.g. "connect ECONNREFUSED 127.0.0.1:9". */
	detail: string;
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

const UNREACHABLE_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ECONNABORTED',
	'EPIPE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

/** axios reports its own timeout as ECONNABORTED with this message. */
const TIMEOUT_TEXT = /timeout of \d+ms exceeded/i;

const UNREACHABLE_TEXT = /socket hang up|ECONNREFUSED|ECONNRESET|EAI_AGAIN|network error/i;

/** The kind of connection failure `error` is, or null when it is something else (a bug, a cancelled execution). */
export function connectionFailureOf(error: unknown): ConnectionFailure | null {
	const codes: string[] = [];
	const messages: string[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
		const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
		if (typeof code === 'string') codes.push(code);
		if (typeof message === 'string') messages.push(message);
		current = cause;
	}
	// The innermost message is the client's; the outer ones are n8n's rewording of it.
	const detail = messages[messages.length - 1] ?? String(error);
	if (codes.some((code) => TIMEOUT_CODES.has(code)) || messages.some((message) => TIMEOUT_TEXT.test(message))) {
		return { kind: 'timeout', detail };
	}
	if (codes.includes('ENOTFOUND') || messages.some((message) => /\bENOTFOUND\b/.test(message))) {
		return { kind: 'unknown_host', detail };
	}
	if (codes.some((code) => UNREACHABLE_CODES.has(code)) || messages.some((message) => UNREACHABLE_TEXT.test(message))) {
		return { kind: 'unreachable', detail };
	}
	return null;
}

/** "30 s", "0.5 s". */
export function secondsText(ms: number): string {
	return `${ms / 1000} s`;
}

/** What to check after a connection failure, for the error's description. */
export function connectionHint(failure: ConnectionFailure, displayName: string): string {
	switch (failure.kind) {
		case 'timeout':
			return `Check that ${displayName} is running and answering at the credential's Base URL.`;
		case 'unknown_host':
			return `Check the Base URL of the ${displayName} credential: its host name is misspelled or unknown to n8n's DNS.`;
		case 'unreachable':
			return `Check the Base URL of the ${displayName} credential and that ${displayName} is reachable from n8n.`;
	}
}
