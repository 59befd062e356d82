/**
 * The trigger's option "Look Up Who Changed It": one read per reported change through the platform's credential,
 * naming who made it where the platform can. A failed read leaves the change as the delivery showed it (logged).
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { PlatformModule } from '../core/platform';
import type { StatusChange } from '../core/types';
import { sendApiRequest } from './request';

/** Short: Chatwoot waits 5 s for the webhook's answer, which comes after the look-up. */
const LOOK_UP_TIMEOUT_MS = 3000;

export async function lookUpWhoChanged(
	this: IWebhookFunctions,
	platform: PlatformModule,
	changes: StatusChange[],
): Promise<StatusChange[]> {
	const whoChanged = platform.trigger.whoChanged;
	if (whoChanged === undefined || changes.length === 0) return changes;
	return await Promise.all(
		changes.map(async (change) => {
			const request = whoChanged.request(change);
			if (request === null) return change;
			try {
				return whoChanged.apply(change, await sendApiRequest.call(this, platform, request, { timeoutMs: LOOK_UP_TIMEOUT_MS }));
			} catch (error) {
				this.logger.warn(
					`Conversation Status Trigger: could not look up who changed ${platform.displayName} conversation ${change.conversationId} (${(error as Error).message}); the item keeps the delivery's cause`,
				);
				return change;
			}
		}),
	);
}
