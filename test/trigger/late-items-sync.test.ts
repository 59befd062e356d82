/**
 * Late and superseded items against Sync Status: the trigger reports a change whose delivery came after a newer
 * status was known, and Sync never acts on it against that newer status (its first rule for superseded items, its
 * compare-and-set on the source's status as read now for late ones).
 */
import { decideByStatus, skipUnread, type SyncFacts } from '../../nodes/core/action/sync-decision';
import type { StatusChange } from '../../nodes/core/types';
import { updated, type ConversationState } from '../fixtures/chatwoot-payloads';
import { changes, chatwootDelivery, harness, NOW_SECONDS } from '../unit/pipeline-helpers';

const base: ConversationState = { id: 131, inboxId: 4, status: 'open', createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS };

function transition(status: ConversationState['status'], previous: string, atSeconds: number) {
	return chatwootDelivery(updated({ ...base, status, updatedAt: atSeconds }, [{ status: { previous_value: previous, current_value: status } }]));
}

/** What Sync reads now: the source conversation on `sourceStatus`, the target where the late change started. */
function factsFor(change: StatusChange, sourceStatus: SyncFacts['sourceStatus']): SyncFacts {
	return {
		sourceName: `Chatwoot conversation ${change.conversationId}`,
		targetName: 'FreeScout conversation 7',
		targetPlatformName: 'FreeScout',
		change: { status: change.status, previousStatus: change.previousStatus, at: { ms: Date.parse(change.changedAt), resolutionMs: 1 } },
		sourceStatus,
		target: { status: change.previousStatus, platformStatus: 'active', updatedAt: null, reportsStatusTimes: true },
		wanted: change.status,
		wantedPlatformStatus: 'closed',
		startedFrom: change.previousStatus,
		targetMappedBack: change.previousStatus,
	};
}

test('a close delivered after the reopen that followed it: reported late and superseded, and Sync skips it before reading anything', () => {
	const h = harness('chatwoot');
	h.deliver(transition('open', 'resolved', NOW_SECONDS + 10));
	const [late] = changes([h.deliver(transition('resolved', 'open', NOW_SECONDS + 5))]);
	expect(late).toMatchObject({ status: 'resolved', late: true, superseded: true, changedAt: new Date((NOW_SECONDS + 5) * 1000).toISOString() });
	expect(skipUnread({ superseded: late.superseded, ownEcho: null }, 'Chatwoot conversation 131')).toMatch(/^superseded/);
});

test('a late change not superseded in memory, whose source has moved on since: the compare-and-set on the source skips it', () => {
	const h = harness('chatwoot');
	// A later delivery already showed the conversation resolved (newer than the close's delivery); the close comes late.
	h.memory.learn('1:131', [{ status: 'resolved', t: (NOW_SECONDS + 20) * 1000, k: 0, kind: 'seen' }]);
	const [late] = changes([h.deliver(transition('resolved', 'open', NOW_SECONDS + 5))]);
	expect(late).toMatchObject({ status: 'resolved', late: true, superseded: false });
	expect(skipUnread({ superseded: late.superseded, ownEcho: null }, 'Chatwoot conversation 131')).toBeNull();
	// Reopened since: Sync reads the source open and leaves the target alone.
	expect(decideByStatus(factsFor(late, 'open'))).toMatchObject({ action: 'skip', skipped: expect.stringContaining('no longer resolved') });
	// Still resolved: writing it is right, late or not.
	expect(decideByStatus(factsFor(late, 'resolved'))).toEqual({ action: 'write_target', because: 'in_step' });
});
