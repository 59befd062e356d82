/**
 * What one helpdesk platform is to this package: everything the two nodes need, in one module exported by the
 * platform's folder (nodes/platforms/<platform>/index.ts). The core and the nodes only ever go through this
 * interface and the registry, so a third platform is one more folder and one more `register` call.
 */
import type { ConversationApi } from './action/conversation-api';
import type { ApiRequest, ApiResponse } from './http';
import type { TriggerAdapter } from './trigger/adapter';
import type { Priming } from './trigger/priming';
import type { WebhookRegistration } from './trigger/webhook-registration';
import type { Platform, StatusChange, StatusMap } from './types';

/** What the nodes read from a platform's credential, in the platform's own terms. */
export interface PlatformSettings {
	/** The platform's address, without a trailing slash; null when the credential has none. */
	baseUrl: string | null;
	/** The account conversation ids live in, for platforms with accounts; else null. */
	accountId: number | null;
	/** The user status changes are made as where the platform requires one; null or 0 = the platform's default. */
	defaultUserId: number | null;
	/** The credential's webhook secret, for deliveries the trigger did not register itself; null when empty. */
	webhookSecret: string | null;
}

/** The group conversations belong to (Chatwoot inbox, FreeScout mailbox), as the trigger filters by it. */
export interface ConversationContainer {
	/** The field of the normalized change that holds its id. */
	field: keyof Pick<StatusChange, 'inboxId' | 'mailboxId'>;
	/** "Inbox", "Mailbox". */
	label: string;
	/** Where users find the id, for the filter's description. */
	hint: string;
}

export interface PlatformModule {
	id: Platform;
	displayName: string;
	/** The n8n credential type name. */
	credentialType: string;
	statuses: StatusMap;
	readSettings(credentials: Record<string, unknown>): PlatformSettings;
	container: ConversationContainer;
	trigger: {
		adapter: TriggerAdapter;
		registration: WebhookRegistration;
		priming: Priming;
		/** Shown in the trigger node while this platform is selected: what the platform needs to deliver. */
		notice: string;
		/** Logged when the trigger has registered a new webhook: what the platform needs before every event reaches it. */
		afterRegistration?: string;
		/**
		 * Whether some of its deliveries carry no signature at all (old versions, automation webhooks). Only then does
		 * the trigger offer Accept Unsigned Deliveries; a platform that signs everything gets no such way around it.
		 */
		sendsUnsigned: boolean;
		/** Option "Look Up Who Changed It": one API read per item that names who made the change, where the platform can. */
		whoChanged?: {
			request(change: StatusChange): ApiRequest | null;
			apply(change: StatusChange, response: ApiResponse): StatusChange;
		};
	};
	action: ConversationApi;
}

/** The platforms the nodes offer, in the order they are listed. */
export class PlatformRegistry {
	private readonly modules = new Map<Platform, PlatformModule>();

	constructor(modules: readonly PlatformModule[] = []) {
		for (const module of modules) this.register(module);
	}

	register(module: PlatformModule): void {
		if (this.modules.has(module.id)) throw new Error(`Platform "${module.id}" is already registered`);
		this.modules.set(module.id, module);
	}

	all(): PlatformModule[] {
		return [...this.modules.values()];
	}

	/** The platform of a node parameter value; an unknown value is a configuration error worth a clear message. */
	get(id: unknown): PlatformModule {
		const module = typeof id === 'string' ? this.modules.get(id) : undefined;
		if (module === undefined) {
			const known = [...this.modules.keys()].join(', ');
			throw new Error(`Unknown platform ${JSON.stringify(id) ?? 'nothing'} (known: ${known})`);
		}
		return module;
	}
}
