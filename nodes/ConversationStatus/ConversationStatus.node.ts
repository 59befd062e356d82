import {
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type JsonObject,
} from 'n8n-workflow';

import { ApiCallError, InvalidParameterError } from '../core/action/conversation-api';
import type { MappingRule, Session } from '../core/action/operations';
import {
	applyStatus,
	checkConversationId,
	createSession,
	diagnosePending,
	getStatus,
	syncStatus,
} from '../core/action/operations';
import { mapPool } from '../core/action/pool';
import { DEFAULT_RETRY_POLICY } from '../core/action/retry';
import { DEFAULT_TIMEOUT_MS } from '../core/http';
import type { PlatformModule } from '../core/platform';
import { isStatus, type Status } from '../core/types';
import {
	platformCredentials,
	platformProperty,
	platformSubtitle,
	platformsWhere,
	statusOptions,
} from '../n8n/descriptions';
import { platformSettings, sendApiRequest } from '../n8n/request';
import { platforms } from '../platforms';

function platformOf(id: unknown, ctx: IExecuteFunctions | ILoadOptionsFunctions): PlatformModule {
	try {
		return platforms.get(id);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

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
		subtitle: platformSubtitle(' + ": " + $parameter["operation"].replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase())'),
		description: 'Force open, set, sync and read conversation statuses in Chatwoot and FreeScout, and find out why conversations go pending',
		defaults: { name: 'Conversation Status' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: platformCredentials(),
		properties: [
			platformProperty(),
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
						description: 'Apply a status from the other platform to a conversation, writing only when it differs',
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
					'Chatwoot: the conversation number in its URL. FreeScout: the conversation ID in its URL (not the #number). The default takes it from the Conversation Status Trigger.',
				displayOptions: { show: { operation: ['forceOpen', 'getStatus', 'setStatus', 'syncStatus'] } },
			},
			{
				// A notice, not the field's hint: n8n shows an expression's value in place of the hint, and the field
				// holds an expression by default.
				displayName:
					"Conversation ID: in Chatwoot the number at the end of the conversation's URL (…/conversations/42); in FreeScout the number after /conversation/ in its URL, not the #number. By default it comes from the trigger's item.",
				name: 'conversationIdNotice',
				type: 'notice',
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
			{
				displayName: 'Status',
				name: 'incomingStatus',
				type: 'string',
				default: '={{ $json.status }}',
				hint: 'One of open, pending, resolved, snoozed or spam',
				description: 'A normalized status (open, pending, resolved, snoozed or spam), usually from the Conversation Status Trigger',
				displayOptions: { show: { operation: ['syncStatus'] } },
			},
			{
				displayName: 'Status Mapping',
				name: 'mapping',
				type: 'fixedCollection',
				placeholder: 'Add Mapping',
				typeOptions: { multipleValues: true },
				default: {},
				description:
					'How incoming statuses translate to this platform. Unmapped statuses are applied as they are; a status the platform lacks falls back to the nearest one (snoozed → pending, spam → resolved).',
				displayOptions: { show: { operation: ['syncStatus'] } },
				options: [
					{
						displayName: 'Rule',
						name: 'rules',
						values: [
							{
								displayName: 'From',
								name: 'from',
								type: 'options',
								options: statusOptions(),
								default: 'snoozed',
							},
							{
								displayName: 'To',
								name: 'to',
								type: 'options',
								options: [
									{ name: 'Do Not Sync', value: 'skip' },
									...statusOptions(),
								],
								default: 'skip',
							},
						],
					},
				],
			},
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
						displayOptions: { show: { '/platform': platformsWhere((platform) => platform.action.users !== undefined) } },
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

	methods = {
		loadOptions: {
			async getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const platform = platformOf(this.getNodeParameter('platform'), this);
				const users = platform.action.users;
				if (users === undefined) return [];
				const response = await sendApiRequest.call(this, platform, users.request, { timeoutMs: DEFAULT_TIMEOUT_MS });
				if (response.statusCode < 200 || response.statusCode >= 300) {
					// Sent once: the user list is loaded while someone waits in the editor.
					const failure = platform.action.failure(response, {
						conversationId: null,
						scope: { accountId: null },
						action: 'looking up who changes are made as',
						attempts: 1,
						retryAt: null,
					});
					throw new NodeApiError(this.getNode(), { message: failure.message } as JsonObject, {
						message: failure.message,
						description: failure.description,
					});
				}
				return users.read(response).map((user) => ({
					name: `${user.name ?? user.email ?? `User ${user.id}`}${user.isAdministrator ? ' (admin)' : ''}`,
					value: user.id,
					description: user.email ?? undefined,
				}));
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const platform = platformOf(this.getNodeParameter('platform', 0), this);
		const operation = this.getNodeParameter('operation', 0) as string;
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const settings = await platformSettings.call(this, platform);
		const session = createSession({
			api: platform.action,
			scope: { accountId: settings.accountId },
			send: async (request, sendOptions) => await sendApiRequest.call(this, platform, request, sendOptions),
			retry: {
				maxAttempts: Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
				baseDelayMs: Number(options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs),
				maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs,
			},
			timeoutMs: Number(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
			deps: { sleep, random: Math.random, now: Date.now },
		});
		const defaultUserId = settings.defaultUserId;
		const continueOnFail = this.continueOnFail();

		const results = await mapPool(
			items,
			Number(options.concurrency ?? 5),
			async (_item, itemIndex) => await runItem(this, session, operation, itemIndex, defaultUserId),
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
			const error = toNodeError(this, result.reason, itemIndex);
			if (!continueOnFail) throw error;
			output.push({
				json: { error: error.message, description: error.description ?? '', platform: platform.id, operation },
				pairedItem: { item: itemIndex },
			});
		}
		return [output];
	}
}

async function runItem(
	ctx: IExecuteFunctions,
	session: Session,
	operation: string,
	itemIndex: number,
	defaultUserId: number | null,
): Promise<IDataObject> {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const actAs = options.actAsUserId === undefined || options.actAsUserId === '' ? null : Number(options.actAsUserId);
	const userId = actAs !== null && actAs > 0 ? actAs : defaultUserId;

	if (operation === 'diagnosePending') {
		const rawId = ctx.getNodeParameter('diagnoseConversationId', itemIndex, '') as unknown;
		const conversationId = rawId === '' || rawId === null || rawId === undefined ? null : checkConversationId(rawId);
		const inboxId = optionalInboxId(ctx, itemIndex);
		return { ...(await diagnosePending(session, { conversationId, inboxId })) } as unknown as IDataObject;
	}

	const conversationId = checkConversationId(ctx.getNodeParameter('conversationId', itemIndex));
	if (operation === 'getStatus') {
		return { ...(await getStatus(session, conversationId)) } as unknown as IDataObject;
	}
	if (operation === 'forceOpen') {
		const onlyIf = (ctx.getNodeParameter('onlyIfStatus', itemIndex, []) as string[]).filter(isStatus);
		return { ...(await applyStatus(session, { conversationId, target: 'open', onlyIf, userId })) } as unknown as IDataObject;
	}
	if (operation === 'setStatus') {
		const status = ctx.getNodeParameter('status', itemIndex) as string;
		if (!isStatus(status)) {
			throw new NodeOperationError(ctx.getNode(), `Unknown status "${status}"`, {
				description: 'Choose one of the listed statuses.',
				itemIndex,
			});
		}
		const until = status === 'snoozed' ? (ctx.getNodeParameter('snoozedUntil', itemIndex, '') as string) : '';
		const ms = until === '' ? null : Date.parse(until);
		if (ms !== null && Number.isNaN(ms)) {
			throw new NodeOperationError(ctx.getNode(), `Snoozed Until is not a date: "${until}"`, {
				description: 'Give a date and time, for example 2026-12-01T09:00:00Z.',
				itemIndex,
			});
		}
		const snoozedUntil = ms === null ? null : Math.floor(ms / 1000);
		return { ...(await applyStatus(session, { conversationId, target: status, userId, snoozedUntil })) } as unknown as IDataObject;
	}
	if (operation === 'syncStatus') {
		const status = ctx.getNodeParameter('incomingStatus', itemIndex) as unknown;
		const mapping = ctx.getNodeParameter('mapping', itemIndex, {}) as { rules?: Array<{ from: string; to: string }> };
		const rules: MappingRule[] = (mapping.rules ?? [])
			.filter((r) => isStatus(r.from) && (r.to === 'skip' || isStatus(r.to)))
			.map((r) => ({ from: r.from as Status, to: r.to as Status | 'skip' }));
		return { ...(await syncStatus(session, { conversationId, status, rules, userId })) } as unknown as IDataObject;
	}
	throw new NodeOperationError(ctx.getNode(), `Unknown operation "${operation}"`, { itemIndex });
}

/** Diagnose Pending's Inbox ID: null when empty (0 too, the empty value of workflows saved when it was a number). */
function optionalInboxId(ctx: IExecuteFunctions, itemIndex: number): number | null {
	const raw = ctx.getNodeParameter('inboxId', itemIndex, '') as unknown;
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (text === '' || text === '0') return null;
	const id = Number(text);
	if (!Number.isInteger(id) || id < 0) {
		throw new NodeOperationError(ctx.getNode(), `Inbox ID must be a whole number, got ${JSON.stringify(raw)}`, {
			description: "Type the inbox's number, or leave it empty to check the inbox of the conversation given above.",
			itemIndex,
		});
	}
	return id;
}

function toNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof ApiCallError) {
		return new NodeApiError(
			ctx.getNode(),
			{ message: error.message, description: error.description, platformMessage: error.platformMessage } as JsonObject,
			{
				message: error.message,
				description: error.description,
				httpCode: error.statusCode === null ? undefined : String(error.statusCode),
				itemIndex,
			},
		);
	}
	if (error instanceof InvalidParameterError) {
		return new NodeOperationError(ctx.getNode(), error.message, { description: error.description, itemIndex });
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}
