/**
 * One webhook delivery, start to finish: signature, body, retry detection, parsing, dedupe against memory, filters.
 * Returns the HTTP answer and, at most, one status change. Never throws on bad input.
 */
import type { TriggerAdapter } from './adapter';
import type { ConversationContainer } from '../platform';
import { decide } from './decide';
import { filteredOutBecause, type ChangeFilters } from './filters';
import { parseJson } from '../json';
import type { Memory } from './memory';
import { rawBytes } from './signature';
import type { StatusChange } from '../types';
import { isIgnored, type Delivery, type ParseContext } from './types';

export interface DeliverySettings {
	secret: string | null;
	/** Accept deliveries without a signature (Chatwoot < 4.11.2, automation webhooks) or without a secret to check. */
	acceptUnsigned: boolean;
	toleranceSeconds: number;
	context: ParseContext;
	filters: ChangeFilters;
	container: ConversationContainer;
	/** How long a weak observation waits for a companion delivery (see decide.ts). */
	maxWaitMs: number;
}

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export type DeliveryOutcome =
	| { httpStatus: 400 | 401; message: string }
	| { httpStatus: 200; ignored: string; body: unknown }
	| { httpStatus: 200; change: StatusChange; body: unknown };

const WAIT_STEP_MS = 25;

export async function handleDelivery(
	adapter: TriggerAdapter,
	delivery: Delivery,
	settings: DeliverySettings,
	memory: Memory,
	clock: Clock,
): Promise<DeliveryOutcome> {
	const signature = adapter.verifySignature(delivery, {
		secret: settings.secret,
		nowMs: clock.now(),
		toleranceSeconds: settings.toleranceSeconds,
	});
	if (signature.result === 'invalid') return { httpStatus: 401, message: `Signature rejected: ${signature.reason}` };
	if (signature.result === 'unsigned' && !settings.acceptUnsigned) {
		return {
			httpStatus: 401,
			message: `Unsigned delivery rejected: ${signature.reason}. Turn on "Accept Unsigned Deliveries" only for platforms that cannot sign.`,
		};
	}

	const raw = rawBytes(delivery);
	const parsed = raw !== null ? parseJson(raw) : { ok: true as const, value: delivery.parsedBody };
	if (!parsed.ok) return { httpStatus: 400, message: `The body is not valid JSON: ${parsed.error}` };
	const body = parsed.value;

	const fingerprint = adapter.deliveryFingerprint(delivery);
	if (fingerprint !== null && memory.hasDelivery(fingerprint)) {
		return { httpStatus: 200, ignored: 'this delivery was already handled (a retry)', body };
	}

	const observation = adapter.parse(body, delivery, settings.context);
	if (isIgnored(observation)) return remembered({ httpStatus: 200, ignored: observation.reason, body });

	const started = clock.now();
	let decision = decide(observation, memory, { waitedMs: 0, maxWaitMs: settings.maxWaitMs, statuses: adapter.statuses });
	while (decision.kind === 'wait') {
		await clock.sleep(WAIT_STEP_MS);
		decision = decide(observation, memory, {
			waitedMs: clock.now() - started,
			maxWaitMs: settings.maxWaitMs,
			statuses: adapter.statuses,
		});
	}
	if (decision.kind === 'ignored') return remembered({ httpStatus: 200, ignored: decision.reason, body });

	const filteredOut = filteredOutBecause(decision.change, settings.filters, settings.container);
	return remembered(
		filteredOut !== null
			? { httpStatus: 200, ignored: `filtered out: ${filteredOut}`, body }
			: { httpStatus: 200, change: decision.change, body },
	);

	function remembered(outcome: DeliveryOutcome): DeliveryOutcome {
		if (fingerprint !== null) memory.addDelivery(fingerprint, clock.now());
		return outcome;
	}
}
