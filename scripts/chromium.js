'use strict';
// Headless Debian chromium driven by playwright-core, for the README pictures (scripts/screenshots.js) and the
// editor test (test/browser). No browser is downloaded: chromium comes from Debian (`apt-get install -y chromium`),
// playwright-core at a pinned version is installed on first use into .runtime/playwright/ (git-ignored) without
// touching the project's package.json or package-lock.json.
//
//   const { chromium } = loadPlaywright();
//   const browserProcess = await startChromium(chromiumPath());
//   const browser = await chromium.connectOverCDP(browserProcess.wsEndpoint);
//   ...
//   await browser.close(); await browserProcess.stop();
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..');
const PLAYWRIGHT_VERSION = '1.65.1';
const PLAYWRIGHT_DIR = path.join(REPO_ROOT, '.runtime', 'playwright');
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--hide-scrollbars',
	'--force-device-scale-factor=1',
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** $CHROMIUM, else Debian's /usr/bin/chromium. */
function chromiumPath() {
	return process.env.CHROMIUM || '/usr/bin/chromium';
}

/** playwright-core at the pinned version, from .runtime/playwright/ (installed there once). */
function loadPlaywright({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
	const moduleDir = path.join(PLAYWRIGHT_DIR, 'node_modules', 'playwright-core');
	const installed = () => {
		try {
			return JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8')).version === PLAYWRIGHT_VERSION;
		} catch {
			return false;
		}
	};
	if (!installed()) {
		log(`installing playwright-core@${PLAYWRIGHT_VERSION} into ${path.relative(REPO_ROOT, PLAYWRIGHT_DIR)}/`);
		fs.mkdirSync(PLAYWRIGHT_DIR, { recursive: true });
		execFileSync(
			'npm',
			[
				'install',
				'--prefix',
				PLAYWRIGHT_DIR,
				`playwright-core@${PLAYWRIGHT_VERSION}`,
				'--no-save',
				'--no-package-lock',
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
			],
			{ cwd: PLAYWRIGHT_DIR, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } },
		);
		if (!installed()) throw new Error(`playwright-core@${PLAYWRIGHT_VERSION} did not install into ${PLAYWRIGHT_DIR}`);
	}
	return require(moduleDir);
}

/** Starts Chromium with a fresh profile and returns {wsEndpoint, stop()}. */
async function startChromium(executable = chromiumPath()) {
	if (!fs.existsSync(executable)) {
		throw new Error(`${executable} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM`);
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
	const child = spawn(executable, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
		detached: true, // own process group: stop() takes the renderer and GPU children with it
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	const exited = new Promise((resolve) => child.once('exit', resolve));
	// Interrupted (Ctrl-C ends the process through exit hooks): never leave Chromium behind.
	const killOnExit = () => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			// already gone
		}
	};
	process.once('exit', killOnExit);
	let stderr = '';
	const wsEndpoint = await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`Chromium did not start in 30 s:\n${stderr}`)), 30_000);
		child.stderr.on('data', (chunk) => {
			stderr += chunk;
			const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`Chromium exited with ${code}:\n${stderr}`));
		});
	});
	async function stop() {
		process.off('exit', killOnExit);
		if (child.exitCode === null && child.signalCode === null) {
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				// already gone
			}
			const timeout = sleep(5000).then(() => 'timeout');
			if ((await Promise.race([exited, timeout])) === 'timeout') {
				try {
					process.kill(-child.pid, 'SIGKILL');
				} catch {
					// already gone
				}
				await exited;
			}
		}
		fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
	}
	return { wsEndpoint, stop };
}

/** Signs in to n8n's editor (2.x and 1.x) and waits until it has left the sign-in page. */
async function signIn(page, baseUrl, owner) {
	await page.goto(`${baseUrl}/signin`);
	await page.fill('input[name="emailOrLdapLoginId"]', owner.email);
	await page.fill('input[name="password"]', owner.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}

module.exports = { loadPlaywright, startChromium, chromiumPath, signIn, sleep };
