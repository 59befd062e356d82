/**
 * The trigger's webhook lifecycle in n8n (checkExists / create / delete): reads the node's parameters, runs the
 * pure steps of core/trigger/registration-steps.ts (requests with the registration timeout, static data, logs), turns
 * failures into n8n errors, and primes the memory where the steps say so (./priming.ts).
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
import { checkExistsSteps, createSteps, removeSteps, type Lifecycle, type Step } from '../core/trigger/registration-steps';
import {
	registersAutomatically,
	storedWebhookOf,
	toFilters,
	type TriggerFilters,
	type TriggerOptions,
} from '../core/trigger/delivery-settings';
import type { ApiFailure, RegistrationContext, StoredWebhook } from '../core/trigger/webhook-registration';
import { webhookUrlWarning } from '../core/trigger/webhook-url';
import { platformSettings, sendApiRequest } from '../n8n/request';
import { platforms } from '../platforms';
import { primeOnActivation } from './priming';
import { WEBHOOK_KEY } from './static-keys';

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

/** Carries out a lifecycle method's steps (core/trigger/registration-steps.ts) and gives n8n its answer. */
async function run(this: IHookFunctions, setup: Setup, first: Step): Promise<boolean> {
	const staticData = this.getWorkflowStaticData('node');
	for (let step = first; ; ) {
		switch (step.kind) {
			case 'send':
				step = step.next(await send.call(this, setup, step.request));
				break;
			case 'delete':
				step = step.next(await deleteWebhook.call(this, setup, step.webhook));
				break;
			case 'store':
				staticData[WEBHOOK_KEY] = { ...step.webhook };
				step = step.next();
				break;
			case 'forget':
				delete staticData[WEBHOOK_KEY];
				step = step.next();
				break;
			case 'log':
				this.logger.info(`Conversation Status Trigger: ${step.message}`);
				step = step.next();
				break;
			case 'failed':
				throw apiError.call(this, setup, step.response, step.failure);
			case 'refused':
				throw new NodeApiError(this.getNode(), (step.response.body ?? {}) as JsonObject, {
					message: step.message,
					description: step.description,
				});
			case 'done':
				if (step.prime) await primeOnActivation.call(this, setup.platform, setup.options);
				return step.answer;
		}
	}
}

function lifecycleOf(this: IHookFunctions, setup: Setup): Lifecycle {
	const { registration } = setup.platform.trigger;
	const stored = storedWebhookOf(this.getWorkflowStaticData('node')[WEBHOOK_KEY]);
	const { displayName, trigger } = setup.platform;
	return { registration, displayName, context: setup.context, automatic: setup.automatic, stored, afterRegistration: trigger.afterRegistration };
}

export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	if (setup.automatic) throwLastingFailure.call(this);
	return await run.call(this, setup, checkExistsSteps(lifecycleOf.call(this, setup)));
}

export async function create(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	if (setup.automatic) {
		throwLastingFailure.call(this);
		const warning = webhookUrlWarning(setup.context.url, setup.platform.id);
		if (warning !== null && activations.firstTime(activationOf.call(this), 'webhook URL')) {
			this.logger.warn(`Conversation Status Trigger: ${warning}`);
		}
	}
	return await run.call(this, setup, createSteps(lifecycleOf.call(this, setup)));
}

export async function remove(this: IHookFunctions): Promise<boolean> {
	const setup = await setupOf.call(this);
	return await run.call(this, setup, removeSteps(lifecycleOf.call(this, setup)));
}
