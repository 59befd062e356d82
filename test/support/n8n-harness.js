'use strict';
/**
 * In-process n8n harness: runs this package's nodes through n8n-core's real execution engine (WorkflowExecute),
 * without an n8n server. Pinned to n8n-core 2.41.1 / n8n-workflow 2.41.0 (the versions in devDependencies).
 *
 * Load order: test/support/env.js (jest setupFiles) sets N8N_USER_FOLDER and loads reflect-metadata before
 * this file requires n8n-core. Node and credential classes are TypeScript sources required through jest's
 * transform (ts-jest), so this file only works inside jest, or when classes are passed in as arguments.
 *
 * Exported API (stable; test/support/n8n-webhook-harness.js builds on it):
 *
 *   PACKAGE_NAME                         'n8n-nodes-conversation-status' (node types are '<PACKAGE_NAME>.<name>')
 *   loadClass(relPath, exportName)       a class from a source file, path relative to the repository root,
 *                                        e.g. loadClass('credentials/ChatwootApi.credentials.ts', 'ChatwootApi')
 *   loadPackageCredentialTypes()         { chatwootApi: ChatwootApi instance, freeScoutApi: ... } (all of this package)
 *   nodeTypeName(nodeTypeOrClass)        the workflow `type` string of a node class or instance
 *   createNodeTypes(nodeTypesOrClasses)  an INodeTypes lookup (getByName, getByNameAndVersion, getKnownTypes)
 *                                        over the given classes/instances; `.register(x)` adds one more
 *   resolveCredentialExpression(value, credentials, { workflow, node })
 *                                        resolves '={{$credentials.x}}'-style strings the way n8n's own
 *                                        CredentialsHelper does (n8n expression engine when a workflow and node
 *                                        are given, a small `$credentials.<name>` resolver otherwise)
 *   applyGenericAuthentication(credentialType, credentials, requestOptions, { workflow, node })
 *                                        applies an IAuthenticateGeneric (headers, qs, body, auth) to a copy of
 *                                        the request options; a function `authenticate` is called as is
 *   class TestCredentialsHelper          an ICredentialsHelper for n8n-workflow 2.41:
 *     new TestCredentialsHelper({ credentialTypes, credentials })
 *       credentialTypes: { [typeName]: ICredentialType instance } (default: loadPackageCredentialTypes())
 *       credentials:     { [typeName]: data } or { [typeName]: { [credentialId]: data } } when `byId: true`
 *     .getDecrypted() returns a fresh copy of the data; .authenticate() applies the type's `authenticate`;
 *     .calls is a log of { method, type } for assertions; .setCredentials(type, data) replaces data later.
 *   createHooks({ mode, executionId, workflowData })
 *                                        an ExecutionLifecycleHooks that records `nodeExecuteAfter` task data in
 *                                        `hooks.nodeRuns` ({ [nodeName]: ITaskData[] }) and the final run in
 *                                        `hooks.run` (set by workflowExecuteAfter)
 *   createAdditionalData({ credentialsHelper, hooks, baseUrl, executionId, workflowId, overrides })
 *                                        an IWorkflowExecuteAdditionalData with valid base URLs (default
 *                                        'http://localhost:5678/'), no-op sub-workflow/agent/runner functions
 *   createNode({ nodeType, name, parameters, credentials, typeVersion, position, id, webhookId, onError,
 *                continueOnFail, disabled })
 *                                        an INode; `nodeType` is a class, an instance or a type string;
 *                                        `credentials` may be { type: data } (ids assigned: { id: type, name })
 *   createWorkflow({ nodes, connections, nodeTypes, staticData, id, name, settings, active })
 *                                        an n8n-workflow Workflow (settings default { executionOrder: 'v1' })
 *   executeWorkflow({ workflow, additionalData, startNodeName, inputItems, mode, hooks })
 *                                        runs `workflow` from `startNodeName`, whose input is `inputItems`
 *                                        (plain objects become { json }), through
 *                                        WorkflowExecute.processRunExecutionData; resolves to
 *                                        { run, runData, error, status, outputOf(nodeName, outputIndex = 0) }
 *                                        where outputOf returns INodeExecutionData[] (or [] when none)
 *   runNode({ node, parameters, credentials, inputItems, name, typeVersion, onError, continueOnFail,
 *             credentialTypes, nodeTypes, mode, baseUrl })
 *                                        executes ONE action node (class or instance in `node`) on `inputItems`
 *                                        (default [{ json: {} }]); `credentials` is { [typeName]: data }.
 *                                        Resolves to { items, jsonItems, outputs, error, errorMessage, status,
 *                                        run, taskData, credentialsHelper }:
 *                                          items      INodeExecutionData[] of output 0 (pairedItem kept)
 *                                          jsonItems  items.map(i => i.json)
 *                                          outputs    all outputs (INodeExecutionData[][])
 *                                          error      the node's execution error (NodeApiError/NodeOperationError
 *                                                     as n8n-core recorded it) or undefined
 *                                          errorMessage / errorDescription  shortcuts of error.message/description
 *                                          status     the IRun status ('success' | 'error' | ...)
 *
 * Errors: runNode never throws for node errors; it returns them in `error`. It throws only for harness misuse.
 */
const path = require('node:path');

require('reflect-metadata');
const { WorkflowExecute, ExecutionLifecycleHooks } = require('n8n-core');
const { Workflow, ICredentialsHelper, createRunExecutionData } = require('n8n-workflow');

const PACKAGE_NAME = 'n8n-nodes-conversation-status';
const REPO_ROOT = path.resolve(__dirname, '..', '..');

let executionCounter = 0;

/**
 * Types for TypeScript tests that import this file (test/tsconfig.json has allowJs).
 * @typedef {{ [key: string]: any }} AnyObject
 * @typedef {{ credentialTypes?: AnyObject, credentials?: AnyObject, byId?: boolean }} CredentialsHelperOptions
 * @typedef {{ mode?: string, executionId?: string, workflowData?: AnyObject }} HooksOptions
 * @typedef {{ credentialsHelper?: any, hooks?: any, baseUrl?: string, executionId?: string, workflowId?: string,
 *   overrides?: AnyObject }} AdditionalDataOptions
 * @typedef {{ nodeType: any, name?: string, parameters?: AnyObject, credentials?: AnyObject, typeVersion?: number,
 *   position?: [number, number], id?: string, webhookId?: string, onError?: string, continueOnFail?: boolean,
 *   disabled?: boolean }} CreateNodeOptions
 * @typedef {{ nodes: any[], connections?: AnyObject, nodeTypes: any, staticData?: AnyObject, id?: string,
 *   name?: string, settings?: AnyObject, active?: boolean }} CreateWorkflowOptions
 * @typedef {{ workflow: any, additionalData: any, startNodeName: string, inputItems?: any[], mode?: string }}
 *   ExecuteWorkflowOptions
 * @typedef {{ run: any, runData: AnyObject, error: any, status: string,
 *   outputOf: (nodeName: string, outputIndex?: number) => any[] }} ExecuteWorkflowResult
 * @typedef {{ node: any, parameters?: AnyObject, credentials?: AnyObject, inputItems?: any[], name?: string,
 *   typeVersion?: number, onError?: string, continueOnFail?: boolean, credentialTypes?: AnyObject,
 *   nodeTypes?: any, mode?: string, baseUrl?: string }} RunNodeOptions
 * @typedef {{ items: Array<{ json: any, pairedItem?: any, error?: any }>, jsonItems: any[], outputs: any[][],
 *   error: any, errorMessage: string | undefined, errorDescription: string | undefined, status: string, run: any,
 *   taskData: any, credentialsHelper: any, workflow: any, node: any }} RunNodeResult
 */

/** @param {string} relPath @param {string} exportName @returns {any} */
function loadClass(relPath, exportName) {
	const mod = require(path.join(REPO_ROOT, relPath));
	const cls = mod[exportName];
	if (typeof cls !== 'function') throw new Error(`harness: ${relPath} has no exported class ${exportName}`);
	return cls;
}

function loadPackageCredentialTypes() {
	const pkg = require(path.join(REPO_ROOT, 'package.json'));
	const result = {};
	for (const distPath of pkg.n8n.credentials) {
		const base = path.basename(distPath, '.credentials.js');
		const cls = loadClass(`credentials/${base}.credentials.ts`, base);
		const instance = new cls();
		result[instance.name] = instance;
	}
	return result;
}

function instantiate(typeOrClass) {
	return typeof typeOrClass === 'function' ? new typeOrClass() : typeOrClass;
}

function nodeTypeName(nodeTypeOrClass) {
	if (typeof nodeTypeOrClass === 'string') return nodeTypeOrClass;
	return `${PACKAGE_NAME}.${instantiate(nodeTypeOrClass).description.name}`;
}

/** @param {any[]} [nodeTypesOrClasses] @returns {any} */
function createNodeTypes(nodeTypesOrClasses = []) {
	const byName = new Map();
	const lookup = {
		register(typeOrClass, typeName) {
			const instance = instantiate(typeOrClass);
			byName.set(typeName || nodeTypeName(instance), instance);
			return lookup;
		},
		getByName(name) {
			const t = byName.get(name);
			if (!t) throw new Error(`harness: unknown node type "${name}"`);
			return t;
		},
		getByNameAndVersion(name, version) {
			const t = lookup.getByName(name);
			// Versioned node types (IVersionedNodeType) expose getNodeType(version).
			return typeof t.getNodeType === 'function' ? t.getNodeType(version) : t;
		},
		getKnownTypes() {
			const known = {};
			for (const name of byName.keys()) known[name] = { className: name, sourcePath: '' };
			return known;
		},
	};
	for (const t of nodeTypesOrClasses) lookup.register(t);
	return lookup;
}

function readCredentialPath(credentials, dotted) {
	let value = credentials;
	for (const key of dotted.split('.')) {
		if (value === null || value === undefined) return undefined;
		value = value[key];
	}
	return value;
}

/** @param {any} value @param {AnyObject} credentials @param {{ workflow?: any, node?: any }} [context] @returns {any} */
function resolveCredentialExpression(value, credentials, { workflow, node } = {}) {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	if (workflow && node) {
		// What n8n's CredentialsHelper.resolveValue does: a simple parameter value with $credentials as an extra key.
		return workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
	}
	const whole = /^=\{\{\s*\$credentials\.([A-Za-z0-9_.]+)\s*\}\}$/.exec(value);
	if (whole) return readCredentialPath(credentials, whole[1]);
	return value.slice(1).replace(/\{\{\s*\$credentials\.([A-Za-z0-9_.]+)\s*\}\}/g, (_m, key) => {
		const v = readCredentialPath(credentials, key);
		return v === undefined || v === null ? '' : String(v);
	});
}

/**
 * @param {any} credentialType @param {AnyObject} credentials @param {AnyObject} requestOptions
 * @param {{ workflow?: any, node?: any }} [context] @returns {Promise<any>}
 */
async function applyGenericAuthentication(credentialType, credentials, requestOptions, context = {}) {
	const authenticate = credentialType && credentialType.authenticate;
	if (!authenticate) return requestOptions;
	if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
	if (authenticate.type !== 'generic') throw new Error(`harness: unsupported authenticate type ${authenticate.type}`);
	const out = { ...requestOptions };
	for (const [outerKey, entries] of Object.entries(authenticate.properties || {})) {
		if (outerKey === 'auth') {
			const auth = {};
			for (const [k, v] of Object.entries(entries)) auth[k] = resolveCredentialExpression(v, credentials, context);
			out.auth = auth;
			continue;
		}
		const target = { ...(out[outerKey] || {}) };
		for (const [k, v] of Object.entries(entries)) target[k] = resolveCredentialExpression(v, credentials, context);
		out[outerKey] = target;
	}
	return out;
}

function deepCopy(value) {
	return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

class TestCredentialsHelper extends ICredentialsHelper {
	/** @param {CredentialsHelperOptions} [options] */
	constructor({ credentialTypes, credentials = {}, byId = false } = {}) {
		super();
		this.credentialTypes = credentialTypes || loadPackageCredentialTypes();
		this.credentials = credentials;
		this.byId = byId;
		this.calls = [];
	}

	setCredentials(type, data) {
		this.credentials[type] = data;
	}

	getParentTypes(name) {
		const t = this.credentialTypes[name];
		const parents = (t && t.extends) || [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}

	isCredentialUsableByNode() {
		return true;
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		this.calls.push({ method: 'authenticate', type: typeName });
		return await applyGenericAuthentication(this.credentialTypes[typeName], credentials, requestOptions, {
			workflow,
			node,
		});
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(nodeCredentials, type) {
		return { id: nodeCredentials.id, name: nodeCredentials.name, type, getData: () => this.lookup(nodeCredentials, type) };
	}

	lookup(nodeCredentials, type) {
		const entry = this.credentials[type];
		const data = this.byId && entry ? entry[nodeCredentials && nodeCredentials.id] : entry;
		if (data === undefined) throw new Error(`harness: no test credentials of type "${type}"`);
		return deepCopy(data);
	}

	async getDecrypted(_additionalData, nodeCredentials, type) {
		this.calls.push({ method: 'getDecrypted', type });
		return this.lookup(nodeCredentials, type);
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type) {
		const t = this.credentialTypes[type];
		return t ? t.properties : [];
	}
}

/** @param {HooksOptions} [options] */
function createHooks({ mode = 'manual', executionId, workflowData } = {}) {
	const hooks = new ExecutionLifecycleHooks(mode, executionId || `${++executionCounter}`, workflowData || {});
	hooks.nodeRuns = {};
	hooks.run = undefined;
	hooks.addHandler('nodeExecuteAfter', (nodeName, taskData) => {
		(hooks.nodeRuns[nodeName] = hooks.nodeRuns[nodeName] || []).push(taskData);
	});
	hooks.addHandler('workflowExecuteAfter', (run) => {
		hooks.run = run;
	});
	return hooks;
}

/** @param {AdditionalDataOptions} [options] @returns {any} */
function createAdditionalData({ credentialsHelper, hooks, baseUrl = 'http://localhost:5678/', executionId, workflowId, overrides } = {}) {
	const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
	const notAvailable = (what) => async () => {
		throw new Error(`harness: ${what} is not available in-process`);
	};
	return {
		credentialsHelper: credentialsHelper || new TestCredentialsHelper(),
		hooks,
		executionId: executionId || `${++executionCounter}`,
		workflowId,
		executeWorkflow: notAvailable('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		startRunnerTask: notAvailable('startRunnerTask'),
		logAiEvent: () => {},
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}form`,
		formWaitingBaseUrl: `${base}form-waiting`,
		formTestBaseUrl: `${base}form-test`,
		webhookBaseUrl: `${base}webhook`,
		webhookWaitingBaseUrl: `${base}webhook-waiting`,
		webhookTestBaseUrl: `${base}webhook-test`,
		mcpBaseUrl: `${base}mcp`,
		mcpTestBaseUrl: `${base}mcp-test`,
		variables: {},
		...(overrides || {}),
	};
}

let nodeIdCounter = 0;

/** @param {CreateNodeOptions} options @returns {any} */
function createNode({
	nodeType,
	name,
	parameters = {},
	credentials,
	typeVersion,
	position = [0, 0],
	id,
	webhookId,
	onError,
	continueOnFail,
	disabled,
} = {}) {
	const type = nodeTypeName(nodeType);
	const instance = typeof nodeType === 'string' ? undefined : instantiate(nodeType);
	const description = instance && instance.description;
	const version =
		typeVersion !== undefined
			? typeVersion
			: description
				? Array.isArray(description.version)
					? Math.max(...description.version)
					: description.version
				: 1;
	const node = {
		id: id || `node-${++nodeIdCounter}`,
		name: name || (description ? description.displayName : type),
		type,
		typeVersion: version,
		position,
		parameters,
	};
	if (webhookId) node.webhookId = webhookId;
	if (onError) node.onError = onError;
	if (continueOnFail) node.continueOnFail = true;
	if (disabled) node.disabled = true;
	if (credentials) {
		node.credentials = {};
		for (const typeName of Object.keys(credentials)) {
			node.credentials[typeName] = { id: typeName, name: `${typeName} (test)` };
		}
	}
	return node;
}

/** @param {CreateWorkflowOptions} options @returns {any} */
function createWorkflow({ nodes, connections = {}, nodeTypes, staticData, id = 'test-workflow', name = 'Test workflow', settings, active = false }) {
	return new Workflow({
		id,
		name,
		nodes,
		connections,
		active,
		nodeTypes,
		staticData: staticData || {},
		settings: settings || { executionOrder: 'v1' },
	});
}

function toItems(inputItems) {
	return (inputItems || [{ json: {} }]).map((item, index) => {
		const wrapped = item && typeof item === 'object' && 'json' in item ? { ...item } : { json: item };
		if (wrapped.pairedItem === undefined) wrapped.pairedItem = { item: index };
		return wrapped;
	});
}

/** @param {ExecuteWorkflowOptions} options @returns {Promise<ExecuteWorkflowResult>} */
async function executeWorkflow({ workflow, additionalData, startNodeName, inputItems, mode = 'manual' }) {
	const startNode = workflow.getNode(startNodeName);
	if (!startNode) throw new Error(`harness: no node named "${startNodeName}" in the workflow`);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [toItems(inputItems)] }, source: null }],
		},
	});
	const execute = new WorkflowExecute(additionalData, mode, runExecutionData);
	const run = await execute.processRunExecutionData(workflow);
	const runData = (run.data && run.data.resultData && run.data.resultData.runData) || {};
	const error = run.data && run.data.resultData ? run.data.resultData.error : undefined;
	return {
		run,
		runData,
		error,
		status: run.status,
		outputOf(nodeName, outputIndex = 0) {
			const tasks = runData[nodeName];
			if (!tasks || tasks.length === 0) return [];
			const last = tasks[tasks.length - 1];
			const main = last.data && last.data.main;
			return (main && main[outputIndex]) || [];
		},
	};
}

/** @param {RunNodeOptions} options @returns {Promise<RunNodeResult>} */
async function runNode({
	node,
	parameters = {},
	credentials = {},
	inputItems,
	name,
	typeVersion,
	onError,
	continueOnFail,
	credentialTypes,
	nodeTypes,
	mode = 'manual',
	baseUrl,
}) {
	if (!node) throw new Error('harness: runNode needs `node` (a node class or instance)');
	const types = nodeTypes || createNodeTypes([node]);
	const credentialsHelper = new TestCredentialsHelper({ credentialTypes, credentials });
	const workflowNode = createNode({
		nodeType: node,
		name,
		parameters,
		credentials,
		typeVersion,
		onError,
		continueOnFail,
	});
	const workflow = createWorkflow({ nodes: [workflowNode], nodeTypes: types });
	const hooks = createHooks({ mode, workflowData: { id: workflow.id, name: workflow.name, nodes: [workflowNode], connections: {} } });
	const additionalData = createAdditionalData({ credentialsHelper, hooks, baseUrl, workflowId: workflow.id });
	const result = await executeWorkflow({ workflow, additionalData, startNodeName: workflowNode.name, inputItems, mode });
	const tasks = result.runData[workflowNode.name] || [];
	const taskData = tasks[tasks.length - 1];
	const outputs = (taskData && taskData.data && taskData.data.main) || [];
	const items = outputs[0] || [];
	const error = (taskData && taskData.error) || result.error;
	return {
		items,
		jsonItems: items.map((i) => i.json),
		outputs,
		error,
		errorMessage: error ? error.message : undefined,
		errorDescription: error ? error.description : undefined,
		status: result.status,
		run: result.run,
		taskData,
		credentialsHelper,
		workflow,
		node: workflowNode,
	};
}

module.exports = {
	PACKAGE_NAME,
	REPO_ROOT,
	loadClass,
	loadPackageCredentialTypes,
	nodeTypeName,
	createNodeTypes,
	resolveCredentialExpression,
	applyGenericAuthentication,
	TestCredentialsHelper,
	createHooks,
	createAdditionalData,
	createNode,
	createWorkflow,
	executeWorkflow,
	runNode,
	toItems,
};
