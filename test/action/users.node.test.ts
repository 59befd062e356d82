/**
 * The action node's Act As User list, loaded the way n8n's editor loads it (n8n-core's LoadOptionsContext) from
 * the FreeScout simulator: its users with administrators marked, and a refused key as the platform's own words.
 */
import { LoadOptionsContext } from 'n8n-core';
import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import * as harness from '../support/n8n-harness';
import { simulatorsPerTest } from '../support/simulators';

describe('Act As User list (FreeScout simulator)', () => {
	const simulators = simulatorsPerTest();

	async function loadUsers(parameters: Record<string, unknown>, apiKey?: string) {
		const sim = await simulators.freescout({ apiKey: 'fs-users-key' });
		const credentials = {
			freeScoutApi: { baseUrl: sim.url, apiKey: apiKey ?? 'fs-users-key', webhookSecret: '', defaultUserId: 0, ignoreSslIssues: false },
		};
		const node = harness.createNode({ nodeType: ConversationStatus, parameters, credentials });
		const workflow = harness.createWorkflow({ nodes: [node], nodeTypes: harness.createNodeTypes([ConversationStatus]) });
		const additionalData = harness.createAdditionalData({ credentialsHelper: new harness.TestCredentialsHelper({ credentials }) });
		const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.options.actAsUserId');
		const getUsers = new ConversationStatus().methods.loadOptions.getUsers;
		return await getUsers.call(context as unknown as ILoadOptionsFunctions);
	}

	it("lists FreeScout's users, administrators marked, with their e-mail", async () => {
		const users = await loadUsers({ platform: 'freescout', operation: 'setStatus' });
		expect(users).toEqual([
			{ name: 'Admin User (admin)', value: 1, description: 'admin@example.com' },
			{ name: 'Jane Agent', value: 2, description: 'jane@example.com' },
		]);
	});

	it("for Sync Status (no Platform) lists the users of the platform that has them", async () => {
		const users = await loadUsers({ operation: 'syncStatus' });
		expect(users.map((user) => user.name)).toEqual(['Admin User (admin)', 'Jane Agent']);
	});

	it("a refused API key fails with FreeScout's words and what to check", async () => {
		await expect(loadUsers({ platform: 'freescout', operation: 'setStatus' }, 'wrong-key')).rejects.toMatchObject({
			message: expect.stringContaining('FreeScout rejected the credential while looking up who changes are made as'),
			description: expect.stringMatching(/\S/),
			httpCode: '401',
		});
	});
});
