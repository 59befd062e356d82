/**
 * Writing a trigger's static data from webhook() so that n8n really saves it.
 *
 * n8n saves a workflow's static data after a webhook call only when its "changed" flag is set. When the call starts
 * an execution, n8n (2.41: WorkflowRunner.run -> establishContextForPersistence) wraps the same static data in a new
 * Workflow, which sets that flag back to false, and saves only afterwards, after its database round trips for the
 * new execution. A change made inside webhook() is then lost. Assigning the value again once the execution has
 * started sets the flag again. The restart and queue-mode tests against a real n8n (2.41.1, 1.123.81) guard this.
 */

/**
 * n8n clears the flag in the promise continuations that follow webhook(), a few dozen microtask steps with no I/O
 * in between. Writing again at every step of a longer microtask chain therefore writes last after the clear and
 * before any database answer, whatever the load (an I/O callback, used before, raced with those answers; the
 * community lint rules out setImmediate).
 */
const MICROTASK_STEPS = 1000;

/** Runs `write` now and again once n8n has started the execution of this webhook call. */
export function writeSurvivingExecutionStart(write: () => void): void {
	write();
	let steps = 0;
	const again = () => {
		write();
		if (++steps < MICROTASK_STEPS) queueMicrotask(again);
	};
	queueMicrotask(again);
}
