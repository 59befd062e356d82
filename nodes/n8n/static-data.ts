/**
 * Starting an execution from webhook() so that the static data it changed is saved.
 *
 * n8n saves a workflow's static data after a webhook call in its response callback, and only when the data's
 * "changed" flag is set (LiveWebhooks.executeWebhook -> WorkflowStaticDataService.saveStaticData). Starting the
 * execution (WorkflowRunner.run) wraps the same static data in a new Workflow, which clears that flag. So the save
 * sees the change only if the response callback runs before the run starts:
 * - n8n 2.41 answers an `onReceived` webhook only after the run has started: a change made in webhook() is lost;
 * - a trigger that answers the request itself and returns `noWebhookResponse` with its workflowData makes n8n call
 *   the response callback at once, before it prepares the run (webhook-helpers executeWebhook, the same order in
 *   1.123.81 and 2.41.1); the callback checks the flag synchronously, so nothing can clear it in between.
 * The same code serves the main process and every `n8n webhook` process of queue mode. test/unit/n8n-webhook-order
 * reads that order from the installed n8n, and the restart and queue e2e tests check it on both lines.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** Answers the request with 200 and `body`, then has n8n start the execution with `workflowData`. */
export function answerAndStart(
	this: IWebhookFunctions,
	body: IDataObject,
	workflowData: INodeExecutionData[][],
): IWebhookResponseData {
	this.getResponseObject().status(200).json(body);
	return { noWebhookResponse: true, workflowData };
}
