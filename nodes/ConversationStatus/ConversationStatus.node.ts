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
import type { Session } from '../core/action/operations';
import { applyStatus, checkConversationId, createSession, diagnosePending, getStatus } from '../core/action/operations';
import { newSyncMemory, syncChange } from '../core/action/sync';
import { mapPool } from '../core/action/pool';
import { DEFAULT_RETRY_POLICY } from '../core/action/retry';
import { DEFAULT_TIMEOUT_MS } from '../core/http';
import type { PlatformModule } from '../core/platform';
import { isStatus } from '../core/types';
import {
	platformCredentials,
	platformProperty,
	platformSubtitle,
	platformsWhere,
	statusOptions,
} from '../n8n/descriptions';
import { syncProperties } from '../n8n/sync-description';
import { readSyncItem } from '../n8n/sync-item';
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

	methods = {
		loadOptions: {
			async getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const selected = this.getNodeParameter('platform', '') as string;
				// Sync Status has no Platform: the users are those of the platform that has users.
				const platform =
					selected === '' ? platforms.all().find((candidate) => candidate.action.users !== undefined) : platformOf(selected, this);
				const users = platform?.action.users;
				if (platform === undefined || users === undefined) return [];
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
			const error = toNodeError(this, result.reason, itemIndex);
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

interface PlatformSession {
	session: Session;
	/** The credential's user for writes where the platform needs one. */
	defaultUserId: number | null;
}

/** One session per platform and execution, made on first use (reading the platform's credential). */
function sessionFactory(ctx: IExecuteFunctions, options: IDataObject): (platform: PlatformModule) => Promise<PlatformSession> {
	const made = new Map<string, Promise<PlatformSession>>();
	return async (platform) => {
		let pending = made.get(platform.id);
		if (pending === undefined) {
			pending = (async () => {
				const settings = await platformSettings.call(ctx, platform);
				const session = createSession({
					api: platform.action,
					scope: { accountId: settings.accountId },
					instance: `${settings.baseUrl ?? ''}/${settings.accountId ?? ''}`,
					send: async (request, sendOptions) => await sendApiRequest.call(ctx, platform, request, sendOptions),
					retry: {
						maxAttempts: Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
						baseDelayMs: Number(options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs),
						maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs,
					},
					timeoutMs: Number(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
					deps: { sleep, random: Math.random, now: Date.now },
				});
				return { session, defaultUserId: settings.defaultUserId };
			})();
			made.set(platform.id, pending);
		}
		return await pending;
	};
}

/** Act As User where chosen, else the credential's default user. */
function userIdOf(ctx: IExecuteFunctions, itemIndex: number, defaultUserId: number | null): number | null {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const actAs = options.actAsUserId === undefined || options.actAsUserId === '' ? null : Number(options.actAsUserId);
	return actAs !== null && actAs > 0 ? actAs : defaultUserId;
}

/** The Sync Status writes and pair claims of this n8n process (see sync-echoes.ts and sync-write.ts). */
const syncMemory = newSyncMemory();

async function runSync(
	ctx: IExecuteFunctions,
	sessionFor: (platform: PlatformModule) => Promise<PlatformSession>,
	itemIndex: number,
	superseded: unknown,
): Promise<IDataObject> {
	const { source, target, request } = readSyncItem(ctx, itemIndex, superseded);
	const [from, to] = await Promise.all([sessionFor(source), sessionFor(target)]);
	const userIds = { source: userIdOf(ctx, itemIndex, from.defaultUserId), target: userIdOf(ctx, itemIndex, to.defaultUserId) };
	const result = await syncChange({ source: from.session, target: to.session }, { ...request, userIds }, syncMemory);
	return { ...result } as unknown as IDataObject;
}

async function runItem(ctx: IExecuteFunctions, { session, defaultUserId }: PlatformSession, operation: string, itemIndex: number): Promise<IDataObject> {
	const userId = userIdOf(ctx, itemIndex, defaultUserId);

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
