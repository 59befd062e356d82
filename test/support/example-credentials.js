// Which credentials a node of this package shows in n8n's editor, the way the editor decides it: the node's
// parameters completed with their defaults, then each credential's displayOptions. The examples carry no
// credentials (see test/unit/examples.test.ts); whoever imports them gives each node the credentials it shows.
const path = require('node:path');
const { NodeHelpers } = require('n8n-workflow');

const DIST = path.join(__dirname, '..', '..', 'dist', 'nodes');
const PACKAGE_PREFIX = 'n8n-nodes-conversation-status.';

let descriptions;
/** The built nodes' descriptions by node type (needs `npm run build`). */
function nodeDescriptions() {
	if (!descriptions) {
		const { ConversationStatus } = require(path.join(DIST, 'ConversationStatus', 'ConversationStatus.node.js'));
		const { ConversationStatusTrigger } = require(path.join(DIST, 'ConversationStatusTrigger', 'ConversationStatusTrigger.node.js'));
		descriptions = {
			[`${PACKAGE_PREFIX}conversationStatus`]: new ConversationStatus().description,
			[`${PACKAGE_PREFIX}conversationStatusTrigger`]: new ConversationStatusTrigger().description,
		};
	}
	return descriptions;
}

/** The credential types a workflow node shows (none for nodes of other packages). */
function credentialTypesShown(node) {
	const description = nodeDescriptions()[node.type];
	if (!description) return [];
	const parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description);
	return (description.credentials ?? [])
		.filter((credential) => NodeHelpers.displayParameter(parameters ?? {}, credential, node, description))
		.map((credential) => credential.name);
}

module.exports = { credentialTypesShown };
