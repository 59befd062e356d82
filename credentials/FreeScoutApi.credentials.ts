import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class FreeScoutApi implements ICredentialType {
	name = 'freeScoutApi';

	displayName = 'FreeScout API';

	icon: Icon = { light: 'file:../icons/freescout.svg', dark: 'file:../icons/freescout.dark.svg' };

	documentationUrl = 'https://github.com/conversation-status/n8n-nodes-conversation-status#freescout-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://support.example.com',
			description: 'The address of your FreeScout installation (with its sub-folder, if any), without a trailing slash',
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
		},
	};
}
