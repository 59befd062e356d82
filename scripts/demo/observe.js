'use strict';
// Watching n8n: the executions of the demo's workflows, what each did, and waiting until a change has played out.
const { nodeItems } = require('../../test/e2e/runtime/n8n');
const { sleep } = require('../../test/e2e/support/stack');

const QUIET_MS = 2500; // longer than the trigger's 2 s companion wait
const SETTLE_TIMEOUT_MS = 90_000;
const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

async function demoExecutions(context) {
	const all = [];
	for (const workflow of Object.values(context.workflows)) {
		for (const execution of await context.n8n.listExecutions(workflow.id)) all.push({ ...execution, workflow });
	}
	return all;
}

/** One finished execution: {id, workflow, status, trigger, change (the trigger's item), outputs, error}. */
async function describeExecution(context, execution) {
	const full = await context.n8n.getExecution(execution.id);
	const runData = full.data?.resultData?.runData ?? {};
	const trigger = execution.workflow.triggers.find((candidate) => runData[candidate.name]);
	const outputs = {};
	for (const nodeName of Object.keys(runData)) {
		if (nodeName !== trigger?.name) outputs[nodeName] = nodeItems(full, nodeName);
	}
	return {
		id: execution.id,
		workflow: execution.workflow,
		status: execution.status,
		trigger: trigger?.name ?? null,
		change: trigger ? (nodeItems(full, trigger.name)[0] ?? null) : null,
		outputs,
		error: full.data?.resultData?.error?.message ?? null,
	};
}

/**
 * Waits until the simulators have nothing left to deliver and n8n's executions of the demo's workflows
 * stayed the same, all finished, for QUIET_MS.
 */
async function settle(context, simulators) {
	const deadline = Date.now() + SETTLE_TIMEOUT_MS;
	const fingerprint = async () => {
		const executions = await demoExecutions(context);
		const running = executions.some((e) => !FINISHED.has(e.status));
		return running ? null : executions.map((e) => `${e.id}:${e.status}`).sort().join(',');
	};
	for (;;) {
		for (const simulator of simulators) await simulatorIdle(simulator);
		const before = await fingerprint();
		await sleep(QUIET_MS);
		const idle = (await Promise.all(simulators.map(simulatorIsIdle))).every(Boolean);
		if (idle && before !== null && before === (await fingerprint())) return;
		if (Date.now() > deadline) throw new Error(`n8n and the simulators did not settle within ${SETTLE_TIMEOUT_MS / 1000} s`);
	}
}

// The FreeScout simulator's idle() takes a timeout and it has isIdle(); the Chatwoot one's idle() resolves at
// once when idle, i.e. before a timer set after it.
const simulatorIdle = (simulator) =>
	typeof simulator.isIdle === 'function' ? simulator.idle(SETTLE_TIMEOUT_MS) : simulator.idle();

const simulatorIsIdle = (simulator) =>
	typeof simulator.isIdle === 'function'
		? Promise.resolve(simulator.isIdle())
		: Promise.race([simulator.idle().then(() => true), new Promise((resolve) => setImmediate(resolve, false))]);

/** Runs `act`, waits until everything settled and returns the new executions, oldest first, described. */
async function measure(context, simulators, act) {
	const before = new Set((await demoExecutions(context)).map((e) => e.id));
	await act();
	await settle(context, simulators);
	const fresh = (await demoExecutions(context))
		.filter((e) => !before.has(e.id))
		.sort((a, b) => Number(a.id) - Number(b.id));
	const described = [];
	for (const execution of fresh) described.push(await describeExecution(context, execution));
	return described;
}

function watchExecutions(context, onExecution, { intervalMs, log }) {
	const seen = new Set();
	let timer;
	let stopped = false;
	let primed = false;
	let lastError;
	async function poll() {
		try {
			const executions = (await demoExecutions(context)).sort((a, b) => Number(a.id) - Number(b.id));
			for (const execution of executions) {
				if (seen.has(execution.id) || !FINISHED.has(execution.status)) continue;
				seen.add(execution.id);
				if (primed) onExecution(await describeExecution(context, execution));
			}
			primed = true;
			lastError = undefined;
		} catch (error) {
			// Once per distinct error, not every second while n8n is unreachable.
			if (!stopped && error.message !== lastError) log(`watching executions: ${error.message}`);
			lastError = error.message;
		}
		if (!stopped) timer = setTimeout(poll, intervalMs);
	}
	void poll();
	return {
		stop() {
			stopped = true;
			clearTimeout(timer);
		},
	};
}

module.exports = { measure, watchExecutions };
