import { emptyMemory, Memory, restoreMemory } from '../../nodes/core/trigger/memory';
import { forgetMemory, memoryFor } from '../../nodes/core/trigger/memory-registry';

describe('memory', () => {
	it('keeps at most the configured number of conversations, evicting the least recently used', () => {
		const memory = new Memory(emptyMemory(), 3);
		memory.set('c:1', { s: 'open', t: 1 });
		memory.set('c:2', { s: 'open', t: 2 });
		memory.set('c:3', { s: 'open', t: 3 });
		memory.set('c:1', { s: 'resolved', t: 4 }); // c:1 becomes the most recent
		memory.set('c:4', { s: 'pending', t: 5 });
		expect(Object.keys(memory.snapshot().conversations)).toEqual(['c:3', 'c:1', 'c:4']);
		expect(memory.get('c:2')).toBeUndefined();
		expect(memory.get('c:1')).toEqual({ s: 'resolved', t: 4 });
	});

	it('its revision moves only when a remembered status changes', () => {
		const memory = new Memory(emptyMemory(), 3);
		const revisions = [memory.revision];
		memory.set('c:1', { s: 'open', t: 1 }); // new conversation
		revisions.push(memory.revision);
		memory.set('c:1', { s: 'open', t: 2 }); // same status, later: a refresh
		memory.addDelivery('d:1', 2);
		revisions.push(memory.revision);
		memory.set('c:1', { s: 'resolved', t: 3 });
		revisions.push(memory.revision);
		expect(revisions).toEqual([0, 1, 1, 2]);
	});

	it('keeps twice as many delivery fingerprints as conversations', () => {
		const memory = new Memory(emptyMemory(), 2);
		for (let index = 1; index <= 6; index++) memory.addDelivery(`d:${index}`, index);
		expect(Object.keys(memory.snapshot().deliveries)).toEqual(['d:3', 'd:4', 'd:5', 'd:6']);
		expect(memory.hasDelivery('d:2')).toBe(false);
		expect(memory.hasDelivery('d:6')).toBe(true);
	});

	it('survives a JSON round trip (workflow static data) with its order', () => {
		const memory = new Memory(emptyMemory(), 2);
		memory.set('chatwoot:1:5', { s: 'pending', t: 10 });
		memory.set('chatwoot:1:6', { s: 'open', t: 11 });
		const restored = new Memory(restoreMemory(JSON.parse(JSON.stringify(memory.snapshot()))), 2);
		restored.set('chatwoot:1:7', { s: 'open', t: 12 });
		expect(Object.keys(restored.snapshot().conversations)).toEqual(['chatwoot:1:6', 'chatwoot:1:7']);
	});

	it('starts afresh from anything that is not a memory', () => {
		for (const value of [undefined, null, 'x', [], { version: 2 }, { version: 1, conversations: {} }]) {
			expect(restoreMemory(value)).toEqual(emptyMemory());
		}
	});

	it('the registry hands every delivery of one trigger the same memory, loaded once from static data', () => {
		const persisted = { version: 1, conversations: { 'freescout:9': { s: 'open', t: 1 } }, deliveries: {} };
		const first = memoryFor('wf1:node1', persisted, 1000);
		const second = memoryFor('wf1:node1', emptyMemory(), 1000);
		expect(second).toBe(first);
		expect(second.get('freescout:9')).toEqual({ s: 'open', t: 1 });
		expect(memoryFor('wf1:node1', undefined, 10).get('freescout:9')).toEqual({ s: 'open', t: 1 });
		forgetMemory('wf1:node1');
		expect(memoryFor('wf1:node1', undefined, 1000).get('freescout:9')).toBeUndefined();
		forgetMemory('wf1:node1');
	});
});
