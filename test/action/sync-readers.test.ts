/**
 * What Sync Status reads from each platform's conversation JSON: the last update, the customer's e-mail, the pair
 * fields, and (FreeScout) when the status was set, from the real FreeScout deliveries (the same JSON as GET).
 */
import { api as chatwoot } from '../../nodes/platforms/chatwoot/api';
import { api as freescout } from '../../nodes/platforms/freescout/api';
import { readFixture } from '../simulators/freescout';

const ok = (body: unknown) => ({ statusCode: 200, headers: {}, body });

describe('Chatwoot conversation JSON', () => {
	it('updated_at (float seconds) as ISO, the contact e-mail, custom attributes as they are', () => {
		const conversation = chatwoot.readConversation(
			ok({
				id: 42,
				status: 'snoozed',
				inbox_id: 3,
				updated_at: 1781946845.402187,
				meta: { sender: { id: 9, email: 'ana@example.org' } },
				custom_attributes: { freescout_conversation_id: 12, order: 'A-1' },
			}),
			42,
			{ accountId: 1 },
		);
		expect(conversation).toMatchObject({
			updatedAt: '2026-06-20T09:14:05.402Z',
			contactEmail: 'ana@example.org',
			attributes: { freescout_conversation_id: 12, order: 'A-1' },
		});
		expect(chatwoot.readConversation(ok({ id: 1, status: 'open' }), 1, { accountId: 1 })).toMatchObject({
			updatedAt: null,
			contactEmail: null,
			attributes: {},
		});
		expect(chatwoot.statusHistory).toBeUndefined();
	});
});

describe('FreeScout conversation JSON', () => {
	const body = (file: string) => JSON.parse(readFixture(file).toString('utf8'));

	it('updatedAt, the customer e-mail, custom fields by name (empty values left out)', () => {
		const conversation = freescout.readConversation(
			ok({
				...body('004-convo.status.body.raw'),
				customFields: [
					{ id: 1, name: 'Chatwoot Conversation ID', value: '42', text: '' },
					{ id: 2, name: 'Priority', value: '', text: '' },
				],
			}),
			1,
			{ accountId: null },
		);
		expect(conversation).toMatchObject({
			updatedAt: '2026-11-22T05:00:36.000Z',
			contactEmail: 'mark@example.org',
			attributes: { 'Chatwoot Conversation ID': '42' },
		});
	});

	it('when the status was set: the newest status line item, UI reply setting a status, or reopening customer message', () => {
		const setAt = (file: string) => freescout.statusHistory?.readStatusSetAt(ok(body(file)));
		// Closed by PUT: its line item.
		expect(setAt('004-convo.status.body.raw')).toBe('2026-11-22T05:00:36.000Z');
		// Reopened by PUT after a customer message: the newer line item.
		expect(setAt('005-convo.status.body.raw')).toBe('2026-11-22T05:00:44.000Z');
		// Active after a customer reply and no line item: the customer's message.
		expect(setAt('003-convo.customer.reply.created.body.raw')).toBe('2026-11-22T05:00:08.000Z');
		// Closed by an API reply, which records "active": nothing shows when.
		expect(setAt('002-convo.agent.reply.created.body.raw')).toBeNull();
		expect(freescout.statusHistory?.request(7, { accountId: null })).toEqual({ method: 'GET', path: '/api/conversations/7', qs: { embed: 'threads' } });
	});
});
