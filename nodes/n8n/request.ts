/**
 * The only place that talks HTTP: sends a pure ApiRequest through n8n's httpRequestWithAuthentication with the
 * platform's credential and returns the full response, error statuses included, for the pure layer to read.
 * Connection failures (no HTTP answer at all, or none within the timeout) are thrown as they are, for the caller's
 * retry policy (core/connection.ts reads them). Every call has a timeout: n8n's helper would wait 5 minutes.
 */
import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import type { ApiRequest, ApiResponse } from '../core/http';
import type { PlatformModule, PlatformSettings } from '../core/platform';

type Context = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/** The platform's credential, read into the settings the core understands. */
export async function platformSettings(this: Context, platform: PlatformModule): Promise<PlatformSettings> {
	return platform.readSettings(await this.getCredentials(platform.credentialType));
}

export async function sendApiRequest(
	this: Context,
	platform: PlatformModule,
	request: ApiRequest,
	{ timeoutMs }: { timeoutMs: number },
): Promise<ApiResponse> {
	const credentials = await this.getCredentials(platform.credentialType);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${platform.readSettings(credentials).baseUrl ?? ''}${request.path}`,
		qs: request.qs,
		body: request.body as IHttpRequestOptions['body'],
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		skipSslCertificateValidation: credentials.ignoreSslIssues === true,
		timeout: timeoutMs,
	};
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, platform.credentialType, options)) as {
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
