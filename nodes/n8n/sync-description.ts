/**
 * The Sync Status parameters of the Conversation Status node (sync-item.ts reads them into a SyncRequest). Sync works
 * between the platform a change happened on and the other one, so it needs both platforms' credentials.
 */
import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_PAIRING_WINDOW_HOURS } from '../core/action/sync-pairing';
import type { PlatformModule } from '../core/platform';
import { platforms } from '../platforms';
import { sortedByName, statusOptions } from './descriptions';

const SHOW = { show: { operation: ['syncStatus'] } };

/** The option naming a platform's pair field. */
export const fieldOption = (platform: PlatformModule) => `${platform.id}Field`;

/** The field a platform keeps a counterpart's id in, unless the node names one; null where it has none. */
export function defaultField(platform: PlatformModule, counterpart: PlatformModule): string | null {
	return platform.action.pairing?.defaultField({ id: counterpart.id, displayName: counterpart.displayName }) ?? null;
}

/** The pair field option of a platform that can keep a counterpart's id. */
function fieldProperty(platform: PlatformModule, all: PlatformModule[]): INodeProperties {
	const others = all.filter((other) => other !== platform);
	const defaults = others.map((other) => `${defaultField(platform, other)} (${other.displayName})`).join(', ');
	// With two platforms the default is the one name; with more, it depends on the counterpart.
	const name = others.length === 1 ? (defaultField(platform, others[0]) ?? '') : '';
	return {
		displayName: `${platform.displayName} Pair Field`,
		name: fieldOption(platform),
		type: 'string',
		default: name,
		description: `The ${platform.displayName} ${platform.action.pairing?.fieldKind ?? 'field'} that keeps the ID of the conversation on the other platform. Empty: ${defaults}.`,
	};
}

export function syncProperties(): INodeProperties[] {
	const all = platforms.all();
	const firstPlatform = all[0].id;
	const names = all.map((platform) => platform.id).join(' or ');
	return [
		{
			displayName: 'Changed On',
			name: 'changedOn',
			type: 'string',
			default: '={{ $json.platform }}',
			hint: `The platform of the change (${names}); it is synced to the other one`,
			description: `The platform the change happened on (${names}), usually from the Conversation Status Trigger. The change is synced to the other platform, so both credentials are needed.`,
			displayOptions: SHOW,
		},
		{
			displayName: 'Status',
			name: 'incomingStatus',
			type: 'string',
			default: '={{ $json.status }}',
			hint: 'One of open, pending, resolved, snoozed or spam',
			description: 'The status the conversation changed to, normalized (open, pending, resolved, snoozed or spam)',
			displayOptions: SHOW,
		},
		{
			displayName: 'Previous Status',
			name: 'previousStatus',
			type: 'string',
			default: '={{ $json.previousStatus }}',
			description:
				'The status the conversation changed from (empty when unknown). Sync writes when the other conversation is still where this change started; otherwise the times decide.',
			displayOptions: SHOW,
		},
		{
			displayName: 'Changed At',
			name: 'changedAt',
			type: 'string',
			default: '={{ $json.changedAt }}',
			description:
				'When the change happened (ISO time). A change older than the last change of the other conversation is not synced when the two disagree.',
			displayOptions: SHOW,
		},
		{
			displayName: 'Status Mapping',
			name: 'mapping',
			type: 'fixedCollection',
			placeholder: 'Add Mapping',
			typeOptions: { multipleValues: true },
			default: {},
			description:
				'How statuses translate when syncing to a platform. Unmapped statuses are applied as they are; a status the platform lacks falls back to the nearest one (snoozed → pending, spam → resolved). The rules also tell Sync which status on the other side already stands for an incoming one.',
			displayOptions: SHOW,
			options: [
				{
					displayName: 'Rule',
					name: 'rules',
					values: [
						{
							displayName: 'When Syncing To',
							name: 'target',
							type: 'options',
							options: all.map((platform) => ({ name: platform.displayName, value: platform.id })),
							default: firstPlatform,
						},
						{
							displayName: 'From',
							name: 'from',
							type: 'options',
							options: statusOptions(),
							default: 'snoozed',
						},
						{
							displayName: 'To',
							name: 'to',
							type: 'options',
							options: [{ name: 'Do Not Sync', value: 'skip' }, ...statusOptions()],
							default: 'skip',
						},
					],
				},
			],
		},
		{
			displayName: 'Sync Options',
			name: 'syncOptions',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: SHOW,
			options: sortedByName([
				{
					displayName: 'Counterpart Conversation ID',
					name: 'counterpartId',
					type: 'string',
					default: '',
					description:
						'The conversation on the other platform to sync to, from your own lookup. Empty: the ID kept on the conversation, or found by the customer e-mail.',
				},
				{
					displayName: 'Pair by Customer E-Mail',
					name: 'pairByEmail',
					type: 'boolean',
					default: true,
					description:
						'Whether a conversation without a kept counterpart ID is paired by the customer e-mail: with the only conversation of that customer on the other platform that is open or pending, created within the pairing window, and paired with nothing else (the IDs are then kept on both). Closed, spam, snoozed, older or several candidates are refused, with the reason in the output; give the ID to pair those.',
				},
				{
					displayName: 'Pairing Window (Hours)',
					name: 'pairingWindowHours',
					type: 'number',
					default: DEFAULT_PAIRING_WINDOW_HOURS,
					typeOptions: { minValue: 0 },
					description:
						'Pair by e-mail only with a conversation created at most this many hours before or after the conversation that changed',
				},
				...all.filter((platform) => platform.action.pairing !== undefined).map((platform) => fieldProperty(platform, all)),
			]),
		},
	];
}
