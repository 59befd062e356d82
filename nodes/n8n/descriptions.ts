/** Parameter pieces both nodes show, built from the platform registry so a new platform appears everywhere. */
import type { INodeCredentialDescription, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { PlatformModule } from '../core/platform';
import { STATUSES, type Status } from '../core/types';
import { platforms } from '../platforms';

const STATUS_NAMES: Record<Status, string> = {
	open: 'Open',
	pending: 'Pending',
	resolved: 'Resolved',
	snoozed: 'Snoozed',
	spam: 'Spam',
};

/** "Chatwoot: open, FreeScout: active" / "Chatwoot only". */
function platformWords(status: Status): string {
	const all = platforms.all();
	const having = all.filter((platform) => platform.statuses.fromStatus(status) !== null);
	if (having.length < all.length) return `${having.map((platform) => platform.displayName).join(', ')} only`;
	return having.map((platform) => `${platform.displayName}: ${platform.statuses.fromStatus(status)}`).join(', ');
}

/** The normalized statuses, each with the platforms' own words for it. */
export function statusOptions(): INodePropertyOptions[] {
	return STATUSES.map((status) => ({ name: STATUS_NAMES[status], value: status, description: platformWords(status) }));
}

/** The ids of the platforms for which `has` holds, for displayOptions. */
export function platformsWhere(has: (platform: PlatformModule) => boolean): string[] {
	return platforms
		.all()
		.filter(has)
		.map((platform) => platform.id);
}

export function platformProperty(): INodeProperties {
	const all = platforms.all();
	const firstPlatform = all[0].id;
	return {
		displayName: 'Platform',
		name: 'platform',
		type: 'options',
		noDataExpression: true,
		options: all.map((platform) => ({ name: platform.displayName, value: platform.id })),
		default: firstPlatform,
	};
}

/**
 * One credential per platform, shown while that platform is selected, and all of them while Platform is hidden
 * (Sync Status works between the platform of the change and the other one). Written as `hide` for the other
 * platforms on purpose: n8n's editor takes a parameter named in the credentials' `show` options for the node's
 * authentication selector, hides it and lets whichever credential is picked (by default the most recently saved
 * one) set it.
 */
export function platformCredentials(): INodeCredentialDescription[] {
	return platforms.all().map((platform) => ({
		name: platform.credentialType,
		required: true,
		displayOptions: { hide: { platform: platformsWhere((other) => other.id !== platform.id) } },
	}));
}

/** The node subtitle: the selected platform's name, or `unselected` while Platform is hidden. */
export function platformSubtitle(suffix = '', unselected = ''): string {
	const names = Object.fromEntries(platforms.all().map((platform) => [platform.id, platform.displayName]));
	return `={{ (${JSON.stringify(names)}[$parameter["platform"]] ?? ${JSON.stringify(unselected)})${suffix} }}`;
}

/** Collection options in the alphabetical order n8n's lint asks for, whatever the platforms add. */
export function sortedByName(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
