/**
 * The example workflows in the form that works in n8n's editor (2.41) whichever comes first, the credential or the
 * import. They carry no credential references: n8n adds an existing credential of the type each node shows when
 * the workflow is imported, and one created from inside a node goes to it and to the workflow's other nodes
 * without one. A reference n8n cannot match on import ({"id": null, "name"}, or a name alone) stays in the
 * workflow, and the editor later swaps the credential into it in place (replaceInvalidWorkflowCredentials), so the
 * node's update finds nothing changed: the workflow is not marked dirty, not saved, and publishing fails with
 * "Credential not configured". A fixed webhookId makes a second import clash with the first ("Conflicting Trigger
 * Path"), a node without one gets its own. `platform` is written out wherever Platform is shown, since n8n judges
 * which credential a node shows by the imported parameters as they are.
 */
import { NodeHelpers, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { exampleWorkflows } from '../support/examples';

const PACKAGE_PREFIX = 'n8n-nodes-conversation-status.';

const DESCRIPTIONS: Record<string, INodeTypeDescription> = {
	[`${PACKAGE_PREFIX}conversationStatus`]: new ConversationStatus().description,
	[`${PACKAGE_PREFIX}conversationStatusTrigger`]: new ConversationStatusTrigger().description,
};

interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: INodeParameters;
	webhookId?: string;
	credentials?: Record<string, unknown>;
}

const examples = (exampleWorkflows() as Array<[string, { nodes: ExampleNode[] }]>).map(([file, workflow]): [string, ExampleNode[]] => [
	file,
	workflow.nodes,
]);

it('there are the three examples the README describes', () => {
	expect(examples.map(([file]) => file)).toEqual([
		'chatwoot-freescout-sync.json',
		'chatwoot-reopen-as-open.json',
		'freescout-close-and-reopen.json',
	]);
});

describe.each(examples)('%s', (_file, nodes) => {
	const ours = nodes.filter((node) => node.type.startsWith(PACKAGE_PREFIX));

	it('references no credential; each node shows exactly the credentials of its platform (Sync Status: both)', () => {
		expect(ours.filter((node) => node.credentials !== undefined).map((node) => node.name)).toEqual([]);
		for (const node of ours) {
			const description = DESCRIPTIONS[node.type];
			const parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
			const shown = (description.credentials ?? [])
				.filter((credential) => NodeHelpers.displayParameter(parameters, credential, node, description))
				.map((credential) => credential.name);
			const expected = node.parameters.operation === 'syncStatus' ? ['chatwootApi', 'freeScoutApi'] : [`${node.parameters.platform === 'freescout' ? 'freeScout' : 'chatwoot'}Api`];
			expect([node.name, shown]).toEqual([node.name, expected]);
		}
	});

	it('carries no webhookId and writes the platform out in every node that shows Platform', () => {
		expect(nodes.filter((node) => node.webhookId !== undefined).map((node) => node.name)).toEqual([]);
		for (const node of ours) {
			const description = DESCRIPTIONS[node.type];
			const platform = description.properties.find((property) => property.name === 'platform');
			if (!platform || !NodeHelpers.displayParameter(node.parameters, platform, node, description)) continue;
			expect([node.name, node.parameters.platform]).toEqual([node.name, expect.stringMatching(/^(chatwoot|freescout)$/)]);
		}
	});
});
