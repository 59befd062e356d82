/**
 * What FreeScout admins do besides the status menu, through the core pipeline: a merge (the real deliveries of
 * test/fixtures/freescout-real-merge, byte for byte), a bulk status change that repeats a status, and deletes.
 */
import { realFreeScoutDeliveries } from '../support/fixtures';
import { FREESCOUT_REAL_MERGE_KEY, FREESCOUT_REAL_UI_KEY } from '../support/test-keys';
import { freescoutDelivery, harness } from './pipeline-helpers';
import { platforms } from '../../nodes/platforms';
import type { DeliveryOutcome } from '../../nodes/core/trigger/pipeline';
import type { Delivery } from '../../nodes/core/trigger/types';

interface RealDelivery {
	name: string;
	event: string;
	signature: string;
	body: Buffer;
}
interface Thread {
	id: number;
	type: string;
	status: string;
	createdAt: string;
	action: { type: string; text: string };
}

const merge: RealDelivery[] = realFreeScoutDeliveries('freescout-real-merge');
const uiCapture = (prefix: string): Buffer => {
	const found = (realFreeScoutDeliveries('freescout-real-ui') as RealDelivery[]).find((entry) => entry.name.startsWith(prefix));
	if (found === undefined) throw new Error(`no capture ${prefix}`);
	return found.body;
};
const mergeHarness = () => harness('freescout', { secret: FREESCOUT_REAL_MERGE_KEY });

function capture(prefix: string): Delivery {
	const found = merge.find((entry) => entry.name.startsWith(prefix));
	if (found === undefined) throw new Error(`no capture ${prefix}`);
	return { rawBody: found.body, headers: { 'x-freescout-event': found.event, 'x-freescout-signature': found.signature } };
}

function bodyOf(prefix: string) {
	return JSON.parse((capture(prefix).rawBody as Buffer).toString('utf8'));
}

/** A body changed from a real one, signed with that instance's key as FreeScout would. */
function crafted(event: string, body: unknown): Delivery {
	return freescoutDelivery(event, JSON.stringify(body), FREESCOUT_REAL_MERGE_KEY);
}

function summary(outcome: DeliveryOutcome): string[] {
	if ('changes' in outcome) return outcome.changes.map((change) => `${change.conversationId}: ${change.previousStatus} -> ${change.status}`);
	return ['ignored' in outcome ? `ignored: ${outcome.ignored}` : `${outcome.httpStatus}: ${outcome.detail}`];
}

describe('merge (real deliveries: 12 closed, then merged into the open 11, then the customer writes on 11)', () => {
	it('in the order they arrived: the three real changes and nothing for the reply that lists the moved threads', () => {
		const h = mergeHarness();
		expect(merge.map((delivery) => [delivery.name, ...summary(h.deliver(capture(delivery.name)))])).toEqual([
			['018-convo.created', '11: null -> open'],
			['019-convo.created', '12: null -> open'],
			['022-convo.status', '12: open -> resolved'],
			['024-convo.customer.reply.created', 'ignored: status is still open: not a change'],
		]);
	});

	it('024 lists 12\'s closing line item among 11\'s threads; only the merged line item (11\'s status at the merge) and newer threads count', () => {
		const threads: Thread[] = bodyOf('024')._embedded.threads;
		expect(threads.map((thread) => `${thread.id}:${thread.type}:${thread.status}:${thread.action.type}`)).toEqual([
			'39:customer:active:',
			'36:lineitem:active:merged',
			'33:lineitem:closed:changed-ticket-status',
			'30:customer:active:',
			'29:customer:active:',
		]);
		const observation = platforms.get('freescout').trigger.adapter.parse(bodyOf('024'), capture('024'), { baseUrl: null, accountId: null, apiUserIds: [] });
		expect('history' in observation && observation.history.map((point) => `${point.at.k}:${point.status}`)).toEqual(['39:open', '36:open']);
	});

	it('a trigger that knows nothing of 11 (activated after the merge): nothing either', () => {
		expect(summary(mergeHarness().deliver(capture('024')))).toEqual(['ignored: status is still open: not a change']);
	});

	it('the target\'s next real change is right: 11 closed after the merge is open -> resolved, once', () => {
		const h = mergeHarness();
		for (const name of ['018', '019', '022', '024']) h.deliver(capture(name));
		const close = bodyOf('024');
		close.status = 'closed';
		close.updatedAt = '2026-12-04T18:38:10Z';
		close._embedded.threads.unshift({ ...close._embedded.threads[1], id: 41, status: 'closed', createdAt: '2026-12-04T18:38:10Z', action: { type: 'changed-ticket-status', text: 'Admin User marked as Closed conversation #11', associatedEntities: [] } });
		expect(summary(h.deliver(crafted('convo.status', close)))).toEqual(['11: open -> resolved']);
	});

	it('a target closed before the merge that the customer reopens afterwards: resolved -> open from the merged line item, also unknown to the trigger', () => {
		const reply = bodyOf('024');
		reply._embedded.threads[1].status = 'closed';
		const known = mergeHarness();
		known.deliver(capture('018'));
		const closedTarget = bodyOf('018');
		closedTarget.status = 'closed';
		closedTarget.updatedAt = '2026-12-04T18:37:50Z';
		closedTarget._embedded.threads.unshift({ ...bodyOf('022')._embedded.threads[0], id: 34, createdAt: '2026-12-04T18:37:50Z' });
		expect(summary(known.deliver(crafted('convo.status', closedTarget)))).toEqual(['11: open -> resolved']);
		expect(summary(known.deliver(crafted('convo.customer.reply.created', reply)))).toEqual(['11: resolved -> open']);
		expect(summary(mergeHarness().deliver(crafted('convo.customer.reply.created', reply)))).toEqual(['11: resolved -> open']);
	});

	it('the sync reads no status time from the moved threads: with nothing after the merge, FreeScout does not tell', () => {
		const history = platforms.get('freescout').action.statusHistory;
		const body = bodyOf('024');
		const ok = (value: unknown) => ({ statusCode: 200, headers: {}, body: value });
		expect(history?.readStatusSetAt(ok(body))).toBe('2026-12-04T18:37:58.000Z');
		body._embedded.threads.shift();
		// Without the merge rule this would be 12's close at 18:37:49.
		expect(history?.readStatusSetAt(ok(body))).toBeNull();
	});
});

describe('bulk status change that repeats the status (no "already set" check on that path)', () => {
	/** 022 re-sent by a later bulk close: a second closing line item, convo.status again. */
	function bulkReclose() {
		const body = bodyOf('022');
		body.updatedAt = '2026-12-04T18:37:52Z';
		body._embedded.threads.unshift({ ...body._embedded.threads[0], id: 34, createdAt: '2026-12-04T18:37:52Z' });
		return crafted('convo.status', body);
	}

	it('known conversation: no item, and never previousStatus null', () => {
		const h = mergeHarness();
		for (const name of ['019', '022']) h.deliver(capture(name));
		expect(summary(h.deliver(bulkReclose()))).toEqual(['ignored: status is still resolved: not a change']);
	});

	it('a conversation the trigger does not know: its history shows it was already closed, so no item', () => {
		expect(summary(mergeHarness().deliver(bulkReclose()))).toEqual(['ignored: status is still resolved: not a change']);
	});

	it('a status menu change the trigger does not know and whose history shows nothing earlier is still reported', () => {
		const body = bodyOf('022');
		body._embedded.threads = body._embedded.threads.slice(0, 1);
		expect(summary(mergeHarness().deliver(crafted('convo.status', body)))).toEqual(['12: null -> resolved']);
	});
});

describe('delete, restore, delete forever', () => {
	it('their events are not subscribed, and answered 200 without an execution should someone add them to the webhook', () => {
		const registration = platforms.get('freescout').trigger.registration;
		expect(registration.eventsFor({ newConversations: true })).not.toEqual(expect.arrayContaining(['convo.deleted']));
		const deleted = bodyOf('022');
		deleted.state = 'deleted';
		for (const event of ['convo.deleted', 'convo.restored', 'convo.deleted_forever']) {
			expect(summary(mergeHarness().deliver(crafted(event, deleted)))).toEqual([`ignored: ${event} does not change a conversation's status`]);
		}
	});

	it('a deleted closed conversation that the customer writes to is published and active: resolved -> open once; the delete line item is no status', () => {
		const h = mergeHarness();
		for (const name of ['019', '022']) h.deliver(capture(name));
		const reply = bodyOf('022');
		reply.status = 'active';
		reply.updatedAt = '2026-12-04T18:38:30Z';
		const template = reply._embedded.threads[0];
		reply._embedded.threads.unshift(
			{ ...bodyOf('019')._embedded.threads[0], id: 52, createdAt: '2026-12-04T18:38:30Z' },
			{ ...template, id: 50, status: 'nochange', createdAt: '2026-12-04T18:38:20Z', action: { type: 'deleted-ticket', text: 'Admin User deleted conversation #12', associatedEntities: [] } },
		);
		expect(summary(h.deliver(crafted('convo.customer.reply.created', reply)))).toEqual(['12: resolved -> open']);
	});
});

describe('a Send & Close undone within the undo window (the reply becomes a draft; the conversation stays closed)', () => {
	it('convo.status without the reply thread still names the closer (closedByUser), not an unknown cause', () => {
		const close = JSON.parse(uiCapture('021').toString('utf8'));
		// Deliveries list published threads only: the undone reply is gone from the list.
		close._embedded.threads = close._embedded.threads.filter((thread: Thread) => thread.type !== 'message');
		const h = harness('freescout', { secret: FREESCOUT_REAL_UI_KEY });
		h.deliver(freescoutDelivery('convo.created', uiCapture('017'), FREESCOUT_REAL_UI_KEY));
		const outcome = h.deliver(freescoutDelivery('convo.status', JSON.stringify(close), FREESCOUT_REAL_UI_KEY));
		expect('changes' in outcome && outcome.changes.map((change) => [change.previousStatus, change.status, change.cause, change.actor?.name])).toEqual([
			['open', 'resolved', 'agent', 'Admin User'],
		]);
	});
});

