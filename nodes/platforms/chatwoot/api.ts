/**
 * Chatwoot's conversation REST API for the action node (reference: chatwoot.md §4-5).
 * - GET  /api/v1/accounts/{a}/conversations/{display_id}            read
 * - POST /api/v1/accounts/{a}/conversations/{display_id}/toggle_status {"status", "snoozed_until"?}   write
 *   (200 {"payload":{"success":true|null,"current_status",...}}; `success: null` is a bot handoff, not a failure;
 *   an unknown status is a 500, so statuses are validated first)
 * - GET  /api/v1/profile: the token's role in the account (an agent token that opens a conversation assigns it
 *   to itself; bot tokens get 401 "…not authorized for bots")
 */
import { buildFailure, unusableAnswer } from '../../core/action/api-error';
import type { ConversationApi, ConversationSnapshot, Writer } from '../../core/action/conversation-api';
import { InvalidParameterError } from '../../core/action/conversation-api';
import { platformMessageOf } from '../../core/http';
import { integer, list, recordOrEmpty, text } from '../../core/json';
import { diagnoseChatwootPending } from './diagnose';
import { readChatwootConversation } from './conversation';
import { chatwootPairing } from './pairing';
import { accountPath } from './paths';
import { chatwootStatuses } from './status';

const BOT_PROFILE_TEXT = 'not authorized for bots';

export const api: ConversationApi = {
	platform: 'chatwoot',
	displayName: 'Chatwoot',
	statuses: chatwootStatuses,
	writerNeededToWrite: false,
	// updated_at carries microseconds.
	clockResolutionMs: 1,

	describeScope: (scope) => `account ${scope.accountId ?? '?'}`,

	getConversation: (conversationId, scope) => ({
		method: 'GET',
		path: `${accountPath(scope)}/conversations/${conversationId}`,
	}),

	readConversation(response, conversationId, scope): ConversationSnapshot {
		const snapshot = readChatwootConversation(recordOrEmpty(response.body), conversationId, scope);
		if (snapshot === null) {
			throw unusableAnswer(
				'chatwoot',
				response,
				`Chatwoot answered without a status for conversation ${conversationId}`,
				'Check that the Base URL points at Chatwoot itself, not at a proxy page.',
			);
		}
		return snapshot;
	},

	writerRequest: () => ({ method: 'GET', path: '/api/v1/profile' }),

	readWriter(response): Writer {
		if (response === null) return { userId: null, role: 'unknown' };
		if (response.statusCode === 401 && platformMessageOf(response.body).includes(BOT_PROFILE_TEXT)) {
			return { userId: null, role: 'bot' };
		}
		if (response.statusCode < 200 || response.statusCode >= 300) return { userId: null, role: 'unknown' };
		const body = recordOrEmpty(response.body);
		const accounts = list(body.accounts).map(recordOrEmpty);
		// The role in the credential's account; the top-level role is the one of the user's default account.
		const accountId = integer(body.account_id);
		const match = accounts.find((a) => integer(a.id) === accountId) ?? null;
		return { userId: integer(body.id), role: normalizeRole(match ? match.role : body.role) };
	},

	checkWritable(status, options) {
		const platformStatus = chatwootStatuses.fromStatus(status);
		if (platformStatus === null) {
			throw new InvalidParameterError(
				`Chatwoot has no "${status}" status`,
				'Chatwoot conversations are open, pending, resolved or snoozed. Map this status to one of them.',
			);
		}
		if (options.snoozedUntil !== null && status !== 'snoozed') {
			throw new InvalidParameterError(
				'Snoozed Until only applies to the snoozed status',
				'Clear Snoozed Until, or set the status to snoozed.',
			);
		}
		return platformStatus;
	},

	setStatus(conversationId, platformStatus, scope, options) {
		const body: Record<string, unknown> = { status: platformStatus };
		if (platformStatus === 'snoozed' && options.snoozedUntil !== null) body.snoozed_until = options.snoozedUntil;
		return { method: 'POST', path: `${accountPath(scope)}/conversations/${conversationId}/toggle_status`, body };
	},

	readSetStatus(response) {
		const payload = recordOrEmpty(recordOrEmpty(response.body).payload);
		const current = text(payload.current_status);
		if (payload.success === false) {
			throw unusableAnswer(
				'chatwoot',
				response,
				`Chatwoot did not change the status (success: false, status still ${current ?? 'unknown'})`,
				'Chatwoot could not save the conversation; check its logs for a validation error.',
			);
		}
		const notes =
			payload.success === null
				? ['Chatwoot answered success: null: an agent bot token handed the conversation over to humans (bot handoff).']
				: [];
		return { platformStatus: current, notes };
	},

	writeWarnings(writer, change) {
		if (writer.role === 'agent' && change.status === 'open' && change.changed) {
			return [
				`Chatwoot assigned conversation ${change.conversationId} to the agent who owns this access token: an agent-role token that opens a conversation takes it over. Use an administrator's token or the inbox's agent bot token to open conversations without reassigning them.`,
			];
		}
		return [];
	},

	failure(response, context) {
		return buildFailure(
			{
				platform: 'chatwoot',
				displayName: 'Chatwoot',
				scopeText: `account ${context.scope.accountId ?? '?'}`,
				credentialHint:
					'Check the Access Token and Account ID of the Chatwoot credential (Profile Settings → Access Token). The token must belong to a user or agent bot of that account; some endpoints need an administrator.',
				conversationIdHint:
					'Use the conversation number shown in Chatwoot (the last number in the conversation URL), and check that the credential\'s Account ID is the account it belongs to.',
			},
			response,
			context,
		);
	},

	pairing: chatwootPairing,

	diagnosePending: (call, scope, target) => diagnoseChatwootPending(api, call, scope, target),
};

function normalizeRole(role: unknown): Writer['role'] {
	if (role === 'administrator' || role === 'agent') return role;
	return 'unknown';
}
