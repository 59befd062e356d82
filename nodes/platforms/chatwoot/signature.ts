/**
 * Chatwoot (>= 4.11.2) signs account webhooks: X-Chatwoot-Signature = "sha256=" + hex HMAC-SHA256(secret,
 * "<X-Chatwoot-Timestamp>.<raw body>"). Older versions and automation/macro webhooks send no signature headers.
 */
import { createHmac } from 'crypto';

import { header, rawBytes, safeEqual, type SignatureCheck } from '../../core/trigger/signature';
import type { SignatureOptions } from '../../core/trigger/adapter';
import type { Delivery } from '../../core/trigger/types';

export function signChatwoot(secret: string, timestamp: string, body: Buffer | string): string {
	return (
		'sha256=' +
		createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
	);
}

export function verifyChatwootSignature(delivery: Delivery, options: SignatureOptions): SignatureCheck {
	const signature = header(delivery, 'x-chatwoot-signature');
	const timestamp = header(delivery, 'x-chatwoot-timestamp');
	if (signature === null && timestamp === null) {
		return { result: 'unsigned', reason: 'the delivery has no X-Chatwoot-Signature header' };
	}
	if (options.secret === null) {
		return { result: 'unsigned', reason: 'no webhook secret is known to check the X-Chatwoot-Signature with' };
	}
	if (signature === null || timestamp === null) {
		return { result: 'invalid', reason: 'X-Chatwoot-Signature and X-Chatwoot-Timestamp must come together' };
	}
	const body = rawBytes(delivery);
	if (body === null) return { result: 'invalid', reason: 'the raw request body is not available' };
	if (!/^\d+$/.test(timestamp)) return { result: 'invalid', reason: 'X-Chatwoot-Timestamp is not a number' };
	const ageSeconds = Math.abs(options.nowMs / 1000 - Number(timestamp));
	if (options.toleranceSeconds > 0 && ageSeconds > options.toleranceSeconds) {
		return {
			result: 'invalid',
			reason: `X-Chatwoot-Timestamp is ${Math.round(ageSeconds)} s away from now (allowed: ${options.toleranceSeconds} s)`,
		};
	}
	return safeEqual(signature, signChatwoot(options.secret, timestamp, body))
		? { result: 'valid' }
		: { result: 'invalid', reason: 'X-Chatwoot-Signature does not match the body and the webhook secret' };
}
