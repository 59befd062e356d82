import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** A rule of the credential test: when Chatwoot's answer has `value` at `key`, the test fails with `message`. */
function whenAnswer(key: string, value: unknown, message: string): IAuthenticateRuleResponseSuccessBody {
	return { type: 'responseSuccessBody', properties: { key, value, message } };
}

/**
 * What the credential test tells the user, by the body of Chatwoot's answer to the account's inbox list (the request
 * takes every HTTP status as an answer: n8n 1.x applies no rules to error statuses). The first matching rule wins.
 */
const testRules: IAuthenticateRuleResponseSuccessBody[] = [
	whenAnswer(
		'error',
		'Invalid Access Token',
		"Chatwoot does not know this Access Token. Copy it again from Chatwoot's Profile Settings → Access Token.",
	),
	whenAnswer(
		'error',
		'You are not authorized to access this account',
		"The token's user is not a member of the account with this Account ID. The Account ID is the number after /app/accounts/ in Chatwoot's address bar while that user is signed in.",
	),
	whenAnswer(
		'error',
		'Resource could not be found',
		"Chatwoot has no account with this Account ID. It is the number after /app/accounts/ in Chatwoot's address bar.",
	),
	whenAnswer(
		'error',
		'Access to this endpoint is not authorized for bots',
		"This is an agent-bot token, which Chatwoot lets read only conversations, so it cannot be tested here. The action node can use it; the trigger needs an administrator's token to register its webhook.",
	),
	whenAnswer('error', 'Account is suspended', 'Chatwoot says this account is suspended.'),
	whenAnswer(
		'errors[0]',
		'You need to sign in or sign up before continuing.',
		'Chatwoot received no access token: the Access Token is empty, or a proxy in front of Chatwoot removes the Api-Access-Token header (check its header rules).',
	),
	// A page or some other JSON instead of the inbox list: the Base URL holds a path, e.g. one copied from the
	// address bar (Chatwoot answers every /app/... address with its dashboard page), or it is not a Chatwoot.
	whenAnswer(
		'payload',
		undefined,
		"This address did not answer like Chatwoot's API. The Base URL must be only the address of your Chatwoot, e.g. https://chatwoot.example.com: remove everything from /app/ on if you copied it from the address bar.",
	),
];

export class ChatwootApi implements ICredentialType {
	name = 'chatwootApi';

	displayName = 'Chatwoot API';

	icon: Icon = { light: 'file:../icons/chatwoot.svg', dark: 'file:../icons/chatwoot.dark.svg' };

	documentationUrl = 'https://github.com/conversation-status/n8n-nodes-conversation-status/blob/main/docs/platforms.md#chatwoot-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://chatwoot.example.com',
			description: 'The address of your Chatwoot installation, without a trailing slash',
			// n8n answers a test that reached nothing with the bare error code (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …; 1.x words
			// a refused connection as 'The service refused the connection'):
			// its test rules only see answers. The hint says what such a code means.
			hint: 'If the test says ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ETIMEDOUT or that the service refused the connection, nothing answered at this address from where n8n runs: check the host name and port, and that n8n (in Docker: its container) can reach Chatwoot there.',
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
				"Profile Settings → Access Token. An agent's token passes the test, but the trigger needs an administrator's: only administrators may register webhooks.",
			required: true,
		},
		{
			displayName:
				"The Conversation Status Trigger registers its webhook in Chatwoot, which only an administrator's token may do. An agent's token passes the test and serves the action node, which then sees only that agent's inboxes, and opening a conversation with it assigns the conversation to that agent.",
			name: 'administratorNotice',
			type: 'notice',
			default: '',
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

	// Chatwoot reads the token from `api_access_token` or `Api-Access-Token` (access_token_auth_helper.rb L10); nginx
	// drops header names with underscores by default, so the hyphen form is the one that survives a reverse proxy.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'Api-Access-Token': '={{$credentials.accessToken}}',
			},
		},
	};

	// An endpoint under the account, which agents and administrators may read: a wrong Account ID fails here.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/api/v1/accounts/{{$credentials.accountId}}/inboxes',
			skipSslCertificateValidation: '={{$credentials.ignoreSslIssues}}',
			ignoreHttpStatusErrors: true,
		},
		rules: testRules,
	};
}
