/**
 * Error text shared by every platform: the message / hint for an HTTP failure (401: the credential; 404: the
 * conversation; 429 / 5xx: after N attempts), quoting what the platform said.
 */
import type { Action, ApiScope } from './conversation-api';
import { ApiCallError } from './conversation-api';
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

export function buildFailure(
	texts: FailureTexts,
	response: ApiResponse,
	context: { conversationId: number | null; scope: ApiScope; action: Action; attempts: number },
): ApiCallError {
	const code = response.statusCode;
	const platformMessage = platformMessageOf(response.body);
	const said = platformMessage === '' ? '' : ` (${texts.displayName} said: "${platformMessage}")`;
	const subject = context.conversationId === null ? '' : ` conversation ${context.conversationId}`;
	const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
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
		message = `${texts.displayName} kept rate-limiting the node (HTTP 429${tries}) while ${context.action}${subject}${said}`;
		description = `Lower the node's Concurrency, raise Max Attempts, or ask the ${texts.displayName} administrator about its rate limits.`;
	} else if (code >= 500) {
		message = `${texts.displayName} failed on its side (HTTP ${code}${tries}) while ${context.action}${subject}${said}`;
		description = `This is an error inside ${texts.displayName}, not in the workflow. Check its logs and try again later; Max Attempts controls how often the node retries.`;
	} else {
		message = `${texts.displayName} refused the request (HTTP ${code}) while ${context.action}${subject}${said}`;
		description = `Check the node's parameters against what ${texts.displayName} expects.`;
	}
	return new ApiCallError({ platform: texts.platform, message, statusCode: code, platformMessage, description });
}

/** The ApiCallError for a request that got no HTTP answer at all, after retries. */
export function connectionFailure(
	platform: Platform,
	displayName: string,
	error: unknown,
	context: { conversationId: number | null; action: Action; attempts: number },
): ApiCallError {
	const detail = error instanceof Error ? error.message : String(error);
	const subject = context.conversationId === null ? '' : ` conversation ${context.conversationId}`;
	const tries = context.attempts > 1 ? ` after ${context.attempts} attempts` : '';
	return new ApiCallError({
		platform,
		message: `Could not reach ${displayName}${tries} while ${context.action}${subject}: ${detail}`,
		statusCode: null,
		platformMessage: '',
		description: `Check the Base URL of the ${displayName} credential and that ${displayName} is reachable from n8n.`,
	});
}
