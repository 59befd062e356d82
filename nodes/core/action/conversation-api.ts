/**
 * What the action node needs from a platform's REST API, as pure request builders and response readers.
 * Each platform folder exports one `api` object implementing ConversationApi from `platforms/<platform>/api.ts`;
 * a third platform is one more folder. Nothing here imports n8n or sends anything: the caller sends the
 * ApiRequest values (nodes/n8n/request.ts) and hands the ApiResponse values back.
 */
import type { ApiRequest, ApiResponse } from '../http';
import type { RetryOutcome } from './retry';
import type { Assignee, Platform, Status, StatusMap } from '../types';

/** Where the credential points: Chatwoot conversations live in an account; FreeScout ids are global. */
export interface ApiScope {
	accountId: number | null;
}

/** A conversation as the action node reports it. */
export interface ConversationSnapshot {
	platform: Platform;
	conversationId: number;
	/** The number people see where it differs from the id (FreeScout); else null. */
	conversationNumber: number | null;
	/** Null when the platform reports a status outside the normalized vocabulary. */
	status: Status | null;
	platformStatus: string;
	assignee: Assignee | null;
	accountId: number | null;
	inboxId: number | null;
	mailboxId: number | null;
	snoozedUntil: string | null;
	subject: string | null;
	/** When the conversation last changed in any way (ISO), as the platform reports it; null when it does not. */
	updatedAt: string | null;
	/** When the conversation was created (ISO); null when the platform does not say. Pairing compares it. */
	createdAt: string | null;
	/** The customer's e-mail address, for pairing conversations across platforms. */
	contactEmail: string | null;
	/** Values people can set on the conversation by name (Chatwoot custom attributes, FreeScout custom fields). */
	attributes: Record<string, unknown>;
}

/** Who the credential writes as, learned once per execution. */
export interface Writer {
	/** The user a change is attributed to where the platform requires one (FreeScout byUser); else null. */
	userId: number | null;
	/** The role of the credential's token where the platform has roles that change what a write does. */
	role: 'administrator' | 'agent' | 'bot' | 'unknown' | null;
}

export interface WriteOptions {
	/** Who writes, when the platform needs it for the write (see ConversationApi.writerNeededToWrite); else null. */
	writer: Writer | null;
	/** Unix seconds; only for 'snoozed' on platforms that support it. */
	snoozedUntil: number | null;
}

/** What the platform said about a successful write. */
export interface WriteReport {
	/** The platform status after the write as the platform reported it; null when it answers without a body. */
	platformStatus: string | null;
	/** Notes worth showing the user (e.g. Chatwoot's `success: null` bot handoff). */
	notes: string[];
}

/** A failure the node turns into NodeApiError / NodeOperationError. Pure: no n8n types. */
export class ApiCallError extends Error {
	readonly platform: Platform;

	/** HTTP status, or null for a connection failure or a response that makes no sense. */
	readonly statusCode: number | null;

	/** What the platform itself said, verbatim where possible. */
	readonly platformMessage: string;

	/** What to check, in plain words. */
	readonly description: string;

	constructor(options: {
		platform: Platform;
		message: string;
		statusCode: number | null;
		platformMessage: string;
		description: string;
	}) {
		super(options.message);
		this.name = 'ApiCallError';
		this.platform = options.platform;
		this.statusCode = options.statusCode;
		this.platformMessage = options.platformMessage;
		this.description = options.description;
	}
}

/** A parameter the platform cannot take (e.g. snoozed on FreeScout): the node reports it as NodeOperationError. */
export class InvalidParameterError extends Error {
	readonly description: string;

	constructor(message: string, description: string) {
		super(message);
		this.name = 'InvalidParameterError';
		this.description = description;
	}
}

export type Action = 'reading' | 'changing the status of' | 'looking up who changes are made as' | 'diagnosing' | 'pairing';

/** The pending diagnosis of one inbox / conversation (platforms where a bot can hold conversations pending). */
export interface DiagnosisCheck {
	check: string;
	result: 'found' | 'clear' | 'not_available' | 'not_visible';
	detail: string;
}

export interface Diagnosis {
	platform: Platform;
	conversationId: number | null;
	inboxId: number;
	status: Status | null;
	pendingCause: string | null;
	finding: string;
	fix: string;
	checks: DiagnosisCheck[];
}

/** Sends a request with the session's retries and timeout: the answer, how often it was sent, when to retry. */
export type Call = (request: ApiRequest) => Promise<RetryOutcome>;

/** What an error message needs to know about the failed call besides the response. */
export interface FailureContext {
	conversationId: number | null;
	scope: ApiScope;
	action: Action;
	/** How many times the request was sent. */
	attempts: number;
	/** When the platform takes requests again (its Retry-After, ms since epoch), or null when it did not say. */
	retryAt: number | null;
}

/** A user changes can be made as, for the node's user picker. */
export interface PlatformUser {
	id: number;
	name: string | null;
	email: string | null;
	isAdministrator: boolean;
}

export interface ConversationApi {
	readonly platform: Platform;
	readonly displayName: string;
	readonly statuses: StatusMap;
	/** Whether a write needs the writer (FreeScout's byUser); if not, the writer only explains the result. */
	readonly writerNeededToWrite: boolean;
	/** How precise the platform's timestamps are (FreeScout reports whole seconds). */
	readonly clockResolutionMs: number;
	/** "account 3", "this FreeScout installation": where conversation ids are looked up. */
	describeScope(scope: ApiScope): string;

	getConversation(conversationId: number, scope: ApiScope): ApiRequest;
	/** Reads a 2xx answer of getConversation. */
	readConversation(response: ApiResponse, conversationId: number, scope: ApiScope): ConversationSnapshot;

	/**
	 * The request that tells who the credential writes as, or null when nothing needs looking up.
	 * `configuredUserId` is the user chosen in the node or credential (0 or null: none chosen).
	 */
	writerRequest(scope: ApiScope, configuredUserId: number | null): ApiRequest | null;
	/**
	 * Reads the answer of writerRequest: a 2xx where writerNeededToWrite (a failed lookup is then the request's
	 * error), any status otherwise. Throws ApiCallError when writing is impossible.
	 */
	readWriter(response: ApiResponse | null, configuredUserId: number | null): Writer;

	/** Throws InvalidParameterError when the platform cannot take this status (or option). */
	checkWritable(status: Status, options: { snoozedUntil: number | null }): string;
	setStatus(conversationId: number, platformStatus: string, scope: ApiScope, options: WriteOptions): ApiRequest;
	/** Reads a 2xx answer of setStatus; throws ApiCallError when the body reports a failure. */
	readSetStatus(response: ApiResponse): WriteReport;
	/** Warnings about side effects of a write the platform made (e.g. Chatwoot agent self-assignment). */
	writeWarnings(writer: Writer, change: { conversationId: number; status: Status; changed: boolean }): string[];

	/** The ApiCallError for a non-2xx answer. */
	failure(response: ApiResponse, context: FailureContext): ApiCallError;

	/** The users a change can be made as, where the platform attributes changes to a chosen user; else absent. */
	users?: {
		request: ApiRequest;
		/** Reads a 2xx answer of the request. */
		read(response: ApiResponse): PlatformUser[];
	};

	/**
	 * Keeping a counterpart conversation's id on a conversation, and finding conversations by customer; absent
	 * where the platform has no place for it (Sync Status then needs the counterpart given).
	 */
	pairing?: PairingApi;

	/**
	 * When a conversation's current status was set at the latest, from its history (a heavier read than
	 * getConversation); absent where the platform does not tell.
	 */
	statusHistory?: {
		request(conversationId: number, scope: ApiScope): ApiRequest;
		/** Reads a 2xx answer: an ISO time, or null when the history shows no status being set. */
		readStatusSetAt(response: ApiResponse): string | null;
	};

	/** Why conversations go pending; absent where the platform has no such mechanism. */
	diagnosePending?(call: Call, scope: ApiScope, target: { conversationId: number | null; inboxId: number | null }): Promise<Diagnosis>;
}

/** Sends a request and answers its 2xx response; any other answer has already become the platform's ApiCallError. */
export type OkCall = (request: ApiRequest) => Promise<ApiResponse>;

/** Where a conversation keeps the id of its counterpart on another platform, and how candidates are found. */
export interface PairingApi {
	/** What the place is called in the platform, e.g. "custom attribute" or "custom field". */
	readonly fieldKind: string;
	/** The field name used when none is configured, for a counterpart on the given platform. */
	defaultField(counterpart: { id: Platform; displayName: string }): string;
	/** Writes `value` into the conversation's field (the snapshot is the conversation as just read). */
	writeField(call: OkCall, scope: ApiScope, conversation: ConversationSnapshot, field: string, value: number): Promise<void>;
	/**
	 * The conversations of the customer with this e-mail address; where the platform can filter by creation, only
	 * those created at or after `createdSince` (ISO; null: any).
	 */
	findByContactEmail(call: OkCall, scope: ApiScope, email: string, createdSince: string | null): Promise<ConversationSnapshot[]>;
}
