import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * What the credential test tells the user, by Chatwoot's answer to the account's inbox list. n8n applies the
 * responseCode rules to error answers and the responseSuccessBody rules to 2xx answers; its type wants one kind of
 * rule per list, its tester reads both kinds from one.
 */
const testRules: Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> = [
	{
		type: 'responseCode',
		properties: {
			value: 401,
			message:
				"Chatwoot refused the Access Token for this account (401). Copy the token again from Chatwoot's Profile Settings → Access Token, and check that its user is a member of the account with this Account ID. Agent-bot tokens cannot be tested (Chatwoot lets bots read only conversations): save the credential anyway.",
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 404,
			message:
				"Chatwoot answered 404 (not found). Check the Account ID: the number after /app/accounts/ in Chatwoot's address bar. Check the Base URL: only the address of your Chatwoot, e.g. https://chatwoot.example.com, with nothing after it.",
		},
	},
	{
		// A page instead of the API's JSON: the Base URL holds a path, e.g. one copied from the address bar
		// (Chatwoot answers every /app/... address with its dashboard page), or it is not a Chatwoot.
		type: 'responseSuccessBody',
		properties: {
			key: 'payload',
			value: undefined,
			message:
				"This address did not answer like Chatwoot's API. The Base URL must be only the address of your Chatwoot, e.g. https://chatwoot.example.com: remove everything from /app/ on if you copied it from the address bar.",
		},
	},
];

export class ChatwootApi implements ICredentialType {
	name = 'chatwootApi';

	displayName = 'Chatwoot API';

	icon: Icon = { light: 'file:../icons/chatwoot.svg', dark: 'file:../icons/chatwoot.dark.svg' };

	documentationUrl = 'https://github.com/conversation-status/n8n-nodes-conversation-status#chatwoot-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://chatwoot.example.com',
			description: 'The address of your Chatwoot installation, without a trailing slash',
			required: true,
		},
		{
			displayName: 'Account ID',
			name: 'accountId',
			type: 'number',
			default: 1,
			description: 'The number after /app/accounts/ in the address bar when you are signed in to Chatwoot',
			required: true,
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Profile Settings → Access Token. Registering webhooks needs an administrator; opening conversations with an agent token assigns them to that agent.',
			required: true,
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for a webhook you created by hand in Chatwoot (Settings → Integrations → Webhooks): its secret. Webhooks the trigger registers keep their own secret.',
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
				api_access_token: '={{$credentials.accessToken}}',
			},
		},
	};

	// An endpoint under the account, which agents and administrators may read: a wrong Account ID fails here.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/api/v1/accounts/{{$credentials.accountId}}/inboxes',
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
		},
		rules: testRules as ICredentialTestRequest['rules'],
	};
}
