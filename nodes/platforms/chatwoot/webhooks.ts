/**
 * Chatwoot account webhooks: POST/GET /api/v1/accounts/{account}/webhooks, PATCH/DELETE .../webhooks/{id}.
 * Facts: every call needs an administrator's token (agents get 401); bodies are wrapped in payload.webhook(s);
 * the URL is unique per account (422 "Url has already been taken"); Chatwoot generates each webhook's secret
 * (>= 4.11.2) and returns it on create, list and update; there is no GET of one webhook, so checking lists them.
 */
import { platformMessageOf, type ApiRequest, type ApiResponse } from '../../core/http';
import { list, record, text } from '../../core/json';
import {
	idOf,
	isSuccess,
	registrationFailure,
	sameEvents,
	type ApiFailure,
	type CheckOutcome,
	type CreateOutcome,
	type DeleteOutcome,
	type FindOutcome,
	type RegisteredWebhook,
	type RegistrationContext,
	type UpdateOutcome,
	type WebhookRegistration,
} from '../../core/trigger/webhook-registration';

/**
 * conversation_updated carries every status change (its diff, or the auto-assignment that hides one);
 * conversation_status_changed always comes with it and adds nothing; conversation_created only for new conversations.
 */
function eventsFor(needs: { newConversations: boolean }): string[] {
	return needs.newConversations ? ['conversation_created', 'conversation_updated'] : ['conversation_updated'];
}

function webhooksPath(context: RegistrationContext): string {
	return `/api/v1/accounts/${context.accountId ?? 0}/webhooks`;
}

function webhookOf(value: unknown): RegisteredWebhook | null {
	const webhook = record(value);
	const id = idOf(webhook?.id);
	if (webhook === null || id === null) return null;
	return { id, secret: text(webhook.secret) };
}

/** The webhook object of a create/update answer: {payload: {webhook}}, tolerating {webhook} and a bare object. */
function answeredWebhook(body: unknown): RegisteredWebhook | null {
	const root = record(body);
	const payload = record(root?.payload);
	return webhookOf(record(payload?.webhook) ?? record(root?.webhook) ?? payload ?? root);
}

/** The list answer: {payload: {webhooks: [...]}}; the swagger's bare array and {payload: [...]} are accepted too. */
function listedWebhooks(body: unknown): Array<Record<string, unknown>> | null {
	if (Array.isArray(body)) return body.map(record).filter(isRecord);
	const payload = record(body)?.payload;
	if (Array.isArray(payload)) return payload.map(record).filter(isRecord);
	const webhooks = record(payload)?.webhooks;
	return Array.isArray(webhooks) ? list(webhooks).map(record).filter(isRecord) : null;
}

function isRecord(value: Record<string, unknown> | null): value is Record<string, unknown> {
	return value !== null;
}

/** What to fix for a 401, by Chatwoot's words: every refusal (unknown token, other account, not an administrator) is a 401. */
function unauthorizedHint(response: ApiResponse, context: RegistrationContext): string {
	const said = platformMessageOf(response.body);
	const account = context.accountId ?? '?';
	if (/invalid access token/i.test(said)) {
		return "Chatwoot does not know the credential's access token. Copy it again from Chatwoot's Profile Settings → Access Token.";
	}
	if (/not authorized to access this account/i.test(said)) {
		return `The token's user is not a member of account ${account}. Check the Account ID in the credential: the number after /app/accounts/ in Chatwoot's address bar.`;
	}
	if (/sign in or sign up/i.test(said)) {
		return "Chatwoot received no access token: the credential's Access Token is empty, or a proxy in front of Chatwoot removes the Api-Access-Token header.";
	}
	return (
		`Managing webhooks needs an administrator's access token for account ${account}. ` +
		"An agent's or bot's token is refused. Use an administrator's token (Profile Settings → Access Token) " +
		'in the credential, or turn off "Register Webhook Automatically" and create the webhook by hand.'
	);
}

function failure(response: ApiResponse, action: string, context: RegistrationContext): ApiFailure {
	let description: string;
	switch (response.statusCode) {
		case 401:
			description = unauthorizedHint(response, context);
			break;
		case 404:
			description = `Check the Base URL and the Account ID (${context.accountId ?? '?'}) in the credential.`;
			break;
		case 422:
			description = 'Chatwoot rejected the webhook. Check that the webhook URL is an http(s) URL.';
			break;
		case 429:
			description = 'Chatwoot is rate limiting this client. Try again in a minute.';
			break;
		default:
			description = 'Check that Chatwoot is reachable at the credential\'s Base URL and working.';
	}
	return registrationFailure('Chatwoot', response, action, description);
}

export const webhookRegistration: WebhookRegistration = {
	platform: 'chatwoot',
	eventsFor,

	createRequest: (context): ApiRequest => ({
		method: 'POST',
		path: webhooksPath(context),
		body: { url: context.url, subscriptions: context.events, name: context.name },
	}),

	readCreated: (response, context): CreateOutcome => {
		if (response.statusCode === 422 && /already been taken/i.test(platformMessageOf(response.body))) {
			return { kind: 'conflict' };
		}
		if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'create the webhook', context) };
		const webhook = answeredWebhook(response.body);
		if (webhook === null) {
			return {
				kind: 'failed',
				failure: {
					message: 'Chatwoot answered the webhook creation without a webhook id',
					description: 'Check that the Base URL points at Chatwoot itself, not at a proxy page.',
					httpCode: String(response.statusCode),
				},
			};
		}
		return { kind: 'created', webhook };
	},

	checkRequest: (_stored, context): ApiRequest => ({ method: 'GET', path: webhooksPath(context) }),

	readCheck: (response, stored, context): CheckOutcome => {
		if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'list its webhooks', context) };
		const webhooks = listedWebhooks(response.body);
		if (webhooks === null) {
			return {
				kind: 'failed',
				failure: {
					message: 'Chatwoot answered the webhook list in an unknown shape',
					description: 'Check that the Base URL points at Chatwoot itself.',
					httpCode: String(response.statusCode),
				},
			};
		}
		const own = webhooks.find((webhook) => idOf(webhook.id) === stored.id);
		if (own === undefined) return { kind: 'gone', reason: `webhook ${stored.id} no longer exists in Chatwoot` };
		if (text(own.url) !== context.url) {
			return { kind: 'gone', reason: `webhook ${stored.id} now points at ${text(own.url) ?? 'nothing'}` };
		}
		if (!sameEvents(own.subscriptions, context.events)) {
			return { kind: 'outdated', reason: `webhook ${stored.id} is not subscribed to exactly ${context.events.join(', ')}` };
		}
		return { kind: 'exists', secret: text(own.secret) };
	},

	update: {
		request: (id, context): ApiRequest => ({
			method: 'PATCH',
			path: `${webhooksPath(context)}/${encodeURIComponent(id)}`,
			body: { url: context.url, subscriptions: context.events },
		}),
		read: (response, context): UpdateOutcome => {
			if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'update the webhook', context) };
			const webhook = answeredWebhook(response.body);
			return webhook === null
				? {
						kind: 'failed',
						failure: {
							message: 'Chatwoot answered the webhook update without a webhook id',
							description: 'Check that the Base URL points at Chatwoot itself.',
							httpCode: String(response.statusCode),
						},
					}
				: { kind: 'updated', webhook };
		},
	},

	adopt: {
		listRequest: (context): ApiRequest => ({ method: 'GET', path: webhooksPath(context) }),
		findByUrl: (response, context): FindOutcome => {
			if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'list its webhooks', context) };
			const match = (listedWebhooks(response.body) ?? []).find((webhook) => text(webhook.url) === context.url);
			const webhook = match === undefined ? null : webhookOf(match);
			return webhook === null ? { kind: 'missing' } : { kind: 'found', webhook };
		},
	},

	deleteRequest: (stored, context): ApiRequest => ({
		method: 'DELETE',
		path: `${webhooksPath(context)}/${encodeURIComponent(stored.id)}`,
	}),

	readDeleted: (response, context): DeleteOutcome => {
		if (isSuccess(response)) return { kind: 'deleted' };
		if (response.statusCode === 404) return { kind: 'gone' };
		return { kind: 'failed', failure: failure(response, 'delete the webhook', context) };
	},
};
