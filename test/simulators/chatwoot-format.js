'use strict';
/**
 * Chatwoot simulator, value formatting that must match what a Rails app emits.
 *
 * - `toRubyJson(value)`: compact JSON like ActiveSupport's `to_json`: insertion key order, `<`, `>`, `&`,
 *   U+2028 and U+2029 escaped as lowercase `\uXXXX`, and Ruby floats (wrapped in `RubyFloat`) always written
 *   with a decimal point (`1781946845.0`, never `1781946845`), so a float such as `updated_at` stays a float
 *   on the wire. Keys whose value is `undefined` are left out (absent key), `null` is written.
 * - Times are kept as integer microseconds since the epoch and rendered the three ways Chatwoot renders them:
 *   `toInt` (`to_i`, seconds, 0 for null), `toFloat` (`to_f`, a RubyFloat), `toIso` (`iso8601(3)`, truncated to
 *   milliseconds, `Z`, or null).
 * - Random helpers: Rails-like tokens (`has_secure_token`, 24 chars of base58), UUIDs, and a seeded PRNG used to
 *   shuffle delivery order reproducibly.
 */
const crypto = require('crypto');

class RubyFloat {
	constructor(value) {
		this.value = value;
	}
	// When a payload is inspected in-process (not serialized by toRubyJson) it behaves like a number.
	toJSON() {
		return this.value;
	}
	valueOf() {
		return this.value;
	}
}

const ESCAPES = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function encodeString(s) {
	return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]);
}

function encodeFloat(x) {
	if (!Number.isFinite(x)) return 'null';
	const s = String(x);
	return /[.eE]/.test(s) ? s : `${s}.0`;
}

function toRubyJson(value) {
	if (value === null || value === undefined) return 'null';
	if (value instanceof RubyFloat) return encodeFloat(value.value);
	switch (typeof value) {
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			return Number.isFinite(value) ? String(value) : 'null';
		case 'string':
			return encodeString(value);
		case 'object': {
			if (Array.isArray(value)) return `[${value.map((v) => toRubyJson(v)).join(',')}]`;
			const parts = [];
			for (const key of Object.keys(value)) {
				if (value[key] === undefined) continue;
				parts.push(`${encodeString(key)}:${toRubyJson(value[key])}`);
			}
			return `{${parts.join(',')}}`;
		}
		default:
			return 'null';
	}
}

/** Deep copy that turns RubyFloat into plain numbers (what a receiver gets after JSON.parse). */
function plain(value) {
	return JSON.parse(JSON.stringify(value === undefined ? null : value));
}

// ---- time (integer microseconds) ----
function toInt(us) {
	return us === null || us === undefined ? 0 : Math.floor(us / 1e6);
}
function toFloat(us) {
	return new RubyFloat(us / 1e6);
}
function toIso(us) {
	return us === null || us === undefined ? null : new Date(Math.floor(us / 1000)).toISOString();
}

// ---- random ----
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function secureToken(length = 24) {
	const bytes = crypto.randomBytes(length);
	let out = '';
	for (let i = 0; i < length; i++) out += BASE58[bytes[i] % 58];
	return out;
}
function uuid() {
	return crypto.randomUUID();
}
function urlsafeBase64(bytes = 16) {
	return crypto.randomBytes(bytes).toString('base64url');
}
/** mulberry32: small deterministic PRNG, returns floats in [0, 1). */
function seededRandom(seed) {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Compare dotted versions: returns <0, 0, >0. Non-numeric suffixes (e.g. "-ce") are ignored. */
function compareVersions(a, b) {
	const pa = String(a).split(/[.-]/).map((x) => parseInt(x, 10) || 0);
	const pb = String(b).split(/[.-]/).map((x) => parseInt(x, 10) || 0);
	for (let i = 0; i < Math.max(pa.length, pb.length, 3); i++) {
		const d = (pa[i] || 0) - (pb[i] || 0);
		if (d !== 0) return d;
	}
	return 0;
}

function hmacSha256Hex(secret, message) {
	return crypto.createHmac('sha256', secret).update(message, 'utf8').digest('hex');
}

module.exports = {
	RubyFloat,
	toRubyJson,
	plain,
	toInt,
	toFloat,
	toIso,
	secureToken,
	uuid,
	urlsafeBase64,
	seededRandom,
	compareVersions,
	hmacSha256Hex,
};
