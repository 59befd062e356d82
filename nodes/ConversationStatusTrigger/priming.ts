/**
 * Priming the trigger's memory when a lifecycle method says so (core/trigger/registration-steps.ts: primesOn):
 * the current status of the platform's most recently updated conversations, merged into the stored memory.
 */
import type { IHookFunctions } from 'n8n-workflow';

import type { PlatformModule } from '../core/platform';
import { REGISTRATION_TIMEOUT_MS } from '../core/trigger/activation';
import { Memory } from '../core/trigger/memory';
import { primeMemory } from '../core/trigger/priming';
import { primesOn } from '../core/trigger/registration-steps';
import { rememberedConversations, type TriggerOptions } from '../core/trigger/delivery-settings';
import { platformSettings, sendApiRequest } from '../n8n/request';
import { MEMORY_KEY } from './static-keys';

/** Primes the memory in static data, unless n8n's activation mode rules it out. A failure is only a warning. */
export async function primeOnActivation(this: IHookFunctions, platform: PlatformModule, options: TriggerOptions): Promise<void> {
	if (!primesOn(this.getActivationMode())) return;
	const staticData = this.getWorkflowStaticData('node');
	const limit = rememberedConversations(options);
	const memory = new Memory(limit);
	memory.merge(staticData[MEMORY_KEY], Date.now());
	const { accountId } = await platformSettings.call(this, platform);
	const outcome = await primeMemory(
		platform.trigger.priming,
		async (request) => await sendApiRequest.call(this, platform, request, { timeoutMs: REGISTRATION_TIMEOUT_MS }),
		{ accountId },
		memory,
		limit,
	);
	if ('failure' in outcome) {
		this.logger.warn(
			`Conversation Status Trigger: could not read the current status of ${platform.displayName}'s conversations ` +
				`(${outcome.failure}); it starts with ${outcome.primed} known, and learns the others from their deliveries`,
		);
	}
	staticData[MEMORY_KEY] = memory.stored();
}
