/**
 * FreeScout API & Webhooks module: POST /api/webhooks {url, events} -> 201 with the id in the Resource-ID header
 * (and the body), DELETE /api/webhooks/{id} -> 204, or 404 when it is gone. Up to module 1.0.87 there is no list
 * route (GET answers 405) and no update route, URLs never conflict, and the signing secret is one global
 * "Secret Key" shown in the module's settings, so it comes from the credential.
 */
import type { ApiRequest, ApiResponse } from '../../core/http';
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
	type WebhookRegistration,
} from '../../core/trigger/webhook-registration';
import { FREESCOUT_STATUS_EVENTS } from './parse';

/** Every event that can change a status (a customer reply and an API reply or note fire no convo.status). */
function eventsFor(needs: { newConversations: boolean }): string[] {
	return FREESCOUT_STATUS_EVENTS.filter((event) => needs.newConversations || event !== 'convo.created');
}

const WEBHOOKS_PATH = '/api/webhooks';

function failure(response: ApiResponse, action: string): ApiFailure {
	let description: string;
	switch (response.statusCode) {
		case 401:
			description =
				'FreeScout refused the API key. Copy it again from Manage → Settings → API & Webhooks into the credential.';
			break;
		case 404:
		case 405:
			description =
				'Check the Base URL (with FreeScout\'s sub-folder, if any) and that the paid "API & Webhooks" module is ' +
				'installed and active.';
			break;
		case 400:
			description = 'FreeScout rejected the webhook. Check that the webhook URL is a valid URL.';
			break;
		default:
			description = "Check that FreeScout is reachable at the credential's Base URL and working.";
	}
	return registrationFailure('FreeScout', response, action, description);
}

/** A list answer, should a module version ever offer one: a bare array or {_embedded: {webhooks: [...]}}. */
function listedWebhooks(body: unknown): Array<Record<string, unknown>> | null {
	const items = Array.isArray(body) ? body : record(record(body)?._embedded)?.webhooks;
	if (!Array.isArray(items)) return null;
	return list(items)
		.map(record)
		.filter((item): item is Record<string, unknown> => item !== null);
}

export const webhookRegistration: WebhookRegistration = {
	platform: 'freescout',
	eventsFor,

	createRequest: (context): ApiRequest => ({
		method: 'POST',
		path: WEBHOOKS_PATH,
		body: { url: context.url, events: context.events },
	}),

	readCreated: (response): CreateOutcome => {
		if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'create the webhook') };
		const id = idOf(response.headers['resource-id']) ?? idOf(record(response.body)?.id);
		if (id === null) {
			return {
				kind: 'failed',
				failure: {
					message: 'FreeScout answered the webhook creation without a webhook id',
					description:
						'Check the Base URL (with the sub-folder, if any) and that the "API & Webhooks" module is active.',
					httpCode: String(response.statusCode),
				},
			};
		}
		return { kind: 'created', webhook: { id, secret: null } };
	},

	checkRequest: (): ApiRequest => ({ method: 'GET', path: WEBHOOKS_PATH }),

	readCheck: (response, stored, context): CheckOutcome => {
		if (response.statusCode === 404 || response.statusCode === 405) {
			return { kind: 'unknown', reason: `FreeScout cannot list webhooks (HTTP ${response.statusCode})` };
		}
		if (!isSuccess(response)) return { kind: 'failed', failure: failure(response, 'list its webhooks') };
		const webhooks = listedWebhooks(response.body);
		if (webhooks === null) return { kind: 'unknown', reason: 'FreeScout answered the webhook list in an unknown shape' };
		const own = webhooks.find((webhook) => idOf(webhook.id) === stored.id);
		if (own === undefined) return { kind: 'gone', reason: `webhook ${stored.id} no longer exists in FreeScout` };
		if (text(own.url) !== null && text(own.url) !== context.url) {
			return { kind: 'gone', reason: `webhook ${stored.id} now points at ${text(own.url) ?? 'nothing'}` };
		}
		if (own.events !== undefined && !sameEvents(own.events, context.events)) {
			return { kind: 'outdated', reason: `webhook ${stored.id} is not subscribed to exactly ${context.events.join(', ')}` };
		}
		return { kind: 'exists', secret: null };
	},

	update: null,
	adopt: null,

	deleteRequest: (stored): ApiRequest => ({
		method: 'DELETE',
		path: `${WEBHOOKS_PATH}/${encodeURIComponent(stored.id)}`,
	}),

	readDeleted: (response): DeleteOutcome => {
		if (isSuccess(response)) return { kind: 'deleted' };
		if (response.statusCode === 404) return { kind: 'gone' };
		return { kind: 'failed', failure: failure(response, 'delete the webhook') };
	},
};
