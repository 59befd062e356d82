/**
 * FreeScout's API & Webhooks module signs every delivery: X-FreeScout-Signature = base64(HMAC-SHA1(raw body,
 * Secret Key)). The body is PHP-encoded ("\/", "\uXXXX"), so only the raw bytes verify, never re-serialized JSON.
 */
import { createHmac } from 'crypto';

import { header, rawBytes, safeEqual, type SignatureCheck } from '../../core/trigger/signature';
import type { SignatureOptions } from '../../core/trigger/adapter';
import type { Delivery } from '../../core/trigger/types';

export function signFreeScout(secret: string, body: Buffer | string): string {
	return createHmac('sha1', secret).update(body).digest('base64');
}

export function verifyFreeScoutSignature(delivery: Delivery, options: SignatureOptions): SignatureCheck {
	const signature = header(delivery, 'x-freescout-signature');
	if (signature === null) {
		return { result: 'unsigned', reason: 'the delivery has no X-FreeScout-Signature header' };
	}
	if (options.secret === null) {
		return {
			result: 'unsigned',
			reason:
				"the FreeScout credential has no Webhook Secret Key to check X-FreeScout-Signature with: copy FreeScout's Secret Key (Manage → Settings → API & Webhooks → Webhooks) into it",
		};
	}
	const body = rawBytes(delivery);
	if (body === null) return { result: 'invalid', reason: 'the raw request body is not available' };
	return safeEqual(signature, signFreeScout(options.secret, body))
		? { result: 'valid' }
		: { result: 'invalid', reason: 'X-FreeScout-Signature does not match the body and the Secret Key' };
}
