/**
 * The example workflows in the form that survives an import into n8n's editor (2.41 and 1.123): a credential given
 * by name only is dropped on import, one given as `{"id": null, "name"}` is matched by name; a fixed webhookId makes
 * a second import clash with the first ("Conflicting Trigger Path"), a node without one gets its own. `platform` is
 * written out, since n8n judges which credential a node shows by the imported parameters as they are.
 */
import { exampleWorkflows } from '../support/examples';

const PACKAGE_PREFIX = 'n8n-nodes-conversation-status.';

interface ExampleNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
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
		const references = ours.flatMap((node) => Object.entries(node.credentials ?? {}));
		expect(references.length).toBe(ours.length);
		for (const [type, reference] of references) {
			expect(reference).toEqual({ id: null, name: type === 'chatwootApi' ? 'Chatwoot account' : 'FreeScout account' });
		}
	});

	it('carries no webhookId and writes the platform out in every node', () => {
		expect(nodes.filter((node) => node.webhookId !== undefined).map((node) => node.name)).toEqual([]);
		for (const node of ours) expect(['chatwoot', 'freescout']).toContain(node.parameters.platform);
	});
});
