/**
 * FreeScout's conversation REST API ("API & Webhooks" module) for the action node (reference: freescout.md §4-5).
 * - GET /api/conversations/{id}?embed=   read (the conversation id, not the number people see)
 * - PUT /api/conversations/{id} {"status": "active|pending|closed|spam", "byUser": N}   write; always 204 with an
 *   empty body, even when nothing changed; an unknown status silently becomes active, so statuses are validated
 *   first; byUser is required (400 "byUser parameter is required." / "User not found.")
 * - GET /api/users: picks the user changes are made as when the credential says 0 (the first administrator)
 */
import { buildFailure, unusableAnswer } from '../../core/action/api-error';
import type { ConversationApi, ConversationSnapshot, PlatformUser, Writer } from '../../core/action/conversation-api';
import type { ApiRequest } from '../../core/http';
import { ApiCallError, InvalidParameterError } from '../../core/action/conversation-api';
import { integer, joinName, list, recordOrEmpty, text } from '../../core/json';
import { readFreeScoutConversation } from './conversation';
import { freescoutPairing } from './pairing';
import { freescoutStatusHistory } from './status-history';
import { freescoutStatuses } from './status';

const USERS_REQUEST: ApiRequest = { method: 'GET', path: '/api/users', qs: { pageSize: 100 } };

/** The users of a GET /api/users answer, lowest id first. */
function readUsers(body: unknown): PlatformUser[] {
	return list(recordOrEmpty(recordOrEmpty(body)._embedded).users)
		.map(recordOrEmpty)
		.map((u) => ({
			id: integer(u.id) ?? 0,
			name: joinName(text(u.firstName), text(u.lastName)),
			email: text(u.email),
			isAdministrator: u.role === 'admin',
		}))
		.filter((u) => u.id > 0)
		.sort((a, b) => a.id - b.id);
}

export const api: ConversationApi = {
	platform: 'freescout',
	displayName: 'FreeScout',
	statuses: freescoutStatuses,
	writerNeededToWrite: true,
	// Dates are formatted Y-m-d\TH:i:s\Z: whole seconds.
	clockResolutionMs: 1000,

	describeScope: () => 'this FreeScout installation',

	// embed without "threads" leaves the threads out: the status read stays small.
	getConversation: (conversationId) => ({ method: 'GET', path: `/api/conversations/${conversationId}`, qs: { embed: 'tags' } }),

	readConversation(response, conversationId): ConversationSnapshot {
		const snapshot = readFreeScoutConversation(recordOrEmpty(response.body), conversationId);
		if (snapshot === null) {
			throw unusableAnswer(
				'freescout',
				response,
				`FreeScout answered without a status for conversation ${conversationId}`,
				'Check that the Base URL points at FreeScout (with its sub-folder, if any) and that the API & Webhooks module is active.',
			);
		}
		return snapshot;
	},

	writerRequest: (_scope, configuredUserId) =>
		configuredUserId !== null && configuredUserId > 0 ? null : USERS_REQUEST,

	readWriter(response, configuredUserId): Writer {
		if (configuredUserId !== null && configuredUserId > 0) return { userId: configuredUserId, role: null };
		if (response === null) throw new Error('FreeScout: the user lookup was not made');
		const users = readUsers(response.body);
		const admin = users.find((u) => u.isAdministrator);
		if (!admin) {
			throw new ApiCallError({
				platform: 'freescout',
				message: 'FreeScout: no administrator found to make the status change as',
				statusCode: response.statusCode,
				platformMessage: '',
				description: 'FreeScout attributes every status change to a user. Set Default User ID in the FreeScout credential, or Act As User in the node options.',
			});
		}
		return { userId: admin.id, role: null };
	},

	checkWritable(status, options) {
		const platformStatus = freescoutStatuses.fromStatus(status);
		if (platformStatus === null) {
			throw new InvalidParameterError(
				`FreeScout has no "${status}" status`,
				'FreeScout conversations are active (open), pending, closed (resolved) or spam. Map this status to one of them (for example snoozed → pending).',
			);
		}
		if (options.snoozedUntil !== null) {
			throw new InvalidParameterError('FreeScout cannot snooze conversations', 'Clear Snoozed Until for FreeScout.');
		}
		return platformStatus;
	},

	setStatus(conversationId, platformStatus, _scope, options) {
		if (options.writer === null || options.writer.userId === null) throw new Error('FreeScout: a status change needs byUser');
		return {
			method: 'PUT',
			path: `/api/conversations/${conversationId}`,
			body: { status: platformStatus, byUser: options.writer.userId },
		};
	},

	// 204 and no body whether or not anything changed: the caller knows the status from its own read.
	readSetStatus: () => ({ platformStatus: null, notes: [] }),

	writeWarnings: () => [],

	users: { request: USERS_REQUEST, read: (response) => readUsers(response.body) },

	pairing: freescoutPairing,

	statusHistory: freescoutStatusHistory,

	failure(response, context) {
		return buildFailure(
			{
				platform: 'freescout',
				displayName: 'FreeScout',
				scopeText: 'this FreeScout installation',
				credentialHint:
					'Check the API Key of the FreeScout credential (Manage → Settings → API & Webhooks) and that the API & Webhooks module is active.',
				conversationIdHint:
					'FreeScout\'s API takes the conversation id (in the conversation URL /conversation/<id>), not the #number shown in the list.',
			},
			response,
			context,
		);
	},
};
