/**
 * Platform API calls described as plain data, so request building and response reading stay pure and testable;
 * the nodes send them through n8n's authenticated HTTP helper (nodes/n8n/request.ts).
 */
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

/** A base URL as requests are built from it: trimmed, without trailing slashes; null when empty. */
export function baseUrlOf(value: unknown): string | null {
	const url = typeof value === 'string' ? value.trim().replace(/\/+$/, '') : '';
	return url === '' ? null : url;
}
