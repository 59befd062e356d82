import { createHmac } from 'crypto';

import { signChatwoot, verifyChatwootSignature } from '../../nodes/platforms/chatwoot/signature';
import { signFreeScout, verifyFreeScoutSignature } from '../../nodes/platforms/freescout/signature';
import { FREESCOUT_VECTOR_KEY, OTHER_TEST_KEY } from '../support/test-keys';

const NOW_MS = 1781946846_000;

describe('FreeScout signature: base64 HMAC-SHA1 over the raw bytes', () => {
	// Published test vector: a PHP-encoded body with an escaped slash and a \u escape.
	const raw = '{"id":1042,"number":1042,"status":"closed","subject":"Caf\\u00e9 refund","body":"<div>ok<\\/div>"}';
	const secret: string = FREESCOUT_VECTOR_KEY;

	it('matches the published vector', () => {
		expect(signFreeScout(secret, raw)).toBe('5k3JAjF8bEFDgmZcZRUnUOegkP0=');
		expect(
			verifyFreeScoutSignature(
				{ rawBody: Buffer.from(raw), headers: { 'x-freescout-signature': '5k3JAjF8bEFDgmZcZRUnUOegkP0=' } },
				{ secret, nowMs: NOW_MS, toleranceSeconds: 0 },
			),
		).toEqual({ result: 'valid' });
	});

	it('the JSON re-serialized by JavaScript gives the wrong signature', () => {
		expect(signFreeScout(secret, JSON.stringify(JSON.parse(raw)))).toBe('S7APatsOk+rik5Ek7g1KU1PvZNM=');
	});

	it('without a secret the delivery counts as unsigned, not as verified', () => {
		expect(
			verifyFreeScoutSignature(
				{ rawBody: raw, headers: { 'x-freescout-signature': '5k3JAjF8bEFDgmZcZRUnUOegkP0=' } },
				{ secret: null, nowMs: NOW_MS, toleranceSeconds: 0 },
			).result,
		).toBe('unsigned');
	});
});

describe('Chatwoot signature: "sha256=" + hex HMAC-SHA256 of "<timestamp>.<raw body>"', () => {
	const secret: string = OTHER_TEST_KEY;
	const raw = '{"event":"conversation_status_changed","id":7,"content":"caf\\u00e9 <b>"}';
	const timestamp = '1781946845';
	const signature = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
	const delivery = (headers: Record<string, string>) => ({ rawBody: Buffer.from(raw), headers });
	const options = { secret, nowMs: NOW_MS, toleranceSeconds: 300 };

	it('signs the timestamp, a dot and the body', () => {
		expect(signChatwoot(secret, timestamp, raw)).toBe(signature);
	});

	it('accepts a correct signature inside the window', () => {
		expect(
			verifyChatwootSignature(delivery({ 'x-chatwoot-signature': signature, 'x-chatwoot-timestamp': timestamp }), options),
		).toEqual({ result: 'valid' });
	});

	it('rejects an HMAC of the body alone (a common mistake)', () => {
		const bodyOnly = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
		expect(
			verifyChatwootSignature(delivery({ 'x-chatwoot-signature': bodyOnly, 'x-chatwoot-timestamp': timestamp }), options),
		).toEqual({ result: 'invalid', reason: 'X-Chatwoot-Signature does not match the body and the webhook secret' });
	});

	it('rejects a timestamp outside the window, unless the window is off', () => {
		const old = String(Number(timestamp) - 301);
		const signed = delivery({ 'x-chatwoot-signature': signChatwoot(secret, old, raw), 'x-chatwoot-timestamp': old });
		expect(verifyChatwootSignature(signed, options)).toEqual({
			result: 'invalid',
			reason: 'X-Chatwoot-Timestamp is 302 s away from now (allowed: 300 s)',
		});
		expect(verifyChatwootSignature(signed, { ...options, toleranceSeconds: 0 })).toEqual({ result: 'valid' });
	});

	it('tells unsigned deliveries (Chatwoot < 4.11.2, automation rules) apart from bad ones', () => {
		expect(verifyChatwootSignature(delivery({}), options).result).toBe('unsigned');
		expect(verifyChatwootSignature(delivery({ 'x-chatwoot-signature': signature }), options)).toEqual({
			result: 'invalid',
			reason: 'X-Chatwoot-Signature and X-Chatwoot-Timestamp must come together',
		});
		expect(
			verifyChatwootSignature(delivery({ 'x-chatwoot-signature': signature, 'x-chatwoot-timestamp': timestamp }), {
				...options,
				secret: null,
			}).result,
		).toBe('unsigned');
	});
});
