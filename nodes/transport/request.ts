/**
 * The only place that talks HTTP: sends a pure ApiRequest through n8n's httpRequestWithAuthentication with the
 * platform's credential and returns the full response, error statuses included, for the pure layer to read.
 * Connection failures (no HTTP answer at all) are thrown as they are, for the caller's retry policy.
 */
import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { ApiRequest, ApiResponse } from '../shared/http';
import type { Platform } from '../shared/types';

type Context = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export const CREDENTIAL_TYPES: Record<Platform, string> = {
	chatwoot: 'chatwootApi',
	freescout: 'freeScoutApi',
};

export function trimBaseUrl(baseUrl: unknown): string {
	return String(baseUrl ?? '').replace(/\/+$/, '');
}

export async function sendApiRequest(this: Context, platform: Platform, request: ApiRequest): Promise<ApiResponse> {
	const credentialType = CREDENTIAL_TYPES[platform];
	const credentials = await this.getCredentials(credentialType);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${trimBaseUrl(credentials.baseUrl)}${request.path}`,
		qs: request.qs,
		body: request.body as IHttpRequestOptions['body'],
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: credentials.ignoreSslIssues === true,
	};
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, options)) as {
		statusCode: number;
		headers: Record<string, string | string[] | undefined>;
		body: unknown;
	};
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(response.headers ?? {})) {
		if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return { statusCode: response.statusCode, headers, body: response.body };
}
