'use strict';
// `npm run docs:screenshots`: the README's pictures, taken from the demo's real n8n (scripts/demo.js) with
// headless Chromium. Re-runnable; it overwrites the PNGs under docs/.
//
//   docs/chatwoot-reopen-as-open.png      example workflow 1 in the n8n editor
//   docs/freescout-close-and-reopen.png   example workflow 2
//   docs/chatwoot-freescout-sync.png      example workflow 3
//   docs/trigger-output.png               the S1 execution: the trigger's output item (JSON view)
//
// Needs: the built package (runs `npm run build` unless --no-build), Debian's chromium and playwright-core (see
// ./chromium.js). The n8n runtime under .runtime/ is installed by the demo on its first run.
//
// Options: --out <dir> (default docs/), --port <n8n port> (default 5788; the simulators use the next five),
// --chromium <path> (default /usr/bin/chromium or $CHROMIUM), --no-build.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { chromiumPath, loadPlaywright, signIn, sleep, startChromium } = require('./chromium');

const REPO_ROOT = path.resolve(__dirname, '..');
const VIEWPORT = { width: 1400, height: 800 };
const SHOTS = [
	{ key: 'reopen', file: 'chatwoot-reopen-as-open.png' },
	{ key: 'closeReopen', file: 'freescout-close-and-reopen.png' },
	{ key: 'sync', file: 'chatwoot-freescout-sync.png' },
];
const OUTPUT_SHOT = 'trigger-output.png';

const log = (line) => process.stderr.write(`[screenshots] ${line}\n`);

/** Closes n8n's popovers and toasts that would cover the canvas. */
async function dismissPopups(page) {
	for (const selector of ['[data-test-id="suggested-actions-close"]', '.el-notification__closeBtn', '[data-test-id="close-chat-button"]']) {
		const targets = page.locator(selector);
		for (let index = (await targets.count()) - 1; index >= 0; index--) {
			const target = targets.nth(index);
			if (await target.isVisible().catch(() => false)) await target.click().catch(() => undefined);
		}
	}
	await page.mouse.move(5, VIEWPORT.height - 5); // no hover effects on nodes
}

const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Whether a node (with its name and subtitle below it) lies under the floating "Execute workflow" button. */
async function nodeHiddenByButton(page) {
	const button = await page.locator('[data-test-id="execute-workflow-button"]').first().boundingBox().catch(() => null);
	if (!button) return false;
	for (const node of await page.locator('[data-test-id="canvas-node"]').all()) {
		const box = await node.boundingBox();
		if (box && overlaps(button, { ...box, height: box.height + 50 })) return true;
	}
	return false;
}

async function openCanvas(page, url) {
	await page.goto(url);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30_000 });
	await sleep(1500); // the canvas fits the view after the nodes render
	await dismissPopups(page);
	for (let step = 0; step < 3 && (await nodeHiddenByButton(page)); step++) {
		await page.locator('[data-test-id="zoom-out-button"]').first().click();
		await sleep(400);
	}
	await page.mouse.move(5, VIEWPORT.height - 5);
	await sleep(500);
}

/** The S1 execution: the one whose trigger item is resolved -> pending. Returns its id and the trigger's name. */
async function s1Execution(demo) {
	const { n8n, workflows } = demo;
	const { nodeItems } = require(path.join(REPO_ROOT, 'test', 'e2e', 'runtime', 'n8n'));
	const workflow = workflows.reopen;
	const triggerName = workflow.triggers[0].name;
	for (const execution of await n8n.listExecutions(workflow.id)) {
		const full = await n8n.getExecution(execution.id);
		const [item] = nodeItems(full, triggerName);
		if (item && item.previousStatus === 'resolved' && item.status === 'pending') return { id: execution.id, triggerName };
	}
	throw new Error(`no execution of "${workflow.name}" shows resolved -> pending`);
}

async function main() {
	const { values } = parseArgs({
		options: {
			out: { type: 'string', default: path.join(REPO_ROOT, 'docs') },
			port: { type: 'string', default: '5788' },
			chromium: { type: 'string', default: chromiumPath() },
			'no-build': { type: 'boolean', default: false },
		},
	});
	const outDir = path.resolve(values.out);
	const port = Number(values.port);
	fs.mkdirSync(outDir, { recursive: true });

	const { chromium } = loadPlaywright({ log });
	if (!values['no-build']) {
		log('building the package (npm run build)');
		execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	}

	const { startDemo } = require(path.join(REPO_ROOT, 'scripts', 'demo.js'));
	let demo;
	let browserProcess;
	let browser;
	try {
		log('starting the demo (n8n 2.41.1 with the example workflows and the simulators)');
		demo = await startDemo({ port, simPort: port + 1, handleSignals: false, log: (line) => log(`demo: ${line}`) });
		for (const workflow of Object.values(demo.workflows)) {
			if (!workflow.active) throw new Error(`"${workflow.name}" is not active: ${workflow.error}`);
		}
		log('running the S1 scenario for an execution to show');
		const s1 = await demo.runScenario('s1');
		if (!s1.ok) throw new Error(`scenario s1 failed: ${s1.summary}`);
		const execution = await s1Execution(demo);

		browserProcess = await startChromium(values.chromium);
		browser = await chromium.connectOverCDP(browserProcess.wsEndpoint);
		const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'light' });
		const page = await context.newPage();
		const baseUrl = demo.editorUrl.replace(/\/+$/, '');
		await signIn(page, baseUrl, demo.owner);

		const written = [];
		for (const { key, file } of SHOTS) {
			await openCanvas(page, demo.workflows[key].url);
			const target = path.join(outDir, file);
			await page.screenshot({ path: target });
			written.push(target);
		}

		// The execution view, then the trigger node opened on its output in JSON.
		await openCanvas(page, `${demo.workflows.reopen.url}/executions/${execution.id}`);
		await page.locator('[data-test-id="canvas-node"]').filter({ hasText: execution.triggerName }).first().dblclick();
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="output-panel"]', { timeout: 30_000 });
		await page.locator('[data-test-id="ndv"] [data-test-id="radio-button-json"]').first().click();
		await sleep(1000);
		await dismissPopups(page);
		const outputTarget = path.join(outDir, OUTPUT_SHOT);
		await page.screenshot({ path: outputTarget });
		written.push(outputTarget);

		for (const file of written) {
			log(`${path.relative(REPO_ROOT, file)}: ${Math.round(fs.statSync(file).size / 1024)} KB`);
		}
	} finally {
		if (browser) await browser.close().catch(() => undefined);
		if (browserProcess) await browserProcess.stop();
		if (demo) await demo.stop();
	}
}

if (require.main === module) {
	main().then(
		() => process.exit(0),
		(error) => {
			log(error.stack || error.message);
			process.exit(1);
		},
	);
}
