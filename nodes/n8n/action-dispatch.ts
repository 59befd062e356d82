/**
 * The action node's operations: each reads its parameters for one item and calls the pure core with the item's
 * platform session. Sync Status reads its item's change and works between that platform and the other one.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type ILoadOptionsFunctions } from 'n8n-workflow';

import { applyStatus, checkConversationId, diagnosePending, getStatus } from '../core/action/operations';
import { newSyncMemory, syncChange } from '../core/action/sync';
import type { PlatformModule } from '../core/platform';
import { isStatus } from '../core/types';
import { platforms } from '../platforms';
import { userIdOf, type PlatformSession, type SessionFor } from './action-sessions';
import { readSyncItem } from './sync-item';

/** The platform module of a Platform parameter; an unknown id is the user's error. */
export function platformOf(id: unknown, ctx: IExecuteFunctions | ILoadOptionsFunctions): PlatformModule {
	try {
		return platforms.get(id);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

/** The Sync Status writes and pair claims of this n8n process (see sync-echoes.ts and sync-write.ts). */
const syncMemory = newSyncMemory();

export async function runSync(ctx: IExecuteFunctions, sessionFor: SessionFor, itemIndex: number, superseded: unknown): Promise<IDataObject> {
	const { source, target, request } = readSyncItem(ctx, itemIndex, superseded);
	const [from, to] = await Promise.all([sessionFor(source), sessionFor(target)]);
	const userIds = { source: userIdOf(ctx, itemIndex, from.defaultUserId), target: userIdOf(ctx, itemIndex, to.defaultUserId) };
	const result = await syncChange({ source: from.session, target: to.session }, { ...request, userIds }, syncMemory);
	return { ...result } as unknown as IDataObject;
}

export async function runItem(
	ctx: IExecuteFunctions,
	{ session, defaultUserId }: PlatformSession,
	operation: string,
	itemIndex: number,
): Promise<IDataObject> {
	const userId = userIdOf(ctx, itemIndex, defaultUserId);

	if (operation === 'diagnosePending') {
		const rawId = ctx.getNodeParameter('diagnoseConversationId', itemIndex, '') as unknown;
		const conversationId = rawId === '' || rawId === null || rawId === undefined ? null : checkConversationId(rawId);
		const inboxId = optionalInboxId(ctx, itemIndex);
		return { ...(await diagnosePending(session, { conversationId, inboxId })) } as unknown as IDataObject;
	}

	const conversationId = checkConversationId(ctx.getNodeParameter('conversationId', itemIndex));
	if (operation === 'getStatus') {
		return { ...(await getStatus(session, conversationId)) } as unknown as IDataObject;
	}
	if (operation === 'forceOpen') {
		const onlyIf = (ctx.getNodeParameter('onlyIfStatus', itemIndex, []) as string[]).filter(isStatus);
		return { ...(await applyStatus(session, { conversationId, target: 'open', onlyIf, userId })) } as unknown as IDataObject;
	}
	if (operation === 'setStatus') {
		const status = ctx.getNodeParameter('status', itemIndex) as string;
		if (!isStatus(status)) {
			throw new NodeOperationError(ctx.getNode(), `Unknown status "${status}"`, {
				description: 'Choose one of the listed statuses.',
				itemIndex,
			});
		}
		return { ...(await applyStatus(session, { conversationId, target: status, userId, snoozedUntil: snoozedUntil(ctx, itemIndex, status) })) } as unknown as IDataObject;
	}
	throw new NodeOperationError(ctx.getNode(), `Unknown operation "${operation}"`, { itemIndex });
}

/** Set Status's Snoozed Until in Unix seconds; null when empty or the status is not snoozed. */
function snoozedUntil(ctx: IExecuteFunctions, itemIndex: number, status: string): number | null {
	const until = status === 'snoozed' ? (ctx.getNodeParameter('snoozedUntil', itemIndex, '') as string) : '';
	const ms = until === '' ? null : Date.parse(until);
	if (ms !== null && Number.isNaN(ms)) {
		throw new NodeOperationError(ctx.getNode(), `Snoozed Until is not a date: "${until}"`, {
			description: 'Give a date and time, for example 2026-12-01T09:00:00Z.',
			itemIndex,
		});
	}
	return ms === null ? null : Math.floor(ms / 1000);
}

/** Diagnose Pending's Inbox ID: null when empty (0 too, the empty value of workflows saved when it was a number). */
function optionalInboxId(ctx: IExecuteFunctions, itemIndex: number): number | null {
	const raw = ctx.getNodeParameter('inboxId', itemIndex, '') as unknown;
	const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
	if (text === '' || text === '0') return null;
	const id = Number(text);
	if (!Number.isInteger(id) || id < 0) {
		throw new NodeOperationError(ctx.getNode(), `Inbox ID must be a whole number, got ${JSON.stringify(raw)}`, {
			description: "Type the inbox's number, or leave it empty to check the inbox of the conversation given above.",
			itemIndex,
		});
	}
	return id;
}
