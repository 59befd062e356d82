/**
 * Bounded concurrency with results in input order: at most `concurrency` calls run at once, each result lands at
 * its item's index. With `stopOnError`, no new item starts after a failure (items not started are 'skipped'),
 * so a node that stops at the first error does not keep writing behind it.
 */
export type Settled<T> =
	| { status: 'fulfilled'; value: T }
	| { status: 'rejected'; reason: unknown }
	| { status: 'skipped' };

export async function mapPool<I, O>(
	items: readonly I[],
	concurrency: number,
	fn: (item: I, index: number) => Promise<O>,
	options: { stopOnError?: boolean } = {},
): Promise<Array<Settled<O>>> {
	const results: Array<Settled<O>> = items.map(() => ({ status: 'skipped' }));
	const limit = Math.max(1, Math.min(items.length, Math.floor(concurrency) || 1));
	let next = 0;
	let failed = false;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			if (failed && options.stopOnError) return;
			const index = next++;
			try {
				results[index] = { status: 'fulfilled', value: await fn(items[index], index) };
			} catch (reason) {
				failed = true;
				results[index] = { status: 'rejected', reason };
			}
		}
	};
	const workers: Array<Promise<void>> = [];
	for (let i = 0; i < limit; i++) workers.push(worker());
	await Promise.all(workers);
	return results;
}
