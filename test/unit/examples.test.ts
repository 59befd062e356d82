/**
 * The example workflows in the form that survives an import into n8n's editor (2.41 and 1.123): a credential given
 * by name only is dropped on import, one given as `{"id": null, "name"}` is matched by name; a fixed webhookId makes
 * a second import clash with the first ("Conflicting Trigger Path"), a node without one gets its own. `platform` is
 * written out wherever Platform is shown, since n8n judges which credential a node shows by the imported parameters
 * as they are.
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

	it('references each credential as {"id": null, "name"} with the documented name', () => {
		for (const node of ours) expect([node.name, Object.keys(node.credentials ?? {}).length > 0]).toEqual([node.name, true]);
		for (const [type, reference] of ours.flatMap((node) => Object.entries(node.credentials ?? {}))) {
			expect(reference).toEqual({ id: null, name: type === 'chatwootApi' ? 'Chatwoot account' : 'FreeScout account' });
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
