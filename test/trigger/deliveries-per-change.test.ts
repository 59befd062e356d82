/**
 * How many webhook deliveries each real status change brings to the trigger, per scenario, and that the trigger's
 * own subscriptions still give exactly one right item per change (issue 12: fewest deliveries that stay exact).
 * "Before" is a second webhook with what the trigger subscribed to before its subscriptions were narrowed (Chatwoot
 * conversation_created + conversation_status_changed + conversation_updated), registered next to the trigger's
 * own so both see the same story. The README's table "Deliveries per change" quotes these numbers.
 */
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { createChatwootSimulator } from '../simulators/chatwoot';
import { createFreeScoutSimulator } from '../simulators/freescout';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { chatwootCredentials } from '../support/simulators';
import { startSink } from '../support/sink';

type Harness = ReturnType<typeof createTriggerHarness>;
type Delivery = { url: string; event: string };

const CHATWOOT_BEFORE = ['conversation_created', 'conversation_status_changed', 'conversation_updated'];

let sink: Awaited<ReturnType<typeof startSink>>;
let sinkUrl: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
	// The "before" webhook's receiver: it only has to answer 200.
	sink = await startSink();
	sinkUrl = sink.url;
});

afterAll(() => sink.close());

afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()?.();
});

function itemsSince(harness: Harness, before: number): string[] {
	return harness.executions.slice(before).flatMap((run) => run.items.map((item) => `${item.previousStatus}>${item.status}`));
}

// The older assignment system (accounts created before 4.13.0), as when this table was made; assignment V2 and the
// older system side by side: chatwoot-assignment-systems.test.ts.
describe('Chatwoot (4.15.1, older assignment system: auto-assignment on, an agent online)', () => {
	async function setUp() {
		const sim = createChatwootSimulator({ version: '4.15.1', assignmentV2: false });
		await sim.start();
		cleanups.push(() => sim.stop());
		const harness = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'chatwoot', options: {}, filters: {} },
			credentials: {
				chatwootApi: chatwootCredentials(sim),
			},
		});
		cleanups.push(() => harness.close());
		await harness.listen();
		await harness.activate();
		sim.addWebhook({ url: sinkUrl, subscriptions: CHATWOOT_BEFORE });
		return { sim, harness };
	}

	type Sim = Awaited<ReturnType<typeof setUp>>['sim'];

	/** Runs the steps of one story and counts the deliveries each webhook got for it. */
	async function story(sim: Sim, harness: Harness, steps: () => Promise<unknown>) {
		const executions = harness.executions.length;
		sim.resetLogs();
		await steps();
		await sim.idle();
		const deliveries: Delivery[] = sim.deliveries();
		return {
			before: deliveries.filter((delivery) => delivery.url === sinkUrl).length,
			after: deliveries.filter((delivery) => delivery.url === harness.webhookUrl()).length,
			items: itemsSince(harness, executions),
		};
	}

	test('S1: a customer reopens a resolved bot-inbox conversation as pending and the workflow opens it (Force Open)', async () => {
		const { sim, harness } = await setUp();
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		await sim.setStatus(id, 'resolved');
		expect(
			await story(sim, harness, async () => {
				await sim.receiveMessage(id, 'Hello again');
				await sim.setStatus(id, 'open');
			}),
		).toEqual({ before: 4, after: 3, items: ['resolved>pending', 'pending>open'] });
	});

	test('an agent resolves an open conversation', async () => {
		const { sim, harness } = await setUp();
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		expect(await story(sim, harness, () => sim.setStatus(id, 'resolved'))).toEqual({ before: 2, after: 1, items: ['open>resolved'] });
	});

	test('a customer writes to a resolved conversation in an inbox without a bot (reopened open, auto-assigned)', async () => {
		const { sim, harness } = await setUp();
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		await sim.setStatus(id, 'resolved');
		await sim.assign(id, null);
		expect(await story(sim, harness, () => sim.receiveMessage(id, 'One more thing'))).toEqual({ before: 2, after: 2, items: ['resolved>open'] });
	});

	test('the bot hands a pending conversation over (pending -> open by the bot token)', async () => {
		const { sim, harness } = await setUp();
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().apiInboxId });
		expect(await story(sim, harness, () => sim.setStatus(id, 'open', { as: 'bot' }))).toEqual({ before: 1, after: 1, items: ['pending>open'] });
	});

	test('an agent snoozes a conversation and the snooze expires', async () => {
		const { sim, harness } = await setUp();
		const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
		await sim.assign(id, null);
		expect(
			await story(sim, harness, async () => {
				await sim.setStatus(id, 'snoozed', { snoozedUntil: Math.floor(sim.now() / 1000) + 3600 });
				await sim.expireSnooze(id);
			}),
		).toEqual({ before: 3, after: 2, items: ['open>snoozed', 'snoozed>open'] });
	});

	test('a new conversation in an inbox without a bot', async () => {
		const { sim, harness } = await setUp();
		expect(await story(sim, harness, () => sim.createConversation({ inboxId: sim.ids().webInboxId }))).toEqual({ before: 1, after: 1, items: ['null>open'] });
	});
});

describe('FreeScout (module 1.0.82 and 1.0.81: the subscriptions are already the fewest that stay exact)', () => {
	async function setUp(moduleVersion: string) {
		const sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: 30, retryIntervalMs: 20 });
		await sim.start();
		cleanups.push(() => sim.stop());
		return await activated(sim);
	}

	async function activated(sim: ReturnType<typeof createFreeScoutSimulator>) {
		const harness = createTriggerHarness({
			nodeClass: ConversationStatusTrigger,
			parameters: { platform: 'freescout', options: {}, filters: {} },
			credentials: {
				freeScoutApi: { baseUrl: sim.url, apiKey: sim.apiKey, webhookSecret: sim.secretKey, defaultUserId: 0, ignoreSslIssues: false },
			},
		});
		cleanups.push(() => harness.close());
		await harness.listen();
		await harness.activate();
		return { sim, harness };
	}

	type Sim = Awaited<ReturnType<typeof setUp>>['sim'];

	async function story(sim: Sim, harness: Harness, steps: () => unknown) {
		const executions = harness.executions.length;
		sim.clearLogs();
		steps();
		await sim.idle();
		const deliveries: Array<{ event: string }> = sim.getDeliveries();
		return { deliveries: deliveries.map((delivery) => delivery.event), items: itemsSince(harness, executions) };
	}

	test.each([
		['1.0.82', ['convo.status', 'convo.agent.reply.created']],
		['1.0.81', ['convo.agent.reply.created']],
	])('module %s: an agent closes with Send & Close', async (moduleVersion, deliveries) => {
		const { sim, harness } = await setUp(moduleVersion);
		const id = sim.createConversation();
		await sim.idle();
		expect(await story(sim, harness, () => sim.replyFromUi(id, { status: 'closed' }))).toEqual({ deliveries, items: ['open>resolved'] });
	});

	test('a customer reply reopens a closed conversation (FreeScout fires no convo.status for it)', async () => {
		const { sim, harness } = await setUp('1.0.82');
		const id = sim.createConversation();
		sim.changeStatusFromMenu(id, 'closed');
		await sim.idle();
		expect(await story(sim, harness, () => sim.customerEmailReply(id))).toEqual({ deliveries: ['convo.customer.reply.created'], items: ['resolved>open'] });
	});

	test('an agent changes the status from the menu', async () => {
		const { sim, harness } = await setUp('1.0.82');
		const id = sim.createConversation();
		await sim.idle();
		expect(await story(sim, harness, () => sim.changeStatusFromMenu(id, 'pending'))).toEqual({ deliveries: ['convo.status'], items: ['open>pending'] });
	});

	describe.each(['1.0.82', '1.0.81'])('admins, module %s', (moduleVersion) => {
		test('a closed conversation merged into an open one, then the customer writes on the target', async () => {
			const { sim, harness } = await setUp(moduleVersion);
			const target = sim.createConversation();
			const merged = sim.createConversation();
			sim.changeStatusFromMenu(merged, 'closed');
			await sim.idle();
			expect(
				await story(sim, harness, () => {
					sim.mergeFromUi(target, [merged]);
					sim.customerEmailReply(target);
				}),
			).toEqual({ deliveries: ['convo.customer.reply.created'], items: [] });
		});

		test('an open conversation merged into a closed one, then the customer writes on the target (it reopens)', async () => {
			const { sim, harness } = await setUp(moduleVersion);
			const target = sim.createConversation();
			const merged = sim.createConversation();
			sim.changeStatusFromMenu(target, 'closed');
			await sim.idle();
			expect(
				await story(sim, harness, () => {
					sim.mergeFromUi(target, [merged]);
					sim.customerEmailReply(target);
				}),
			).toEqual({ deliveries: ['convo.customer.reply.created'], items: ['resolved>open'] });
		});

		test('a bulk close of an open and an already closed conversation', async () => {
			const { sim, harness } = await setUp(moduleVersion);
			const open = sim.createConversation();
			const closed = sim.createConversation();
			sim.changeStatusFromMenu(closed, 'closed');
			await sim.idle();
			expect(await story(sim, harness, () => sim.bulkChangeStatusFromUi([open, closed], 'closed'))).toEqual({
				deliveries: ['convo.status', 'convo.status'],
				items: ['open>resolved'],
			});
		});

		test('a closed conversation deleted, restored, deleted again and the Deleted folder emptied', async () => {
			const { sim, harness } = await setUp(moduleVersion);
			const id = sim.createConversation();
			sim.changeStatusFromMenu(id, 'closed');
			await sim.idle();
			expect(
				await story(sim, harness, () => {
					sim.deleteFromUi(id);
					sim.restoreFromUi(id);
					sim.deleteFromUi(id);
					sim.emptyDeletedFolder();
				}),
			).toEqual({ deliveries: [], items: [] });
		});

		test("Send & Close while FreeScout's queue worker does not know the webhook yet, then again after queue:restart", async () => {
			const sim = createFreeScoutSimulator({ moduleVersion, undoDelayMs: 30, retryIntervalMs: 20 });
			await sim.start();
			cleanups.push(() => sim.stop());
			// FreeScout in use before the trigger: its worker read the webhook list already.
			sim.createConversation({ by: 'user' });
			await sim.idle();
			const { harness } = await activated(sim);
			const id = sim.createConversation();
			await sim.idle();
			const stale = await story(sim, harness, () => sim.replyFromUi(id, { status: 'closed' }));
			sim.customerEmailReply(id);
			await sim.idle();
			sim.restartQueueWorker();
			const restarted = await story(sim, harness, () => sim.replyFromUi(id, { status: 'closed' }));
			expect({ stale, restarted }).toEqual(
				moduleVersion === '1.0.82'
					? { stale: { deliveries: ['convo.status'], items: ['open>resolved'] }, restarted: { deliveries: ['convo.status', 'convo.agent.reply.created'], items: ['open>resolved'] } }
					: { stale: { deliveries: [], items: [] }, restarted: { deliveries: ['convo.agent.reply.created'], items: ['open>resolved'] } },
			);
		});
	});
});
