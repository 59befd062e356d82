/** The action node's errors: the core's pure failures become the NodeApiError / NodeOperationError n8n shows. */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { ApiCallError, InvalidParameterError } from '../core/action/conversation-api';

/** Any error of one item as n8n's error for that item: the platform's words, HTTP code and what to check kept. */
export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof ApiCallError) {
		return new NodeApiError(
			node,
			{ message: error.message, description: error.description, platformMessage: error.platformMessage } as JsonObject,
			{
				message: error.message,
				description: error.description,
				httpCode: error.statusCode === null ? undefined : String(error.statusCode),
				itemIndex,
			},
		);
	}
	if (error instanceof InvalidParameterError) {
		return new NodeOperationError(node, error.message, { description: error.description, itemIndex });
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}
