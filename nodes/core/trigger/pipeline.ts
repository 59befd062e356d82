/**
 * One webhook delivery, start to finish: signature, body, retry detection, parsing, decision against the memory,
 * filters. Synchronous on purpose: between reading the memory and updating it nothing else of this process runs,
 * so concurrent deliveries of one change cannot both report it. Never throws on bad input.
 */
import type { ConversationContainer } from '../platform';
import type { StatusChange } from '../types';
import type { TriggerAdapter } from './adapter';
import { decide } from './decide';
import { filteredOutBecause, type ChangeFilters } from './filters';
import { parseJson } from '../json';
import type { Memory } from './memory';
import { replayReason } from './replay';
import { rawBytes } from './signature';
import { isIgnored, type Delivery, type ParseContext } from './types';

export interface DeliverySettings {
	secret: string | null;
	/**
	 * Accept deliveries without a signature where the platform cannot sign them (Chatwoot < 4.11.2, automation and
	 * macro webhooks); it counts only while `secret` is null (see unsignedRefusal).
	 */
	acceptUnsigned: boolean;
	toleranceSeconds: number;
	context: ParseContext;
	filters: ChangeFilters;
	container: ConversationContainer;
}

export type DeliveryOutcome =
	/** Rejected: `message` is what the sender gets, `detail` what n8n's log gets. */
	| { httpStatus: 400 | 401; message: string; detail: string }
	| { httpStatus: 200; ignored: string; body: unknown }
	/** The changes to report (several when one delivery shows several, oldest first) and what was filtered out. */
	| { httpStatus: 200; changes: StatusChange[]; filteredOut: string[]; body: unknown };

export function handleDelivery(
	adapter: TriggerAdapter,
	delivery: Delivery,
	settings: DeliverySettings,
	memory: Memory,
	nowMs: number,
): DeliveryOutcome {
	const signature = adapter.verifySignature(delivery, {
		secret: settings.secret,
		nowMs,
		toleranceSeconds: settings.toleranceSeconds,
	});
	if (signature.result === 'invalid') {
		return { httpStatus: 401, message: 'Signature rejected', detail: `Signature rejected: ${signature.reason}` };
	}
	if (signature.result === 'unsigned') {
		const refused = unsignedRefusal(settings, signature.reason);
		if (refused !== null) return { httpStatus: 401, message: 'Signature rejected', detail: refused };
	}

	const raw = rawBytes(delivery);
	// Without the raw bytes (never with n8n's webhook server), n8n's parsed body is read the same hostile-JSON way.
	const parsed = parseJson(raw ?? textOf(delivery.parsedBody));
	if (!parsed.ok) {
		const message = `The body is ${parsed.error}`;
		return { httpStatus: 400, message, detail: message };
	}
	const body = parsed.value;

	const fingerprint = adapter.deliveryFingerprint(delivery);
	if (fingerprint !== null && memory.hasFingerprint(fingerprint, nowMs)) {
		return { httpStatus: 200, ignored: 'this delivery already started an execution (a retry)', body };
	}

	const observation = adapter.parse(body, delivery, settings.context);
	if (isIgnored(observation)) return { httpStatus: 200, ignored: observation.reason, body };
	const replay = replayReason(observation, adapter.replayWindowMs ?? null, nowMs);
	if (replay !== null) return { httpStatus: 200, ignored: replay, body };

	const decision = decide(observation, memory, adapter.statuses);
	if (decision.changes.length === 0) return { httpStatus: 200, ignored: decision.reason ?? 'not a change', body };

	const changes: StatusChange[] = [];
	const filteredOut: string[] = [];
	for (const change of decision.changes) {
		const reason = filteredOutBecause(change, settings.filters, settings.container);
		if (reason === null) changes.push(change);
		else filteredOut.push(`${change.previousStatus ?? 'unknown'} -> ${change.status}: ${reason}`);
	}
	if (changes.length === 0) return { httpStatus: 200, ignored: `filtered out: ${filteredOut.join('; ')}`, body };
	if (fingerprint !== null) memory.addFingerprint(fingerprint, nowMs);
	return { httpStatus: 200, changes, filteredOut, body };
}

/**
 * Why an unsigned delivery is refused, or null when it is let through: only with Accept Unsigned Deliveries on and
 * no secret known. A known secret means the webhook signs what it sends, so a delivery without a signature did not
 * come from it, whatever the option says.
 */
export function unsignedRefusal(settings: Pick<DeliverySettings, 'secret' | 'acceptUnsigned'>, reason: string): string | null {
	if (settings.secret !== null) return `Unsigned delivery rejected: ${reason}; the webhook's secret is known, so its deliveries must be signed`;
	if (!settings.acceptUnsigned) return `Unsigned delivery rejected: ${reason}`;
	return null;
}

/** n8n's parsed body as JSON text again; what cannot be written as JSON reads as no body. */
function textOf(parsedBody: unknown): string {
	try {
		return JSON.stringify(parsedBody ?? null) ?? 'null';
	} catch {
		return 'null';
	}
}
