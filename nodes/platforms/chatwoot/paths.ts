import { InvalidParameterError } from '../../core/action/conversation-api';
import type { ApiScope } from '../../core/action/conversation-api';

/** `/api/v1/accounts/{id}`: every Chatwoot conversation endpoint lives below the credential's account. */
export function accountPath(scope: ApiScope): string {
	if (scope.accountId === null || !Number.isInteger(scope.accountId) || scope.accountId <= 0) {
		throw new InvalidParameterError(
			'The Chatwoot credential has no valid Account ID',
			'Set Account ID in the Chatwoot credential: the number after /app/accounts/ in the address bar.',
		);
	}
	return `/api/v1/accounts/${scope.accountId}`;
}
