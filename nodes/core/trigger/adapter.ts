/** What a platform gives the trigger's pipeline: signature check, retry fingerprint, and the parser. */
import type { StatusMap } from '../types';
import type { SignatureCheck } from './signature';
import type { Delivery, ParseContext, ParseResult } from './types';

export interface SignatureOptions {
	/** The webhook secret; null when none is known. */
	secret: string | null;
	nowMs: number;
	/** Maximum age of a signed timestamp where the platform sends one; 0 turns the window off. */
	toleranceSeconds: number;
}

export interface TriggerAdapter {
	statuses: StatusMap;
	verifySignature(delivery: Delivery, options: SignatureOptions): SignatureCheck;
	/** Identifies a delivery that is sent again with identical bytes (a retry); null when it cannot be told. */
	deliveryFingerprint(delivery: Delivery): string | null;
	parse(body: unknown, delivery: Delivery, context: ParseContext): ParseResult;
	/**
	 * Where the platform signs no time (FreeScout): how old the newest time a delivery shows may be, at most, for it
	 * to be a first delivery or one of the platform's retries. Older ones are replays (see replay.ts).
	 */
	replayWindowMs?: number;
}
