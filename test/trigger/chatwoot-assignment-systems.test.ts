/**
 * Per scenario, what the trigger receives and reports with Chatwoot's assignment V2 (on for every account created on
 * 4.13.0 or later) and with the older auto-assignment system: the deliveries its webhook gets and the items it
 * emits, through the n8n webhook harness against the simulator. The table in docs (Chatwoot: assignment and
 * channels) quotes these rows. Every scenario runs with an agent online, so both systems assign.
 */
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { createChatwootSimulator } from '../simulators/chatwoot';
import { createTriggerHarness } from '../support/n8n-webhook-harness';
import { chatwootCredentials } from '../support/simulators';

type Sim = ReturnType<typeof createChatwootSimulator>;
type Harness = ReturnType<typeof createTriggerHarness>;

interface Story {
	/** What happened before the counted part (not counted). */
	given?: (sim: Sim) => Promise<number>;
	/** The counted part. */
	when: (sim: Sim, id: number) => Promise<unknown>;
	filters?: Record<string, unknown>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	while (cleanups.length > 0) await cleanups.pop()?.();
});

const SECOND = 1000;

/** Runs `story` with one assignment system; returns the deliveries the trigger got and its items, during `when`. */
async function run(story: Story, assignmentV2: boolean): Promise<{ deliveries: number; items: string[] }> {
	// A manual clock: each step a few seconds after the one before, as people and Chatwoot's jobs take time.
	const sim = createChatwootSimulator({ version: '4.15.1', assignmentV2, startTime: Date.now() });
	await sim.start();
	cleanups.push(() => sim.stop());
	const harness: Harness = createTriggerHarness({
		nodeClass: ConversationStatusTrigger,
		parameters: { platform: 'chatwoot', options: {}, filters: story.filters ?? {} },
		credentials: {
			chatwootApi: chatwootCredentials(sim),
		},
	});
	cleanups.push(() => harness.close());
	await harness.listen();
	await harness.activate();
	const id = story.given ? await story.given(sim) : 0;
	await sim.idle();
	sim.advanceTime(5 * SECOND);
	sim.resetLogs();
	const executions = harness.executions.length;
	await story.when(sim, id);
	await sim.idle();
	return {
		deliveries: sim.deliveries().filter((delivery: { url: string }) => delivery.url === harness.webhookUrl()).length,
		items: harness.executions
			.slice(executions)
			.flatMap((execution) => execution.items.map((item) => `${item.previousStatus ?? 'null'} -> ${item.status} (${item.cause})`)),
	};
}

/** Steps a few seconds apart. */
async function steps(sim: Sim, ...actions: Array<() => Promise<unknown>>) {
	for (const action of actions) {
		await action();
		sim.advanceTime(3 * SECOND);
	}
}

/** An unassigned conversation of `inbox` (created while nobody was online), then the agent online again. */
async function unassigned(sim: Sim, inbox: number, then: (id: number) => Promise<unknown> = async () => undefined) {
	sim.setAgentOnline(sim.ids().agentUserId, false);
	const { result: id } = await sim.createConversation({ inboxId: inbox });
	await sim.idle();
	sim.advanceTime(60 * SECOND);
	await then(id);
	await sim.idle();
	sim.setAgentOnline(sim.ids().agentUserId, true);
	return id;
}

const SCENARIOS: Array<[string, Story]> = [
	[
		'S1: a customer writes to a resolved bot-inbox conversation (-> pending), then the workflow forces it open',
		{
			given: (sim) => unassigned(sim, sim.ids().apiInboxId, (id) => sim.setStatus(id, 'resolved')),
			when: (sim, id) =>
				steps(
					sim,
					() => sim.receiveMessage(id, 'Hello again'),
					() => sim.setStatus(id, 'open'),
				),
		},
	],
	[
		'a new conversation in an inbox without a bot',
		{ when: (sim) => sim.createConversation({ inboxId: sim.ids().webInboxId }) },
	],
	[
		'a new conversation, "Include New Conversations" off',
		{ filters: { includeNewConversations: false }, when: (sim) => sim.createConversation({ inboxId: sim.ids().webInboxId }) },
	],
	[
		'the bot answers, then hands the pending conversation over (its token)',
		{
			given: (sim) => unassigned(sim, sim.ids().apiInboxId),
			when: (sim, id) =>
				steps(
					sim,
					() => sim.sendMessage(id, 'A human will help you', { as: 'bot' }),
					() => sim.setStatus(id, 'open', { as: 'bot' }),
				),
		},
	],
	[
		"the agent bot's webhook fails (e.g. slower than 5 s) after the customer's message",
		{
			given: (sim) => unassigned(sim, sim.ids().apiInboxId),
			when: async (sim, id) => {
				await sim.receiveMessage(id, 'Anyone there?');
				sim.advanceTime(5 * SECOND);
				await sim.botWebhookFailure(id);
			},
		},
	],
	[
		'an agent snoozes for an hour; the snooze runs out',
		{
			given: (sim) => unassigned(sim, sim.ids().webInboxId),
			when: async (sim, id) => {
				await sim.setStatus(id, 'snoozed', { snoozedUntil: Math.floor(sim.now() / 1000) + 3600 });
				sim.advanceTime(3600 * SECOND);
				await sim.runSnoozeReopenJob();
			},
		},
	],
	[
		'a customer writes to a resolved conversation of an inbox without a bot',
		{
			given: (sim) => unassigned(sim, sim.ids().webInboxId, (id) => sim.setStatus(id, 'resolved')),
			when: (sim, id) => sim.receiveMessage(id, 'It happened again'),
		},
	],
	[
		'... whose assignee has left the inbox',
		{
			given: async (sim) => {
				const { adminUserId, agentUserId, webInboxId } = sim.ids();
				sim.setInboxMembers(webInboxId, [adminUserId, agentUserId]);
				const { result: id } = await sim.createConversation({ inboxId: webInboxId });
				await sim.idle();
				await steps(
					sim,
					() => sim.assign(id, adminUserId),
					() => sim.setStatus(id, 'resolved'),
				);
				sim.setInboxMembers(webInboxId, [agentUserId]);
				return id;
			},
			when: (sim, id) => sim.receiveMessage(id, 'Still broken'),
		},
	],
	[
		'... of a team without allow_auto_assign',
		{
			given: async (sim) => {
				const team = sim.createTeam({ allowAutoAssign: false });
				return unassigned(sim, sim.ids().webInboxId, async (id) => {
					await sim.assignTeam(id, team);
					await sim.setStatus(id, 'resolved');
				});
			},
			when: (sim, id) => sim.receiveMessage(id, 'Hello?'),
		},
	],
	[
		'an agent assigns an open conversation; an automation reassigns it',
		{
			given: (sim) => unassigned(sim, sim.ids().webInboxId),
			when: (sim, id) =>
				steps(
					sim,
					() => sim.assign(id, sim.ids().agentUserId),
					() => sim.automationAssign(id, sim.ids().adminUserId),
				),
		},
	],
	[
		'the periodic assignment run (an inbox with an assignment policy) assigns an open conversation',
		{
			given: (sim) => unassigned(sim, sim.ids().webInboxId),
			when: async (sim) => {
				sim.setAssignmentPolicy(sim.ids().webInboxId);
				await sim.runPeriodicAssignment();
			},
		},
	],
	[
		'an integration sets a new open conversation pending 3 s after its creation',
		{
			when: async (sim) => {
				const { result: id } = await sim.createConversation({ inboxId: sim.ids().webInboxId });
				sim.advanceTime(3 * SECOND);
				await sim.setStatus(id, 'pending');
			},
		},
	],
	[
		'WhatsApp inbox: a customer writes after "resolved" (a new conversation starts)',
		{
			given: async (sim) => {
				const inbox = sim.addInbox({ channelType: 'Channel::Whatsapp' });
				const { result: id } = await sim.createConversation({ inboxId: inbox });
				await sim.idle();
				sim.advanceTime(60 * SECOND);
				await sim.setStatus(id, 'resolved');
				return id;
			},
			when: (sim, id) => sim.receiveMessage(id, 'New question'),
		},
	],
];

/** scenario, then deliveries and items with assignment V2, then with the older system. */
const EXPECTED: Array<[string, number, string[], number, string[]]> = [
	[SCENARIOS[0][0], 4, ['resolved -> pending (bot_inbox)', 'pending -> open (bot_handoff)'], 3, ['resolved -> pending (bot_inbox)', 'pending -> open (bot_handoff)']],
	[SCENARIOS[1][0], 2, ['null -> open (conversation_created)'], 1, ['null -> open (conversation_created)']],
	[SCENARIOS[2][0], 1, [], 0, []],
	[SCENARIOS[3][0], 4, ['pending -> open (bot_handoff)'], 3, ['pending -> open (bot_handoff)']],
	[SCENARIOS[4][0], 2, ['pending -> open (bot_handoff)'], 1, ['pending -> open (bot_handoff)']],
	[SCENARIOS[5][0], 3, ['open -> snoozed (unknown)', 'snoozed -> open (snooze_expired)'], 2, ['open -> snoozed (unknown)', 'snoozed -> open (snooze_expired)']],
	[SCENARIOS[6][0], 3, ['resolved -> open (customer_message)'], 2, ['resolved -> open (customer_message)']],
	[SCENARIOS[7][0], 2, ['resolved -> open (customer_message)'], 2, ['resolved -> open (customer_message)']],
	[SCENARIOS[8][0], 2, ['resolved -> open (customer_message)'], 2, ['resolved -> open (customer_message)']],
	[SCENARIOS[9][0], 2, [], 2, []],
	[SCENARIOS[10][0], 1, [], 0, []],
	[SCENARIOS[11][0], 3, ['null -> open (conversation_created)', 'open -> pending (unknown)'], 2, ['null -> open (conversation_created)', 'open -> pending (unknown)']],
	[SCENARIOS[12][0], 2, ['null -> open (conversation_created)'], 1, ['null -> open (conversation_created)']],
];

describe('Chatwoot 4.15.1: deliveries and items per scenario, assignment V2 (default) and the older system', () => {
	test.each(SCENARIOS.map(([name, story], index) => [name, story, index] as const))('%s', async (name, story, index) => {
		const v2 = await run(story, true);
		const older = await run(story, false);
		expect([name, v2.deliveries, v2.items, older.deliveries, older.items]).toEqual(EXPECTED[index]);
	});
});
