/**
 * Sync Status's pure parts: the status mapping both ways, the decision from what was read on both sides, the
 * clock comparison, and the memory of its own writes.
 */
import { InvalidParameterError } from '../../nodes/core/action/conversation-api';
import fc from 'fast-check';

import type { SyncFacts, SyncVerdict } from '../../nodes/core/action/sync-decision';
import { compareInstants, decideByStatus, decideByTime, skipUnread } from '../../nodes/core/action/sync-decision';
import { RecentWrites } from '../../nodes/core/action/sync-echoes';
import { checkIncomingStatus, counterpartOf, optionalTime, platformOfChange } from '../../nodes/core/action/sync-input';
import type { MappingRule } from '../../nodes/core/action/sync-mapping';
import { mapStatus, mapStatusOrNull } from '../../nodes/core/action/sync-mapping';
import type { Status } from '../../nodes/core/types';
import { platforms } from '../../nodes/platforms';
import { api as chatwoot } from '../../nodes/platforms/chatwoot/api';
import { api as freescout } from '../../nodes/platforms/freescout/api';

const apis = { chatwoot, freescout };
type Side = keyof typeof apis;
const other = (side: Side): Side => (side === 'chatwoot' ? 'freescout' : 'chatwoot');

/**
 * The facts of one sync from `from` to the other platform, built the way sync.ts builds them: the change, the
 * source as read now (default: still on the change's status) and the target as read now.
 */
function facts(
	from: Side,
	change: { status: Status; previousStatus: Status | null; atMs?: number | null },
	target: { status: Status; updatedAtMs?: number | null },
	options: { rules?: MappingRule[]; sourceStatus?: Status } = {},
): SyncFacts {
	const to = other(from);
	const rules = options.rules ?? [];
	const wanted = mapStatus(change.status, apis[to], rules) as Status;
	const at = (ms: number | null | undefined, api: typeof chatwoot) => (ms === null || ms === undefined ? null : { ms, resolutionMs: api.clockResolutionMs });
	return {
		sourceName: `${apis[from].displayName} conversation 5`,
		targetName: `${apis[to].displayName} conversation 7`,
		targetPlatformName: apis[to].displayName,
		change: { status: change.status, previousStatus: change.previousStatus, at: at(change.atMs === undefined ? 2_000_000 : change.atMs, apis[from]) },
		sourceStatus: options.sourceStatus ?? change.status,
		target: {
			status: target.status,
			platformStatus: apis[to].statuses.fromStatus(target.status) as string,
			updatedAt: at(target.updatedAtMs === undefined ? 1_000_000 : target.updatedAtMs, apis[to]),
			reportsStatusTimes: apis[to].statusHistory !== undefined,
		},
		wanted,
		wantedPlatformStatus: apis[to].statuses.fromStatus(wanted) as string,
		startedFrom: mapStatusOrNull(change.previousStatus, apis[to], rules),
		targetMappedBack: mapStatusOrNull(target.status, apis[from], rules),
	};
}

/** The verdict as sync.ts reaches it; `statusSetAtMs`: what the target's history shows (FreeScout only). */
function decideSync(f: SyncFacts, statusSetAtMs: number | null = null): SyncVerdict {
	const byStatus = decideByStatus(f);
	if (byStatus !== 'by_time') return byStatus;
	const resolutionMs = f.targetPlatformName === 'FreeScout' ? freescout.clockResolutionMs : chatwoot.clockResolutionMs;
	return decideByTime(f, statusSetAtMs === null ? null : { ms: statusSetAtMs, resolutionMs });
}

describe('status mapping', () => {
	it('applies statuses the target has as they are and falls back to the nearest for the rest, both ways', () => {
		expect(mapStatus('resolved', freescout, [])).toBe('resolved');
		expect(mapStatus('snoozed', freescout, [])).toBe('pending');
		expect(mapStatus('spam', chatwoot, [])).toBe('resolved');
		expect(mapStatus('snoozed', chatwoot, [])).toBe('snoozed');
		expect(mapStatus('spam', freescout, [])).toBe('spam');
	});

	it('rules apply only towards their platform; "Do Not Sync" maps to null', () => {
		const rules: MappingRule[] = [
			{ target: 'chatwoot', from: 'pending', to: 'skip' },
			{ target: 'freescout', from: 'snoozed', to: 'resolved' },
		];
		expect(mapStatus('pending', chatwoot, rules)).toBeNull();
		expect(mapStatus('pending', freescout, rules)).toBe('pending');
		expect(mapStatus('snoozed', freescout, rules)).toBe('resolved');
		expect(mapStatus('snoozed', chatwoot, rules)).toBe('snoozed');
	});

	it('a status with neither a rule nor a near status is a clear error; mapStatusOrNull gives null instead', () => {
		const noPending = { ...chatwoot, statuses: { toStatus: () => null, fromStatus: (s: Status) => (s === 'open' ? 'open' : null) } };
		expect(() => mapStatus('spam', noPending, [])).toThrow('Chatwoot has no "spam" status and no mapping for it');
		expect(mapStatusOrNull('spam', noPending, [])).toBeNull();
		expect(mapStatusOrNull(null, chatwoot, [])).toBeNull();
	});
});

describe('what Sync reads from an item', () => {
	it('checks statuses, times and the platform of the change', () => {
		expect(checkIncomingStatus('snoozed')).toBe('snoozed');
		expect(() => checkIncomingStatus('closed')).toThrow('Sync Status needs a normalized status');
		expect(() => checkIncomingStatus(undefined)).toThrow(InvalidParameterError);
		expect(optionalTime('2026-06-20T09:14:05.300Z')).toBe('2026-06-20T09:14:05.300Z');
		expect(optionalTime('')).toBeNull();
		expect(() => optionalTime('yesterday')).toThrow('Changed At is not a time: "yesterday"');
		expect(platformOfChange(platforms, 'freescout').id).toBe('freescout');
		expect(() => platformOfChange(platforms, 'zendesk')).toThrow('Changed On must be one of chatwoot, freescout, got "zendesk"');
		expect(counterpartOf(platforms, platforms.get('chatwoot')).id).toBe('freescout');
	});
});

describe('every non-symmetric mapping, both directions, with its echo', () => {
	it('FreeScout spam → Chatwoot resolved; the echo (Chatwoot resolved) leaves FreeScout spam', () => {
		const there = facts('freescout', { status: 'spam', previousStatus: 'open' }, { status: 'open' });
		expect(there.wanted).toBe('resolved');
		expect(decideSync(there)).toEqual({ action: 'write_target', because: 'in_step' });
		const back = facts('chatwoot', { status: 'resolved', previousStatus: 'open' }, { status: 'spam' });
		expect(decideSync(back)).toEqual({
			action: 'skip',
			skipped: 'FreeScout conversation 7 is spam, which syncs back as resolved: left as it is',
		});
	});

	it('Chatwoot snoozed → FreeScout pending; the echo (FreeScout pending) leaves Chatwoot snoozed', () => {
		const there = facts('chatwoot', { status: 'snoozed', previousStatus: 'open' }, { status: 'open' });
		expect(there.wanted).toBe('pending');
		expect(decideSync(there)).toEqual({ action: 'write_target', because: 'in_step' });
		const back = facts('freescout', { status: 'pending', previousStatus: 'open' }, { status: 'snoozed' });
		expect(decideSync(back)).toEqual({
			action: 'skip',
			skipped: 'Chatwoot conversation 7 is snoozed, which syncs back as pending: left as it is',
		});
	});

	it('the other direction of each: a person reopening on the side without the status undoes it, as a later decision', () => {
		// Chatwoot resolved → open while FreeScout is spam: FreeScout spam stands for resolved, where the change started.
		expect(decideSync(facts('chatwoot', { status: 'open', previousStatus: 'resolved' }, { status: 'spam' }))).toEqual({
			action: 'write_target',
			because: 'in_step',
		});
		// FreeScout pending → open while Chatwoot is snoozed: snoozed stands for pending.
		expect(decideSync(facts('freescout', { status: 'open', previousStatus: 'pending' }, { status: 'snoozed' }))).toEqual({
			action: 'write_target',
			because: 'in_step',
		});
	});

	it('a custom lossy rule (Chatwoot snoozed → FreeScout closed): its echo is recognized through the same rule', () => {
		const rules: MappingRule[] = [{ target: 'freescout', from: 'snoozed', to: 'resolved' }];
		const there = facts('chatwoot', { status: 'snoozed', previousStatus: 'open' }, { status: 'open' }, { rules });
		expect(there.wanted).toBe('resolved');
		expect(decideSync(there)).toEqual({ action: 'write_target', because: 'in_step' });
		const back = facts('freescout', { status: 'resolved', previousStatus: 'open' }, { status: 'snoozed' }, { rules });
		expect(decideSync(back)).toEqual({
			action: 'skip',
			skipped: 'Chatwoot conversation 7 is snoozed, which syncs back as resolved: left as it is',
		});
	});

	it('"Do Not Sync" both ways: the status is not mapped, and a later change on the other side is still synced', () => {
		const rules: MappingRule[] = [
			{ target: 'freescout', from: 'snoozed', to: 'skip' },
			{ target: 'chatwoot', from: 'pending', to: 'skip' },
		];
		expect(mapStatus('snoozed', freescout, rules)).toBeNull();
		expect(mapStatus('pending', chatwoot, rules)).toBeNull();
		// Chatwoot stayed snoozed (not synced); a FreeScout close made later is written over it.
		const later = facts('freescout', { status: 'resolved', previousStatus: 'open', atMs: 5_000_000 }, { status: 'snoozed', updatedAtMs: 1_000_000 }, { rules });
		expect(later.targetMappedBack).toBeNull();
		expect(decideSync(later)).toEqual({ action: 'write_target', because: 'target_behind' });
		// FreeScout stayed pending (not synced) and was set so after the Chatwoot change: it is not synced back either.
		const earlier = facts('chatwoot', { status: 'resolved', previousStatus: 'open', atMs: 1_000_000 }, { status: 'pending', updatedAtMs: 5_000_000 }, { rules });
		expect(decideSync(earlier, 5_000_000)).toEqual({
			action: 'skip',
			skipped:
				'FreeScout conversation 7 is pending, not where this change started (open): it was set later (1970-01-01T01:23:20.000Z), and pending is not synced back',
		});
	});
});

describe('compare-and-set, then what the times prove', () => {
	const at = (seconds: number, ms = 0) => Date.UTC(2026, 0, 1, 9, 0, seconds, ms);

	it('already there: nothing to write', () => {
		expect(decideSync(facts('chatwoot', { status: 'resolved', previousStatus: 'open' }, { status: 'resolved' }))).toEqual({
			action: 'skip',
			skipped: 'already resolved',
		});
	});

	it('the source moved on since the change: not synced, its newer change is', () => {
		expect(decideSync(facts('chatwoot', { status: 'resolved', previousStatus: 'open' }, { status: 'open' }, { sourceStatus: 'open' }))).toEqual({
			action: 'skip',
			skipped: 'Chatwoot conversation 5 is open now, no longer resolved: its newer change is synced on its own',
		});
	});

	it('a FreeScout status set after the change wins: the source follows it', () => {
		const f = facts('chatwoot', { status: 'resolved', previousStatus: 'open', atMs: at(0, 300) }, { status: 'pending', updatedAtMs: at(2) });
		expect(decideSync(f, at(2))).toEqual({ action: 'write_source', status: 'pending' });
		// Only the status time counts: an update of FreeScout (a note) after the change, over an older status, does not.
		expect(decideSync(f, at(-5))).toEqual({ action: 'write_target', because: 'unproven' });
	});

	it('a change later than the target\'s last update is written: the target had missed it (unknown previous status too)', () => {
		const behind = facts('chatwoot', { status: 'resolved', previousStatus: 'open', atMs: at(3) }, { status: 'pending', updatedAtMs: at(2) });
		expect(decideSync(behind, at(2))).toEqual({ action: 'write_target', because: 'target_behind' });
		const unknownPrevious = facts('freescout', { status: 'resolved', previousStatus: null, atMs: at(9) }, { status: 'pending', updatedAtMs: at(1) });
		expect(decideSync(unknownPrevious)).toEqual({ action: 'write_target', because: 'target_behind' });
	});

	it('Chatwoot tells no status times: an update there after the change leaves the decision to the FreeScout side', () => {
		const f = facts('freescout', { status: 'pending', previousStatus: 'open', atMs: at(5) }, { status: 'resolved', updatedAtMs: at(5, 40) });
		expect(f.target.reportsStatusTimes).toBe(false);
		expect(decideSync(f)).toEqual({
			action: 'skip',
			skipped:
				'Chatwoot conversation 7 is resolved, not where this change started (open): it was updated at 2026-01-01T09:00:05.040Z (this change: 2026-01-01T09:00:05.000Z) and Chatwoot does not tell when its status was set, so the execution for its own change decides',
		});
	});

	it('without a time for the change, a disagreement is left alone', () => {
		expect(decideSync(facts('chatwoot', { status: 'resolved', previousStatus: 'open', atMs: null }, { status: 'pending' }))).toEqual({
			action: 'skip',
			skipped: 'FreeScout conversation 7 is pending, not where this change started (open), and this change has no time to compare',
		});
	});

	it('compareInstants orders instants only beyond their precision', () => {
		expect(compareInstants({ ms: 1000, resolutionMs: 1 }, { ms: 999, resolutionMs: 1 })).toBe(1);
		expect(compareInstants({ ms: 5300, resolutionMs: 1 }, { ms: 5000, resolutionMs: 1000 })).toBe(0);
		expect(compareInstants({ ms: 4950, resolutionMs: 1 }, { ms: 5000, resolutionMs: 1000 })).toBe(-1);
		expect(compareInstants({ ms: 6000, resolutionMs: 1 }, { ms: 5000, resolutionMs: 1000 })).toBe(1);
	});

	it('a change on each side, read by both executions: they never both skip nor write against each other, and a provable order is kept', () => {
		// Both sides were open. Chatwoot resolved at tC; FreeScout pending at tF (reported in whole seconds, its status
		// line item too). Chatwoot's updated_at runs late by an activity message or a customer message (bumpC); FreeScout's
		// updatedAt may run late by a note (bumpF, whole seconds).
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 4000 }),
				fc.integer({ min: 0, max: 4000 }),
				fc.integer({ min: 0, max: 3000 }),
				fc.integer({ min: 0, max: 2 }),
				(tC, tF, bumpC, bumpF) => {
					const fSecond = Math.floor(tF / 1000) * 1000;
					const fromChatwoot = decideSync(
						facts('chatwoot', { status: 'resolved', previousStatus: 'open', atMs: tC }, { status: 'pending', updatedAtMs: fSecond + bumpF * 1000 }),
						fSecond,
					);
					const fromFreeScout = decideSync(
						facts('freescout', { status: 'pending', previousStatus: 'open', atMs: fSecond }, { status: 'resolved', updatedAtMs: tC + bumpC }),
					);
					// What each side ends on: Chatwoot is written by "Chatwoot follows" or by the FreeScout side's write.
					const chatwootWritten = fromChatwoot.action === 'write_source' || fromFreeScout.action === 'write_target';
					const freescoutWritten = fromChatwoot.action === 'write_target' || fromFreeScout.action === 'write_source';
					expect(chatwootWritten !== freescoutWritten).toBe(true);
					const end = chatwootWritten ? 'pending' : 'resolved';
					if (fSecond >= tC + 1) expect(end).toBe('pending');
					if (tC >= fSecond + 1000) expect(end).toBe('resolved');
				},
			),
			{ numRuns: 2000 },
		);
	});
});

describe('decided before reading anything', () => {
	it('a superseded change and the echo of an own write', () => {
		expect(skipUnread({ superseded: true, ownEcho: null }, 'Chatwoot conversation 5')).toBe(
			'superseded: a later change of Chatwoot conversation 5 came with it and is synced on its own',
		);
		expect(skipUnread({ superseded: false, ownEcho: 'X was set to resolved' }, 'Chatwoot conversation 5')).toBe(
			"echo of this sync's own write: X was set to resolved",
		);
		expect(skipUnread({ superseded: false, ownEcho: null }, 'Chatwoot conversation 5')).toBeNull();
	});
});

describe('RecentWrites', () => {
	it('matches a write once, by conversation, status and previous status, within its lifetime and capacity', () => {
		let now = 0;
		const writes = new RecentWrites({ ttlMs: 1000, capacity: 2, now: () => now });
		writes.remember('fs|7', { status: 'resolved', previousStatus: 'open', description: 'first' });
		expect(writes.takeEcho('fs|7', { status: 'resolved', previousStatus: 'pending' })).toBeNull();
		expect(writes.takeEcho('fs|8', { status: 'resolved', previousStatus: 'open' })).toBeNull();
		expect(writes.takeEcho('fs|7', { status: 'resolved', previousStatus: 'open' })).toBe('first');
		expect(writes.takeEcho('fs|7', { status: 'resolved', previousStatus: 'open' })).toBeNull();

		writes.remember('fs|7', { status: 'open', previousStatus: null, description: 'unknown previous' });
		now = 1001;
		expect(writes.takeEcho('fs|7', { status: 'open', previousStatus: 'resolved' })).toBeNull();

		writes.remember('a', { status: 'open', previousStatus: null, description: 'a' });
		writes.remember('b', { status: 'open', previousStatus: null, description: 'b' });
		writes.remember('c', { status: 'open', previousStatus: null, description: 'c' });
		expect(writes.takeEcho('a', { status: 'open', previousStatus: 'pending' })).toBeNull();
		expect(writes.takeEcho('c', { status: 'open', previousStatus: 'pending' })).toBe('c');
	});
});
