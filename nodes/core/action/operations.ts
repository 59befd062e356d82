/**
 * The action node's operations as pure orchestration over a ConversationApi: read first, write only when the
 * status differs, retries through the injected policy, and the same output shape on every platform. The node
 * supplies `send` (nodes/n8n/request.ts) and n8n's `sleep`. Sync Status lives in sync.ts.
 */
import { connectionFailure } from './api-error';
import type { Action, ApiScope, Call, ConversationApi, ConversationSnapshot, Writer } from './conversation-api';
import { ApiCallError, InvalidParameterError } from './conversation-api';
import type { ApiRequest, ApiResponse, Send } from '../http';
import { positiveInteger } from '../json';
import type { RetryDeps, RetryOutcome, RetryPolicy } from './retry';
import { ConnectionFailedError, sendWithRetry } from './retry';
import type { Platform, Status } from '../types';

export interface Session {
	readonly api: ConversationApi;
	readonly scope: ApiScope;
	/** Identifies the installation and account the credential points at (e.g. its base URL and account). */
	readonly instance: string;
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
	instance?: string;
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
		instance: options.instance ?? `${api.platform}/${scope.accountId ?? ''}`,
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

/** Reads a conversation with everything the platform reports about it. */
export async function readConversation(session: Session, conversationId: number): Promise<ConversationSnapshot> {
	const response = await session.ok(session.api.getConversation(conversationId, session.scope), { conversationId, action: 'reading' });
	return session.api.readConversation(response, conversationId, session.scope);
}

/** What Get Status reports: the conversation without what only Sync Status reads. */
export type StatusReport = Omit<ConversationSnapshot, 'updatedAt' | 'createdAt' | 'contactEmail' | 'attributes'>;

export async function getStatus(session: Session, conversationId: number): Promise<StatusReport> {
	const { platform, conversationNumber, status, platformStatus, assignee, accountId, inboxId, mailboxId, snoozedUntil, subject } =
		await readConversation(session, conversationId);
	return { platform, conversationId, conversationNumber, status, platformStatus, assignee, accountId, inboxId, mailboxId, snoozedUntil, subject };
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
	const { conversationId, target } = options;
	const snoozedUntil = options.snoozedUntil ?? null;
	const platformTarget = session.api.checkWritable(target, { snoozedUntil });
	const current = await readConversation(session, conversationId);
	const onlyIf = options.onlyIf ?? [];
	if (onlyIf.length > 0 && (current.status === null || !onlyIf.includes(current.status))) {
		return unchanged(current, `current status is ${current.status ?? current.platformStatus}, not ${onlyIf.join(' or ')}`);
	}
	const sameSnooze = snoozedUntil === null || sameInstant(current.snoozedUntil, snoozedUntil);
	if (current.platformStatus === platformTarget && sameSnooze) {
		return unchanged(current, `already ${current.status ?? current.platformStatus}`);
	}
	return await writeStatus(session, current, target, { snoozedUntil, userId: options.userId ?? null });
}

/** The result of a read that led to no write to this conversation (`skipped`: why, where nothing was written). */
export function unchanged(current: ConversationSnapshot, skipped: string | null): WriteResult {
	return {
		platform: current.platform,
		conversationId: current.conversationId,
		previousStatus: current.status,
		previousPlatformStatus: current.platformStatus,
		status: current.status,
		platformStatus: current.platformStatus,
		changed: false,
		skipped,
		warnings: [],
		notes: [],
	};
}

/** Writes `target` to a conversation just read as `current`: exactly one write. */
export async function writeStatus(
	session: Session,
	current: ConversationSnapshot,
	target: Status,
	options: { snoozedUntil: number | null; userId: number | null },
): Promise<WriteResult> {
	const { api, scope } = session;
	const { conversationId } = current;
	const { snoozedUntil, userId } = options;
	const platformTarget = api.checkWritable(target, { snoozedUntil });
	// Where the write needs the writer (FreeScout's byUser) it is looked up first. Elsewhere it only explains the
	// result (Chatwoot's agent-token warning): the write goes out first, so the change lands one request sooner, and
	// a failed lookup afterwards costs the warning, not the item.
	const writerFirst = api.writerNeededToWrite ? await session.writer(userId) : null;
	const response = await session.ok(
		api.setStatus(conversationId, platformTarget, scope, { writer: writerFirst, snoozedUntil }),
		{ conversationId, action: 'changing the status of' },
	);
	const report = api.readSetStatus(response);
	const writer = writerFirst ?? (await session.writer(userId).catch(() => null));
	const platformStatus = report.platformStatus ?? platformTarget;
	const status = api.statuses.toStatus(platformStatus);
	const sameSnooze = snoozedUntil === null || sameInstant(current.snoozedUntil, snoozedUntil);
	return {
		platform: api.platform,
		conversationId,
		previousStatus: current.status,
		previousPlatformStatus: current.platformStatus,
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
