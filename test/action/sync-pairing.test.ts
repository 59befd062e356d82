/** The pairing rules of Sync Status (nodes/core/action/sync-pairing.ts), pure: which conversation can be the pair. */
import type { ConversationSnapshot } from '../../nodes/core/action/conversation-api';
import { pairingWindowMs } from '../../nodes/core/action/sync-input';
import { checkStoredPair, chooseByEmail, keptId, type PairingOptions } from '../../nodes/core/action/sync-pairing';
import type { Status } from '../../nodes/core/types';

const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const options: PairingOptions = { counterpartId: null, byEmail: true, windowMs: 24 * HOUR, sourceField: 'fs_id', targetField: 'Chat ID' };
const names = { source: 'Chatwoot conversation 5', sourcePlatform: 'Chatwoot', targetPlatform: 'FreeScout', sourceField: 'the Chatwoot custom attribute "fs_id"' };

function conversation(id: number, status: Status | null, createdMs: number | null, extra: Partial<ConversationSnapshot> = {}): ConversationSnapshot {
	return {
		platform: 'freescout',
		conversationId: id,
		conversationNumber: null,
		status,
		platformStatus: status ?? 'weird',
		assignee: null,
		accountId: null,
		inboxId: null,
		mailboxId: 1,
		snoozedUntil: null,
		subject: null,
		updatedAt: null,
		createdAt: createdMs === null ? null : new Date(createdMs).toISOString(),
		contactEmail: 'ana@example.org',
		attributes: {},
		...extra,
	};
}
const source = conversation(5, 'resolved', T0, { platform: 'chatwoot' });
const refusals = (list: ConversationSnapshot[]) => chooseByEmail(source, 'Ana@Example.org', list, options, names).candidates.map((c) => `${c.conversationId}:${c.refused}`);

it('the one open or pending conversation of the customer created within the window is chosen; both sides are then written', () => {
	const result = chooseByEmail(source, 'ana@example.org', [conversation(7, 'pending', T0 + 23 * HOUR), conversation(8, 'resolved', T0)], options, names);
	expect(result.pairing).toEqual({ paired: true, conversationId: 7, pairedBy: 'email', writes: { claimTarget: true, keepOnSource: true } });
	expect(result.candidates.map((c) => c.refused)).toEqual([null, 'resolved: only open or pending conversations are paired by e-mail']);
});

it('refused: another customer, paired elsewhere, closed, spam, snoozed, an unknown status, too far apart, an unknown creation time', () => {
	expect(
		refusals([
			conversation(1, 'open', T0, { contactEmail: 'bob@example.org' }),
			conversation(2, 'open', T0, { attributes: { 'Chat ID': '9' } }),
			conversation(3, 'resolved', T0),
			conversation(4, 'spam', T0),
			conversation(6, 'snoozed', T0),
			conversation(10, null, T0),
			conversation(11, 'open', T0 - 25 * HOUR),
			conversation(12, 'open', null),
		]),
	).toEqual([
		'1:another customer (bob@example.org)',
		'2:paired with Chatwoot conversation 9',
		'3:resolved: only open or pending conversations are paired by e-mail',
		'4:spam: only open or pending conversations are paired by e-mail',
		'6:snoozed: only open or pending conversations are paired by e-mail',
		'10:weird: only open or pending conversations are paired by e-mail',
		'11:created 25 h apart from Chatwoot conversation 5 (pairing window: 24 h)',
		'12:creation time unknown',
	]);
});

it('a conversation that keeps the source already is its pair, whatever its status and age (the pair was made before)', () => {
	const old = conversation(3, 'resolved', T0 - 700 * 24 * HOUR, { attributes: { 'Chat ID': 5 } });
	expect(chooseByEmail(source, 'ana@example.org', [conversation(7, 'open', T0), old], options, names).pairing).toEqual({
		paired: true,
		conversationId: 3,
		pairedBy: 'email',
		writes: { claimTarget: false, keepOnSource: true },
	});
});

it('a kept pair is used unless its counterpart keeps another conversation; an empty counterpart field is then claimed', () => {
	const target = conversation(7, 'resolved', T0 - 700 * 24 * HOUR);
	const sides = { source: 'Chatwoot conversation 5', target: 'FreeScout conversation 7' };
	expect(checkStoredPair(source, target, options, sides)).toEqual({ paired: true, conversationId: 7, pairedBy: 'stored', writes: { claimTarget: true, keepOnSource: false } });
	expect(checkStoredPair(source, { ...target, attributes: { 'Chat ID': '5' } }, options, sides)).toMatchObject({ writes: { claimTarget: false } });
	expect(checkStoredPair(source, { ...target, attributes: { 'Chat ID': '6' } }, options, sides)).toEqual({
		paired: false,
		reason: 'Chatwoot conversation 5 keeps 7 as its counterpart, but FreeScout conversation 7 keeps 6: correct one of the two',
	});
});

it('only a field of its own counts as a kept id (never an inherited property)', () => {
	expect(keptId(conversation(1, 'open', T0), 'constructor')).toBeNull();
	expect(keptId(conversation(1, 'open', T0, { attributes: { 'Chat ID': ' 12 ' } }), 'Chat ID')).toBe(12);
});

it('several that could be the same request, or none: not paired, with the reason and what to do', () => {
	const several = chooseByEmail(source, 'ana@example.org', [conversation(7, 'open', T0), conversation(8, 'pending', T0 + HOUR)], options, names);
	expect(several.pairing).toEqual({
		paired: false,
		reason:
			'not paired: 2 conversations of ana@example.org on FreeScout could be the same request (7, 8); give the right one\'s id in Counterpart Conversation ID or put it into the Chatwoot custom attribute "fs_id" to pair it anyway',
	});
	expect(chooseByEmail(source, 'ana@example.org', [], options, names).pairing).toEqual({ paired: false, reason: 'not paired: no conversation of ana@example.org on FreeScout' });
});

it('the Pairing Window option: hours, 24 when empty, an error for anything else', () => {
	expect([pairingWindowMs(undefined), pairingWindowMs(''), pairingWindowMs(2), pairingWindowMs(0)]).toEqual([24 * HOUR, 24 * HOUR, 2 * HOUR, 0]);
	expect(() => pairingWindowMs(-1)).toThrow('Pairing Window must be a number of hours, 0 or more, got -1');
	expect(() => pairingWindowMs('soon')).toThrow('Pairing Window must be a number of hours');
});
