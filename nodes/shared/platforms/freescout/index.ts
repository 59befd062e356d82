import { createHash } from 'crypto';

import type { PlatformAdapter } from '../../adapter';
import { header, rawBytes } from '../../signature';
import { parseFreeScout } from './parse';
import { verifyFreeScoutSignature } from './signature';
import { freescoutStatuses } from './status';

export const freescout: PlatformAdapter = {
	platform: 'freescout',
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
};
