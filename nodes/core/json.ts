/** Defensive readers for untrusted JSON: they return null instead of throwing on a wrong shape. */

export type JsonRecord = Record<string, unknown>;

/**
 * Keys that name an object's prototype machinery: JSON.parse keeps "__proto__" as a plain own key, but any later
 * `target[key] = value` with it replaces the target's prototype. Untrusted JSON loses them at parse time.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Drops the prototype keys at every depth, in place. A walk after a plain JSON.parse, not a reviver: a reviver is
 * called for every value and takes V8 off its fast JSON path (it tripled the package's cost of a 9 KB delivery).
 */
function dropPrototypeKeys(value: unknown): void {
	if (typeof value !== 'object' || value === null) return;
	if (Array.isArray(value)) {
		for (const item of value) dropPrototypeKeys(item);
		return;
	}
	const object = value as JsonRecord;
	for (const key of Object.keys(object)) {
		if (PROTOTYPE_KEYS.has(key)) delete object[key];
		else dropPrototypeKeys(object[key]);
	}
}

/**
 * Parses untrusted JSON without the prototype keys. The error says where parsing stopped, never what the text
 * holds (Node's own message quotes a piece of it), so it can go back to whoever sent it.
 */
export function parseJson(raw: Buffer | string): { ok: true; value: unknown } | { ok: false; error: string } {
	const source = typeof raw === 'string' ? raw : raw.toString('utf8');
	try {
		const value: unknown = JSON.parse(source);
		dropPrototypeKeys(value);
		return { ok: true, value };
	} catch (error) {
		const position = /position (\d+)/.exec((error as Error).message)?.[1];
		const where = source.trim() === '' ? 'it is empty' : position === undefined ? `${source.length} characters` : `stopped at character ${position} of ${source.length}`;
		return { ok: false, error: `not valid JSON (${where})` };
	}
}

/** Whether a key read from untrusted JSON may be used as a property name of a plain object. */
export function isSafeKey(key: string): boolean {
	return !PROTOTYPE_KEYS.has(key);
}

export function record(value: unknown): JsonRecord | null {
	return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : null;
}

/** The object's fields, or no fields at all for anything that is not an object: for reading optional nesting. */
export function recordOrEmpty(value: unknown): JsonRecord {
	return record(value) ?? {};
}

export function list(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | null {
	return typeof value === 'string' ? value : null;
}

/** An integer id, also when it arrives as a numeric string. */
export function integer(value: unknown): number | null {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
	return null;
}

export function finiteNumber(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Milliseconds since epoch from an ISO string, or null (also for a time before 1970, which no helpdesk writes). */
export function isoMs(value: unknown): number | null {
	if (typeof value !== 'string') return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) || ms < 0 ? null : ms;
}

export function joinName(...parts: Array<string | null>): string | null {
	const name = parts.filter((part) => part !== null && part !== '').join(' ');
	return name === '' ? null : name;
}

/** A non-empty trimmed string, or null. */
export function nonEmptyText(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A positive integer (also from a numeric string), or null. */
export function positiveInteger(value: unknown): number | null {
	const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
	return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}
