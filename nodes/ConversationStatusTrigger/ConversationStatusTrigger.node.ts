import {
	NodeConnectionTypes,
	NodeOperationError,
	type IHookFunctions,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import type { PlatformModule } from '../core/platform';
import { MAX_MEMORY_SIZE } from '../core/trigger/memory';
import { containerFilterName } from '../core/trigger/delivery-settings';
import {
	platformCredentials,
	platformProperty,
	platformSubtitle,
	platformsWhere,
	sortedByName,
	statusOptions,
} from '../n8n/descriptions';
import { platforms } from '../platforms';
import { receiveDelivery } from './delivery';
import { checkExists, create, remove } from './lifecycle';

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
		// One name everywhere: the canvas (defaults), the nodes panel ("On new Conversation Status event", n8n's wording
		// for a trigger without an event list) and the docs.
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
		// n8n's nodes panel shows the trigger's description for the group of both nodes (trigger and actions).
		description:
			'Chatwoot and FreeScout conversation status: start a workflow once per real status change, force open, set, sync, read and diagnose',
		defaults: { name: 'Conversation Status Trigger' },
		// n8n shows these texts as they are, whatever the node's Platform and Filters: they must hold for any of them.
		eventTriggerDescription: 'Waiting for a conversation status change',
		activationMessage: "Each real conversation status change that this trigger's Platform and Filters select now starts this workflow once.",
		triggerPanel: {
			header: 'Listen for conversation status changes',
			executionsHelp: {
				inactive:
					"While you build: click 'Execute step', then change the status of a conversation in the platform you chose, which must reach n8n's test URL. Publish the workflow to run it on every change.",
				active:
					'This workflow is published: every real status change starts one execution (see Executions). Test runs here use the test URL.',
			},
			activationHint: 'Publish the workflow to run it once for every real status change.',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: platformCredentials(),
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			platformProperty(),
			// What each platform needs is information (a callout the user can dismiss), not a warning.
			...platforms.all().map(
				(platform): INodeProperties => ({
					displayName: platform.trigger.notice,
					name: `${platform.id}Notice`,
					type: 'callout',
					default: '',
					displayOptions: { show: { platform: [platform.id] } },
				}),
			),
			{
				displayName:
					'Unsigned deliveries are accepted: anyone who knows this webhook URL can start the workflow with made-up status changes',
				name: 'unsignedNotice',
				type: 'notice',
				default: '',
				// Paths from the root: n8n 1.x resolves only root-level names or '/'-paths in displayOptions.
				displayOptions: {
					show: {
						'/options.acceptUnsigned': [true],
						'/platform': platformsWhere((platform) => platform.trigger.sendsUnsigned),
					},
				},
			},
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
								name: 'Bot Failure',
								value: 'bot_failure',
								description:
									"Chatwoot opened a pending conversation because its agent bot's webhook failed or was too slow (needs the option 'Look Up Who Changed It')",
							},
							{
								name: 'Bot Handoff',
								value: 'bot_handoff',
								description:
									"Chatwoot pending -> open: the bot handed over, Force Open, or (without the option 'Look Up Who Changed It') Chatwoot after the agent bot failed",
							},
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
							"Whether to accept deliveries without a signature, for the Chatwoot webhooks that cannot sign: Chatwoot before 4.11.2, and automation-rule and macro webhooks. It applies only while the trigger knows no secret for its webhook (none came with the registered webhook, and the credential's Webhook Secret is empty); once it knows one, a delivery without a valid signature is always rejected. Anyone who knows the webhook URL can send made-up changes while it applies.",
						displayOptions: { show: { '/platform': platformsWhere((platform) => platform.trigger.sendsUnsigned) } },
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
						displayName: 'Include Raw Payload',
						name: 'includeRawPayload',
						type: 'boolean',
						default: false,
						description: "Whether to add the delivery body the change was read from, in the field 'raw'",
					},
					{
						displayName: 'Look Up Who Changed It',
						name: 'lookUpWhoChanged',
						type: 'boolean',
						default: false,
						description:
							"Whether to read each change's conversation once more from Chatwoot to name who made it (an agent, the bot, or Chatwoot after the agent bot failed: cause 'Bot Failure'). One API call per item; the webhook then answers a little later.",
						displayOptions: { show: { '/platform': platformsWhere((platform) => platform.trigger.whoChanged !== undefined) } },
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
						typeOptions: { minValue: 1, maxValue: MAX_MEMORY_SIZE },
						description: `How many conversations the trigger remembers the last status of, at most ${MAX_MEMORY_SIZE} (the longest unchanged are forgotten first). On activation it reads the current status of this many recently updated conversations.`,
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
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		let platform: PlatformModule;
		try {
			platform = platforms.get(this.getNodeParameter('platform'));
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error);
		}
		return await receiveDelivery.call(this, platform);
	}
}
