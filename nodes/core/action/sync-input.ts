/** Checks for what Sync Status reads from an input item (usually the Conversation Status Trigger's output). */
import { InvalidParameterError } from './conversation-api';
import { DEFAULT_PAIRING_WINDOW_HOURS } from './sync-pairing';
import type { PlatformModule, PlatformRegistry } from '../platform';
import type { Status } from '../types';
import { isStatus, STATUSES } from '../types';

export function checkIncomingStatus(value: unknown, what = 'Status'): Status {
	if (!isStatus(value)) {
		throw new InvalidParameterError(
			`Sync Status needs a normalized status (${STATUSES.join(', ')}) as ${what}, got ${JSON.stringify(value) ?? 'nothing'}`,
			'Map it from the Conversation Status Trigger (for example {{ $json.status }}) or use Set Status for platform words.',
		);
	}
	return value;
}

/** A normalized status, or null when empty (unknown). */
export function optionalStatus(value: unknown, what: string): Status | null {
	return value === null || value === undefined || value === '' ? null : checkIncomingStatus(value, what);
}

/** An ISO time, or null when empty (unknown). */
export function optionalTime(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	const ms = typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;
	if (Number.isNaN(ms)) {
		throw new InvalidParameterError(
			`Changed At is not a time: ${JSON.stringify(value)}`,
			'Map it from the Conversation Status Trigger ({{ $json.changedAt }}) or give an ISO time such as 2026-06-20T09:14:05Z.',
		);
	}
	return new Date(ms).toISOString();
}

export function platformOfChange(registry: PlatformRegistry, value: unknown): PlatformModule {
	const known = registry.all().find((platform) => platform.id === value);
	if (known === undefined) {
		throw new InvalidParameterError(
			`Changed On must be one of ${registry.all().map((platform) => platform.id).join(', ')}, got ${JSON.stringify(value) ?? 'nothing'}`,
			'Changed On tells Sync which platform the change comes from; map it from the trigger ({{ $json.platform }}).',
		);
	}
	return known;
}

/** The platform a change on `source` is synced to: the only other one. */
export function counterpartOf(registry: PlatformRegistry, source: PlatformModule): PlatformModule {
	const others = registry.all().filter((platform) => platform !== source);
	if (others.length !== 1) {
		throw new InvalidParameterError(
			`Sync Status works between two platforms, but ${others.length} platforms besides ${source.displayName} are registered`,
			'Sync Status copies a change to the one other platform; with more platforms registered it cannot tell which.',
		);
	}
	return others[0];
}

/** The Pairing Window option in milliseconds: hours, the default when empty. */
export function pairingWindowMs(value: unknown): number {
	const hours = value === undefined || value === null || value === '' ? DEFAULT_PAIRING_WINDOW_HOURS : Number(value);
	if (!Number.isFinite(hours) || hours < 0) {
		throw new InvalidParameterError(
			`Pairing Window must be a number of hours, 0 or more, got ${JSON.stringify(value)}`,
			'It is how far apart the creation of two conversations may lie for Sync to pair them by the customer e-mail.',
		);
	}
	return hours * 60 * 60 * 1000;
}
