/**
 * One memory per trigger node, shared by every delivery this process handles. n8n loads static data afresh for
 * each webhook request, so concurrent deliveries (Chatwoot sends a reopen's four events at once) would each see
 * the old state; a process-wide memory, checked and updated without an await in between, lets exactly one win.
 * Static data remains the persistent copy that survives a restart.
 */
import { Memory, restoreMemory } from './memory';

const memories = new Map<string, Memory>();

export function memoryFor(key: string, persisted: unknown, maxConversations: number): Memory {
	let memory = memories.get(key);
	if (memory === undefined || memory.maxConversations !== maxConversations) {
		memory = new Memory(memory?.snapshot() ?? restoreMemory(persisted), maxConversations);
		memories.set(key, memory);
	}
	return memory;
}

export function forgetMemory(key: string): void {
	memories.delete(key);
}
