import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IHookFunctions,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
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
import { memoryFor } from '../core/trigger/memory-registry';
import { handleDelivery } from '../core/trigger/pipeline';
import {
	containerFilterName,
	deliverySettings,
	memoryKey,
	registersAutomatically,
	rememberedConversations,
	storedWebhookOf,
	type TriggerFilters,
	type TriggerOptions,
} from '../core/trigger/settings';
import type { Delivery } from '../core/trigger/types';
import type {
	ApiFailure,
	RegisteredWebhook,
	RegistrationContext,
	StoredWebhook,
} from '../core/trigger/webhook-registration';
import { webhookUrlWarning } from '../core/trigger/webhook-url';
import {
	platformCredentials,
	platformProperty,
	platformSubtitle,
	sortedByName,
	statusOptions,
} from '../n8n/descriptions';
import { platformSettings, sendApiRequest } from '../n8n/request';
import { platforms } from '../platforms';

/** Node static data key of the registered webhook. */
const WEBHOOK_KEY = 'webhook';
/** Node static data key of the persisted memory. */
const MEMORY_KEY = 'memory';

interface Setup {
	platform: PlatformModule;
	context: RegistrationContext;
	automatic: boolean;
}

function platformOf(this: IHookFunctions | IWebhookFunctions): PlatformModule {
	try {
		return platforms.get(this.getNodeParameter('platform'));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error);
	}
}

async function setupOf(this: IHookFunctions): Promise<Setup> {
	const platform = platformOf.call(this);
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const url = this.getNodeWebhookUrl('default');
	if (url === undefined) throw new NodeOperationError(this.getNode(), 'n8n gave no webhook URL for this node');
	const { accountId } = await platformSettings.call(this, platform);
	const workflow = this.getWorkflow();
	const name = `n8n: ${workflow.name ?? workflow.id ?? 'workflow'} / ${this.getNode().name}`;
	return { platform, context: { url, accountId, name }, automatic: registersAutomatically(options) };
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
	const stored: StoredWebhook = { id: webhook.id, url: setup.context.url, secret: webhook.secret };
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

/** "Inbox IDs" (Chatwoot), "Mailbox IDs" (FreeScout): the platform's container filter, shown for it only. */
function containerFilter(platform: PlatformModule): INodeProperties {
	const { label, hint } = platform.container;
	return {
		displayName: `${label} IDs`,
		name: containerFilterName(platform.container),
		type: 'string',
		default: '',
		placeholder: 'e.g. 1, 4',
		description: `Only conversations of these ${platform.displayName} ${label.toLowerCase()} IDs, comma-separated: ${hint}. Empty means all.`,
		displayOptions: { show: { '/platform': [platform.id] } },
	};
}

export class ConversationStatusTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Conversation Status Trigger',
		name: 'conversationStatusTrigger',
		icon: { light: 'file:../../icons/conversationStatus.svg', dark: 'file:../../icons/conversationStatus.dark.svg' },
		group: ['trigger'],
		// 1.1 has the same parameters as 1. n8n treats every webhook node of version 1 like its legacy Webhook v1 and
		// evaluates an expression (its "binaryData" option) for each request before calling webhook(), which costs an
		// expression isolate per delivery; from 1.1 on it does not.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: platformSubtitle(),
		description:
			'Starts the workflow once for every real change of a Chatwoot or FreeScout conversation status, with the previous status and the cause',
		defaults: { name: 'Conversation Status Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: platformCredentials(),
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			platformProperty(),
			...platforms.all().map(
				(platform): INodeProperties => ({
					displayName: platform.trigger.notice,
					name: `${platform.id}Notice`,
					type: 'notice',
					default: '',
					displayOptions: { show: { platform: [platform.id] } },
				}),
			),
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				options: sortedByName([
					{
						displayName: 'Causes',
						name: 'causes',
						type: 'multiOptions',
						default: [],
						description: 'Only changes with one of these causes. Empty means any cause.',
						options: [
							{ name: 'Agent', value: 'agent', description: 'A person changed it in the platform' },
							{ name: 'API', value: 'api', description: "A user listed in the option 'API User IDs' changed it" },
							{ name: 'Automation', value: 'automation', description: 'An automation rule or macro' },
							{
								name: 'Bot Inbox',
								value: 'bot_inbox',
								description: 'Chatwoot moved it to pending because its inbox has a bot',
							},
							{ name: 'Conversation Created', value: 'conversation_created' },
							{ name: 'Customer Message', value: 'customer_message', description: 'The customer wrote again' },
							{ name: 'Snooze Expired', value: 'snooze_expired' },
							{ name: 'Unknown', value: 'unknown' },
						],
					},
					{
						displayName: 'From Status',
						name: 'fromStatuses',
						type: 'multiOptions',
						default: [],
						description:
							"Only changes from one of these statuses. 'Unknown' matches changes whose previous status is not known (new conversations). Empty means any.",
						options: [...statusOptions(), { name: 'Unknown', value: 'unknown' }],
					},
					{
						displayName: 'Include New Conversations',
						name: 'includeNewConversations',
						type: 'boolean',
						default: true,
						description: 'Whether a newly created conversation counts as a change (from no status to its first one)',
					},
					{
						displayName: 'To Status',
						name: 'toStatuses',
						type: 'multiOptions',
						default: [],
						description: 'Only changes to one of these statuses. Empty means any.',
						options: statusOptions(),
					},
					...platforms.all().map(containerFilter),
				]),
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Accept Unsigned Deliveries',
						name: 'acceptUnsigned',
						type: 'boolean',
						default: false,
						description:
							'Whether to accept deliveries without a signature. Needed for Chatwoot before 4.11.2 and for Chatwoot automation or macro webhooks. Deliveries with a wrong signature are always rejected.',
					},
					{
						displayName: 'API User IDs',
						name: 'apiUserIds',
						type: 'string',
						default: '',
						placeholder: 'e.g. 3',
						description:
							"Users whose changes get the cause 'API' (for example the user the Conversation Status node acts as), comma-separated",
					},
					{
						displayName: 'Companion Wait (Ms)',
						name: 'maxWaitMs',
						type: 'number',
						default: 2000,
						typeOptions: { minValue: 0, maxValue: 4000 },
						description:
							"How long a Chatwoot conversation_status_changed waits for its conversation_updated, which carries the exact previous status. Keep it under Chatwoot's 5 s delivery timeout.",
					},
					{
						displayName: 'Include Raw Payload',
						name: 'includeRawPayload',
						type: 'boolean',
						default: false,
						description: "Whether to add the delivery body the change was read from, in the field 'raw'",
					},
					{
						displayName: 'Register Webhook Automatically',
						name: 'registerWebhook',
						type: 'boolean',
						default: true,
						description:
							'Whether to create the webhook in the platform on activation and delete it on deactivation. Off: create it by hand for the URL above and put its secret in the credential; nothing is changed in the platform.',
					},
					{
						displayName: 'Remembered Conversations',
						name: 'rememberedConversations',
						type: 'number',
						default: 1000,
						typeOptions: { minValue: 1 },
						description:
							'How many conversations the trigger remembers the last status of (least recently changed are forgotten first)',
					},
					{
						displayName: 'Signature Max Age (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						default: 300,
						typeOptions: { minValue: 0 },
						description: 'Reject Chatwoot deliveries whose signed timestamp is older than this. 0 turns the check off.',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const setup = await setupOf.call(this);
				if (!setup.automatic) return true;
				throwLastingFailure.call(this);
				const stored = storedWebhookOf(this.getWorkflowStaticData('node')[WEBHOOK_KEY]);
				if (stored === null) return false;
				if (stored.url !== setup.context.url) {
					// n8n's URL changed (N8N_WEBHOOK_URL, webhook id): replace the webhook that points at the old one.
					await deleteWebhook.call(this, setup, stored);
					forget.call(this);
					return false;
				}
				const { registration } = setup.platform.trigger;
				const response = await send.call(this, setup, registration.checkRequest(stored, setup.context));
				const outcome = registration.readCheck(response, stored, setup.context);
				switch (outcome.kind) {
					case 'exists':
						if (outcome.secret !== null && outcome.secret !== stored.secret) {
							remember.call(this, setup, { id: stored.id, secret: outcome.secret });
						}
						return true;
					case 'unknown':
						return true;
					case 'gone':
						this.logger.info(`Conversation Status Trigger: ${outcome.reason}; registering it again`);
						forget.call(this);
						return false;
					case 'outdated':
						await updateWebhook.call(this, setup, stored.id);
						return true;
					case 'failed':
						throw apiError.call(this, setup, response, outcome.failure);
				}
			},

			async create(this: IHookFunctions): Promise<boolean> {
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
				if (outcome.kind === 'created') {
					remember.call(this, setup, outcome.webhook);
					return true;
				}
				if (outcome.kind === 'failed') throw apiError.call(this, setup, response, outcome.failure);

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
				this.logger.info(
					`Conversation Status Trigger: adopting the existing webhook ${found.webhook.id} for ${context.url}`,
				);
				if (registration.update !== null) await updateWebhook.call(this, setup, found.webhook.id);
				else remember.call(this, setup, found.webhook);
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const setup = await setupOf.call(this);
				if (!setup.automatic) return true;
				const stored = storedWebhookOf(this.getWorkflowStaticData('node')[WEBHOOK_KEY]);
				if (stored === null) return true;
				const deleted = await deleteWebhook.call(this, setup, stored);
				if (deleted) forget.call(this);
				return deleted;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const platform = platformOf.call(this);
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const filters = this.getNodeParameter('filters', {}) as TriggerFilters;
		const credentialSettings = await platformSettings.call(this, platform);
		const staticData = this.getWorkflowStaticData('node');
		const stored = storedWebhookOf(staticData[WEBHOOK_KEY]);

		let settings;
		try {
			settings = deliverySettings(platform, options, filters, credentialSettings, stored);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error);
		}

		const request = this.getRequestObject();
		const delivery: Delivery = {
			rawBody: request.rawBody,
			parsedBody: request.body,
			headers: request.headers,
		};
		const key = memoryKey(this.getWorkflow().id, this.getNode().id, this.getMode() === 'manual');
		const memory = memoryFor(key, staticData[MEMORY_KEY], rememberedConversations(options));
		const revision = memory.revision;
		const outcome = await handleDelivery(platform.trigger.adapter, delivery, settings, memory, {
			now: () => Date.now(),
			sleep,
		});
		if (outcome.httpStatus !== 200) {
			// Rejected before the memory was consulted: nothing to persist.
			if (outcome.httpStatus === 401) this.logger.warn(`Conversation Status Trigger: ${outcome.message}`);
			this.getResponseObject().status(outcome.httpStatus).json({ message: outcome.message });
			return { noWebhookResponse: true };
		}
		// The process-wide memory is the live copy; static data keeps it across restarts. n8n writes static data to
		// its database after each webhook call that changed it, so only a changed status is worth a write: after a
		// restart, duplicates and retries of a persisted status are still recognised as "not a change".
		if (memory.revision !== revision) staticData[MEMORY_KEY] = memory.snapshot() as unknown as IDataObject;
		if ('ignored' in outcome) return { webhookResponse: { received: true, ignored: outcome.ignored } };

		const item: IDataObject = { ...(outcome.change as unknown as IDataObject) };
		if (options.includeRawPayload === true) item.raw = outcome.body as IDataObject;
		return { workflowData: [this.helpers.returnJsonArray([item])] };
	}
}
