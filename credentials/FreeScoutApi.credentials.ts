import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * What the credential test tells the user, by the body of FreeScout's answer to the mailbox list (the request takes
 * every HTTP status as an answer: n8n 1.x applies no rules to error statuses). The first matching rule wins.
 */
const testRules: IAuthenticateRuleResponseSuccessBody[] = [
	{
		type: 'responseSuccessBody',
		properties: {
			key: 'message',
			value: 'Not Authorized',
			message:
				"FreeScout refused the API Key. Copy it again from FreeScout's Manage → Settings → API & Webhooks → API Key (Regenerate there changes it); the Webhook Secret Key is a different value.",
		},
	},
	{
		// FreeScout answers its HTML 404 page for any address it has no route for: a Base URL with a path after
		// FreeScout's address, or an instance without the API & Webhooks module.
		type: 'responseSuccessBody',
		properties: {
			key: '_embedded',
			value: undefined,
			message:
				"FreeScout's API did not answer at this address. Check the Base URL: only the address of your FreeScout (with its sub-folder, if any), e.g. https://help.example.com, with nothing from the address bar after it. If it is right, the paid API & Webhooks module is missing or inactive: Manage → Modules.",
		},
	},
];

export class FreeScoutApi implements ICredentialType {
	name = 'freeScoutApi';

	displayName = 'FreeScout API';

	icon: Icon = { light: 'file:../icons/freescout.svg', dark: 'file:../icons/freescout.dark.svg' };

	documentationUrl = 'https://github.com/conversation-status/n8n-nodes-conversation-status/blob/main/docs/platforms.md#freescout-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://support.example.com',
			description: 'The address of your FreeScout installation (with its sub-folder, if any), without a trailing slash',
			// n8n answers a test that reached nothing with the bare error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …; 1.x words
			// a refused connection as 'The service refused the connection'):
			// its test rules only see answers. The hint says what such a code means.
			hint: 'If the test says ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ETIMEDOUT or that the service refused the connection, nothing answered at this address from where n8n runs: check the host name and port, and that n8n (in Docker: its container) can reach FreeScout there.',
			required: true,
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Manage → Settings → API & Webhooks → API Key (needs the paid API & Webhooks module)',
			required: true,
		},
		{
			displayName: 'Webhook Secret Key',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Manage → Settings → API & Webhooks → Webhooks → Secret Key. The trigger checks every delivery against it.',
		},
		{
			displayName: 'Default User ID',
			name: 'defaultUserId',
			type: 'number',
			default: 0,
			description:
				'The FreeScout user that status changes are made as (FreeScout requires one). 0 means: the first administrator.',
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'ignoreSslIssues',
			type: 'boolean',
			default: false,
			description: 'Whether to connect even if the SSL certificate cannot be verified (self-signed certificates)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-FreeScout-API-Key': '={{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/mailboxes',
			qs: { pageSize: 1 },
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
			ignoreHttpStatusErrors: true,
		},
		rules: testRules,
	};
}
