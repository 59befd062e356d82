/**
 * "Deskly", a made-up helpdesk that exists only in this test: the whole platform in one folder, to prove that the
 * nodes take a third platform without a change anywhere else. Tickets are new / waiting / solved; webhooks POST
 * {event: "ticket.state", ticket: {id, state, previous_state, changed_at}} signed with x-deskly-signature = hex
 * HMAC-SHA256(body, secret); the REST API has /hooks, /tickets and /tickets/{id}.
 */
import { createHmac } from 'crypto';
import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { ApiCallError } from '../../../nodes/core/action/conversation-api';
import { baseUrlOf } from '../../../nodes/core/http';
import { integer, isoMs, list, nonEmptyText, record, text } from '../../../nodes/core/json';
import type { PlatformModule } from '../../../nodes/core/platform';
import { header, rawBytes, safeEqual } from '../../../nodes/core/trigger/signature';
import { ignored } from '../../../nodes/core/trigger/types';
import type { Status, StatusMap } from '../../../nodes/core/types';

const WORDS: Record<string, Status> = { new: 'open', waiting: 'pending', solved: 'resolved' };
const statuses: StatusMap = {
	toStatus: (word) => WORDS[word] ?? null,
	fromStatus: (status) => Object.keys(WORDS).find((word) => WORDS[word] === status) ?? null,
};

export class DesklyApi implements ICredentialType {
	name = 'desklyApi';
	displayName = 'Deskly API';
	properties: INodeProperties[] = [
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
		{ displayName: 'Webhook Secret', name: 'webhookSecret', type: 'string', typeOptions: { password: true }, default: '' },
	];
}

const snapshot = (body: unknown, conversationId: number) => {
	const ticket = record(body) ?? {};
	const platformStatus = text(ticket.state) ?? '';
	const base = { platform: 'deskly', conversationId, conversationNumber: null, accountId: null, inboxId: null, mailboxId: null };
	const sync = { updatedAt: null, createdAt: null, contactEmail: null, attributes: {} };
	return { ...base, ...sync, status: statuses.toStatus(platformStatus), platformStatus, assignee: null, snoozedUntil: null, subject: null };
};

export const deskly: PlatformModule = {
	id: 'deskly',
	displayName: 'Deskly',
	credentialType: 'desklyApi',
	statuses,
	readSettings: (credentials) => ({ baseUrl: baseUrlOf(credentials.baseUrl), accountId: null, defaultUserId: null, webhookSecret: nonEmptyText(credentials.webhookSecret) }),
	container: { field: 'inboxId', label: 'Queue', hint: 'the number in the queue URL' },
	trigger: {
		adapter: {
			statuses,
			verifySignature: (delivery, { secret }) => {
				const signature = header(delivery, 'x-deskly-signature');
				const body = rawBytes(delivery);
				if (signature === null || secret === null) return { result: 'unsigned', reason: 'no signature or no secret' };
				const expected = createHmac('sha256', secret).update(body ?? '').digest('hex');
				return safeEqual(signature, expected) ? { result: 'valid' } : { result: 'invalid', reason: 'x-deskly-signature does not match' };
			},
			deliveryFingerprint: () => null,
			parse: (body) => {
				const ticket = record(record(body)?.ticket);
				const id = integer(ticket?.id);
				const status = statuses.toStatus(text(ticket?.state) ?? '');
				if (ticket === null || id === null || status === null) return ignored('not a ticket state change');
				const fields = { conversationId: id, conversationNumber: null, accountId: null, mailboxId: null, inboxId: null, contact: null, assignee: null, subject: null, conversationUrl: null, isNewConversation: false };
				const own = { status, platformStatus: String(ticket.state), at: { t: isoMs(ticket.changed_at) ?? 0, k: 0 }, kind: 'transition' as const, previousPlatformStatus: text(ticket.previous_state), firstSight: 'change' as const, explain: () => ({ cause: 'agent' as const, actor: null }) };
				return { platform: 'deskly', event: 'ticket.state', conversationKey: String(id), own, history: [], fields };
			},
		},
		registration: {
			platform: 'deskly',
			eventsFor: () => ['ticket.state'],
			createRequest: (context) => ({ method: 'POST', path: '/hooks', body: { url: context.url, events: context.events } }),
			readCreated: (response) => ({ kind: 'created', webhook: { id: String(integer(record(response.body)?.id)), secret: null } }),
			checkRequest: (stored) => ({ method: 'GET', path: `/hooks/${stored.id}` }),
			readCheck: (response) => (response.statusCode === 200 ? { kind: 'exists', secret: null } : { kind: 'gone', reason: 'deleted' }),
			update: null,
			adopt: null,
			deleteRequest: (stored) => ({ method: 'DELETE', path: `/hooks/${stored.id}` }),
			readDeleted: () => ({ kind: 'deleted' }),
		},
		priming: {
			pageRequest: (page) => ({ method: 'GET', path: '/tickets', qs: { page } }),
			readPage: (response) => ({
				conversations: list(record(response.body)?.tickets).flatMap((item) => {
					const ticket = record(item);
					const status = statuses.toStatus(text(ticket?.state) ?? '');
					return ticket === null || status === null ? [] : [{ key: String(ticket.id), status, at: { t: isoMs(ticket.updated_at) ?? 0, k: 0 } }];
				}),
				lastPage: true,
			}),
		},
		notice: 'Deskly must reach this URL.',
		sendsUnsigned: false,
	},
	action: {
		platform: 'deskly',
		displayName: 'Deskly',
		statuses,
		writerNeededToWrite: false,
		clockResolutionMs: 1000,
		describeScope: () => 'Deskly',
		getConversation: (id) => ({ method: 'GET', path: `/tickets/${id}` }),
		readConversation: (response, id) => snapshot(response.body, id),
		writerRequest: () => null,
		readWriter: () => ({ userId: null, role: null }),
		checkWritable: (status) => statuses.fromStatus(status) ?? 'new',
		setStatus: (id, word) => ({ method: 'PUT', path: `/tickets/${id}`, body: { state: word } }),
		readSetStatus: (response) => ({ platformStatus: text(record(response.body)?.state), notes: [] }),
		writeWarnings: () => [],
		failure: (response) =>
			new ApiCallError({ platform: 'deskly', message: `Deskly said ${response.statusCode}`, statusCode: response.statusCode, platformMessage: '', description: 'Check Deskly.' }),
	},
};
