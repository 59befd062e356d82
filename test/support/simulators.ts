/**
 * The simulators (and receivers, scripted APIs) a test needs, started for that test and stopped after it, also when it fails half-way (a
 * simulator left running keeps jest's process alive). Call it at the top of a describe block:
 *   const simulators = simulatorsPerTest();
 *   const sim = await simulators.chatwoot({ attachBot: false });
 */
import { createChatwootSimulator } from '../simulators/chatwoot';
import { createFreeScoutSimulator, startWebhookReceiver } from '../simulators/freescout';
import { startFakeApi } from '../action/fake-api';

export type ChatwootSim = ReturnType<typeof createChatwootSimulator>;
export type FreeScoutSim = ReturnType<typeof createFreeScoutSimulator>;
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
export type FakeApi = Awaited<ReturnType<typeof startFakeApi>>;

/** One delivery attempt as the FreeScout simulator records it (getDeliveries), oldest first. */
export interface FreeScoutDelivery {
	id: number;
	jobId: number;
	webhookId: number;
	url: string;
	event: string;
	conversationId: number;
	/** The conversation's status when the event was queued. */
	status: string;
	signature: string;
	userAgent: string;
	body: Buffer;
	bodyText: string;
	/** 1 for the first try, up to 10 with retries. */
	attempt: number;
	/** 0 when no answer came (see error). */
	responseStatus: number;
	error: string | null;
	ok: boolean;
	startedAt: number;
	finishedAt: number;
}

/** The Chatwoot version the tests simulate unless they say otherwise. */
export const CHATWOOT_VERSION = '4.15.1';

/** Chatwoot API credentials for a simulator, as the nodes read them: the administrator's token and no webhook secret unless overridden. */
export function chatwootCredentials(sim: ChatwootSim, overrides: Record<string, unknown> = {}) {
	return {
		baseUrl: sim.url,
		accountId: sim.ids().accountId,
		accessToken: sim.tokens().administrator,
		webhookSecret: '',
		ignoreSslIssues: false,
		...overrides,
	};
}

export interface Simulators {
	/** A Chatwoot simulator (version 4.15.1 unless given), started. */
	chatwoot(options?: Record<string, unknown>): Promise<ChatwootSim>;
	/** A FreeScout simulator, started. */
	freescout(options?: Record<string, unknown>): Promise<FreeScoutSim>;
	/** A webhook receiver for FreeScout's deliveries, started. */
	receiver(options?: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver>;
	/** A scripted API in front of, or instead of, a simulator (see test/action/fake-api.js), started. */
	fakeApi(handler?: Parameters<typeof startFakeApi>[0]): Promise<FakeApi>;
	/** Stops everything started so far, newest first (afterEach does it too). */
	stopAll(): Promise<void>;
}

export function simulatorsPerTest(): Simulators {
	const running: Array<() => Promise<void>> = [];
	const stopAll = async () => {
		while (running.length > 0) await running.pop()!();
	};
	afterEach(stopAll);
	return {
		async chatwoot(options = {}) {
			const sim = createChatwootSimulator({ version: CHATWOOT_VERSION, ...options });
			await sim.start();
			running.push(() => sim.stop());
			return sim;
		},
		async freescout(options = {}) {
			const sim = createFreeScoutSimulator(options);
			await sim.start();
			running.push(() => sim.stop());
			return sim;
		},
		async receiver(options) {
			const receiver = await startWebhookReceiver(options);
			running.push(() => receiver.close());
			return receiver;
		},
		async fakeApi(handler) {
			const api = await startFakeApi(handler);
			running.push(() => api.stop());
			return api;
		},
		stopAll,
	};
}
