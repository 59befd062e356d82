'use strict';
/**
 * PHP-compatible helpers used by the FreeScout simulator.
 *
 * - phpJsonEncode(value): the bytes PHP's json_encode($value) (default flags, serialize_precision -1)
 *   would produce: compact, "/" escaped as "\/", every non-ASCII UTF-16 unit as a lowercase \uXXXX
 *   escape (so astral characters become surrogate pairs), control characters as \b \f \n \r \t or
 *   \u00XX, DEL (0x7f) left as is. Integers print as integers; other numbers print the way PHP prints
 *   a float (shortest round-trip digits, exponent form "1.0e-5" / "1.0e+25" when the decimal exponent
 *   is < -4 or > 17, and no ".0" for integral floats because JSON_PRESERVE_ZERO_FRACTION is off).
 *   Wrap a number with phpFloat(n) to force float formatting of an integral value (same output as an
 *   int unless it is huge). NaN/Infinity throw, as json_encode fails on them.
 * - textPreview(html, max): FreeScout's Helper::textPreview behaviour (whitespace after the last tag of
 *   a line removed, tags stripped, whitespace collapsed, trimmed, cut to max characters).
 * - phpTime(ms): a date as the module prints it, "Y-m-d\TH:i:s\Z" in UTC.
 * - friendlySince(fromMs, nowMs): the "time ago" string FreeScout shows ("Just now", "1 min ago", ...).
 * - phpString(value): a JSON scalar as PHP turns it into a string (true "1", false and null "").
 * - phpLooseEquals(a, b): PHP 8's `a == b` for JSON values (null, booleans, numbers, strings, arrays).
 */

class PhpFloat {
	constructor(value) {
		this.value = value;
	}
}
function phpFloat(value) {
	return new PhpFloat(value);
}

function hex4(code) {
	return '\\u' + code.toString(16).padStart(4, '0');
}

function encodeString(s) {
	let out = '"';
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		switch (c) {
			case 0x22:
				out += '\\"';
				break;
			case 0x5c:
				out += '\\\\';
				break;
			case 0x2f:
				out += '\\/';
				break;
			case 0x08:
				out += '\\b';
				break;
			case 0x0c:
				out += '\\f';
				break;
			case 0x0a:
				out += '\\n';
				break;
			case 0x0d:
				out += '\\r';
				break;
			case 0x09:
				out += '\\t';
				break;
			default:
				if (c < 0x20 || c > 0x7f) out += hex4(c);
				else out += s[i];
		}
	}
	return out + '"';
}

function encodeFloat(d) {
	if (!Number.isFinite(d)) throw new Error('phpJsonEncode: Inf and NaN cannot be JSON encoded');
	if (d === 0) return Object.is(d, -0) ? '-0' : '0';
	const sign = d < 0 ? '-' : '';
	// Shortest round-trip digits, as zend_gcvt in mode 0 produces them.
	const [mant, expStr] = Math.abs(d).toExponential().split('e');
	const digits = mant.replace('.', '');
	const decpt = Number(expStr) + 1; // position of the decimal point relative to the digits
	if (decpt < 0 ? decpt < -3 : decpt > 17) {
		const exp = decpt - 1;
		const frac = digits.length > 1 ? digits.slice(1) : '0';
		return `${sign}${digits[0]}.${frac}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
	}
	if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
	if (decpt >= digits.length) return sign + digits + '0'.repeat(decpt - digits.length);
	return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function phpJsonEncode(value) {
	if (value === null || value === undefined) return 'null';
	if (value instanceof PhpFloat) return encodeFloat(value.value);
	switch (typeof value) {
		case 'boolean':
			return value ? 'true' : 'false';
		case 'number':
			if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
			return encodeFloat(value);
		case 'bigint':
			return value.toString();
		case 'string':
			return encodeString(value);
		default:
			break;
	}
	if (Array.isArray(value)) return '[' + value.map((v) => phpJsonEncode(v)).join(',') + ']';
	if (Buffer.isBuffer(value)) return encodeString(value.toString('utf8'));
	// PHP arrays: an empty one encodes as [] (the module builds every entity from PHP arrays).
	const keys = Object.keys(value).filter((k) => value[k] !== undefined);
	if (keys.length === 0) return '[]';
	const parts = [];
	for (const key of keys) {
		parts.push(encodeString(key) + ':' + phpJsonEncode(value[key]));
	}
	return '{' + parts.join(',') + '}';
}

/** FreeScout keeps only this many characters of the preview (Conversation::PREVIEW_MAXLENGTH). */
const PREVIEW_MAXLENGTH = 255;

function textPreview(html, max = PREVIEW_MAXLENGTH) {
	let text = String(html == null ? '' : html);
	// Whitespace right after the last ">" of a line goes away (this is why "</b> café" becomes "</b>café").
	text = text.replace(/^(.*)>[\r\n]*\s+/gmu, '$1>');
	// strip_tags: drop anything that looks like a tag or a comment.
	text = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?[A-Za-z!?][^>]*>?/g, '');
	text = text.replace(/\s+/gu, ' ').trim();
	text = text.replace(/[ ]+/g, ' ').trim();
	return Array.from(text).slice(0, max).join('');
}

function pad2(n) {
	return String(n).padStart(2, '0');
}

function phpTime(ms) {
	if (ms === null || ms === undefined) return null;
	const d = new Date(ms);
	return (
		`${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
		`T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}Z`
	);
}

/**
 * "Time ago" as FreeScout prints it: up to 60 s "Just now", then Carbon's diffForHumans with
 * "minute(s)" shortened to "min" (the real captures show "Just now" at 52 s and "1 min ago" at 84 s).
 * Units above minutes follow Carbon's English wording (inferred, not captured).
 */
function friendlySince(fromMs, nowMs) {
	if (fromMs === null || fromMs === undefined) return '';
	const secs = Math.floor((nowMs - fromMs) / 1000);
	if (secs <= 60) return 'Just now';
	const unit = (n, word) => `${n} ${word}${n === 1 ? '' : 's'} ago`;
	const mins = Math.floor(secs / 60);
	if (mins < 60) return `${mins} min ago`;
	const hours = Math.floor(mins / 60);
	if (hours < 24) return unit(hours, 'hour');
	const days = Math.floor(hours / 24);
	if (days < 7) return unit(days, 'day');
	if (days < 30) return unit(Math.floor(days / 7), 'week');
	if (days < 365) return unit(Math.floor(days / 30), 'month');
	return unit(Math.floor(days / 365), 'year');
}

function phpString(value) {
	if (value === null || value === undefined || value === false) return '';
	if (value === true) return '1';
	return String(value);
}

/** PHP 8 is_numeric() for strings: optional surrounding whitespace, a decimal or exponent number. */
function isNumericString(s) {
	return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(s);
}

function phpTruthy(value) {
	if (Array.isArray(value)) return value.length > 0;
	if (value && typeof value === 'object') return Object.keys(value).length > 0;
	return !(value === null || value === undefined || value === false || value === 0 || value === '' || value === '0');
}

function phpLooseEquals(a, b) {
	const kind = (v) => (v === null || v === undefined ? 'null' : Array.isArray(v) || typeof v === 'object' ? 'array' : typeof v);
	const [ka, kb] = [kind(a), kind(b)];
	if (ka === 'null' && kb === 'null') return true;
	// null against a string compares "" with it; against anything else both sides become booleans.
	if (ka === 'null' && kb === 'string') return b === '';
	if (kb === 'null' && ka === 'string') return a === '';
	if (ka === 'null' || kb === 'null' || ka === 'boolean' || kb === 'boolean') return phpTruthy(a) === phpTruthy(b);
	if (ka === 'array' || kb === 'array') return ka === kb && JSON.stringify(a) === JSON.stringify(b);
	if (ka === 'number' && kb === 'number') return a === b;
	if (ka === 'string' && kb === 'string') {
		return isNumericString(a) && isNumericString(b) ? Number(a) === Number(b) : a === b;
	}
	// A number against a string: numerically when the string is numeric, else as strings.
	const [num, str] = ka === 'number' ? [a, b] : [b, a];
	return isNumericString(str) ? Number(str) === num : String(num) === str;
}

module.exports = {
	phpJsonEncode,
	phpFloat,
	PhpFloat,
	textPreview,
	phpTime,
	friendlySince,
	phpString,
	phpTruthy,
	phpLooseEquals,
	PREVIEW_MAXLENGTH,
};
