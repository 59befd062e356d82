'use strict';
// A workflow of the Conversation Status Trigger alone, reporting every change, and what the tests read of it: the
// status its memory holds in the database, and its execution count once n8n has recorded every answered delivery.
const crypto = require('node:crypto');
const { sleep, TRIGGER_TYPE } = require('./stack');
const { Memory, MAX_MEMORY_SIZE } = require('../../../dist/nodes/core/trigger/memory');

const TRIGGER = 'Conversation Status Trigger';

/** Creates and activates the workflow; resolves to { id }. */
async function createTriggerWorkflow(stack, { name, platform, credential, options = {} }) {
	const credentialType = platform === 'chatwoot' ? 'chatwootApi' : 'freeScoutApi';
	const workflow = await stack.n8n.createWorkflow({
		name,
		nodes: [
			{
				parameters: { platform, filters: {}, options },
				id: `${platform}-trigger`,
				name: TRIGGER,
				type: TRIGGER_TYPE,
				typeVersion: 1.1,
				position: [0, 0],
				// n8n 1.x does not give a node created over REST a webhookId: its webhook path would then carry the
				// workflow id and node name.
				webhookId: crypto.randomUUID(),
				credentials: { [credentialType]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {},
	});
	await stack.activateWorkflow(workflow.id);
	return { id: workflow.id };
}

/**
 * The newest status the memory in the database (one JSON text in static data) holds for a conversation, or undefined.
 * Each entry is [key, floors, then code (status index * 3 + kind), t, k per point, oldest first].
 */
async function storedStatus(stack, workflowId, key) {
	const { staticData } = await stack.n8n.getWorkflow(workflowId);
	const memory = staticData?.[`node:${TRIGGER}`]?.memory;
	if (memory === undefined) return undefined;
	// Read with the package's own reader (the build the e2e suite tests), whatever the stored format.
	const reader = new Memory(MAX_MEMORY_SIZE);
	reader.merge(memory, Date.now());
	return reader.get(key)?.points.at(-1)?.status;
}

/** The execution count once it stops growing: n8n answers a delivery before it records the delivery's execution. */
async function settledExecutionCount(stack, workflowId, quietMs = 1500) {
	let count = (await stack.n8n.listExecutions(workflowId)).length;
	for (;;) {
		await sleep(quietMs);
		const now = (await stack.n8n.listExecutions(workflowId)).length;
		if (now === count) return count;
		count = now;
	}
}

module.exports = { TRIGGER, createTriggerWorkflow, storedStatus, settledExecutionCount };
