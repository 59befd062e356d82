/** What every platform folder provides to the core. A third platform is one more folder implementing this. */
import type { SignatureCheck } from './signature';
import type { Delivery, ParseContext, ParseResult, Platform, StatusMap } from './types';

export interface SignatureOptions {
	/** The webhook secret; null when none is known. */
	secret: string | null;
	nowMs: number;
	/** Maximum age of a signed timestamp where the platform sends one; 0 turns the window off. */
	toleranceSeconds: number;
}

export interface PlatformAdapter {
	platform: Platform;
	statuses: StatusMap;
	verifySignature(delivery: Delivery, options: SignatureOptions): SignatureCheck;
	/** Identifies a delivery that is sent again with identical bytes (a retry); null when it cannot be told. */
	deliveryFingerprint(delivery: Delivery): string | null;
	parse(body: unknown, delivery: Delivery, context: ParseContext): ParseResult;
}
