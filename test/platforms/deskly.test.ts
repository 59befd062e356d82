/**
 * A third platform is one more folder: the made-up Deskly (test/platforms/deskly) registered at run time, and both
 * nodes offer it and run with it end to end in-process, through n8n-core, against a fake Deskly API.
 */
import { createHmac } from 'crypto';

import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { platforms } from '../../nodes/platforms';
import { startFakeApi } from '../action/fake-api';
import { runNode } from '../support/n8n-harness';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { OTHER_TEST_KEY } from '../support/test-keys';
import { deskly, DesklyApi } from './deskly';

platforms.register(deskly);

let api: Awaited<ReturnType<typeof startFakeApi>>;
const tickets = new Map<number, string>([[5, 'waiting']]);

beforeAll(async () => {
	api = await startFakeApi((request) => {
		const ticket = /^\/tickets\/(\d+)$/.exec(request.path);
		if (request.method === 'POST' && request.path === '/hooks') return { status: 201, body: { id: 31 } };
		if (request.method === 'GET' && request.path === '/tickets') {
			return { status: 200, body: { tickets: [{ id: 5, state: tickets.get(5), updated_at: '2026-11-30T09:00:00.000Z' }] } };
		}
		if (ticket && request.method === 'GET') return { status: 200, body: { id: Number(ticket[1]), state: tickets.get(Number(ticket[1])) } };
		if (ticket && request.method === 'PUT') {
			tickets.set(Number(ticket[1]), request.body.state);
			return { status: 200, body: { id: Number(ticket[1]), state: request.body.state } };
		}
		return { status: 404, body: { error: 'not found' } };
	});
});

afterAll(() => api.stop());

const credentials = () => ({ desklyApi: { baseUrl: api.url, webhookSecret: OTHER_TEST_KEY } });

test('both nodes list the platform, its credential, its notice and its container filter', () => {
	for (const node of [new ConversationStatusTrigger(), new ConversationStatus()]) {
		const platform = node.description.properties.find((property) => property.name === 'platform');
		expect(platform?.options).toContainEqual({ name: 'Deskly', value: 'deskly' });
		expect(node.description.credentials).toContainEqual({ name: 'desklyApi', required: true, displayOptions: { hide: { platform: ['chatwoot', 'freescout'] } } });
	}
	const trigger = new ConversationStatusTrigger().description.properties;
	expect(trigger.find((property) => property.name === 'desklyNotice')?.displayName).toBe('Deskly must reach this URL.');
	const filters = trigger.find((property) => property.name === 'filters')?.options as Array<{ name: string }>;
	expect(filters.map((filter) => filter.name)).toContain('queueIds');
});

test('the trigger registers, primes and reports a change; the action node sets a status', async () => {
	const harness = createTriggerHarness({
		nodeClass: ConversationStatusTrigger,
		parameters: { platform: 'deskly', options: {}, filters: {} },
		credentials: credentials(),
		credentialTypes: { desklyApi: new DesklyApi() },
	});
	expect(await harness.activate()).toEqual({ existed: false });
	expect(api.log.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /hooks', 'GET /tickets']);
	expect(harness.storedStatuses()).toEqual({ '5': 'pending' });

	const body = JSON.stringify({ event: 'ticket.state', ticket: { id: 5, state: 'solved', previous_state: 'waiting', changed_at: '2026-11-30T10:00:00.000Z' } });
	const delivered = await harness.deliver({ body, headers: { 'x-deskly-signature': createHmac('sha256', OTHER_TEST_KEY).update(body).digest('hex') } });
	expect(delivered.items).toMatchObject([{ platform: 'deskly', conversationId: 5, previousStatus: 'pending', status: 'resolved', platformStatus: 'solved' }]);

	const run = await runNode({
		node: ConversationStatus,
		parameters: { platform: 'deskly', operation: 'forceOpen', conversationId: '5', onlyIfStatus: [], options: {} },
		credentials: credentials(),
		credentialTypes: { desklyApi: new DesklyApi() },
	});
	expect(run.errorMessage).toBeUndefined();
	expect(run.jsonItems).toMatchObject([{ platform: 'deskly', conversationId: 5, previousStatus: 'pending', status: 'open', changed: true }]);
	expect(tickets.get(5)).toBe('new');
});
