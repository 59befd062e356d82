/** FreeScout (API & Webhooks module) as one platform module: its webhooks, signature, payloads, REST API and credential. */
import { createHash } from 'crypto';

import { baseUrlOf } from '../../core/http';
import { nonEmptyText, positiveInteger } from '../../core/json';
import type { PlatformModule } from '../../core/platform';
import { header, rawBytes } from '../../core/trigger/signature';
import { api } from './api';
import { priming } from './prime';
import { parseFreeScout } from './parse';
import { RETRY_WINDOW_MS } from './retries';
import { verifyFreeScoutSignature } from './signature';
import { freescoutStatuses } from './status';
import { webhookRegistration } from './webhooks';

/**
 * FreeScout's queue worker keeps the webhook list it read when it started (ApiWebhooksServiceProvider::getWebhooks()),
 * so the events it sends (an agent's reply after the undo delay, the only report of a Send & Close before module
 * 1.0.82) skip a webhook created since, until the worker restarts.
 */
const QUEUE_RESTART =
	"After the first activation, run 'php artisan queue:restart' in FreeScout's folder: its queue worker sends delayed events (replies after Send & Close, the only report of such a close before API & Webhooks 1.0.82) only to the webhooks it knew when it started, and on its own restarts hourly";

export const freescout: PlatformModule = {
	id: 'freescout',
	displayName: 'FreeScout',
	credentialType: 'freeScoutApi',
	statuses: freescoutStatuses,
	readSettings: (credentials) => ({
		baseUrl: baseUrlOf(credentials.baseUrl),
		accountId: null,
		defaultUserId: positiveInteger(credentials.defaultUserId),
		webhookSecret: nonEmptyText(credentials.webhookSecret),
	}),
	container: { field: 'mailboxId', label: 'Mailbox', hint: 'the number in the mailbox URL /mailbox/<id>' },
	trigger: {
		adapter: {
			statuses: freescoutStatuses,
			verifySignature: verifyFreeScoutSignature,
			// A retry re-sends the first attempt's bytes and signature unchanged: the signature identifies the delivery.
			deliveryFingerprint: (delivery) => {
				const event = header(delivery, 'x-freescout-event') ?? '';
				const signature = header(delivery, 'x-freescout-signature');
				if (signature !== null) return `freescout:${event}:${signature}`;
				const body = rawBytes(delivery);
				return body === null ? null : `freescout:${event}:${createHash('sha1').update(body).digest('base64')}`;
			},
			parse: (body, delivery, context) => parseFreeScout(body, header(delivery, 'x-freescout-event'), context),
			// FreeScout signs no time: a body older than its retry window is a replay.
			replayWindowMs: RETRY_WINDOW_MS,
		},
		registration: webhookRegistration,
		priming,
		sendsUnsigned: false,
		notice:
			"FreeScout must reach this node's webhook URL, and the credential needs the Secret Key from Manage → Settings → API & Webhooks to verify deliveries. " +
			QUEUE_RESTART,
		afterRegistration: QUEUE_RESTART,
	},
	action: api,
};
