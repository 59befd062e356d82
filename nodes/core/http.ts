/**
 * Platform API calls described as plain data, so request building and response reading stay pure and testable;
 * the nodes send them through n8n's authenticated HTTP helper (nodes/n8n/request.ts).
 */
import { record, recordOrEmpty, text } from './json';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
	method: HttpMethod;
	/** Path below the credential's base URL, starting with "/". */
	path: string;
	qs?: Record<string, string | number>;
	body?: unknown;
}

export interface ApiResponse {
	statusCode: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	body: unknown;
}

/** How long a platform call may wait for its answer unless the caller has a reason for another limit. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Sends one request (the nodes: nodes/n8n/request.ts); resolves with any HTTP answer, error statuses included, and
 * rejects when there is none (connection failure, no answer within timeoutMs).
 */
export type Send = (request: ApiRequest, options: { timeoutMs: number }) => Promise<ApiResponse>;

const MAX_MESSAGE = 300;

function clip(text: string): string {
	const trimmed = text.trim();
	return trimmed.length > MAX_MESSAGE ? `${trimmed.slice(0, MAX_MESSAGE)}…` : trimmed;
}

/** The texts of an error list: plain strings or objects with a message (Rails and FreeScout shapes). */
function errorMessages(errors: unknown): string[] {
	if (!Array.isArray(errors)) return [];
	return errors
		.map((error) => (typeof error === 'string' ? error : text(record(error)?.message)))
		.filter((message): message is string => message !== null && message.trim() !== '');
}

/**
 * What the platform said in an error body, whatever its shape, for messages that quote it: the body's `error` /
 * `message`, followed by the entries of `errors` or FreeScout's `_embedded.errors`
 * ("Error occurred: byUser parameter is required."); a text body as it is; '' when there is nothing to quote.
 */
export function platformMessageOf(body: unknown): string {
	if (body === null || body === undefined) return '';
	if (typeof body !== 'object') return clip(String(body));
	const fields = recordOrEmpty(body);
	const headline = [text(fields.error), text(fields.message)].filter((part): part is string => part !== null && part.trim() !== '');
	const details = [...errorMessages(fields.errors), ...errorMessages(record(fields._embedded)?.errors)];
	if (headline.length > 0) {
		return clip(details.length > 0 ? `${headline.join('; ')}: ${details.join('; ')}` : headline.join('; '));
	}
	return clip(details.length > 0 ? details.join('; ') : JSON.stringify(body));
}

/** A base URL as requests are built from it: trimmed, without trailing slashes; null when empty. */
export function baseUrlOf(value: unknown): string | null {
	const url = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
	return url === '' ? null : url;
}
