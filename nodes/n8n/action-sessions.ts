/**
 * The action node's API sessions: one per platform and execution, made on first use from the platform's
 * credential and the node's retry and timeout options, plus the user a write is recorded as.
 */
import { sleep, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { Session } from '../core/action/operations';
import { createSession } from '../core/action/operations';
import { DEFAULT_RETRY_POLICY } from '../core/action/retry';
import { DEFAULT_TIMEOUT_MS } from '../core/http';
import type { PlatformModule } from '../core/platform';
import { platformSettings, sendApiRequest } from './request';

export interface PlatformSession {
	session: Session;
	/** The credential's user for writes where the platform needs one. */
	defaultUserId: number | null;
}

export type SessionFor = (platform: PlatformModule) => Promise<PlatformSession>;

/** One session per platform and execution, made on first use (reading the platform's credential). */
export function sessionFactory(ctx: IExecuteFunctions, options: IDataObject): SessionFor {
	const made = new Map<string, Promise<PlatformSession>>();
	return async (platform) => {
		let pending = made.get(platform.id);
		if (pending === undefined) {
			pending = (async () => {
				const settings = await platformSettings.call(ctx, platform);
				const session = createSession({
					api: platform.action,
					scope: { accountId: settings.accountId },
					instance: `${settings.baseUrl ?? ''}/${settings.accountId ?? ''}`,
					send: async (request, sendOptions) => await sendApiRequest.call(ctx, platform, request, sendOptions),
					retry: {
						maxAttempts: Number(options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts),
						baseDelayMs: Number(options.retryDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs),
						maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs,
					},
					timeoutMs: Number(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
					deps: { sleep, random: Math.random, now: Date.now },
				});
				return { session, defaultUserId: settings.defaultUserId };
			})();
			made.set(platform.id, pending);
		}
		return await pending;
	};
}

/** Act As User where chosen, else the credential's default user. */
export function userIdOf(ctx: IExecuteFunctions, itemIndex: number, defaultUserId: number | null): number | null {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const actAs = options.actAsUserId === undefined || options.actAsUserId === '' ? null : Number(options.actAsUserId);
	return actAs !== null && actAs > 0 ? actAs : defaultUserId;
}
