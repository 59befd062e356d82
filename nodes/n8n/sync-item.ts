/**
 * Reads one input item of Sync Status into the platforms it goes between and the SyncRequest (the parameters are
 * described in sync-description.ts; the value checks are in core/action/sync-input.ts).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { checkConversationId } from '../core/action/operations';
import type { IncomingChange, SyncRequest } from '../core/action/sync';
import { checkIncomingStatus, counterpartOf, optionalStatus, optionalTime, pairingWindowMs, platformOfChange } from '../core/action/sync-input';
import type { MappingRule } from '../core/action/sync-mapping';
import type { PlatformModule } from '../core/platform';
import { isStatus, type Status } from '../core/types';
import { platforms } from '../platforms';
import { defaultField, fieldOption } from './sync-description';

/** The sync of one input item: where it comes from, where it goes, and what to do. */
export function readSyncItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	superseded: unknown,
): { source: PlatformModule; target: PlatformModule; request: Omit<SyncRequest, 'userIds'> } {
	const source = platformOfChange(platforms, ctx.getNodeParameter('changedOn', itemIndex));
	const target = counterpartOf(platforms, source);
	const change: IncomingChange = {
		platform: source.id,
		conversationId: checkConversationId(ctx.getNodeParameter('conversationId', itemIndex)),
		status: checkIncomingStatus(ctx.getNodeParameter('incomingStatus', itemIndex)),
		previousStatus: optionalStatus(ctx.getNodeParameter('previousStatus', itemIndex, ''), 'Previous Status'),
		changedAt: optionalTime(ctx.getNodeParameter('changedAt', itemIndex, '')),
		// The trigger marks all but the last of several changes one delivery showed.
		superseded: superseded === true,
	};
	const mapping = ctx.getNodeParameter('mapping', itemIndex, {}) as { rules?: Array<{ target?: string; from: string; to: string }> };
	const rules: MappingRule[] = (mapping.rules ?? [])
		.filter((r) => isStatus(r.from) && (r.to === 'skip' || isStatus(r.to)))
		.map((r) => ({ target: r.target ?? platforms.all()[0].id, from: r.from as Status, to: r.to as Status | 'skip' }));
	const options = ctx.getNodeParameter('syncOptions', itemIndex, {}) as Record<string, unknown>;
	const counterpartId = options.counterpartId === undefined || options.counterpartId === '' ? null : checkConversationId(options.counterpartId);
	const field = (platform: PlatformModule, counterpart: PlatformModule) => {
		const value = options[fieldOption(platform)];
		return typeof value === 'string' && value.trim() !== '' ? value.trim() : defaultField(platform, counterpart);
	};
	return {
		source,
		target,
		request: {
			change,
			rules,
			pairing: {
				counterpartId,
				byEmail: options.pairByEmail !== false,
				windowMs: pairingWindowMs(options.pairingWindowHours),
				sourceField: field(source, target),
				targetField: field(target, source),
			},
		},
	};
}
