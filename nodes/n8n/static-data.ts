/**
 * Writing a trigger's static data from webhook() so that n8n really saves it.
 *
 * n8n saves a workflow's static data after a webhook call only when its "changed" flag is set. When the call starts
 * an execution, n8n (2.41: WorkflowRunner.run -> establishContextForPersistence) wraps the same static data in a new
 * Workflow, which sets that flag back to false, and saves only afterwards, after its database round trips for the
 * new execution. A change made inside webhook() is then lost. Assigning the value again once the execution has
 * started sets the flag again: the write below runs in an I/O callback, which comes after n8n's synchronous start of
 * the execution and before the database answers it waits for. The restart tests against a real n8n guard this.
 */
import { randomBytes } from 'crypto';

/** Runs `write` now and again once n8n has started the execution of this webhook call. */
export function writeSurvivingExecutionStart(write: () => void): void {
	write();
	randomBytes(1, () => write());
}
