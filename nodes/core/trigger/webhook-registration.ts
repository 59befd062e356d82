/**
 * How the trigger registers its webhook on a platform, as pure request builders and response readers: the node
 * sends the requests and follows the outcomes, so every platform decision is unit-testable without n8n.
 * Each platform folder exports one WebhookRegistration from its webhooks.ts; a third platform is one more folder.
 *
 * The node's lifecycle with these pieces:
 * - checkExists: nothing stored -> create. Else send checkRequest and follow readCheck: exists (keep, maybe with a
 *   refreshed secret), gone (forget, create again), unknown (the platform cannot tell: trust the stored id, unless
 *   it was registered for other events), outdated (send update, then keep; re-create where there is no update).
 * - create: send createRequest; readCreated gives the webhook, or a conflict (the URL is already registered), which
 *   is adopted: list, find by URL, update its subscriptions, keep its id and secret.
 * - delete: send deleteRequest; readDeleted says deleted, already gone, or failed (logged, never swallowed).
 */
import { platformMessageOf, type ApiRequest, type ApiResponse } from '../http';
import type { Platform } from '../types';

export interface RegistrationContext {
	/** The n8n URL the platform delivers to. */
	url: string;
	/** The platform events the webhook must deliver (see WebhookRegistration.eventsFor). */
	events: string[];
	/** The account of the credential, for platforms whose API paths include one (Chatwoot); else null. */
	accountId: number | null;
	/** A label for the webhook where the platform shows one. */
	name: string;
}

/** A webhook the platform knows, as far as the trigger needs it. */
export interface RegisteredWebhook {
	id: string;
	/** The secret the platform generated for this webhook; null where the secret is global (the credential's). */
	secret: string | null;
}

/** What the trigger keeps in node static data about the webhook it registered. */
export interface StoredWebhook extends RegisteredWebhook {
	url: string;
	/** The events it was registered for; null when registered by a release that did not record them. */
	events: string[] | null;
}

/** A failed API call, ready for NodeApiError: what went wrong and what to check. */
export interface ApiFailure {
	message: string;
	description: string;
	httpCode: string;
}

export type CreateOutcome =
	| { kind: 'created'; webhook: RegisteredWebhook }
	/** The platform already has a webhook for this URL: adopt it. */
	| { kind: 'conflict' }
	| { kind: 'failed'; failure: ApiFailure };

export type CheckOutcome =
	/** secret: the platform's current secret for it, or null to keep the stored one. */
	| { kind: 'exists'; secret: string | null }
	| { kind: 'gone'; reason: string }
	/** The platform cannot list webhooks: rely on the stored id. */
	| { kind: 'unknown'; reason: string }
	/** It exists but no longer subscribes to what the trigger needs: update it. */
	| { kind: 'outdated'; reason: string }
	| { kind: 'failed'; failure: ApiFailure };

export type FindOutcome =
	| { kind: 'found'; webhook: RegisteredWebhook }
	| { kind: 'missing' }
	| { kind: 'failed'; failure: ApiFailure };

export type UpdateOutcome = { kind: 'updated'; webhook: RegisteredWebhook } | { kind: 'failed'; failure: ApiFailure };

export type DeleteOutcome = { kind: 'deleted' } | { kind: 'gone' } | { kind: 'failed'; failure: ApiFailure };

export interface WebhookRegistration {
	platform: Platform;
	/**
	 * The fewest platform events that keep the trigger exact: every delivery costs n8n a request (and on n8n 2.x
	 * by default an expression isolate), so events the trigger would only ignore are not subscribed.
	 */
	eventsFor(needs: { newConversations: boolean }): string[];

	createRequest(context: RegistrationContext): ApiRequest;
	readCreated(response: ApiResponse, context: RegistrationContext): CreateOutcome;

	checkRequest(stored: StoredWebhook, context: RegistrationContext): ApiRequest;
	readCheck(response: ApiResponse, stored: StoredWebhook, context: RegistrationContext): CheckOutcome;

	/** Changing an existing webhook's URL and subscriptions; null where the platform cannot (it is re-created). */
	update: {
		request(id: string, context: RegistrationContext): ApiRequest;
		read(response: ApiResponse, context: RegistrationContext): UpdateOutcome;
	} | null;

	/** Finding the webhook that already has this URL after a conflict; null where URLs never conflict. */
	adopt: {
		listRequest(context: RegistrationContext): ApiRequest;
		findByUrl(response: ApiResponse, context: RegistrationContext): FindOutcome;
	} | null;

	deleteRequest(stored: StoredWebhook, context: RegistrationContext): ApiRequest;
	readDeleted(response: ApiResponse, context: RegistrationContext): DeleteOutcome;
}

export function isSuccess(response: ApiResponse): boolean {
	return response.statusCode >= 200 && response.statusCode < 300;
}

/** The failure of a registration call answered with an error status: what the platform said, and what to check. */
export function registrationFailure(
	displayName: string,
	response: ApiResponse,
	action: string,
	description: string,
): ApiFailure {
	const said = platformMessageOf(response.body);
	return {
		message: `${displayName} could not ${action} (HTTP ${response.statusCode})${said === '' ? '' : `: ${said}`}`,
		description,
		httpCode: String(response.statusCode),
	};
}

/** Whether a webhook delivers exactly the events the trigger needs (no fewer, and none it would only ignore). */
export function sameEvents(subscriptions: unknown, events: readonly string[]): boolean {
	if (!Array.isArray(subscriptions)) return false;
	const wanted = new Set(events);
	return subscriptions.length === wanted.size && subscriptions.every((event) => wanted.has(event));
}

/** The id as the trigger stores it (platforms answer numbers or strings). */
export function idOf(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	return null;
}
