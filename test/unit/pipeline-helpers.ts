/** Runs deliveries through the core pipeline at a fixed time, the way the trigger node does. */
import { NO_FILTERS, type ChangeFilters } from '../../nodes/core/trigger/filters';
import { Memory } from '../../nodes/core/trigger/memory';
import { handleDelivery, type DeliveryOutcome, type DeliverySettings } from '../../nodes/core/trigger/pipeline';
import { platforms } from '../../nodes/platforms';
import { signChatwoot } from '../../nodes/platforms/chatwoot/signature';
import { signFreeScout } from '../../nodes/platforms/freescout/signature';
import type { Platform, StatusChange } from '../../nodes/core/types';
import type { Delivery } from '../../nodes/core/trigger/types';
import { CHATWOOT_TEST_KEY, FREESCOUT_REAL_KEY } from '../support/test-keys';

export const CHATWOOT_SECRET: string = CHATWOOT_TEST_KEY;
export const FREESCOUT_SECRET: string = FREESCOUT_REAL_KEY;
/** 2026-06-20T09:14:05Z, the time of the Chatwoot scenarios. */
export const NOW_SECONDS = 1781946845;

export function chatwootDelivery(body: unknown, secret = CHATWOOT_SECRET, timestamp = NOW_SECONDS): Delivery {
	const raw = JSON.stringify(body);
	return {
		rawBody: Buffer.from(raw),
		headers: {
			'content-type': 'application/json',
			'x-chatwoot-timestamp': String(timestamp),
			'x-chatwoot-signature': signChatwoot(secret, String(timestamp), raw),
			'x-chatwoot-delivery': `d-${Math.random().toString(16).slice(2)}`,
		},
	};
}

export function freescoutDelivery(event: string, raw: string | Buffer, secret = FREESCOUT_SECRET): Delivery {
	return {
		rawBody: typeof raw === 'string' ? Buffer.from(raw) : raw,
		headers: { 'x-freescout-event': event, 'x-freescout-signature': signFreeScout(secret, raw) },
	};
}

export interface Harness {
	memory: Memory;
	/** The time deliveries are handled at (ms), for signature windows and fingerprint expiry. */
	nowMs: number;
	deliver(delivery: Delivery): DeliveryOutcome;
	/** Several deliveries one after the other (the pipeline is synchronous: concurrent requests are sequential). */
	deliverAll(deliveries: Delivery[]): DeliveryOutcome[];
	/** The newest status point the memory holds for a conversation key, as {status, t, k}. */
	known(key: string): { status: string; t: number; k: number } | undefined;
}

export function harness(platform: Platform, overrides: Partial<DeliverySettings> = {}, filters?: Partial<ChangeFilters>): Harness {
	const memory = new Memory();
	const settings: DeliverySettings = {
		secret: platform === 'chatwoot' ? CHATWOOT_SECRET : FREESCOUT_SECRET,
		acceptUnsigned: false,
		toleranceSeconds: 300,
		context: { baseUrl: platform === 'chatwoot' ? 'https://chat.example.com' : 'https://help.example.com', accountId: 1, apiUserIds: [] },
		filters: { ...NO_FILTERS, ...filters },
		container: platforms.get(platform).container,
		...overrides,
	};
	const self: Harness = {
		memory,
		nowMs: NOW_SECONDS * 1000,
		deliver: (delivery) => handleDelivery(platforms.get(platform).trigger.adapter, delivery, settings, memory, self.nowMs),
		deliverAll: (deliveries) => deliveries.map((delivery) => self.deliver(delivery)),
		known: (key) => {
			const points = memory.get(key)?.points ?? [];
			const newest = points[points.length - 1];
			return newest === undefined ? undefined : { status: newest.status, t: newest.t, k: newest.k };
		},
	};
	return self;
}

export function changes(outcomes: DeliveryOutcome[]): StatusChange[] {
	return outcomes.flatMap((outcome) => ('changes' in outcome ? outcome.changes : []));
}

export function permutations<T>(items: T[]): T[][] {
	if (items.length <= 1) return [items];
	return items.flatMap((item, index) =>
		permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
	);
}
