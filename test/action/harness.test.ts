/**
 * The in-process harness itself: a tiny probe node sends one request through nodes/n8n/request with each credential
 * type, run by n8n-core's WorkflowExecute; the fake API sees the credential header applied by the harness.
 */
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { DEFAULT_TIMEOUT_MS } from '../../nodes/core/http';
import { sendApiRequest } from '../../nodes/n8n/request';
import { platforms } from '../../nodes/platforms';
import { startFakeApi } from './fake-api';
import * as harness from '../support/n8n-harness';

class Probe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Harness probe',
		usableAsTool: true,
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'chatwootApi', required: true, displayOptions: { show: { platform: ['chatwoot'] } } },
			{ name: 'freeScoutApi', required: true, displayOptions: { show: { platform: ['freescout'] } } },
		],
		properties: [
			{ displayName: 'Platform', name: 'platform', type: 'options', options: [
				{ name: 'Chatwoot', value: 'chatwoot' },
				{ name: 'FreeScout', value: 'freescout' },
			], default: 'chatwoot' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '/' },
			{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const platform = platforms.get(this.getNodeParameter('platform', i));
			if (this.getNodeParameter('fail', i) as boolean) {
				if (this.continueOnFail()) {
					out.push({ json: { error: 'failed on purpose' }, pairedItem: { item: i } });
					continue;
				}
				throw new NodeOperationError(this.getNode(), 'failed on purpose', { itemIndex: i });
			}
			const response = await sendApiRequest.call(
				this,
				platform,
				{ method: 'GET', path: this.getNodeParameter('path', i) as string },
				{ timeoutMs: DEFAULT_TIMEOUT_MS },
			);
			out.push({ json: { statusCode: response.statusCode, body: response.body as never }, pairedItem: { item: i } });
		}
		return [out];
	}
}

describe('n8n harness', () => {
	let api: Awaited<ReturnType<typeof startFakeApi>>;
	beforeAll(async () => {
		api = await startFakeApi((req) => ({ status: 200, body: { path: req.path, n: req.query.n ?? null } }));
	});
	afterAll(async () => api.stop());
	beforeEach(() => api.clearLog());

	it('runs a node through WorkflowExecute with the Chatwoot credential header applied (Api-Access-Token, the form nginx keeps)', async () => {
		const result = await harness.runNode({
			node: Probe,
			parameters: { platform: 'chatwoot', path: '={{ "/api/v1/x/" + $json.n }}' },
			credentials: { chatwootApi: { baseUrl: `${api.url}/`, accountId: 1, accessToken: 'tok-1' } },
			inputItems: [{ n: 1 }, { n: 2 }],
		});
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.jsonItems).toEqual([
			{ statusCode: 200, body: { path: '/api/v1/x/1', n: null } },
			{ statusCode: 200, body: { path: '/api/v1/x/2', n: null } },
		]);
		expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(api.log.map((r) => [r.method, r.path, r.headers['api-access-token']])).toEqual([
			['GET', '/api/v1/x/1', 'tok-1'],
			['GET', '/api/v1/x/2', 'tok-1'],
		]);
	});

	it('applies the FreeScout API key header', async () => {
		const result = await harness.runNode({
			node: Probe,
			parameters: { platform: 'freescout', path: '/api/users' },
			credentials: { freeScoutApi: { baseUrl: api.url, apiKey: 'key-9', defaultUserId: 0 } },
		});
		expect(result.error).toBeUndefined();
		expect(api.log.map((r) => [r.path, r.headers['x-freescout-api-key']])).toEqual([['/api/users', 'key-9']]);
	});

	it('returns node errors instead of throwing, and honours continueOnFail', async () => {
		const failed = await harness.runNode({ node: Probe, parameters: { fail: true }, credentials: { chatwootApi: {} } });
		expect(failed.status).toBe('error');
		expect(failed.errorMessage).toBe('failed on purpose');
		const continued = await harness.runNode({
			node: Probe,
			parameters: { fail: true },
			credentials: { chatwootApi: {} },
			onError: 'continueRegularOutput',
		});
		expect(continued.error).toBeUndefined();
		expect(continued.jsonItems).toEqual([{ error: 'failed on purpose' }]);
	});

	it('resolves credential expressions without a workflow', () => {
		expect(harness.resolveCredentialExpression('={{$credentials.a}}', { a: 'x' })).toBe('x');
		expect(harness.resolveCredentialExpression('=Bearer {{ $credentials.a }}', { a: 'x' })).toBe('Bearer x');
		expect(harness.resolveCredentialExpression('plain', { a: 'x' })).toBe('plain');
	});
});
