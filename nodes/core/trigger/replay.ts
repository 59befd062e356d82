/**
 * Replays of deliveries from a platform that signs no time (FreeScout): a captured, validly signed body can be sent
 * again at any moment, and once the memory has forgotten its conversation it would read as a change. Such a body
 * carries its own times, though: the conversation's threads and status times, which a first delivery or one of the
 * platform's retries (the stored body sent again) shows within the platform's retry window. A delivery whose newest
 * time is older than that window is not one of them, whatever the memory knows.
 */
import type { Observation } from './types';

/** The newest time the delivery shows (its own point and every status it carries); 0 when it shows none. */
export function newestShownMs(observation: Observation): number {
	return Math.max(observation.own.at.t, ...observation.history.map((point) => point.at.t));
}

/** Why the delivery is a replay, or null when it may be a first delivery or a retry (or shows no time at all). */
export function replayReason(observation: Observation, windowMs: number | null, nowMs: number): string | null {
	if (windowMs === null) return null;
	const newest = newestShownMs(observation);
	if (newest <= 0 || nowMs - newest <= windowMs) return null;
	const minutes = Math.round(windowMs / 60_000);
	return `replayed delivery: the newest time it shows (${new Date(newest).toISOString()}) is more than ${minutes} minutes old, longer than ${observation.platform} retries a delivery`;
}
