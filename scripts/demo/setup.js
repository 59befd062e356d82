'use strict';
// What the demo puts into n8n and the simulators before anything runs: the four credentials, the sync
// example's pair of conversations, and the three example workflows, imported and activated.
const { prepareExample, triggersOf, sleep } = require('../../test/e2e/support/stack');
const { SYNC_CUSTOMER_EMAIL } = require('./settings');

const WORKFLOWS = [
	{ key: 'reopen', file: 'chatwoot-reopen-as-open.json' },
	{ key: 'closeReopen', file: 'freescout-close-and-reopen.json' },
	{ key: 'sync', file: 'chatwoot-freescout-sync.json' },
];
// The FreeScout custom field the Sync Status node keeps the Chatwoot id in by default.
const SYNC_PAIR_FIELD = 'Chatwoot Conversation ID';
const STOP_DEACTIVATE_TIMEOUT_MS = 20_000;

const chatwootData = (simulator) => ({
	baseUrl: simulator.url,
	accountId: simulator.ids().accountId,
	accessToken: simulator.tokens().administrator,
	webhookSecret: '',
	ignoreSslIssues: false,
});

const freescoutData = (simulator) => ({
	baseUrl: simulator.url,
	apiKey: simulator.apiKey,
	webhookSecret: simulator.secretKey,
	defaultUserId: 1,
	ignoreSslIssues: false,
});

/** The credentials of the three workflows, by key: chatwoot, freescout (real or simulated) and the sync pair's. */
async function createCredentials(n8n, simulators, { realChatwoot, realFreescout }) {
	const credentials = {};
	const create = async (key, type, name, data) => (credentials[key] = await n8n.createCredential({ name, type, data }));
	await create(
		'chatwoot',
		'chatwootApi',
		'Chatwoot account',
		realChatwoot
			? {
					baseUrl: realChatwoot.url,
					accountId: realChatwoot.accountId ?? 1,
					accessToken: realChatwoot.token,
					webhookSecret: '',
					ignoreSslIssues: false,
				}
			: chatwootData(simulators.chatwoot),
	);
	await create(
		'freescout',
		'freeScoutApi',
		'FreeScout account',
		realFreescout
			? {
					baseUrl: realFreescout.url,
					apiKey: realFreescout.apiKey,
					webhookSecret: realFreescout.secret,
					defaultUserId: realFreescout.userId ?? 0,
					ignoreSslIssues: false,
				}
			: freescoutData(simulators.freescout),
	);
	await create('syncChatwoot', 'chatwootApi', 'Chatwoot (sync pair simulator)', chatwootData(simulators.syncChatwoot));
	await create('syncFreescout', 'freeScoutApi', 'FreeScout (sync pair simulator)', freescoutData(simulators.syncFreescout));
	return credentials;
}

/**
 * The sync example pairs conversations by the counterpart's id kept on each of them; a pair without ids is
 * found by the customer's e-mail. One customer with a conversation on each side (ids that differ: the FreeScout
 * one is not the first there), made before the sync is switched on. Returns {chatwoot, freescout} ids.
 */
async function createSyncPair({ syncChatwoot, syncFreescout }) {
	syncFreescout.addCustomField({ mailboxId: 1, name: SYNC_PAIR_FIELD, type: 'number' });
	syncFreescout.createConversation({ subject: 'Welcome', text: 'Hello!' });
	const customerId = syncFreescout.addCustomer({ firstName: 'Ana', lastName: 'Souza', email: SYNC_CUSTOMER_EMAIL }).id;
	const freescout = syncFreescout.createConversation({ subject: 'Order 1234', text: 'Where is my order?', customerId });
	const { result: contactId } = await syncChatwoot.createContact({ name: 'Ana Souza', email: SYNC_CUSTOMER_EMAIL });
	const { result: chatwoot } = await syncChatwoot.createConversation({ contactId, inboxId: syncChatwoot.ids().webInboxId });
	await syncChatwoot.idle();
	await syncFreescout.idle(30_000);
	return { chatwoot, freescout };
}

/**
 * Imports the three example workflows with their credentials and activates them; a workflow that cannot be
 * activated is kept with its error. Returns {workflows, deactivateReal}: the latter removes the webhooks the
 * workflows on real platforms registered there.
 */
async function importWorkflows({ n8n, stack, credentials, realChatwoot, realFreescout, log }) {
	const workflowCredentials = {
		reopen: { chatwootApi: credentials.chatwoot },
		closeReopen: { freeScoutApi: credentials.freescout },
		sync: { chatwootApi: credentials.syncChatwoot, freeScoutApi: credentials.syncFreescout },
	};
	const platformLabel = {
		reopen: realChatwoot ? `Chatwoot at ${realChatwoot.url}` : 'the Chatwoot simulator',
		closeReopen: realFreescout ? `FreeScout at ${realFreescout.url}` : 'the FreeScout simulator',
		sync: 'the sync pair of simulators',
	};
	const usesRealPlatform = { reopen: Boolean(realChatwoot), closeReopen: Boolean(realFreescout), sync: false };
	const workflows = {};
	for (const { key, file } of WORKFLOWS) {
		const prepared = prepareExample(file, { credentials: workflowCredentials[key] });
		const stored = await n8n.createWorkflow(prepared);
		const workflow = {
			key,
			id: stored.id,
			name: stored.name,
			url: `${n8n.baseUrl}/workflow/${stored.id}`,
			runsOn: platformLabel[key],
			real: usesRealPlatform[key],
			triggers: triggersOf(prepared).map((trigger) => ({ ...trigger, url: stack.webhookUrl(trigger.webhookId) })),
			active: false,
			error: null,
		};
		workflows[key] = workflow;
		try {
			await n8n.activateWorkflow(workflow.id);
			workflow.active = true;
		} catch (error) {
			workflow.error = error.message;
			log(`workflow "${workflow.name}" could not be activated: ${error.message}`);
		}
	}
	// A stopped demo must not leave webhooks in a real platform pointing at an n8n that is gone.
	async function deactivateReal() {
		for (const workflow of Object.values(workflows)) {
			if (!workflow.real || !workflow.active) continue;
			log(`deactivating "${workflow.name}" (removes its webhook from ${workflow.runsOn})`);
			await Promise.race([
				n8n.deactivateWorkflow(workflow.id),
				sleep(STOP_DEACTIVATE_TIMEOUT_MS).then(() => {
					throw new Error(`deactivating "${workflow.name}" took over ${STOP_DEACTIVATE_TIMEOUT_MS / 1000} s`);
				}),
			]);
			workflow.active = false;
		}
	}
	return { workflows, deactivateReal };
}

module.exports = { createCredentials, createSyncPair, importWorkflows };
