/** The action node's Act As User list: the users of the selected platform, administrators marked. */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../core/http';
import { platforms } from '../platforms';
import { toNodeError } from './action-errors';
import { platformOf } from './action-dispatch';
import { sendApiRequest } from './request';

export async function loadUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const selected = this.getNodeParameter('platform', '') as string;
	// Sync Status has no Platform: the users are those of the platform that has users.
	const platform =
		selected === '' ? platforms.all().find((candidate) => candidate.action.users !== undefined) : platformOf(selected, this);
	const users = platform?.action.users;
	if (platform === undefined || users === undefined) return [];
	const response = await sendApiRequest.call(this, platform, users.request, { timeoutMs: DEFAULT_TIMEOUT_MS });
	if (response.statusCode < 200 || response.statusCode >= 300) {
		// Sent once: the user list is loaded while someone waits in the editor.
		const failure = platform.action.failure(response, {
			conversationId: null,
			scope: { accountId: null },
			action: 'looking up who changes are made as',
			attempts: 1,
			retryAt: null,
		});
		throw toNodeError(this.getNode(), failure);
	}
	return users.read(response).map((user) => ({
		name: `${user.name ?? user.email ?? `User ${user.id}`}${user.isAdministrator ? ' (admin)' : ''}`,
		value: user.id,
		description: user.email ?? undefined,
	}));
}
