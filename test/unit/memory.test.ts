/** The trigger's memory as n8n's static data holds it: merging, bounds, corrupt values, size. */
import { FINGERPRINT_TTL_MS, MAX_MEMORY_SIZE, Memory, type MemoryState } from '../../nodes/core/trigger/memory';
import { rememberedConversations } from '../../nodes/core/trigger/settings';

const NOW = Date.UTC(2026, 10, 30, 12);

describe('memory', () => {
	it('for each conversation the newest stamp wins, whatever order the facts arrive in; ties go to the higher tie-break', () => {
		const a = new Memory();
		a.remember('7', { status: 'resolved', t: 2000, k: 21 });
		a.remember('7', { status: 'open', t: 1000, k: 0 });
		a.remember('7', { status: 'open', t: 2000, k: 22 });
		expect(a.get('7')).toEqual({ status: 'open', t: 2000, k: 22 });
		const b = new Memory();
		b.merge(a.snapshot(), NOW);
		b.remember('7', { status: 'resolved', t: 2000, k: 21 });
		expect(b.get('7')).toEqual({ status: 'open', t: 2000, k: 22 });
	});

	it('merging what another process wrote adds what this one lacks and says whether the stored value lacks something', () => {
		const processA = new Memory();
		const processB = new Memory();
		processA.remember('1', { status: 'resolved', t: 10, k: 0 });
		processB.remember('2', { status: 'pending', t: 20, k: 0 });
		const stored: MemoryState = processA.snapshot();
		expect(processB.merge(stored, NOW)).toEqual({ invalid: 0, storedIsBehind: true });
		expect(processB.get('1')).toEqual({ status: 'resolved', t: 10, k: 0 });
		// Once B wrote the union, A finds nothing missing, and merging again changes nothing.
		const union = processB.snapshot();
		expect(processA.merge(union, NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		const version = processA.version;
		processA.merge(union, NOW);
		expect(processA.version).toBe(version);
		expect(processA.snapshot()).toEqual(union);
	});

	it('static data keeps it as one JSON text, which merges like the object form; a broken text counts as invalid', () => {
		const memory = new Memory();
		memory.remember('1', { status: 'resolved', t: 10, k: 0 });
		memory.addFingerprint('convo.status:abc', NOW);
		const text = memory.stored();
		expect(typeof text).toBe('string');
		const restarted = new Memory();
		expect(restarted.merge(text, NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		expect(restarted.snapshot()).toEqual(memory.snapshot());
		// An object written by an earlier build reads the same.
		expect(new Memory().merge(memory.snapshot(), NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		expect(new Memory().merge('{"v":2,"c":[', NOW).invalid).toBe(1);
	});

	it('the text it last read or wrote is not merged again until it learns something or the text changes', () => {
		const writer = new Memory();
		writer.remember('1', { status: 'resolved', t: 10, k: 0 });
		const text = writer.stored();
		const reader = new Memory();
		expect(reader.merge(text, NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		expect(reader.merge(text, NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		// Learned since: the same text now lacks something.
		reader.remember('2', { status: 'open', t: 20, k: 0 });
		expect(reader.merge(text, NOW).storedIsBehind).toBe(true);
		// The writer's own text, read back, is in sync; another process's newer text is merged.
		expect(writer.merge(text, NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		expect(writer.merge(reader.stored(), NOW)).toEqual({ invalid: 0, storedIsBehind: false });
		expect(writer.get('2')).toEqual({ status: 'open', t: 20, k: 0 });
		// Fingerprints still expire while the text stays the same.
		writer.addFingerprint('convo.status:x', NOW);
		const withFingerprint = writer.stored();
		expect(writer.hasFingerprint('convo.status:x', NOW)).toBe(true);
		writer.merge(withFingerprint, NOW + FINGERPRINT_TTL_MS);
		expect(writer.hasFingerprint('convo.status:x', NOW + FINGERPRINT_TTL_MS)).toBe(false);
	});

	it('a newer stamp of the same status is kept but is not a reason to write', () => {
		const memory = new Memory();
		memory.remember('1', { status: 'open', t: 10, k: 0 });
		const stored = memory.snapshot();
		const version = memory.version;
		memory.remember('1', { status: 'open', t: 20, k: 0 });
		expect(memory.version).toBe(version);
		expect(memory.get('1')?.t).toBe(20);
		expect(memory.merge(stored, NOW).storedIsBehind).toBe(false);
		memory.remember('1', { status: 'resolved', t: 30, k: 0 });
		expect(memory.version).toBe(version + 1);
		expect(memory.merge(stored, NOW).storedIsBehind).toBe(true);
	});

	it('keeps the configured number of conversations, forgetting the oldest stamps first; the option is capped', () => {
		const memory = new Memory(3);
		memory.remember('a', { status: 'open', t: 4, k: 0 });
		memory.remember('b', { status: 'open', t: 1, k: 0 });
		memory.remember('c', { status: 'open', t: 3, k: 0 });
		memory.remember('d', { status: 'open', t: 2, k: 0 });
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
		['an entry whose status is "constructor"', { v: 2, c: [['1', 'constructor', 5, 0], ['2', 'open', 5, 0]], f: [] }, 1, 1],
		['entries of the wrong shape', { v: 2, c: [null, ['3'], ['4', 'open', -1, 0], [5, 'open', 1, 0], ['6', 'open', 1, 0]], f: [['x', 'y'], 7] }, 6, 1],
		['an unknown version', { v: 9, c: [] }, 1, 0],
	])('%s in static data: the invalid entries are dropped one by one, the rest is kept, nothing throws', (_name, value, invalid, kept) => {
		const memory = new Memory();
		const merged = memory.merge(value, NOW);
		expect(merged.invalid).toBe(invalid);
		expect(merged.storedIsBehind).toBe(true);
		expect(memory.snapshot().c).toHaveLength(kept);
	});

	it('reads the memory of the previous release (version 1, keys with the platform prefix)', () => {
		const memory = new Memory();
		memory.merge({ version: 1, conversations: { 'chatwoot:1:128': { s: 'pending', t: 5 } }, deliveries: { 'freescout:x': 3 } }, NOW);
		expect(memory.get('1:128')).toEqual({ status: 'pending', t: 5, k: 0 });
	});

	it('at the default size, 1000 conversations and 1000 executed deliveries of the last hours, static data stays under 80 KB', () => {
		const memory = new Memory();
		for (let index = 0; index < 1000; index++) {
			memory.remember(`12:${100_000 + index}`, { status: 'resolved', t: NOW + index * 1000, k: 0 });
			memory.addFingerprint(`convo.status:${index.toString(36).padStart(27, 'x')}=`, NOW + index);
		}
		const bytes = Buffer.byteLength(memory.stored());
		expect(bytes).toBeLessThan(80_000);
	});
});
