/**
 * The trigger's parameters and credential, read into what each delivery is handled with (DeliverySettings), plus
 * the node-wide values derived from the same parameters (memory size and key, stored webhook). Read again for every
 * delivery, since n8n gives webhook() the parameters of the published version. Pure (no n8n imports): the node
 * passes in what getNodeParameter and getCredentials returned.
 */
import { isStatus, CAUSES, type Cause, type Status } from '../types';
import type { ConversationContainer, PlatformModule, PlatformSettings } from '../platform';
import type { ChangeFilters } from './filters';
import type { DeliverySettings } from './pipeline';
import { DEFAULT_MEMORY_SIZE, MAX_MEMORY_SIZE } from './memory';
import type { StoredWebhook } from './webhook-registration';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface TriggerOptions {
	acceptUnsigned?: boolean;
	apiUserIds?: string;
	includeRawPayload?: boolean;
	lookUpWhoChanged?: boolean;
	registerWebhook?: boolean;
	rememberedConversations?: number;
	toleranceSeconds?: number;
}

/** The filters collection; the container filter is named after the platform's container ("inboxIds"). */
export interface TriggerFilters {
	causes?: string[];
	fromStatuses?: string[];
	includeNewConversations?: boolean;
	toStatuses?: string[];
	[containerFilter: string]: unknown;
}

/** The name of a platform's container filter in the Filters collection: "inboxIds", "mailboxIds". */
export function containerFilterName(container: ConversationContainer): string {
	return `${container.label.toLowerCase()}Ids`;
}

/** "1, 4 7" -> [1, 4, 7]; anything that is not a positive integer is an error the user should see. */
export function parseIdList(value: unknown, label: string): number[] {
	if (Array.isArray(value)) return value.flatMap((entry) => parseIdList(entry, label));
	if (typeof value === 'number') return parseIdList(String(value), label);
	if (typeof value !== 'string' || value.trim() === '') return [];
	return value
		.split(/[\s,;]+/)
		.filter((part) => part !== '')
		.map((part) => {
			if (!/^\d+$/.test(part)) throw new Error(`"${part}" in ${label} is not a number`);
			return Number(part);
		});
}

export function registersAutomatically(options: TriggerOptions): boolean {
	return options.registerWebhook !== false;
}

export function toFilters(filters: TriggerFilters, container: ConversationContainer): ChangeFilters {
	return {
		toStatuses: (filters.toStatuses ?? []).filter(isStatus),
		fromStatuses: (filters.fromStatuses ?? []).filter(
			(value): value is Status | 'unknown' => value === 'unknown' || isStatus(value),
		),
		containerIds: parseIdList(filters[containerFilterName(container)], `${container.label} IDs`),
		causes: (filters.causes ?? []).filter((value): value is Cause => (CAUSES as readonly string[]).includes(value)),
		includeNewConversations: filters.includeNewConversations !== false,
	};
}

/** The stored webhook in node static data, if any (ignores foreign or corrupt values). */
export function storedWebhookOf(value: unknown): StoredWebhook | null {
	if (typeof value !== 'object' || value === null) return null;
	const candidate = value as Record<string, unknown>;
	if (typeof candidate.id !== 'string' || typeof candidate.url !== 'string') return null;
	const secret = typeof candidate.secret === 'string' && candidate.secret !== '' ? candidate.secret : null;
	const events = Array.isArray(candidate.events) && candidate.events.every((event) => typeof event === 'string') ? (candidate.events as string[]) : null;
	return { id: candidate.id, url: candidate.url, secret, events };
}

/**
 * The secret deliveries are checked with: the one the platform generated for the registered webhook where there is
 * one (Chatwoot), else the credential's (FreeScout's global Secret Key, or a Chatwoot webhook created by hand).
 */
export function secretFor(stored: StoredWebhook | null, options: TriggerOptions, settings: PlatformSettings): string | null {
	if (registersAutomatically(options) && stored?.secret) return stored.secret;
	return settings.webhookSecret;
}

export function deliverySettings(
	platform: PlatformModule,
	options: TriggerOptions,
	filters: TriggerFilters,
	settings: PlatformSettings,
	stored: StoredWebhook | null,
): DeliverySettings {
	return {
		secret: secretFor(stored, options, settings),
		acceptUnsigned: platform.trigger.sendsUnsigned && options.acceptUnsigned === true,
		toleranceSeconds: nonNegative(options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS),
		context: {
			baseUrl: settings.baseUrl,
			accountId: settings.accountId,
			apiUserIds: parseIdList(options.apiUserIds, 'API User IDs'),
		},
		filters: toFilters(filters, platform.container),
		container: platform.container,
	};
}

/** Remembered Conversations, within 1 and MAX_MEMORY_SIZE (a bigger memory makes every save slower). */
export function rememberedConversations(options: TriggerOptions): number {
	const value = options.rememberedConversations;
	if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) return DEFAULT_MEMORY_SIZE;
	return Math.min(value, MAX_MEMORY_SIZE);
}

function nonNegative(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** One memory per trigger node; "Listen for test event" gets its own so it never pollutes the production one. */
export function memoryKey(workflowId: string | undefined, nodeId: string, test: boolean): string {
	return `${workflowId ?? 'unsaved'}:${nodeId}${test ? ':test' : ''}`;
}
