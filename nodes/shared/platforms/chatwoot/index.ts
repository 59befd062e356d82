import type { PlatformAdapter } from '../../adapter';
import { header } from '../../signature';
import { parseChatwoot } from './parse';
import { verifyChatwootSignature } from './signature';
import { chatwootStatuses } from './status';

export const chatwoot: PlatformAdapter = {
	platform: 'chatwoot',
	statuses: chatwootStatuses,
	verifySignature: verifyChatwootSignature,
	// Chatwoot gives every delivery a new X-Chatwoot-Delivery; only agent-bot job retries repeat it.
	deliveryFingerprint: (delivery) => {
		const id = header(delivery, 'x-chatwoot-delivery');
		return id === null ? null : `chatwoot:${id}`;
	},
	parse: (body, _delivery, context) => parseChatwoot(body, context),
};
