/**
 * The trigger's webhook(): one delivery through the core pipeline, with the memory kept where n8n keeps state.
 *
 * n8n reads the workflow's static data afresh for every webhook request, and with several webhook processes (queue
 * mode) or main processes each of them writes it, the last write replacing the whole value. So static data is the
 * shared copy, merged into this process's memory on every request (points joined by stamp, in any order) and
 * written back only when this process knows something it lacks. The process's memory is what concurrent requests
 * of this process decide on, without an await between reading and updating it.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { PlatformModule } from '../core/platform';
import { Memory } from '../core/trigger/memory';
import { handleDelivery } from '../core/trigger/pipeline';
import {
	deliverySettings,
	memoryKey,
	rememberedConversations,
	storedWebhookOf,
	type TriggerFilters,
	type TriggerOptions,
} from '../core/trigger/delivery-settings';
import type { Delivery } from '../core/trigger/types';
import { platformSettings } from '../n8n/request';
import { answerAndStart } from '../n8n/static-data';
import { lookUpWhoChanged } from '../n8n/who-changed';
import { MEMORY_KEY, WEBHOOK_KEY } from './static-keys';

/**
 * This process's memory of each trigger node (and of its test listening, kept apart), the text it last stored, and
 * the static data of its latest requests. n8n saves each request's own copy of static data, whole, when that
 * request is done; two requests in flight may save in either order. So every write puts the process's newest
 * memory into the copies of the requests still in flight too: whichever save lands last carries everything this
 * process knew by then.
 */
interface ProcessMemory {
	memory: Memory;
	text: string | null;
	inFlight: IDataObject[];
}

/** More than n8n keeps in flight for one trigger in one process in practice; older copies were saved long ago. */
const IN_FLIGHT_COPIES = 16;
const processMemories = new Map<string, ProcessMemory>();

function processMemory(key: string, maxConversations: number): ProcessMemory {
	let state = processMemories.get(key);
	if (state === undefined || state.memory.maxConversations !== maxConversations) {
		state = { memory: new Memory(maxConversations), text: null, inFlight: [] };
		processMemories.set(key, state);
	}
	return state;
}

export async function receiveDelivery(this: IWebhookFunctions, platform: PlatformModule): Promise<IWebhookResponseData> {
	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const filters = this.getNodeParameter('filters', {}) as TriggerFilters;
	const staticData = this.getWorkflowStaticData('node');
	let settings;
	try {
		settings = deliverySettings(platform, options, filters, await platformSettings.call(this, platform), storedWebhookOf(staticData[WEBHOOK_KEY]));
	} catch (error) {
		throw new NodeOperationError(this.getNode(), error as Error);
	}

	const test = this.getMode() === 'manual';
	const now = Date.now();
	const state = processMemory(memoryKey(this.getWorkflow().id, this.getNode().id, test), rememberedConversations(options));
	const { memory } = state;
	const merged = memory.merge(staticData[MEMORY_KEY], now);
	if (merged.invalid > 0) {
		this.logger.warn(
			`Conversation Status Trigger: dropped ${merged.invalid} invalid entries of its stored memory (workflow static data); the rest is kept`,
		);
	}
	const version = memory.version;

	const request = this.getRequestObject();
	const delivery: Delivery = { rawBody: request.rawBody, parsedBody: request.body, headers: request.headers };
	const outcome = handleDelivery(platform.trigger.adapter, delivery, settings, memory, now);
	if (outcome.httpStatus !== 200) {
		// The sender learns only that it was refused; why is for the n8n administrator.
		this.logger.warn(`Conversation Status Trigger: ${outcome.detail}`);
		this.getResponseObject().status(outcome.httpStatus).json({ message: outcome.message });
		return { noWebhookResponse: true };
	}

	// Only with the option: one more API read per change, before the answer.
	let changes = 'changes' in outcome ? outcome.changes : [];
	if (options.lookUpWhoChanged === true) changes = await lookUpWhoChanged.call(this, platform, changes);
	// Test listening never writes: its memory is its own, and the published trigger's stays as it is.
	if (!test && (merged.shouldWriteBack || memory.version !== version)) {
		state.text = memory.stored();
		state.inFlight = [staticData, ...state.inFlight.filter((copy) => copy !== staticData)].slice(0, IN_FLIGHT_COPIES);
		for (const copy of state.inFlight) copy[MEMORY_KEY] = state.text;
	}
	if (!('changes' in outcome)) return { webhookResponse: { received: true, ignored: outcome.ignored } };

	const items = changes.map((change) => {
		const item: IDataObject = { ...(change as unknown as IDataObject) };
		if (options.includeRawPayload === true) item.raw = outcome.body as IDataObject;
		return item;
	});
	return answerAndStart.call(this, { received: true, changes: items.length }, [this.helpers.returnJsonArray(items)]);
}
