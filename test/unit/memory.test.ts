/** The trigger's memory as n8n's static data holds it: merging, healing, bounds, corrupt values, size. */
import { POINTS_PER_CONVERSATION, type KnownPoint } from '../../nodes/core/trigger/conversation-record';
import { FINGERPRINT_TTL_MS, MAX_MEMORY_SIZE, Memory } from '../../nodes/core/trigger/memory';
import { rememberedConversations } from '../../nodes/core/trigger/delivery-settings';

const NOW = Date.UTC(2026, 10, 30, 12);

const point = (status: KnownPoint['status'], t: number, kind: KnownPoint['kind'] = 'reported', k = 0): KnownPoint => ({ status, t, k, kind });
const statusesOf = (memory: Memory, key: string) => (memory.get(key)?.points ?? []).map((entry) => `${entry.status}@${entry.t}:${entry.kind}`);

describe('memory', () => {
	it('keeps the points of a conversation in stamp order, whatever order they arrive in; ties go to the higher tie-break', () => {
		const memory = new Memory();
		memory.learn('7', [point('resolved', 2000, 'reported', 21)]);
		memory.learn('7', [point('open', 1000)]);
		memory.learn('7', [point('open', 2000, 'reported', 22)]);
		expect(memory.get('7')?.points.map((entry) => [entry.status, entry.t, entry.k])).toEqual([
			['open', 1000, 0],
			['resolved', 2000, 21],
			['open', 2000, 22],
		]);
	});

	it('at one stamp the stronger kind wins: a delivered point over a primed one, a reported change over a point seen', () => {
		const memory = new Memory();
		memory.learnInferred('7', 'resolved', { t: 50, k: 0 });
		memory.learn('7', [point('open', 50, 'seen')]);
		memory.learn('7', [point('open', 50, 'reported')]);
		memory.learn('7', [point('open', 50, 'seen')]);
		expect(statusesOf(memory, '7')).toEqual(['open@50:reported']);
	});

	it('merging is order-free: two processes that learned different points end with the same memory, whichever wrote last', () => {
		const processA = new Memory();
		const processB = new Memory();
		processA.learn('1', [point('resolved', 10)]);
		processB.learn('1', [point('open', 20)]);
		processB.learn('2', [point('pending', 20)]);
		expect(processB.merge(processA.stored(), NOW)).toEqual({ invalid: 0, shouldWriteBack: true });
		expect(processA.merge(processB.stored(), NOW)).toEqual({ invalid: 0, shouldWriteBack: false });
		expect(processA.snapshot()).toEqual(processB.snapshot());
		const version = processA.version;
		processA.merge(processB.snapshot(), NOW);
		expect(processA.version).toBe(version);
	});

	it('a save overwritten by an older one is healed by the next write of the process that still holds it', () => {
		const processA = new Memory();
		const processB = new Memory();
		let store = '';
		// Both read the same value, A saves its close, B saves its reopen over it (last writer wins).
		processA.learn('1', [point('resolved', 10)]);
		processB.learn('1', [point('open', 20)]);
		store = processA.stored();
		store = processB.stored();
		expect(new Memory().merge(store, NOW).shouldWriteBack).toBe(false);
		// A's next request reads B's save: it lacks A's close, so A writes the union back.
		expect(processA.merge(store, NOW).shouldWriteBack).toBe(true);
		store = processA.stored();
		const restarted = new Memory();
		restarted.merge(store, NOW);
		expect(statusesOf(restarted, '1')).toEqual(['resolved@10:reported', 'open@20:reported']);
	});

	it('the text it last read or wrote is not merged again until it learns something or the text changes', () => {
		const writer = new Memory();
		writer.learn('1', [point('resolved', 10)]);
		const text = writer.stored();
		const reader = new Memory();
		expect(reader.merge(text, NOW)).toEqual({ invalid: 0, shouldWriteBack: false });
		expect(reader.merge(text, NOW)).toEqual({ invalid: 0, shouldWriteBack: false });
		reader.learn('2', [point('open', 20)]);
		expect(reader.merge(text, NOW).shouldWriteBack).toBe(true);
		expect(writer.merge(reader.stored(), NOW)).toEqual({ invalid: 0, shouldWriteBack: false });
		expect(statusesOf(writer, '2')).toEqual(['open@20:reported']);
		// Fingerprints still expire while the text stays the same.
		writer.addFingerprint('convo.status:x', NOW);
		const withFingerprint = writer.stored();
		expect(writer.hasFingerprint('convo.status:x', NOW)).toBe(true);
		writer.merge(withFingerprint, NOW + FINGERPRINT_TTL_MS);
		expect(writer.hasFingerprint('convo.status:x', NOW + FINGERPRINT_TTL_MS)).toBe(false);
	});

	it(`keeps the newest ${POINTS_PER_CONVERSATION} points of a conversation; what it let go of is old news from then on`, () => {
		const memory = new Memory();
		for (let index = 1; index <= POINTS_PER_CONVERSATION + 2; index++) memory.learn('1', [point(index % 2 === 0 ? 'open' : 'resolved', index * 10)]);
		const record = memory.get('1');
		expect(record?.points).toHaveLength(POINTS_PER_CONVERSATION);
		expect(record?.points[0].t).toBe(30);
		expect(record?.forgottenUpTo).toEqual({ t: 20, k: 0 });
		// A process that still holds the old points cannot bring them back.
		const old = new Memory();
		old.learn('1', [point('resolved', 10), point('open', 20)]);
		old.merge(memory.stored(), NOW);
		expect(old.snapshot()).toEqual(memory.snapshot());
	});

	it('keeps the configured number of conversations, forgetting those with the oldest newest point; the option is capped', () => {
		const memory = new Memory(3);
		memory.learn('a', [point('open', 4)]);
		memory.learn('b', [point('open', 1)]);
		memory.learn('c', [point('open', 3)]);
		memory.learn('d', [point('open', 2)]);
		expect(memory.snapshot().c.map(([key]) => key)).toEqual(['d', 'c', 'a']);
		expect(rememberedConversations({ rememberedConversations: 100_000 })).toBe(MAX_MEMORY_SIZE);
		expect(rememberedConversations({})).toBe(1000);
	});

	it('fingerprints of executed deliveries expire after the retry window', () => {
		const memory = new Memory();
		memory.addFingerprint('convo.status:abc=', NOW);
		expect(memory.hasFingerprint('convo.status:abc=', NOW + FINGERPRINT_TTL_MS - 1)).toBe(true);
		expect(memory.hasFingerprint('convo.status:abc=', NOW + FINGERPRINT_TTL_MS)).toBe(false);
		const later = new Memory();
		later.merge(memory.snapshot(), NOW + FINGERPRINT_TTL_MS);
		expect(later.snapshot().f).toEqual([]);
	});

	it.each([
		['a string', 'corrupt', 1, 0],
		['an array', [], 1, 0],
		['version 1 without conversations', { version: 1, conversations: null }, 1, 0],
		['an entry whose status code is out of range', { v: 3, c: [['1', 0, 99, 5, 0], ['2', 0, 2, 5, 0]], f: [] }, 1, 1],
		[
			'entries of the wrong shape',
			{ v: 3, c: [null, ['3'], ['4', 0, 2, -1, 0], [-5, 0, 2, 1, 0], ['6', [1, 2], 2, 1, 0], ['7', 0, '2', 1, 0], ['9', 1], ['8', 0, 2, 1, 0]], f: [['x', 'y'], 7] },
			9,
			1,
		],
		['an unknown version', { v: 9, c: [] }, 1, 0],
	])('%s in static data: the invalid entries are dropped one by one, the rest is kept, nothing throws', (_name, value, invalid, kept) => {
		const memory = new Memory();
		const merged = memory.merge(value, NOW);
		expect(merged.invalid).toBe(invalid);
		// Writing back repairs the stored value, even when this memory adds nothing else.
		expect(merged.shouldWriteBack).toBe(true);
		expect(memory.snapshot().c).toHaveLength(kept);
	});

	it('reads the memories of earlier releases (version 2 tuples, version 1 keys with the platform prefix) as decided', () => {
		const memory = new Memory();
		memory.merge({ version: 1, conversations: { 'chatwoot:1:128': { s: 'pending', t: 5 } }, deliveries: { 'freescout:x': 3 } }, NOW);
		memory.merge({ v: 2, c: [['9', 'resolved', 7, 3]], f: [] }, NOW);
		expect(statusesOf(memory, '1:128')).toEqual(['pending@5:seen']);
		expect(statusesOf(memory, '9')).toEqual(['resolved@7:seen']);
	});

	it('at the default size, 1000 conversations with two points each and 1000 executed deliveries, static data stays under 80 KB', () => {
		const memory = new Memory();
		for (let index = 0; index < 1000; index++) {
			memory.learn(`12:${100_000 + index}`, [point('open', NOW + index * 1000 - 500, 'seen'), point('resolved', NOW + index * 1000)]);
			memory.addFingerprint(`convo.status:${index.toString(36).padStart(27, 'x')}=`, NOW + index);
		}
		expect(Buffer.byteLength(memory.stored())).toBeLessThan(80_000);
	});

	it('a conversation as priming leaves it takes about 30 bytes (key as a number, history floor as its point) and reads back whole', () => {
		const memory = new Memory(MAX_MEMORY_SIZE);
		for (let index = 0; index < MAX_MEMORY_SIZE; index++) memory.learnInferred(String(100_000 + index), 'open', { t: NOW + index * 1000, k: 0 });
		const text = memory.stored();
		expect(Buffer.byteLength(text) / MAX_MEMORY_SIZE).toBeLessThan(32);
		const reader = new Memory(MAX_MEMORY_SIZE);
		expect(reader.merge(text, NOW)).toEqual({ invalid: 0, shouldWriteBack: false });
		expect(reader.snapshot()).toEqual(memory.snapshot());
		expect(reader.get('100000')).toEqual(memory.get('100000'));
		expect(reader.get('100000')?.historyFloor).toEqual({ t: NOW, k: 0 });
	});

	it('the stored text, written again after each change and each conversation let go, reads back as the memory is', () => {
		const memory = new Memory(50);
		const reader = new Memory(50);
		for (let index = 0; index < 400; index++) {
			memory.learn(`c${(index * 7) % 90}`, [point(index % 3 === 0 ? 'resolved' : 'open', 10 * index + (index % 5))]);
			if (index % 9 === 0) memory.addFingerprint(`delivery ${index}`, NOW);
			if (index % 4 === 0) reader.merge(memory.stored(), NOW);
		}
		reader.merge(memory.stored(), NOW);
		expect(reader.snapshot()).toEqual(memory.snapshot());
		// Over the bound of 50 it keeps 50 - 50/32 (one sort for the next new conversations' writes).
		expect(memory.snapshot().c).toHaveLength(49);
	});

	it('merging two full memories of different conversations keeps those with the newest points, from both, 1/32 under the bound', () => {
		const a = new Memory(MAX_MEMORY_SIZE);
		const b = new Memory(MAX_MEMORY_SIZE);
		for (let index = 0; index < MAX_MEMORY_SIZE; index++) {
			a.learn(`a${index}`, [point('open', 2 * index)]);
			b.learn(`b${index}`, [point('resolved', 2 * index + 1)]);
		}
		a.merge(b.stored(), NOW);
		const kept = a.snapshot().c;
		expect(kept).toHaveLength(MAX_MEMORY_SIZE - 312);
		// The newest 9688 of the 20 000 stamps, from both memories.
		expect(kept[0][0]).toBe('a5156');
		expect(kept[kept.length - 1][0]).toBe(`b${MAX_MEMORY_SIZE - 1}`);
	});
});
