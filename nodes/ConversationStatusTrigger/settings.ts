/**
 * The trigger's parameters and credential, read into the core's settings. Pure (no n8n imports): the node passes
 * in what getNodeParameter and getCredentials returned.
 */
import type { ChangeFilters } from '../shared/filters';
import type { DeliverySettings } from '../shared/pipeline';
import { CAUSES, STATUSES, type Cause, type Platform, type Status } from '../shared/types';
import type { StoredWebhook } from '../shared/webhook-registration';

export const DEFAULT_MAX_WAIT_MS = 2000;
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_REMEMBERED_CONVERSATIONS = 1000;

export interface TriggerOptions {
	acceptUnsigned?: boolean;
	apiUserIds?: string;
	includeRawPayload?: boolean;
	maxWaitMs?: number;
	registerWebhook?: boolean;
	rememberedConversations?: number;
	toleranceSeconds?: number;
}

export interface TriggerFilters {
	causes?: string[];
	fromStatuses?: string[];
	inboxIds?: string;
	includeNewConversations?: boolean;
	mailboxIds?: string;
	toStatuses?: string[];
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

export function toFilters(filters: TriggerFilters): ChangeFilters {
	return {
		toStatuses: (filters.toStatuses ?? []).filter(isStatus),
		fromStatuses: (filters.fromStatuses ?? []).filter(
			(value): value is Status | 'unknown' => value === 'unknown' || isStatus(value),
		),
		inboxIds: parseIdList(filters.inboxIds, 'Inbox IDs'),
		mailboxIds: parseIdList(filters.mailboxIds, 'Mailbox IDs'),
		causes: (filters.causes ?? []).filter((value): value is Cause => (CAUSES as readonly string[]).includes(value)),
		includeNewConversations: filters.includeNewConversations !== false,
	};
}

function isStatus(value: string): value is Status {
	return (STATUSES as readonly string[]).includes(value);
}

function nonEmpty(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** The stored webhook in node static data, if any (ignores foreign or corrupt values). */
export function storedWebhookOf(value: unknown): StoredWebhook | null {
	if (typeof value !== 'object' || value === null) return null;
	const candidate = value as Record<string, unknown>;
	if (typeof candidate.id !== 'string' || typeof candidate.url !== 'string') return null;
	return { id: candidate.id, url: candidate.url, secret: nonEmpty(candidate.secret) };
}

/**
 * The secret deliveries are checked with: the one the platform generated for the registered webhook where there is
 * one (Chatwoot), else the credential's (FreeScout's global Secret Key, or a Chatwoot webhook created by hand).
 */
export function secretFor(
	stored: StoredWebhook | null,
	options: TriggerOptions,
	credentials: Record<string, unknown>,
): string | null {
	if (registersAutomatically(options) && stored?.secret) return stored.secret;
	return nonEmpty(credentials.webhookSecret);
}

export function deliverySettings(
	platform: Platform,
	options: TriggerOptions,
	filters: TriggerFilters,
	credentials: Record<string, unknown>,
	stored: StoredWebhook | null,
): DeliverySettings {
	const accountId = Number(credentials.accountId);
	return {
		secret: secretFor(stored, options, credentials),
		acceptUnsigned: options.acceptUnsigned === true,
		toleranceSeconds: nonNegative(options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS),
		context: {
			baseUrl: nonEmpty(credentials.baseUrl)?.replace(/\/+$/, '') ?? null,
			accountId: platform === 'chatwoot' && Number.isInteger(accountId) && accountId > 0 ? accountId : null,
			apiUserIds: parseIdList(options.apiUserIds, 'API User IDs'),
		},
		filters: toFilters(filters),
		maxWaitMs: nonNegative(options.maxWaitMs, DEFAULT_MAX_WAIT_MS),
	};
}

export function rememberedConversations(options: TriggerOptions): number {
	const value = options.rememberedConversations;
	return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : DEFAULT_REMEMBERED_CONVERSATIONS;
}

function nonNegative(value: unknown, fallback: number): number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** One memory per trigger node; "Listen for test event" gets its own so it never pollutes the production one. */
export function memoryKey(workflowId: string | undefined, nodeId: string, test: boolean): string {
	return `${workflowId ?? 'unsaved'}:${nodeId}${test ? ':test' : ''}`;
}
