/**
 * The trigger's webhook lifecycle (n8n's checkExists / create / delete) as a pure state machine over a platform's
 * WebhookRegistration: each method is a chain of steps, and the node only carries them out (sends a request, deletes,
 * stores or forgets the webhook in static data, logs) and feeds each result to `next`. Every decision of the
 * lifecycle is here, unit-testable without n8n; nodes/ConversationStatusTrigger/lifecycle.ts runs the steps.
 */
import type { ApiRequest, ApiResponse } from '../http';
import {
	sameEvents,
	type ApiFailure,
	type RegisteredWebhook,
	type RegistrationContext,
	type StoredWebhook,
	type WebhookRegistration,
} from './webhook-registration';

export type Step =
	/** Send the request; its answer goes to `next` (no answer at all fails the method). */
	| { kind: 'send'; request: ApiRequest; next(response: ApiResponse): Step }
	/** Delete this webhook in the platform, never failing the method; `next` learns whether it is gone. */
	| { kind: 'delete'; webhook: StoredWebhook; next(deleted: boolean): Step }
	/** Keep this webhook in static data. */
	| { kind: 'store'; webhook: StoredWebhook; next(): Step }
	/** Remove the stored webhook from static data. */
	| { kind: 'forget'; next(): Step }
	| { kind: 'log'; message: string; next(): Step }
	/** The platform answered with an error: fail the method. */
	| { kind: 'failed'; failure: ApiFailure; response: ApiResponse }
	/** A state the trigger cannot resolve by itself: fail the method with what to do. */
	| { kind: 'refused'; message: string; description: string; response: ApiResponse }
	/** The method's answer to n8n, and whether the memory is to be primed (see primesOn). */
	| { kind: 'done'; answer: boolean; prime: boolean };

export interface Lifecycle {
	registration: WebhookRegistration;
	/** The platform's name in messages. */
	displayName: string;
	context: RegistrationContext;
	/** Whether the trigger registers its webhook itself (off: the user made it by hand; nothing is changed remotely). */
	automatic: boolean;
	/** The webhook kept in static data, or null. */
	stored: StoredWebhook | null;
	/** What the platform's users should know once a webhook is registered (logged), if anything. */
	afterRegistration?: string;
}

const done = (answer: boolean, prime = false): Step => ({ kind: 'done', answer, prime });

function stored(context: RegistrationContext, webhook: RegisteredWebhook): StoredWebhook {
	return { id: webhook.id, url: context.url, secret: webhook.secret, events: context.events };
}

function keep(context: RegistrationContext, webhook: RegisteredWebhook, then: () => Step): Step {
	return { kind: 'store', webhook: stored(context, webhook), next: then };
}

/** A webhook the platform cannot update (FreeScout) is deleted; n8n then calls create for the new one. */
function replace(webhook: StoredWebhook, why: string): Step {
	return {
		kind: 'log',
		message: `${why}; registering it again`,
		next: () => ({ kind: 'delete', webhook, next: () => ({ kind: 'forget', next: () => done(false) }) }),
	};
}

type Updating = NonNullable<WebhookRegistration['update']>;

/** Points an existing webhook at this node's URL and subscriptions, keeping its id and secret. */
function update(context: RegistrationContext, updating: Updating, id: string, then: () => Step): Step {
	return {
		kind: 'send',
		request: updating.request(id, context),
		next: (response) => {
			const outcome = updating.read(response, context);
			if (outcome.kind === 'failed') return { kind: 'failed', failure: outcome.failure, response };
			return keep(context, outcome.webhook, then);
		},
	};
}

/** n8n's checkExists: true keeps the stored webhook; false makes n8n call create. */
export function checkExistsSteps(life: Lifecycle): Step {
	const { registration, context, stored: webhook } = life;
	if (!life.automatic) return done(true, true);
	if (webhook === null) return done(false);
	// n8n's URL changed (N8N_WEBHOOK_URL, webhook id): replace the webhook that points at the old one.
	if (webhook.url !== context.url) return replace(webhook, `webhook ${webhook.id} points at ${webhook.url}`);
	return {
		kind: 'send',
		request: registration.checkRequest(webhook, context),
		next: (response) => {
			const outcome = registration.readCheck(response, webhook, context);
			switch (outcome.kind) {
				case 'exists':
					if (outcome.secret !== null && outcome.secret !== webhook.secret) {
						return keep(context, { id: webhook.id, secret: outcome.secret }, () => done(true, true));
					}
					return done(true, true);
				case 'unknown':
					// The platform cannot list webhooks: trust the stored id, unless it was registered for other events.
					if (webhook.events !== null && !sameEvents(webhook.events, context.events)) {
						return replace(webhook, `webhook ${webhook.id} delivers other events`);
					}
					return done(true, true);
				case 'gone':
					return { kind: 'log', message: `${outcome.reason}; registering it again`, next: () => ({ kind: 'forget', next: () => done(false) }) };
				case 'outdated':
					if (registration.update === null) return replace(webhook, outcome.reason);
					return update(context, registration.update, webhook.id, () => done(true, true));
				case 'failed':
					return { kind: 'failed', failure: outcome.failure, response };
			}
		},
	};
}

/** n8n's create: registers the webhook, or adopts the one the platform already has for this URL. */
export function createSteps(life: Lifecycle): Step {
	const { registration, context } = life;
	if (!life.automatic) return done(true);
	return {
		kind: 'send',
		request: registration.createRequest(context),
		next: (response) => {
			const outcome = registration.readCreated(response, context);
			if (outcome.kind === 'failed') return { kind: 'failed', failure: outcome.failure, response };
			if (outcome.kind === 'created') {
				const { afterRegistration: advice } = life;
				const registered = (): Step =>
					advice === undefined
						? done(true, true)
						: { kind: 'log', message: `webhook ${outcome.webhook.id} registered. ${advice}`, next: () => done(true, true) };
				return keep(context, outcome.webhook, registered);
			}
			return adopt(life, response);
		},
	};
}

/** The URL is already registered (an earlier activation whose id was lost, or a webhook made by hand). */
function adopt(life: Lifecycle, conflict: ApiResponse): Step {
	const { registration, context } = life;
	const { adopt: adopting } = registration;
	if (adopting === null) {
		return { kind: 'refused', message: 'The platform reports a conflict it cannot resolve', description: '', response: conflict };
	}
	return {
		kind: 'send',
		request: adopting.listRequest(context),
		next: (response) => {
			const found = adopting.findByUrl(response, context);
			if (found.kind === 'failed') return { kind: 'failed', failure: found.failure, response };
			if (found.kind === 'missing') {
				return {
					kind: 'refused',
					message: `${life.displayName} says a webhook for ${context.url} exists but does not list it`,
					description: 'Delete the webhook for this URL in the platform and activate the workflow again.',
					response: conflict,
				};
			}
			const adopted = found.webhook;
			return {
				kind: 'log',
				message: `adopting the existing webhook ${adopted.id} for ${context.url}`,
				next: () =>
					registration.update !== null
						? update(context, registration.update, adopted.id, () => done(true, true))
						: keep(context, adopted, () => done(true, true)),
			};
		},
	};
}

/** n8n's delete: removes the webhook in the platform; it stays stored (for the next check) when that failed. */
export function removeSteps(life: Lifecycle): Step {
	const { stored: webhook } = life;
	if (!life.automatic || webhook === null) return done(true);
	return {
		kind: 'delete',
		webhook,
		next: (deleted) => (deleted ? { kind: 'forget', next: () => done(true) } : done(false)),
	};
}

/**
 * Whether a lifecycle method called in n8n's activation mode `activation` primes the memory: not for test listening
 * (its memory stays its own); on every activation, and also when n8n starts again ('init': n8n 1.x calls
 * checkExists for every active trigger at each start) or a main becomes leader. A primed status is weaker than any
 * delivery (core/trigger/priming.ts), so deliveries the platform still holds report their changes all the same,
 * while the memory learns what changed while n8n was down and no delivery will tell (Chatwoot does not retry).
 */
export function primesOn(activation: string): boolean {
	return activation !== 'manual';
}
