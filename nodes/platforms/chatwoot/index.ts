/** Chatwoot as one platform module: its webhooks, signature, payloads, REST API and credential. */
import { baseUrlOf } from '../../core/http';
import { nonEmptyText, positiveInteger } from '../../core/json';
import type { PlatformModule } from '../../core/platform';
import { header } from '../../core/trigger/signature';
import { api } from './api';
import { priming } from './prime';
import { parseChatwoot } from './parse';
import { verifyChatwootSignature } from './signature';
import { chatwootStatuses } from './status';
import { webhookRegistration } from './webhooks';
import { whoChangedRequest, withWhoChanged } from './who-changed';

export const chatwoot: PlatformModule = {
	id: 'chatwoot',
	displayName: 'Chatwoot',
	credentialType: 'chatwootApi',
	statuses: chatwootStatuses,
	readSettings: (credentials) => ({
		baseUrl: baseUrlOf(credentials.baseUrl),
		accountId: positiveInteger(credentials.accountId),
		defaultUserId: null,
		webhookSecret: nonEmptyText(credentials.webhookSecret),
	}),
	container: {
		field: 'inboxId',
		label: 'Inbox',
		hint: 'Chatwoot delivers every inbox of the account; an inbox ID is the number in its settings URL',
	},
	trigger: {
		adapter: {
			statuses: chatwootStatuses,
			verifySignature: verifyChatwootSignature,
			// Chatwoot gives every delivery a new X-Chatwoot-Delivery; only agent-bot job retries repeat it.
			deliveryFingerprint: (delivery) => {
				const id = header(delivery, 'x-chatwoot-delivery');
				return id === null ? null : `chatwoot:${id}`;
			},
			parse: (body, _delivery, context) => parseChatwoot(body, context),
		},
		registration: webhookRegistration,
		priming,
		// Chatwoot before 4.11.2 and its automation-rule and macro webhooks sign nothing.
		sendsUnsigned: true,
		whoChanged: { request: whoChangedRequest, apply: withWhoChanged },
		notice:
			"Chatwoot must reach this node's webhook URL. Chatwoot 4.14+ does not deliver to localhost or private addresses unless SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true is set on Chatwoot. Registering the webhook needs an administrator's access token.",
	},
	action: api,
};
