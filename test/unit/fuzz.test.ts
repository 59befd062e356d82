/** Whatever arrives, the core answers with an outcome and never throws. */
import fc from 'fast-check';

import { handleDelivery } from '../../nodes/core/trigger/pipeline';
import { Memory } from '../../nodes/core/trigger/memory';
import { NO_FILTERS } from '../../nodes/core/trigger/filters';
import { platforms } from '../../nodes/platforms';
import { reopenAsPendingSequence } from '../fixtures/chatwoot-payloads';
import { realFreeScoutDeliveries } from '../support/fixtures';
import { NOW_SECONDS } from './pipeline-helpers';
import type { Platform } from '../../nodes/core/types';

const realBodies: string[] = [
	...reopenAsPendingSequence(5, NOW_SECONDS).map((body) => JSON.stringify(body)),
	...realFreeScoutDeliveries().map((capture: { body: Buffer }) => capture.body.toString('utf8')),
];

/** Replaces one value somewhere in a JSON document with an arbitrary one. */
function mutate(json: unknown, path: number[], replacement: unknown): unknown {
	if (path.length === 0 || typeof json !== 'object' || json === null) return replacement;
	const keys = Object.keys(json);
	if (keys.length === 0) return replacement;
	const key = keys[path[0] % keys.length];
	const copy: Record<string, unknown> = Array.isArray(json) ? [...json] as unknown as Record<string, unknown> : { ...json };
	copy[key] = mutate((json as Record<string, unknown>)[key], path.slice(1), replacement);
	return copy;
}

const headerValue = fc.oneof(fc.string(), fc.constantFrom('convo.status', 'convo.customer.reply.created', '1781946845', 'sha256=00'));
const headers = fc.dictionary(
	fc.constantFrom('x-freescout-event', 'x-freescout-signature', 'x-chatwoot-signature', 'x-chatwoot-timestamp', 'x-chatwoot-delivery'),
	fc.oneof(headerValue, fc.array(headerValue, { maxLength: 2 })),
);

async function run(platform: Platform, rawBody: string | undefined, deliveryHeaders: Record<string, string | string[]>, acceptUnsigned: boolean) {
	const outcome = handleDelivery(
		platforms.get(platform).trigger.adapter,
		{ rawBody, parsedBody: undefined, headers: deliveryHeaders },
		{
			secret: acceptUnsigned ? null : 'secret',
			acceptUnsigned,
			toleranceSeconds: 300,
			context: { baseUrl: null, accountId: null, apiUserIds: [] },
			filters: NO_FILTERS,
			container: platforms.get(platform).container,
		},
		new Memory(5),
		NOW_SECONDS * 1000,
	);
	expect([200, 400, 401]).toContain(outcome.httpStatus);
}

describe('fuzz', () => {
	it('random bytes and headers', async () => {
		await fc.assert(
			fc.asyncProperty(fc.constantFrom<Platform>('chatwoot', 'freescout'), fc.option(fc.string(), { nil: undefined }), headers, fc.boolean(), run),
			{ numRuns: 300 },
		);
	});

	it('real payloads with one value replaced by anything', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom<Platform>('chatwoot', 'freescout'),
				fc.constantFrom(...realBodies),
				fc.array(fc.nat(40), { maxLength: 5 }),
				fc.jsonValue(),
				headers,
				async (platform, body, path, replacement, deliveryHeaders) => {
					const raw = JSON.stringify(mutate(JSON.parse(body), path, replacement));
					await run(platform, raw, { ...deliveryHeaders, 'x-freescout-event': 'convo.status' }, true);
				},
			),
			{ numRuns: 500 },
		);
	});
});
