import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { mapPool } from '../core/action/pool';
import { DEFAULT_TIMEOUT_MS } from '../core/http';
import { platformOf, runItem, runSync } from '../n8n/action-dispatch';
import { toNodeError } from '../n8n/action-errors';
import { sessionFactory } from '../n8n/action-sessions';
import { loadUsers } from '../n8n/action-users';
import {
	platformCredentials,
	platformProperty,
	platformSubtitle,
	platformsWhere,
	statusOptions,
} from '../n8n/descriptions';
import { syncProperties } from '../n8n/sync-description';
import { platforms } from '../platforms';

// A callout's text is its content, a sentence; the lint's title-case rule for parameter labels does not fit it.
const CONVERSATION_ID_INFO =
	"Conversation ID: in Chatwoot the number at the end of the conversation's URL (…/conversations/42); in FreeScout the number after /conversation/ in its URL, not the #number. By default it comes from the trigger's item.";

export class ConversationStatus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Conversation Status',
		name: 'conversationStatus',
		icon: { light: 'file:../../icons/conversationStatus.svg', dark: 'file:../../icons/conversationStatus.dark.svg' },
		group: ['transform'],
		// An array on purpose: n8n adds a "Custom API Call" operation to every node whose defaultVersion equals its
		// version and whose credential authenticates requests; this node has no such call to make.
		version: [1],
		defaultVersion: 1,
		subtitle: platformSubtitle(
			' + ": " + $parameter["operation"].replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase())',
			platforms
				.all()
				.map((platform) => platform.displayName)
				.join(' ⇄ '),
		),
		description: 'Force open, set, sync and read conversation statuses in Chatwoot and FreeScout, and find out why conversations go pending',
		defaults: { name: 'Conversation Status' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: platformCredentials(),
		properties: [
			// Sync Status works between the platform of each change and the other one.
			{ ...platformProperty(), displayOptions: { hide: { operation: ['syncStatus'] } } },
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Diagnose Pending',
						value: 'diagnosePending',
						description: 'Find out why Chatwoot puts the conversations of an inbox in pending',
						action: 'Diagnose why conversations go pending',
					},
					{
						name: 'Force Open',
						value: 'forceOpen',
						description: 'Open a conversation, optionally only when it has a given status',
						action: 'Force open conversation',
					},
					{
						name: 'Get Status',
						value: 'getStatus',
						description: 'Read the status, assignee and inbox or mailbox of a conversation',
						action: 'Get conversation status',
					},
					{
						name: 'Set Status',
						value: 'setStatus',
						description: 'Set a conversation to open, pending, resolved, snoozed or spam',
						action: 'Set conversation status',
					},
					{
						name: 'Sync Status',
						value: 'syncStatus',
						description: 'Apply a status change to the paired conversation on the other platform, never undoing a later change',
						action: 'Sync conversation status',
					},
				],
				default: 'forceOpen',
			},
			{
				displayName: 'Conversation ID',
				name: 'conversationId',
				type: 'string',
				default: '={{ $json.conversationId }}',
				required: true,
				description:
					'Chatwoot: the conversation number in its URL. FreeScout: the conversation ID in its URL (not the #number). The default takes it from the Conversation Status Trigger. For Sync Status: the conversation that changed.',
				displayOptions: { show: { operation: ['forceOpen', 'getStatus', 'setStatus', 'syncStatus'] } },
			},
			{
				// A callout (information), not the field's hint: n8n shows an expression's value in place of the hint,
				// and the field holds an expression by default.
				displayName: CONVERSATION_ID_INFO,
				name: 'conversationIdNotice',
				type: 'callout',
				default: '',
				displayOptions: { show: { operation: ['forceOpen', 'getStatus', 'setStatus', 'syncStatus'] } },
			},
			{
				displayName: 'Conversation ID',
				name: 'diagnoseConversationId',
				type: 'string',
				default: '={{ $json.conversationId }}',
				description: 'A conversation that went pending; its inbox is checked. Leave empty to check an inbox by ID.',
				displayOptions: { show: { operation: ['diagnosePending'] } },
			},
			{
				displayName: 'Inbox ID',
				name: 'inboxId',
				type: 'string',
				default: '',
				placeholder: 'e.g. 4',
				description:
					"The inbox to check when no conversation is given: the number at the end of its URL under Settings → Inboxes. Empty: the conversation's inbox.",
				displayOptions: { show: { operation: ['diagnosePending'] } },
			},
			{
				displayName: 'Only If Current Status Is',
				name: 'onlyIfStatus',
				type: 'multiOptions',
				options: statusOptions(),
				default: [],
				description:
					'Open the conversation only when its current status is one of these (for example Pending). Empty: whatever the status.',
				displayOptions: { show: { operation: ['forceOpen'] } },
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: statusOptions(),
				default: 'open',
				description: 'The status to set. FreeScout has no snoozed status and Chatwoot has no spam status.',
				displayOptions: { show: { operation: ['setStatus'] } },
			},
			{
				displayName: 'Snoozed Until',
				name: 'snoozedUntil',
				type: 'dateTime',
				default: '',
				description: 'When the snooze ends. Empty: until the contact writes again.',
				displayOptions: {
					show: {
						operation: ['setStatus'],
						status: ['snoozed'],
						platform: platformsWhere((platform) => platform.statuses.fromStatus('snoozed') !== null),
					},
				},
			},
			...syncProperties(),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Act As User Name or ID',
						name: 'actAsUserId',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getUsers', loadOptionsDependsOn: ['platform'] },
						default: '',
						description:
							'The user the status change is recorded as. Empty: the Default User ID of the credential. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						// Hidden only for platforms without users: Sync Status (no Platform) writes as it on the other side.
						displayOptions: { hide: { '/platform': platformsWhere((platform) => platform.action.users === undefined) } },
					},
					{
						displayName: 'Concurrency',
						name: 'concurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 50 },
						default: 5,
						description: 'How many items are processed at the same time. The output keeps the input order.',
					},
					{
						displayName: 'Max Attempts',
						name: 'maxAttempts',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 10 },
						default: 4,
						description:
							'Attempts per request when the platform answers 429 or 5xx, does not answer within the Timeout or cannot be reached (1: no retry)',
					},
					{
						displayName: 'Retry Delay (Ms)',
						name: 'retryDelayMs',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 500,
						description:
							'Wait before the first retry; it doubles for each further retry, with random jitter. A Retry-After header from the platform is honoured; one longer than 30 s ends the item with the time to try again.',
					},
					{
						displayName: 'Timeout (Ms)',
						name: 'timeoutMs',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TIMEOUT_MS,
						description:
							'How long one attempt waits for the platform to answer; then it counts as failed and is retried like a 5xx',
					},
				],
			},
		],
	};

	methods = { loadOptions: { getUsers: loadUsers } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const sync = operation === 'syncStatus';
		// Sync Status has no Platform: each item says where its change comes from.
		const platform = sync ? null : platformOf(this.getNodeParameter('platform', 0), this);
		const sessionFor = sessionFactory(this, options);
		if (platform !== null) await sessionFor(platform);
		const continueOnFail = this.continueOnFail();

		const results = await mapPool(
			items,
			Number(options.concurrency ?? 5),
			async (item, itemIndex) =>
				platform === null
					? await runSync(this, sessionFor, itemIndex, item.json.superseded)
					: await runItem(this, await sessionFor(platform), operation, itemIndex),
			{ stopOnError: !continueOnFail },
		);

		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
			const result = results[itemIndex];
			if (result.status === 'fulfilled') {
				output.push({ json: result.value, pairedItem: { item: itemIndex } });
				continue;
			}
			if (result.status === 'skipped') continue;
			const error = toNodeError(this.getNode(), result.reason, itemIndex);
			if (!continueOnFail) throw error;
			const platformId = platform?.id ?? platforms.all().map((p) => p.id).join('+');
			output.push({
				json: { error: error.message, description: error.description ?? '', platform: platformId, operation },
				pairedItem: { item: itemIndex },
			});
		}
		return [output];
	}
}
