/** Helpers every platform's signature check shares: raw bytes, header lookup, constant-time comparison. */
import { timingSafeEqual } from 'crypto';

import type { Delivery } from './types';

export type SignatureCheck =
	| { result: 'valid' }
	| { result: 'invalid'; reason: string }
	/** No signature to check (old platform versions, automation webhooks) or no secret to check it with. */
	| { result: 'unsigned'; reason: string };

export function rawBytes(delivery: Delivery): Buffer | null {
	const raw = delivery.rawBody;
	if (raw === undefined) return null;
	return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
}

export function header(delivery: Delivery, name: string): string | null {
	const value = delivery.headers[name];
	const first = Array.isArray(value) ? value[0] : value;
	return first === undefined || first === '' ? null : first;
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(actual: string, expected: string): boolean {
	const a = Buffer.from(actual, 'utf8');
	const b = Buffer.from(expected, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}
