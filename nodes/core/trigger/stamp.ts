/** Ordering of status evidence: milliseconds first, then the platform's tie-break (see Stamp). */
import type { Stamp } from './types';

export type { Stamp };

export function isNewer(a: Stamp, b: Stamp): boolean {
	return a.t > b.t || (a.t === b.t && a.k > b.k);
}

export function sameStamp(a: Stamp, b: Stamp): boolean {
	return a.t === b.t && a.k === b.k;
}

/** "1781946845300" or "1781946845000#21": the stamp as it appears in dedupe keys. */
export function stampText(stamp: Stamp): string {
	return stamp.k === 0 ? String(stamp.t) : `${stamp.t}#${stamp.k}`;
}
