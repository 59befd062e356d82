'use strict';
// The tables of scripts/bench-e2e.js: the metrics of one phase, one table per scenario and run, and a summary of
// all runs per n8n setting (median and range of each figure) with the targets of issue 12 checked in every run.

function percentile(values, p) {
	const sorted = [...values].sort((x, y) => x - y);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The per-change figures of one measured phase of `n` changes. */
function metricsOf(result, n) {
	const latencies = result.samples.map((sample) => sample.latencyMs);
	const starts = result.samples.map((sample) => sample.startMs);
	return {
		label: result.label,
		changeDeliveries: result.samples.reduce((sum, sample) => sum + sample.changeDeliveries, 0) / n,
		cycleDeliveries: result.deliveries / n,
		executions: result.executions / n,
		actions: result.actions / n,
		cpu: result.cpuSeconds / n,
		p50: percentile(latencies, 50),
		p90: percentile(latencies, 90),
		start50: percentile(starts, 50),
		wallSeconds: result.wallSeconds,
	};
}

const fixed = (digits) => (value) => value.toFixed(digits);
// [row label (null: named after the scenario's action), metric, format]
const ROWS = [
	['deliveries per change (from the change on, echoes included)', 'changeDeliveries', fixed(2)],
	['deliveries per cycle (with the step that sets the change up)', 'cycleDeliveries', fixed(2)],
	['executions started per change', 'executions', fixed(2)],
	[null, 'actions', fixed(2)],
	['n8n CPU s per change', 'cpu', fixed(3)],
	['latency p50 ms', 'p50', fixed(0)],
	['latency p90 ms', 'p90', fixed(0)],
	['of which until the acting execution started, p50 ms', 'start50', fixed(0)],
];
const PHASE_HEADER = "| (a) package | (b) hand-built | (b') hand-built, minimal subscriptions | a/b | a/b' |";

const ratio = (value, other) => (other === 0 ? undefined : value / other);
const rowLabel = (name, scenario) => name ?? `${scenario.action} per change`;

/** One scenario of one run: its phases side by side. */
function scenarioTable(scenario) {
	const [a, b, bMinimal] = scenario.phases;
	const lines = [
		`#### ${scenario.title}`,
		'',
		`(a) subscribed to ${scenario.subscriptions.trigger.join(', ')}; (b) to ${scenario.subscriptions.handmade.join(', ')}; (b') to ${scenario.subscriptions.minimal.join(', ')}.`,
		'',
		`| per real status change ${PHASE_HEADER}`,
		'|---|---|---|---|---|---|',
	];
	for (const [name, key, format] of ROWS) {
		const show = (value) => (value === undefined ? '-' : value.toFixed(2));
		lines.push(
			`| ${rowLabel(name, scenario)} | ${format(a[key])} | ${format(b[key])} | ${format(bMinimal[key])} | ${show(ratio(a[key], b[key]))} | ${show(ratio(a[key], bMinimal[key]))} |`,
		);
	}
	lines.push(
		'',
		`Wall time of the measured cycles: ${scenario.phases.map((phase) => `${phase.label} ${phase.wallSeconds.toFixed(0)} s`).join(', ')}.`,
	);
	return lines.join('\n');
}

/** The table of one run of one setting. */
function runReport(measurement) {
	const { setting, run, load, idleRate } = measurement;
	return [
		`### Run ${run}, ${setting.title}`,
		'',
		`Load average (1 min) before ${load.before.toFixed(2)}, after ${load.after.toFixed(2)}; n8n's idle CPU once settled ${(idleRate * 1000).toFixed(1)} ms per second.`,
		'',
		...measurement.scenarios.flatMap((scenario) => [scenarioTable(scenario), '']),
	].join('\n');
}

// ---- summary over runs ---------------------------------------------------------------------------------------

function median(values) {
	const sorted = [...values].sort((x, y) => x - y);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** "median (min-max)" of the values, or the value alone when all runs agree. */
function spread(values, format) {
	const defined = values.filter((value) => value !== undefined);
	if (defined.length === 0) return '-';
	const low = Math.min(...defined);
	const high = Math.max(...defined);
	if (format(low) === format(high)) return format(low);
	return `${format(median(defined))} (${format(low)}-${format(high)})`;
}

/**
 * The targets of issue 12, for the line (major version) and setting: [description, scenario key or null for
 * both, check(a, b) -> {met, value}].
 */
function targetsFor(major, settingId) {
	const targets = [
		['Chatwoot S1: at most 3 deliveries per reopen (echo included)', 'chatwoot', (a) => ({ met: a.changeDeliveries <= 3, value: a.changeDeliveries.toFixed(2) })],
		['1 execution per change', null, (a) => ({ met: Math.abs(a.executions - 1) < 1e-9, value: a.executions.toFixed(2) })],
	];
	const cpuAtMost = (limit, scenario) => [
		`n8n CPU per change at most ${limit.toFixed(2)}x the hand-built chain (b)`,
		scenario,
		(a, b) => ({ met: a.cpu <= limit * b.cpu, value: `${(a.cpu / b.cpu).toFixed(2)}x` }),
	];
	const latencyWithin = [
		'latency p50 within 1.1x of the hand-built chain (b)',
		null,
		(a, b) => ({ met: a.p50 <= 1.1 * b.p50, value: `${(a.p50 / b.p50).toFixed(2)}x` }),
	];
	if (major >= 2 && settingId === 'defaults') targets.push(cpuAtMost(1.0, 'chatwoot'));
	if (major >= 2 && settingId === 'lazy') targets.push(cpuAtMost(0.33, null), latencyWithin);
	if (major < 2) targets.push(cpuAtMost(0.5, null), latencyWithin);
	return targets;
}

/** All runs of one setting: per scenario the median and range of every figure, and the targets run by run. */
function settingSummary(measurements, major) {
	const [{ setting }] = measurements;
	const lines = [`### ${setting.title}: ${measurements.length} run(s)`, ''];
	const loads = measurements.map((m) => `${m.load.before.toFixed(2)} / ${m.load.after.toFixed(2)}`).join(', ');
	lines.push(`Load average (1 min) before / after each run: ${loads}.`, '');
	for (const [index, scenario] of measurements[0].scenarios.entries()) {
		const runs = measurements.map((m) => m.scenarios[index].phases);
		lines.push(`#### ${scenario.title}`, '', `| per real status change ${PHASE_HEADER}`, '|---|---|---|---|---|---|');
		for (const [name, key, format] of ROWS) {
			const column = (phase) => spread(runs.map((phases) => phases[phase][key]), format);
			const ratios = (other) => spread(runs.map((phases) => ratio(phases[0][key], phases[other][key])), fixed(2));
			lines.push(`| ${rowLabel(name, scenario)} | ${column(0)} | ${column(1)} | ${column(2)} | ${ratios(1)} | ${ratios(2)} |`);
		}
		lines.push('');
		for (const [description, only, check] of targetsFor(major, setting.id)) {
			if (only && only !== scenario.key) continue;
			const results = runs.map(([a, b]) => check(a, b));
			const met = results.filter((result) => result.met).length;
			const verdict = met === results.length ? 'met' : met === 0 ? 'MISSED' : 'MIXED';
			const values = results.map((result) => result.value).join(', ');
			lines.push(`- ${description}: ${verdict} (met in ${met} of ${results.length} run(s): ${values})`);
		}
		lines.push('');
	}
	return lines.join('\n');
}

/** The summary of every setting measured, in the order they ran. */
function summaryReport(measurements, major) {
	const settingIds = [...new Set(measurements.map((m) => m.setting.id))];
	return settingIds.map((id) => settingSummary(measurements.filter((m) => m.setting.id === id), major)).join('\n');
}

module.exports = { metricsOf, runReport, summaryReport };
