/**
 * Priming the memory on activation: the current status of the most recently updated conversations, read page by
 * page from the platform's API, so that the first delivery for a conversation already has an earlier status to
 * compare with. Pure: the caller sends the requests.
 *
 * A primed status is inference, weaker than any delivery (Memory.learnInferred): it ranks later deliveries but
 * never hides a change a delivery shows, even one older than it (a change made just before activation whose
 * delivery is still queued, or one the platform retries after an n8n restart). So priming may run again at every
 * n8n 1.x start, where n8n calls checkExists for every active trigger: it adds what changed while n8n was down
 * (a better previousStatus for the next change) and cannot drop or repeat an item.
 */
import type { ApiScope } from '../action/conversation-api';
import type { ApiRequest, ApiResponse } from '../http';
import type { Status } from '../types';
import type { Memory } from './memory';
import type { Stamp } from './types';

export interface PrimedConversation {
	key: string;
	status: Status;
	at: Stamp;
}

export interface PrimingPage {
	conversations: PrimedConversation[];
	/** No page after this one. */
	lastPage: boolean;
}

export interface Priming {
	/** Page `page` (from 1) of the conversations, most recently updated first. */
	pageRequest(page: number, scope: ApiScope): ApiRequest;
	/** Reads a 2xx answer to page `page`; null when it is not the shape the platform answers with. */
	readPage(response: ApiResponse, scope: ApiScope, page: number): PrimingPage | null;
}

export type PrimingOutcome = { primed: number; requests: number } | { failure: string; primed: number; requests: number };

/** Reads pages until `limit` conversations are known or there are no more; merges them into the memory. */
export async function primeMemory(
	priming: Priming,
	send: (request: ApiRequest) => Promise<ApiResponse>,
	scope: ApiScope,
	memory: Memory,
	limit: number,
): Promise<PrimingOutcome> {
	let primed = 0;
	let requests = 0;
	while (primed < limit) {
		const request = priming.pageRequest(requests + 1, scope);
		requests++;
		let response: ApiResponse;
		try {
			response = await send(request);
		} catch (error) {
			return { failure: `${request.method} ${request.path} got no answer (${(error as Error).message})`, primed, requests };
		}
		const page = response.statusCode >= 200 && response.statusCode < 300 ? priming.readPage(response, scope, requests) : null;
		if (page === null) {
			return { failure: `${request.method} ${request.path} answered HTTP ${response.statusCode}, not a conversation list`, primed, requests };
		}
		for (const conversation of page.conversations.slice(0, limit - primed)) {
			memory.learnInferred(conversation.key, conversation.status, conversation.at);
			primed++;
		}
		if (page.lastPage || page.conversations.length === 0) break;
	}
	return { primed, requests };
}
