/** The decision on a remembered timeline, with synthetic points: what history may report and what it only ranks. */
import { decide } from '../../nodes/core/trigger/decide';
import { Memory } from '../../nodes/core/trigger/memory';
import type { Observation, OwnPoint, StatusPoint } from '../../nodes/core/trigger/types';
import type { Status } from '../../nodes/core/types';
import { platforms } from '../../nodes/platforms';

const statuses = platforms.get('freescout').trigger.adapter.statuses;
const explain = () => ({ cause: 'agent' as const, actor: null });
const at = (t: number) => ({ t: t * 1000, k: t });
const point = (status: Status, t: number): StatusPoint => ({ status, platformStatus: statuses.fromStatus(status) ?? status, at: at(t), explain });

function observation(own: OwnPoint, history: StatusPoint[]): Observation {
	return {
		platform: 'freescout',
		event: 'convo.customer.reply.created',
		conversationKey: '7',
		own,
		history,
		fields: {
			conversationId: 7,
			conversationNumber: 7,
			accountId: null,
			mailboxId: 1,
			inboxId: null,
			contact: null,
			assignee: null,
			subject: null,
			conversationUrl: null,
			isNewConversation: false,
		},
	};
}

const state = (status: Status, t: number): OwnPoint => ({ ...point(status, t), kind: 'state', previousPlatformStatus: null, firstSight: 'no-change' });
const summary = (decision: ReturnType<typeof decide>) => decision.changes.map((change) => `${change.previousStatus}>${change.status}@${change.changedAt.slice(17, 19)}${change.late ? ' late' : ''}`);

test('history newer than every decided point reports its changes; older history (threads moved in by a merge) only ranks', () => {
	const memory = new Memory();
	memory.learn('7', [{ status: 'open', ...at(10), kind: 'reported' }, { status: 'open', ...at(30), kind: 'seen' }], at(10));
	// A close at 20 that only shows in the threads of a later delivery, older than the decided point at 30: not reported.
	expect(summary(decide(observation(state('open', 40), [point('open', 10), point('resolved', 20)]), memory, statuses))).toEqual([]);
	// A close at 50 and the reopen at 60 that shows it: both reported.
	expect(summary(decide(observation(state('open', 60), [point('resolved', 50)]), memory, statuses))).toEqual(['open>resolved@50', 'resolved>open@00']);
});

test('a delivery that states an older change itself reports it once, late, even behind a decided point', () => {
	const memory = new Memory();
	memory.learn('7', [{ status: 'open', ...at(10), kind: 'reported' }, { status: 'pending', ...at(30), kind: 'reported' }], at(10));
	const close: OwnPoint = { ...point('resolved', 20), kind: 'transition', previousPlatformStatus: null, firstSight: 'change' };
	expect(summary(decide(observation(close, []), memory, statuses))).toEqual(['open>resolved@20 late']);
	expect(summary(decide(observation(close, []), memory, statuses))).toEqual([]);
});

test('a primed status never hides a delivered change made before it; the same status primed does not make it late', () => {
	const memory = new Memory();
	memory.learnInferred('7', 'resolved', { t: 25_000, k: 2_147_483_647 });
	const close: OwnPoint = { ...point('resolved', 20), kind: 'transition', previousPlatformStatus: null, firstSight: 'change' };
	expect(summary(decide(observation(close, [point('open', 10)]), memory, statuses))).toEqual(['open>resolved@20']);
	// Another status primed after the change: the change is not the current status any more.
	const reopened = new Memory();
	reopened.learnInferred('7', 'open', { t: 25_000, k: 2_147_483_647 });
	expect(summary(decide(observation(close, [point('open', 10)]), reopened, statuses))).toEqual(['open>resolved@20 late']);
});

test('a point seen as no change becomes a change when a late delivery shows another status before it: both reported', () => {
	const memory = new Memory();
	memory.learn('7', [{ status: 'open', ...at(5), kind: 'reported' }], at(5));
	// A note at 20 leaves it open: not a change then.
	expect(summary(decide(observation(state('open', 20), []), memory, statuses))).toEqual([]);
	// The close at 10 comes late: it is reported, and the open at 20 is now the reopen it was.
	const close: OwnPoint = { ...point('resolved', 10), kind: 'transition', previousPlatformStatus: null, firstSight: 'change' };
	const decision = decide(observation(close, []), memory, statuses);
	expect(summary(decision)).toEqual(['open>resolved@10 late', 'resolved>open@20']);
	expect(decision.changes.map((change) => change.cause)).toEqual(['agent', 'unknown']);
	expect(summary(decide(observation(close, []), memory, statuses))).toEqual([]);
});
