/**
 * A Chatwoot and a FreeScout simulator started together for the Sync Status tests, with a session to each as the
 * node's requests reach them (the credential's header added, retries off).
 */
import type { ApiRequest, ApiResponse } from '../../nodes/core/http';
import type { Session } from '../../nodes/core/action/operations';
import { createSession } from '../../nodes/core/action/operations';
import { api as chatwootApi } from '../../nodes/platforms/chatwoot/api';
import { api as freescoutApi } from '../../nodes/platforms/freescout/api';
import { createChatwootSimulator } from '../simulators/chatwoot';
import { createFreeScoutSimulator } from '../simulators/freescout';

export type ChatwootSim = ReturnType<typeof createChatwootSimulator>;

/** The part of the FreeScout simulator these tests use. */
export interface FreeScoutSim {
	url: string;
	apiKey: string;
	start(): Promise<{ url: string }>;
	stop(): Promise<void>;
	createConversation(options: { status?: string; customerId?: number; subject?: string }): number;
	changeStatusFromMenu(id: number, status: string): void;
	getConversation(id: number, options?: { withThreads: boolean }): { status: string; customFields?: Array<{ name: string; value: string }> };
	getApiRequests(): Array<{ method: string; path: string; body: unknown }>;
	clearLogs(): void;
	addCustomer(customer: { firstName: string; email: string }): { id: number };
	addCustomField(spec: { mailboxId: number; name: string; type: string }): { id: number };
	setCustomFieldFromUi(conversationId: number, fieldId: number, value: string): void;
}

export interface SimulatorPair {
	cw: ChatwootSim;
	fs: FreeScoutSim;
	chatwoot: Session;
	freescout: Session;
	stop(): Promise<void>;
}

/** A session that sends to `base` with `headers`, as n8n's authenticated request helper would. */
export function sessionTo(api: typeof chatwootApi, base: string, headers: Record<string, string>, accountId: number | null): Session {
	const send = async (request: ApiRequest): Promise<ApiResponse> => {
		const url = new URL(base + request.path);
		for (const [name, value] of Object.entries(request.qs ?? {})) url.searchParams.set(name, String(value));
		const response = await fetch(url, {
			method: request.method,
			headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
		});
		const text = await response.text();
		let body: unknown = text;
		try {
			body = text === '' ? '' : JSON.parse(text);
		} catch {
			// not JSON: kept as text
		}
		return { statusCode: response.status, headers: {}, body };
	};
	return createSession({
		api,
		scope: { accountId },
		send,
		retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
		timeoutMs: 10_000,
		deps: { sleep: async () => undefined, random: () => 0.5, now: Date.now },
	});
}

/** Both simulators (FreeScout with `freescoutOptions`, e.g. its Custom Fields module) and a session to each. */
export async function startSimulatorPair(freescoutOptions: Record<string, unknown> = {}): Promise<SimulatorPair> {
	const cw = createChatwootSimulator({ version: '4.15.1', attachBot: false });
	await cw.start();
	const fs = createFreeScoutSimulator(freescoutOptions) as unknown as FreeScoutSim;
	await fs.start();
	return {
		cw,
		fs,
		chatwoot: sessionTo(chatwootApi, cw.url as string, { api_access_token: cw.tokens().administrator }, cw.ids().accountId),
		freescout: sessionTo(freescoutApi, fs.url, { 'X-FreeScout-API-Key': fs.apiKey }, null),
		stop: async () => {
			await cw.stop();
			await fs.stop();
		},
	};
}
