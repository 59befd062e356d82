/**
 * Error text shared by every platform: the message / hint for an HTTP failure (401: the credential; 404: the
 * conversation; 429 / 5xx: after N attempts, and when to try again if the platform said), quoting what the platform
 * said; and for a request that got no answer (timeout, unknown host, unreachable).
 */
import type { Action, FailureContext } from './conversation-api';
import { ApiCallError } from './conversation-api';
import { connectionHint, secondsText, type ConnectionFailure } from '../connection';
import { platformMessageOf, type ApiResponse } from '../http';
import type { Platform } from '../types';

export interface FailureTexts {
	platform: Platform;
	displayName: string;
	/** Where the conversation was looked for, e.g. "account 1". */
	scopeText: string;
	/** How the credential is called in the UI, for the 401 hint. */
	credentialHint: string;
	/** What the conversation id is, for the 404 hint. */
	conversationIdHint: string;
}

export function buildFailure(texts: FailureTexts, response: ApiResponse, context: FailureContext): ApiCallError {
	const code = response.statusCode;
	const platformMessage = platformMessageOf(response.body);
	const said = platformMessage === '' ? '' : ` (${texts.displayName} said: "${platformMessage}")`;
	const subject = context.conversationId === null ? '' : ` conversation ${context.conversationId}`;
	const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
	// The platform said when it takes requests again (Retry-After): say it, instead of a vague "try again later".
	const retryDate = new Date(context.retryAt ?? Number.NaN);
	const retryAt = Number.isNaN(retryDate.getTime()) ? '' : retryDate.toISOString();
	let message: string;
	let description: string;
	if (code === 401 || code === 403) {
		message = `${texts.displayName} rejected the credential while ${context.action}${subject}${said}`;
		description = texts.credentialHint;
	} else if (code === 404 && context.conversationId !== null) {
		message = `${texts.displayName}: conversation ${context.conversationId} not found in ${texts.scopeText}${said}`;
		description = texts.conversationIdHint;
	} else if (code === 404) {
		message = `${texts.displayName}: not found while ${context.action}${said}`;
		description = `Check the Base URL of the ${texts.displayName} credential.`;
	} else if (code === 429) {
		const limited = context.attempts > 1 ? 'kept rate-limiting' : 'rate-limited';
		message = `${texts.displayName} ${limited} the node (HTTP 429${tries}) while ${context.action}${subject}${said}`;
		description =
			retryAt === ''
				? `Lower the node's Concurrency, raise Max Attempts, or ask the ${texts.displayName} administrator about its rate limits.`
				: `${texts.displayName} takes requests again after ${retryAt} (its Retry-After): run the item again then. Lower the node's Concurrency, or ask the ${texts.displayName} administrator about its rate limits.`;
	} else if (code >= 500) {
		message = `${texts.displayName} failed on its side (HTTP ${code}${tries}) while ${context.action}${subject}${said}`;
		description =
			retryAt === ''
				? `This is an error inside ${texts.displayName}, not in the workflow. Check its logs and try again later; Max Attempts controls how often the node retries.`
				: `This is an error inside ${texts.displayName}, not in the workflow. It takes requests again after ${retryAt} (its Retry-After): run the item again then.`;
	} else {
		message = `${texts.displayName} refused the request (HTTP ${code}) while ${context.action}${subject}${said}`;
		description = `Check the node's parameters against what ${texts.displayName} expects.`;
	}
	if (retryAt !== '') message = `${message}. Try again after ${retryAt}`;
	return new ApiCallError({ platform: texts.platform, message, statusCode: code, platformMessage, description });
}

/** The ApiCallError for a 2xx answer the node cannot use (a proxy page, a refused change), quoting what it says. */
export function unusableAnswer(platform: Platform, response: ApiResponse, message: string, description: string): ApiCallError {
	return new ApiCallError({ platform, message, statusCode: response.statusCode, platformMessage: platformMessageOf(response.body), description });
}

/**
 * The ApiCallError for a request that got no HTTP answer at all: after retries, or at once for an unknown host. The
 * client's words go to the description: n8n replaces a message that names an error code (ECONNREFUSED...) by its own
 * generic text.
 */
export function connectionFailure(
	platform: Platform,
	displayName: string,
	failure: ConnectionFailure,
	context: { conversationId: number | null; action: Action; attempts: number; timeoutMs: number },
): ApiCallError {
	const subject = context.conversationId === null ? '' : ` conversation ${context.conversationId}`;
	const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
	const hint = connectionHint(failure, displayName);
	let message: string;
	let description: string;
	switch (failure.kind) {
		case 'timeout':
			message = `${displayName} did not answer within ${secondsText(context.timeoutMs)}${tries} while ${context.action}${subject}`;
			description = `${hint} If it is only slow, raise the node's Timeout; Max Attempts controls how often the node retries.`;
			break;
		case 'unknown_host':
			message = `Could not find ${displayName} while ${context.action}${subject}: the host name of its Base URL does not resolve`;
			description = `${failure.detail}. ${hint} Not retried: another attempt would not find it either.`;
			break;
		case 'unreachable':
			message = `Could not reach ${displayName}${tries} while ${context.action}${subject}`;
			description = `${failure.detail}. ${hint}`;
			break;
	}
	return new ApiCallError({ platform, message, statusCode: null, platformMessage: '', description });
}
