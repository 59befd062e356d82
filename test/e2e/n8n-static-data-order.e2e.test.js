'use strict';
// The order in n8n's own code that the trigger's memory relies on (nodes/n8n/static-data.ts), read from the
// installed n8n of the line E2E_N8N_VERSION selects: a webhook that answers the request itself and returns
// `noWebhookResponse` with its workflowData gets n8n's response callback before the run starts, and that callback
// checks static data's "changed" flag before anything else is awaited. If a release moves the save after the run
// (which clears the flag), the memory written in webhook() is lost: this file then fails with the place, while the
// restart tests (trigger-state, trigger-restart) show the loss itself.
const fs = require('node:fs');
const path = require('node:path');
const { ensureRuntime, selectedN8nVersion } = require('./runtime/install');

let dist;

beforeAll(async () => {
	const { n8nBin } = await ensureRuntime({ n8nVersion: selectedN8nVersion() });
	dist = path.join(path.dirname(path.dirname(n8nBin)), 'dist');
}, 900_000);

const read = (file) => fs.readFileSync(path.join(dist, file), 'utf8');

/** The text of `name`'s body: from its declaration to the next top-level declaration. */
function bodyOf(source, declaration) {
	const start = source.indexOf(declaration);
	expect(start).toBeGreaterThanOrEqual(0);
	const rest = source.slice(start + declaration.length);
	const end = rest.search(/\n(?:async )?function |\n {4}(?:async )?[A-Za-z]+\([^)]*\) \{\n/);
	return end === -1 ? rest : rest.slice(0, end);
}

test('executeWebhook answers a noWebhookResponse result before it starts the run', () => {
	const body = bodyOf(read('webhooks/webhook-helpers.js'), 'async function executeWebhook(');
	const answered = body.search(/if \(webhookResultData\.noWebhookResponse === true && !didSendResponse\) \{\s*responseCallback\(null,/);
	const run = body.indexOf('WorkflowRunner).run(');
	expect(answered).toBeGreaterThan(0);
	expect(run).toBeGreaterThan(answered);
});

test("the live webhooks' response callback saves static data first, and the save reads the changed flag before its first await", () => {
	const live = bodyOf(read('webhooks/live-webhooks.js'), '    async executeWebhook(');
	expect(live).toMatch(
		/WebhookHelpers\.executeWebhook\([^;]*?async \(error, data\) => \{\s*if \(error !== null\) \{\s*return reject\(error\);\s*\}\s*await this\.workflowStaticDataService\.saveStaticData\(workflow\);/,
	);
	const save = bodyOf(read('workflows/workflow-static-data.service.js'), '    async saveStaticData(workflow) {');
	expect(save.indexOf('__dataChanged === true')).toBeGreaterThan(-1);
	expect(save.indexOf('__dataChanged === true')).toBeLessThan(save.indexOf('await '));
	// The value saved is the object itself (its content is final when webhook() returns), not a later copy.
	const byId = bodyOf(read('workflows/workflow-static-data.service.js'), '    async saveStaticDataById(workflowId, newStaticData) {');
	expect(byId).toMatch(/staticData: newStaticData/);
});
