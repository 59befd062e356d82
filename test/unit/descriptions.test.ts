/**
 * The nodes' descriptions as n8n reads them. The editor takes any node parameter named in a credential's
 * `displayOptions.show` for the node's authentication selector: it hides it and lets the picked credential set it.
 * The server adds a "Custom API Call" operation to a node whose `defaultVersion` is missing or `===` its `version`
 * (n8n 2.41.1 `LoadNodesAndCredentials.injectCustomApiCallOptions`). The real editor is checked in
 * test/browser/editor.browser.test.js; this keeps the rules those depend on.
 */
import { NodeHelpers, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { ConversationStatus } from '../../nodes/ConversationStatus/ConversationStatus.node';
import { ConversationStatusTrigger } from '../../nodes/ConversationStatusTrigger/ConversationStatusTrigger.node';
import { platforms } from '../../nodes/platforms';

const descriptions: Array<[string, INodeTypeDescription]> = [
	['trigger', new ConversationStatusTrigger().description],
	['action node', new ConversationStatus().description],
];

describe.each(descriptions)('the %s', (_name, description) => {
	const credentials = description.credentials ?? [];

	it('shows exactly the selected platform’s credential', () => {
		for (const platform of platforms.all()) {
			const shown = credentials.filter((credential) =>
				NodeHelpers.displayParameter({ platform: platform.id }, credential, { typeVersion: 1 }, description),
			);
			expect(shown.map((credential) => credential.name)).toEqual([platform.credentialType]);
		}
	});

	it('names no parameter in a credential’s show options, so n8n keeps Platform visible and chosen by the user', () => {
		const keys = credentials.flatMap((credential) => Object.keys(credential.displayOptions?.show ?? {}));
		expect(keys).toEqual([]);
		expect(description.properties.map((property) => property.name)).toContain('platform');
	});
});

it('the action node is not the "latest version" n8n adds Custom API Call to', () => {
	const { version, defaultVersion } = new ConversationStatus().description;
	const getsCustomApiCall = defaultVersion === undefined || defaultVersion === version;
	expect(getsCustomApiCall).toBe(false);
});

it('Accept Unsigned Deliveries is offered only for platforms that send unsigned deliveries', () => {
	const trigger = new ConversationStatusTrigger().description;
	const options = trigger.properties.find((property) => property.name === 'options')?.options as INodeProperties[];
	const acceptUnsigned = options.find((option) => option.name === 'acceptUnsigned') as INodeProperties;
	const offeredFor = platforms
		.all()
		.filter((platform) =>
			NodeHelpers.displayParameterPath({ platform: platform.id, options: {} }, acceptUnsigned, 'options', { typeVersion: 1.1 }, trigger),
		)
		.map((platform) => platform.id);
	expect(offeredFor).toEqual(['chatwoot']);
	// It says where it applies (the webhooks Chatwoot cannot sign) and that a known secret overrides it.
	expect(acceptUnsigned.description).toContain('Chatwoot before 4.11.2, and automation-rule and macro webhooks');
	expect(acceptUnsigned.description).toContain('only while the trigger knows no secret for its webhook');
	expect(acceptUnsigned.description).toContain('once it knows one, a delivery without a valid signature is always rejected');
});
