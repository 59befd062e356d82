/**
 * Whether a webhook URL points at an address a helpdesk on another machine cannot reach (localhost, loopback,
 * private, link-local or a bare container name), and the warning to show for it. Pure: no DNS lookups, so a public
 * name that resolves to a private address is not detected.
 */
import type { Platform } from '../types';

export type UnreachableKind = 'localhost' | 'loopback' | 'private' | 'link-local' | 'single-label' | 'invalid';

export interface UnreachableAddress {
	host: string;
	kind: UnreachableKind;
}

/** The reason the URL's host is not publicly reachable, or null when it looks public. */
export function unreachableAddressOf(url: string): UnreachableAddress | null {
	let host: string;
	try {
		host = new URL(url).hostname.toLowerCase();
	} catch {
		return { host: url, kind: 'invalid' };
	}
	if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
	if (host === '') return { host: url, kind: 'invalid' };

	if (host === 'localhost' || host.endsWith('.localhost')) return { host, kind: 'localhost' };
	const ipv4 = ipv4Parts(host);
	if (ipv4 !== null) return ipv4Kind(host, ipv4);
	if (host.includes(':')) return ipv6Kind(host);
	if (!host.includes('.')) return { host, kind: 'single-label' };
	return null;
}

function ipv4Parts(host: string): number[] | null {
	const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
	if (match === null) return null;
	const parts = match.slice(1).map(Number);
	return parts.every((part) => part <= 255) ? parts : null;
}

function ipv4Kind(host: string, [a, b]: number[]): UnreachableAddress | null {
	if (a === 127 || a === 0) return { host, kind: 'loopback' };
	if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return { host, kind: 'private' };
	// Carrier-grade NAT (100.64.0.0/10) is not reachable from the internet either.
	if (a === 100 && b >= 64 && b <= 127) return { host, kind: 'private' };
	if (a === 169 && b === 254) return { host, kind: 'link-local' };
	return null;
}

function ipv6Kind(host: string): UnreachableAddress | null {
	if (host === '::1' || host === '::') return { host, kind: 'loopback' };
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(host);
	if (mapped !== null) {
		const parts = ipv4Parts(mapped[1]);
		return parts === null ? null : ipv4Kind(host, parts);
	}
	if (/^f[cd][0-9a-f]{0,2}:/.test(host)) return { host, kind: 'private' };
	if (/^fe[89ab][0-9a-f]?:/.test(host)) return { host, kind: 'link-local' };
	return null;
}

const DESCRIPTIONS: Record<UnreachableKind, string> = {
	localhost: 'is localhost',
	loopback: 'is a loopback address',
	private: 'is a private network address',
	'link-local': 'is a link-local address',
	'single-label': 'is a bare host name (such as a Docker service name)',
	invalid: 'is not a valid URL',
};

/**
 * A warning for a webhook URL the platform may not be able to reach, or null when the URL looks public.
 * Chatwoot >= 4.14 refuses private addresses unless SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true is set on Chatwoot.
 */
export function webhookUrlWarning(url: string, platform: Platform): string | null {
	const address = unreachableAddressOf(url);
	if (address === null) return null;
	const where = `The webhook URL ${url} ${DESCRIPTIONS[address.kind]}`;
	const fix = 'Set N8N_WEBHOOK_URL (WEBHOOK_URL) on n8n to an address the platform can reach.';
	if (platform === 'chatwoot') {
		return (
			`${where}: Chatwoot can only deliver to it when it runs on the same host or network, and Chatwoot 4.14 or ` +
			`newer additionally blocks private addresses unless SAFE_FETCH_ALLOW_PRIVATE_NETWORK=true is set in ` +
			`Chatwoot's environment (deliveries then fail with "has no public ip addresses"). ${fix}`
		);
	}
	return (
		`${where}: FreeScout can only deliver to it when it runs on the same host or network (its webhook ` +
		`Error Log shows the failures). ${fix}`
	);
}
