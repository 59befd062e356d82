/**
 * The action node's operations as pure orchestration over a ConversationApi: read first, write only when the
 * status differs (so a two-way sync stops after one hop), retries through the injected policy, and the same
 * output shape on every platform. The node supplies `send` (nodes/n8n/request.ts) and n8n's `sleep`.
 */
import { connectionFailure } from './api-error';
import type { Action, ApiScope, Call, ConversationApi, ConversationSnapshot, Writer } from './conversation-api';
import { ApiCallError, InvalidParameterError } from './conversation-api';
import type { ApiRequest, ApiResponse, Send } from '../http';
import { positiveInteger } from '../json';
import type { RetryDeps, RetryOutcome, RetryPolicy } from './retry';
import { ConnectionFailedError, sendWithRetry } from './retry';
import type { Platform, Status } from '../types';
import { isStatus, STATUSES } from '../types';

export interface Session {
	readonly api: ConversationApi;
	readonly scope: ApiScope;
	/** Sends with retries and the timeout; any HTTP answer is returned. Connection failures become ApiCallError. */
	raw(request: ApiRequest, context: { conversationId: number | null; action: Action }): Promise<RetryOutcome>;
	/** Sends with retries; a non-2xx answer becomes the platform's ApiCallError. */
	ok(request: ApiRequest, context: { conversationId: number | null; action: Action }): Promise<ApiResponse>;
	/** Who writes; looked up at most once per session (per configured user). */
	writer(configuredUserId: number | null): Promise<Writer>;
}

export function createSession(options: {
	api: ConversationApi;
	scope: ApiScope;
	send: Send;
	retry: RetryPolicy;
	/** How long one attempt may wait for the platform's answer. */
	timeoutMs: number;
	deps: RetryDeps;
}): Session {
	const { api, scope, send, retry, timeoutMs, deps } = options;
	const writers = new Map<number | null, Promise<Writer>>();
	const session: Session = {
		api,
		scope,
		async raw(request, context) {
			let failure: unknown = null;
			const outcome = await sendWithRetry(async () => await send(request, { timeoutMs }), retry, deps).catch((error: unknown) => {
				failure = error;
				return null;
			});
			if (outcome !== null) return outcome;
			if (failure instanceof ConnectionFailedError) {
				throw connectionFailure(api.platform, api.displayName, failure.failure, { ...context, attempts: failure.attempts, timeoutMs });
			}
			throw failure;
		},
		async ok(request, context) {
			const { response, attempts, retryAt } = await session.raw(request, context);
			if (response.statusCode < 200 || response.statusCode >= 300) {
				throw api.failure(response, { conversationId: context.conversationId, scope, action: context.action, attempts, retryAt });
			}
			return response;
		},
		writer(configuredUserId) {
			const key = configuredUserId !== null && configuredUserId > 0 ? configuredUserId : null;
			let pending = writers.get(key);
			if (!pending) {
				pending = (async () => {
					const request = api.writerRequest(scope, key);
					if (request === null) return api.readWriter(null, key);
					const context = { conversationId: null, action: 'looking up who changes are made as' as const };
					// Where the write needs the writer, a failed lookup is an error of its own; elsewhere any answer explains.
					const response = api.writerNeededToWrite
						? await session.ok(request, context)
						: (await session.raw(request, context)).response;
					return api.readWriter(response, key);
				})();
				writers.set(key, pending);
				// A failed lookup is not cached: the next item tries again.
				pending.catch(() => writers.delete(key));
			}
			return pending;
		},
	};
	return session;
}

export interface WriteResult {
	platform: Platform;
	conversationId: number;
	previousStatus: Status | null;
	status: Status | null;
	changed: boolean;
	previousPlatformStatus: string;
	platformStatus: string;
	/** Why nothing was written, or null when a write was made. */
	skipped: string | null;
	warnings: string[];
	notes: string[];
}

export function checkConversationId(value: unknown): number {
	const n = positiveInteger(value);
	if (n === null) {
		throw new InvalidParameterError(
			`Conversation ID must be a positive whole number, got ${JSON.stringify(value) ?? 'nothing'}`,
			'Map the conversation ID from the trigger (for example {{ $json.conversationId }}) or type the number.',
		);
	}
	return n;
}

export async function getStatus(session: Session, conversationId: number): Promise<ConversationSnapshot> {
	const response = await session.ok(session.api.getConversation(conversationId, session.scope), { conversationId, action: 'reading' });
	return session.api.readConversation(response, conversationId, session.scope);
}

export interface ApplyOptions {
	conversationId: number;
	target: Status;
	/** Write only when the current status is one of these; empty or null: any. */
	onlyIf?: readonly Status[] | null;
	/** Unix seconds, snoozed only. */
	snoozedUntil?: number | null;
	/** The user to write as where the platform needs one; null: the credential's default. */
	userId?: number | null;
}

/** Read, then write only if the status differs (and the guard allows it): 1 read + at most 1 write. */
export async function applyStatus(session: Session, options: ApplyOptions): Promise<WriteResult> {
	const { api, scope } = session;
	const { conversationId, target } = options;
	const snoozedUntil = options.snoozedUntil ?? null;
	const platformTarget = api.checkWritable(target, { snoozedUntil });
	const current = await getStatus(session, conversationId);
	const base = {
		platform: api.platform,
		conversationId,
		previousStatus: current.status,
		previousPlatformStatus: current.platformStatus,
	};
	const unchanged = (skipped: string): WriteResult => ({
		...base,
		status: current.status,
		platformStatus: current.platformStatus,
		changed: false,
		skipped,
		warnings: [],
		notes: [],
	});
	const onlyIf = options.onlyIf ?? [];
	if (onlyIf.length > 0 && (current.status === null || !onlyIf.includes(current.status))) {
		return unchanged(`current status is ${current.status ?? current.platformStatus}, not ${onlyIf.join(' or ')}`);
	}
	const sameSnooze = snoozedUntil === null || sameInstant(current.snoozedUntil, snoozedUntil);
	if (current.platformStatus === platformTarget && sameSnooze) {
		return unchanged(`already ${current.status ?? current.platformStatus}`);
	}
	// Where the write needs the writer (FreeScout's byUser) it is looked up first. Elsewhere it only explains the
	// result (Chatwoot's agent-token warning): the write goes out first, so the change lands one request sooner, and
	// a failed lookup afterwards costs the warning, not the item.
	const userId = options.userId ?? null;
	const writerFirst = api.writerNeededToWrite ? await session.writer(userId) : null;
	const response = await session.ok(
		api.setStatus(conversationId, platformTarget, scope, { writer: writerFirst, snoozedUntil }),
		{ conversationId, action: 'changing the status of' },
	);
	const report = api.readSetStatus(response);
	const writer = writerFirst ?? (await session.writer(userId).catch(() => null));
	const platformStatus = report.platformStatus ?? platformTarget;
	const status = api.statuses.toStatus(platformStatus);
	return {
		...base,
		status,
		platformStatus,
		changed: platformStatus !== current.platformStatus || !sameSnooze,
		skipped: null,
		warnings: writer === null ? [] : api.writeWarnings(writer, { conversationId, status: status ?? target, changed: true }),
		notes: report.notes,
	};
}

function sameInstant(iso: string | null, unixSeconds: number): boolean {
	if (iso === null) return false;
	const ms = Date.parse(iso);
	return !Number.isNaN(ms) && Math.floor(ms / 1000) === unixSeconds;
}

export interface MappingRule {
	from: Status;
	/** 'skip': do not sync this status. */
	to: Status | 'skip';
}

/** When the target platform lacks a status and no rule maps it: the nearest status it has. */
const FALLBACKS: Record<Status, Status[]> = {
	snoozed: ['pending'],
	spam: ['resolved'],
	open: [],
	pending: [],
	resolved: [],
};

export type SyncTarget = { target: Status; mappedFrom: Status } | { skip: string; mappedFrom: Status };

/** Maps an incoming normalized status onto the target platform. */
export function syncTarget(input: unknown, rules: readonly MappingRule[], api: ConversationApi): SyncTarget {
	if (!isStatus(input)) {
		throw new InvalidParameterError(
			`Sync Status needs a normalized status (${STATUSES.join(', ')}), got ${JSON.stringify(input) ?? 'nothing'}`,
			'Map the status from the Conversation Status Trigger (for example {{ $json.status }}) or use Set Status for platform words.',
		);
	}
	const rule = rules.find((r) => r.from === input);
	if (rule) {
		if (rule.to === 'skip') return { skip: `status ${input} is not synced (mapping)`, mappedFrom: input };
		return { target: rule.to, mappedFrom: input };
	}
	if (api.statuses.fromStatus(input) !== null) return { target: input, mappedFrom: input };
	const fallback = FALLBACKS[input].find((s) => api.statuses.fromStatus(s) !== null);
	if (fallback) return { target: fallback, mappedFrom: input };
	throw new InvalidParameterError(
		`${api.displayName} has no "${input}" status and no mapping for it`,
		`Add a mapping from ${input} to a status ${api.displayName} has, or to "skip".`,
	);
}

export async function syncStatus(
	session: Session,
	options: { conversationId: number; status: unknown; rules: readonly MappingRule[]; userId?: number | null },
): Promise<WriteResult & { requestedStatus: Status }> {
	const mapped = syncTarget(options.status, options.rules, session.api);
	if ('skip' in mapped) {
		return {
			platform: session.api.platform,
			conversationId: options.conversationId,
			previousStatus: null,
			status: null,
			changed: false,
			previousPlatformStatus: '',
			platformStatus: '',
			skipped: mapped.skip,
			warnings: [],
			notes: [],
			requestedStatus: mapped.mappedFrom,
		};
	}
	const result = await applyStatus(session, { conversationId: options.conversationId, target: mapped.target, userId: options.userId });
	return { ...result, requestedStatus: mapped.mappedFrom };
}

/** Diagnose Pending where the platform supports it. */
export async function diagnosePending(session: Session, target: { conversationId: number | null; inboxId: number | null }) {
	const { api } = session;
	if (!api.diagnosePending) {
		throw new InvalidParameterError(
			`Diagnose Pending is not available for ${api.displayName}`,
			`${api.displayName} has no bots that hold conversations pending; pending there is set by people, replies ("Status after replying" of the mailbox) or API clients.`,
		);
	}
	const call: Call = async (request) => await session.raw(request, { conversationId: target.conversationId, action: 'diagnosing' });
	return await api.diagnosePending(call, session.scope, target);
}

export { ApiCallError, InvalidParameterError };
