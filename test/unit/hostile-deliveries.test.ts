/**
 * Deliveries that are validly signed but not what they seem: prototype keys in the JSON, FreeScout bodies replayed
 * after FreeScout's retry window, and what the sender is told about a body that is not JSON.
 */
import { isSafeKey, parseJson } from '../../nodes/core/json';
import { readFreeScoutConversation } from '../../nodes/platforms/freescout/conversation';
import { RETRY_WINDOW_MS } from '../../nodes/platforms/freescout/retries';
import { updated } from '../fixtures/chatwoot-payloads';
import { realFreeScoutDeliveries } from '../support/fixtures';
import { changes, CHATWOOT_SECRET, freescoutDelivery, harness, NOW_SECONDS } from './pipeline-helpers';
import { signChatwoot } from '../../nodes/platforms/chatwoot/signature';
import type { Delivery } from '../../nodes/core/trigger/types';
import { Memory } from '../../nodes/core/trigger/memory';

const ms = (seconds: number) => Math.floor(seconds * 1000);

/** A signed Chatwoot delivery of exactly this text (prototype keys cannot be written as object literals). */
function signedChatwootText(raw: string): Delivery {
	return {
		rawBody: Buffer.from(raw),
		headers: { 'x-chatwoot-timestamp': String(NOW_SECONDS), 'x-chatwoot-signature': signChatwoot(CHATWOOT_SECRET, String(NOW_SECONDS), raw) },
	};
}

describe('prototype keys in untrusted JSON', () => {
	it('parseJson drops __proto__, constructor and prototype at every depth, and pollutes nothing', () => {
		const parsed = parseJson('{"a":{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"b":[{"__proto__":{"y":2}}]}}');
		expect(parsed).toEqual({ ok: true, value: { a: { b: [{}] } } });
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(['__proto__', 'constructor', 'prototype', 'status'].map(isSafeKey)).toEqual([false, false, false, true]);
	});

	const state = { id: 131, inboxId: 4, status: 'open' as const, createdAt: NOW_SECONDS - 3600, updatedAt: NOW_SECONDS };
	const diff = { status: { previous_value: 'resolved', current_value: 'pending' } };

	it('a status diff smuggled under __proto__ in changed_attributes is not read as a transition', () => {
		const known = () => {
			const h = harness('chatwoot');
			h.memory.learnInferred('1:131', 'open', { t: ms(NOW_SECONDS - 60), k: 0 });
			return h;
		};
		// The same diff where Chatwoot puts it is a change: the smuggled one would have been read as one.
		expect(changes([known().deliver(signedChatwootText(JSON.stringify(updated(state, [diff]))))]).map((c) => `${c.previousStatus}>${c.status}`)).toEqual([
			'resolved>pending',
		]);
		for (const key of ['__proto__', 'constructor']) {
			const raw = JSON.stringify(updated(state, [{ SMUGGLED: diff } as never])).replace('"SMUGGLED"', JSON.stringify(key));
			const h = known();
			const outcome = h.deliver(signedChatwootText(raw));
			expect(outcome).toMatchObject({ httpStatus: 200, ignored: expect.any(String) });
			expect(h.known('1:131')?.status).toBe('open');
		}
	});

	it('a FreeScout custom field named __proto__ becomes no prototype of the pairing attributes', () => {
		const body = parseJson(
			'{"id":5,"status":"active","customFields":[{"id":1,"name":"__proto__","value":"7"},{"id":2,"name":"Chatwoot Conversation ID","value":"9"}]}',
		);
		const fromBody = readFreeScoutConversation(body.ok ? (body.value as Record<string, unknown>) : {}, 5);
		// Built directly too: a list answer n8n parsed itself keeps "__proto__" as an own key.
		const direct = readFreeScoutConversation(
			JSON.parse('{"id":5,"status":"active","customFields":[{"id":1,"name":"__proto__","value":"7"},{"id":2,"name":"Chatwoot Conversation ID","value":"9"}]}'),
			5,
		);
		for (const conversation of [fromBody, direct]) {
			expect(Object.getPrototypeOf(conversation?.attributes)).toBeNull();
			expect(Object.keys(conversation?.attributes ?? {})).toEqual(['Chatwoot Conversation ID']);
		}
	});
});

describe('FreeScout replays', () => {
	const [close] = realFreeScoutDeliveries('freescout-real').filter((capture: { name: string }) => capture.name.startsWith('004'));
	const delivery = () => freescoutDelivery('convo.status', close.body);
	/** The newest thread of the captured close: the time of the change it reports. */
	const newestThread = Math.max(
		...(JSON.parse(close.body.toString('utf8'))._embedded.threads as Array<{ createdAt: string }>).map((thread) => Date.parse(thread.createdAt)),
	);

	it('the window is FreeScout\'s documented two hours of retries plus half an hour for its queue and the clocks', () => {
		expect(RETRY_WINDOW_MS).toBe(150 * 60 * 1000);
	});

	it('a close delivered within the window is reported; after it, no item, whether the memory knows the conversation or not', () => {
		const fresh = harness('freescout');
		fresh.nowMs = newestThread + RETRY_WINDOW_MS;
		expect(changes([fresh.deliver(delivery())]).map((change) => change.status)).toEqual(['resolved']);

		const forgotten = harness('freescout');
		forgotten.nowMs = newestThread + RETRY_WINDOW_MS + 1000;
		const replayed = forgotten.deliver(delivery());
		expect(replayed).toEqual({
			httpStatus: 200,
			ignored: `replayed delivery: the newest time it shows (${new Date(newestThread).toISOString()}) is more than 150 minutes old, longer than freescout retries a delivery`,
			body: expect.anything(),
		});
		expect(forgotten.known('1')).toBeUndefined();

		const remembered = harness('freescout');
		remembered.memory.learnInferred('1', 'open', { t: newestThread - 60_000, k: 0 });
		remembered.nowMs = newestThread + 24 * 60 * 60 * 1000;
		expect(remembered.deliver(delivery())).toMatchObject({ httpStatus: 200, ignored: expect.stringMatching(/^replayed delivery/) });
		expect(remembered.known('1')?.status).toBe('open');
	});

	it('Chatwoot signs its own time, so no replay window applies to its bodies', () => {
		const h = harness('chatwoot');
		const old = { id: 132, inboxId: 4, status: 'resolved' as const, createdAt: NOW_SECONDS - 90 * 86400, updatedAt: NOW_SECONDS - 80 * 86400 };
		const outcome = h.deliver(signedChatwootText(JSON.stringify(updated(old, [{ status: { previous_value: 'open', current_value: 'resolved' } }]))));
		expect(changes([outcome]).map((change) => change.status)).toEqual(['resolved']);
	});
});

describe('times before 1970', () => {
	// Found by the property test: a mutated time below zero was stored, and the stored memory no longer read back whole.
	it('a Chatwoot delivery whose times are negative leaves a memory that reads back without invalid entries', () => {
		const state = { id: 132, inboxId: 4, status: 'open' as const, createdAt: -86400, updatedAt: -60 };
		const h = harness('chatwoot');
		h.deliver(signedChatwootText(JSON.stringify(updated(state, [{ status: { previous_value: 'resolved', current_value: 'open' } }]))));
		const reader = new Memory(10);
		expect(reader.merge(h.memory.snapshot(), Date.now()).invalid).toBe(0);
	});
});
