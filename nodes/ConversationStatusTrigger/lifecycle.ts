/**
 * The trigger's webhook lifecycle (n8n's checkExists / create / delete) over the platform's pure registration
 * builders, and the priming of the memory on activation.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IHookFunctions,
	type JsonObject,
} from 'n8n-workflow';

import { connectionFailureOf } from '../core/connection';
import type { ApiRequest, ApiResponse } from '../core/http';
import type { PlatformModule } from '../core/platform';
import {
	ActivationMemory,
	mayHealOnRetry,
	REGISTRATION_TIMEOUT_MS,
	unansweredFailure,
} from '../core/trigger/activation';
import { Memory } from '../core/trigger/memory';
import { primeMemory } from '../core/trigger/priming';
import {
	registersAutomatically,
	rememberedConversations,
	storedWebhookOf,
	toFilters,
	type TriggerFilters,
	type TriggerOptions,
} from '../core/trigger/settings';
import {
	sameEvents,
	type ApiFailure,
	type RegisteredWebhook,
	type RegistrationContext,
	type StoredWebhook,
} from '../core/trigger/webhook-registration';
import { webhookUrlWarning } from '../core/trigger/webhook-url';
import { platformSettings, sendApiRequest } from '../n8n/request';
import { platforms } from '../platforms';
import { MEMORY_KEY, WEBHOOK_KEY } from './static-keys';

interface Setup {
	platform: PlatformModule;
	context: RegistrationContext;
	options: TriggerOptions;
	automatic: boolean;
}

/** Reads and checks the parameters: a wrong filter fails the activation, not every delivery later. */
async function setupOf(this: IHookFunctions): Promise<Setup> {
	let platform: PlatformModule;
	let filters;
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	try {
		platform = platforms.get(this.getNodeParameter('platform'));
		filters = toFilters(this.getNodeParameter('filters', {}) as TriggerFilters, platform.container);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error);
	}
	const url = this.getNodeWebhookUrl('default');
	if (url === undefined) throw new NodeOperationError(this.getNode(), 'n8n gave no webhook URL for this node');
	const { accountId } = await platformSettings.call(this, platform);
	const workflow = this.getWorkflow();
	const name = `n8n: ${workflow.name ?? workflow.id ?? 'workflow'} / ${this.getNode().name}`;
	const events = platform.trigger.registration.eventsFor({ newConversations: filters.includeNewConversations });
	return { platform, context: { url, events, accountId, name }, options, automatic: registersAutomatically(options) };
}

/** Registration failures and log lines across n8n's attempts of one activation (see core/trigger/activation.ts). */
const activations = new ActivationMemory<NodeApiError>();

/** n8n's static data of this node: one object per activation, the key of `activations`. */
function activationOf(this: IHookFunctions): object {
	return this.getWorkflowStaticData('node');
}

/** Throws what an earlier attempt of this activation failed with, when another attempt cannot change it. */
function throwLastingFailure(this: IHookFunctions): void {
	const failure = activations.lastingFailure(activationOf.call(this));
	if (failure !== null) throw failure;
}

/** A registration error, remembered for the rest of the activation unless a later attempt could heal it. */
function registrationError(this: IHookFunctions, error: NodeApiError, healsOnRetry: boolean): NodeApiError {
	if (!healsOnRetry) activations.rememberLastingFailure(activationOf.call(this), error);
	return error;
}

/** Sends one pure request with the registration timeout; no HTTP answer becomes a NodeApiError that says where. */
async function send(this: IHookFunctions, setup: Setup, request: ApiRequest): Promise<ApiResponse> {
	const outcome = await sendApiRequest.call(this, setup.platform, request, { timeoutMs: REGISTRATION_TIMEOUT_MS }).then(
		(response) => ({ response, error: null }),
		(error: unknown) => ({ response: null, error }),
	);
	if (outcome.response !== null) return outcome.response;
	const failure = connectionFailureOf(outcome.error);
	if (failure === null) throw new NodeOperationError(this.getNode(), outcome.error as Error);
	const { baseUrl } = await platformSettings.call(this, setup.platform);
	const texts = unansweredFailure(setup.platform.displayName, baseUrl, request, failure);
	const error = new NodeApiError(this.getNode(), { message: failure.detail }, texts);
	throw registrationError.call(this, error, mayHealOnRetry(failure));
}

function apiError(this: IHookFunctions, setup: Setup, response: ApiResponse, failure: ApiFailure): NodeApiError {
	const warning = webhookUrlWarning(setup.context.url, setup.platform.id);
	const error = new NodeApiError(this.getNode(), (response.body ?? {}) as JsonObject, {
		message: failure.message,
		description: warning === null ? failure.description : `${failure.description} ${warning}`,
		httpCode: failure.httpCode,
	});
	return registrationError.call(this, error, mayHealOnRetry(response));
}

function remember(this: IHookFunctions, setup: Setup, webhook: RegisteredWebhook): void {
	const stored: StoredWebhook = { id: webhook.id, url: setup.context.url, secret: webhook.secret, events: setup.context.events };
	this.getWorkflowStaticData('node')[WEBHOOK_KEY] = { ...stored };
}

function forget(this: IHookFunctions): void {
	delete this.getWorkflowStaticData('node')[WEBHOOK_KEY];
}

/** Changes an existing webhook to this node's URL and subscriptions, and keeps its id and secret. */
async function updateWebhook(this: IHookFunctions, setup: Setup, id: string): Promise<void> {
	const update = setup.platform.trigger.registration.update;
	if (update === null) throw new NodeOperationError(this.getNode(), 'This platform cannot update webhooks');
	const response = await send.call(this, setup, update.request(id, setup.context));
	const outcome = update.read(response, setup.context);
	if (outcome.kind === 'failed') throw apiError.call(this, setup, response, outcome.failure);
	remember.call(this, setup, outcome.webhook);
}

/** Deletes a webhook; failures are logged (the trigger still stops), never swallowed. Returns whether it is gone. */
async function deleteWebhook(this: IHookFunctions, setup: Setup, stored: StoredWebhook): Promise<boolean> {
	const platformName = setup.platform.displayName;
	const registration = setup.platform.trigger.registration;
	const activation = activationOf.call(this);
	const lasting = activations.lastingFailure(activation);
	if (lasting !== null) {
		// n8n cleans up after each failed attempt of an activation. The failure would recur on the delete (the same
		// token, URL, account), so the webhook is left for the next activation's check instead.
		if (activations.firstTime(activation, 'kept webhook')) {
			this.logger.warn(
				`Conversation Status Trigger: webhook ${stored.id} (${stored.url}) was not deleted in ${platformName} after ` +
					`the failed activation (${lasting.message}); the next activation checks it again.`,
			);
		}
		return false;
	}
	let response: ApiResponse;
	try {
		response = await sendApiRequest.call(this, setup.platform, registration.deleteRequest(stored, setup.context), {
			timeoutMs: REGISTRATION_TIMEOUT_MS,
		});
	} catch (error) {
		this.logger.warn(
			`Conversation Status Trigger: could not reach ${platformName} to delete webhook ${stored.id} (${stored.url}): ` +
				`${(error as Error).message}. Delete it by hand if it still exists.`,
		);
		return false;
	}
	const outcome = registration.readDeleted(response, setup.context);
	if (outcome.kind === 'failed') {
		this.logger.warn(
			`Conversation Status Trigger: ${outcome.failure.message}. ${outcome.failure.description} ` +
				`Webhook ${stored.id} (${stored.url}) may still exist in ${platformName}: delete it by hand.`,
		);
		return false;
	}
	return true;
}

/** Replaces a webhook that the platform cannot update (FreeScout): delete it; create() makes the new one. */
async function replace(this: IHookFunctions, setup: Setup, stored: StoredWebhook, why: string): Promise<false> {
	this.logger.info(`Conversation Status Trigger: ${why}; registering it again`);
	await deleteWebhook.call(this, setup, stored);
	forget.call(this);
	return false;
}

/**
 * Primes the memory with the platform's most recently updated conversations (not for test listening, whose memory
 * stays its own). A failure is a warning: the trigger works without it, only less informed at first.
 */
async function prime(this: IHookFunctions, setup: Setup): Promise<void> {
	if (this.getActivationMode() === 'manual') return;
	const staticData = this.getWorkflowStaticData('node');
	const limit = rememberedConversations(setup.options);
	const memory = new Memory(limit);
	memory.merge(staticData[MEMORY_KEY], Date.now());
	const { accountId } = await platformSettings.call(this, setup.platform);
	const outcome = await primeMemory(
		setup.platform.trigger.priming,
		async (request) => await sendApiRequest.call(this, setup.platform, request, { timeoutMs: REGISTRATION_TIMEOUT_MS }),
		{ accountId },
		memory,
		limit,
	);
	if ('failure' in outcome) {
		this.logger.warn(
			`Conversation Status Trigger: could not read the current status of ${setup.platform.displayName}'s conversations ` +
				`(${outcome.failure}); it starts with ${outcome.primed} known, and learns the others from their deliveries`,
		);
	}
	staticData[MEMORY_KEY] = memory.stored();
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	if (!setup.automatic) {
		await prime.call(this, setup);
		return true;
	}
	throwLastingFailure.call(this);
	const stored = storedWebhookOf(this.getWorkflowStaticData('node')[WEBHOOK_KEY]);
	if (stored === null) return false;
	if (stored.url !== setup.context.url) {
		// n8n's URL changed (N8N_WEBHOOK_URL, webhook id): replace the webhook that points at the old one.
		return await replace.call(this, setup, stored, `webhook ${stored.id} points at ${stored.url}`);
	}
	const { registration } = setup.platform.trigger;
	const response = await send.call(this, setup, registration.checkRequest(stored, setup.context));
	const outcome = registration.readCheck(response, stored, setup.context);
	const otherEvents = stored.events !== null && !sameEvents(stored.events, setup.context.events);
	switch (outcome.kind) {
		case 'exists':
			if (outcome.secret !== null && outcome.secret !== stored.secret) {
				remember.call(this, setup, { id: stored.id, secret: outcome.secret });
			}
			break;
		case 'unknown':
			// The platform cannot list webhooks: trust the stored id, unless it was registered for other events.
			if (otherEvents) return await replace.call(this, setup, stored, `webhook ${stored.id} delivers other events`);
			break;
		case 'gone':
			this.logger.info(`Conversation Status Trigger: ${outcome.reason}; registering it again`);
			forget.call(this);
			return false;
		case 'outdated':
			if (registration.update === null) return await replace.call(this, setup, stored, outcome.reason);
			await updateWebhook.call(this, setup, stored.id);
			break;
		case 'failed':
			throw apiError.call(this, setup, response, outcome.failure);
	}
	await prime.call(this, setup);
	return true;
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	if (!setup.automatic) return true;
	throwLastingFailure.call(this);
	const warning = webhookUrlWarning(setup.context.url, setup.platform.id);
	if (warning !== null && activations.firstTime(activationOf.call(this), 'webhook URL')) {
		this.logger.warn(`Conversation Status Trigger: ${warning}`);
	}

	const { context } = setup;
	const { registration } = setup.platform.trigger;
	const response = await send.call(this, setup, registration.createRequest(context));
	const outcome = registration.readCreated(response, context);
	if (outcome.kind === 'failed') throw apiError.call(this, setup, response, outcome.failure);
	if (outcome.kind === 'created') {
		remember.call(this, setup, outcome.webhook);
		const advice = setup.platform.trigger.afterRegistration;
		if (advice !== undefined) this.logger.info(`Conversation Status Trigger: webhook ${outcome.webhook.id} registered. ${advice}`);
	} else {
		// The URL is already registered (an earlier activation whose id was lost, or a webhook made by hand).
		if (registration.adopt === null) {
			throw new NodeOperationError(this.getNode(), 'The platform reports a conflict it cannot resolve');
		}
		const listResponse = await send.call(this, setup, registration.adopt.listRequest(context));
		const found = registration.adopt.findByUrl(listResponse, context);
		if (found.kind === 'failed') throw apiError.call(this, setup, listResponse, found.failure);
		if (found.kind === 'missing') {
			throw new NodeApiError(this.getNode(), (response.body ?? {}) as JsonObject, {
				message: `${setup.platform.displayName} says a webhook for ${context.url} exists but does not list it`,
				description: 'Delete the webhook for this URL in the platform and activate the workflow again.',
			});
		}
		this.logger.info(`Conversation Status Trigger: adopting the existing webhook ${found.webhook.id} for ${context.url}`);
		if (registration.update !== null) await updateWebhook.call(this, setup, found.webhook.id);
		else remember.call(this, setup, found.webhook);
	}
	await prime.call(this, setup);
	return true;
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	if (!setup.automatic) return true;
	const stored = storedWebhookOf(this.getWorkflowStaticData('node')[WEBHOOK_KEY]);
	if (stored === null) return true;
	const deleted = await deleteWebhook.call(this, setup, stored);
	if (deleted) forget.call(this);
	return deleted;
}
