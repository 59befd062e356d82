'use strict';
// Redis and PostgreSQL for n8n's queue mode, from Debian's packages: installed with apt-get when missing
// (once per machine; we are root on the project's machines and CI), each started on a free loopback port
// with its data in a fresh temporary folder, and stopped again leaving nothing behind.
// CLI: `node test/e2e/runtime/services.js` installs them (used by .ci/run).
//
//   const missing = ensureQueueServices({ log });         // undefined, or why they cannot be installed
//   const redis = await startRedis({ log });                // { host, port, stop() }
//   const postgres = await startPostgres({ log });          // { host, port, database, user, password, stop() }
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync } = require('node:child_process');
const { promisify } = require('node:util');
const { track, freePort, waitFor } = require('./processes');

const run = promisify(execFile);
const PACKAGES = ['redis-server', 'postgresql'];

/** PostgreSQL's server binaries folder (the highest installed major version), or undefined. */
function postgresBinDir() {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
	const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
	const dir = newest && path.join(root, newest, 'bin');
	return dir && fs.existsSync(path.join(dir, 'pg_ctl')) ? dir : undefined;
}

const REDIS_SERVER = '/usr/bin/redis-server';
const REDIS_CLI = '/usr/bin/redis-cli';
const installed = () => fs.existsSync(REDIS_SERVER) && fs.existsSync(REDIS_CLI) && postgresBinDir() !== undefined;

let missing; // memo of ensureQueueServices()
/**
 * Installs Redis and PostgreSQL with apt-get if they are missing (idempotent; `apt-get update` only when
 * the first try fails). Synchronous, so that a test file can decide at load time to skip its queue tests.
 * @returns {string|undefined} undefined when both are there, else why they cannot be had.
 */
function ensureQueueServices({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
	if (installed()) return undefined;
	if (missing !== undefined) return missing;
	const apt = (args) =>
		execFileSync('apt-get', args, {
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
			stdio: ['ignore', 'pipe', 'pipe'],
			maxBuffer: 64 * 1024 * 1024,
		});
	const install = ['install', '-y', '--no-install-recommends', ...PACKAGES];
	log(`installing ${PACKAGES.join(' and ')} from Debian's packages (apt-get ${install.join(' ')})`);
	try {
		try {
			apt(install);
		} catch {
			apt(['update']);
			apt(install);
		}
		missing = installed() ? undefined : 'apt-get ran, but redis-server or PostgreSQL\'s pg_ctl is still missing';
	} catch (error) {
		const detail = String(error.stderr || error.message).trim().split('\n').slice(-3).join(' ');
		missing = `apt-get could not install ${PACKAGES.join(', ')}: ${detail}`;
	}
	return missing;
}

/** A temporary folder `prefix*`, removed again by the returned function. */
function tempDir(prefix) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** redis-server on 127.0.0.1:<free port>, without persistence, its files in a temp folder. */
async function startRedis({ log = () => {}, signalHooks = true } = {}) {
	const { dir, remove } = tempDir('e2e-redis-');
	const port = await freePort();
	const pidFile = path.join(dir, 'redis.pid');
	const killNow = () => {
		try {
			process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
		} catch {
			// not running
		}
		remove();
	};
	try {
		await run(REDIS_SERVER, [
			'--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--save', '', '--appendonly', 'no',
			'--dir', dir, '--pidfile', pidFile, '--logfile', path.join(dir, 'redis.log'),
		]);
		await waitFor(`redis on port ${port}`, 15_000, async () => {
			try {
				return (await run(REDIS_CLI, ['-p', String(port), 'ping'])).stdout.trim() === 'PONG';
			} catch {
				return false;
			}
		});
	} catch (error) {
		killNow();
		throw error;
	}
	const shutdown = async () => {
		await run(REDIS_CLI, ['-p', String(port), 'shutdown', 'nosave']).catch(() => {});
		await waitFor('redis to exit', 10_000, () => !fs.existsSync(pidFile)).catch(() => {});
	};
	return trackedService(`redis on 127.0.0.1:${port}`, { host: '127.0.0.1', port }, { shutdown, killNow, log, signalHooks });
}

/**
 * `fields` plus stop() (graceful `shutdown`, then `killNow` for leftovers and the folder; idempotent) and
 * killNow(), registered so that it is stopped when the caller exits.
 */
function trackedService(name, fields, { shutdown, killNow, log, signalHooks }) {
	let stopping;
	const service = {
		...fields,
		stop() {
			stopping ??= (async () => {
				await shutdown();
				forget();
				killNow();
				log(`${name} stopped`);
			})();
			return stopping;
		},
		killNow,
	};
	const forget = track(service, { signals: signalHooks });
	log(`${name} ready`);
	return service;
}

/**
 * A PostgreSQL cluster of its own (initdb in a temp folder, run as the `postgres` OS user because the
 * server refuses to run as root) on 127.0.0.1:<free port>, with a user and a database for n8n.
 */
async function startPostgres({ log = () => {}, signalHooks = true } = {}) {
	const bin = postgresBinDir();
	const { dir, remove } = tempDir('e2e-postgres-');
	const dataDir = path.join(dir, 'data');
	const port = await freePort();
	const asPostgres = (tool, args) => run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args], { cwd: dir });
	const pgCtl = (args) => asPostgres('pg_ctl', ['-D', dataDir, ...args]);
	const credentials = { database: 'n8n', user: 'n8n', password: 'n8n-e2e-password' };
	const killNow = () => {
		try {
			const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			process.kill(pid, 'SIGKILL');
		} catch {
			// not running
		}
		remove();
	};
	try {
		fs.chmodSync(dir, 0o755);
		fs.chownSync(dir, ...(await postgresIds()));
		await asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
		const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
		await pgCtl(['-l', path.join(dir, 'postgres.log'), '-o', options, '-w', 'start']);
		const psql = (sql) => asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
		await psql(`CREATE USER ${credentials.user} WITH PASSWORD '${credentials.password}'`);
		await psql(`CREATE DATABASE ${credentials.database} OWNER ${credentials.user}`);
	} catch (error) {
		killNow();
		throw new Error(`PostgreSQL did not start: ${(error.stderr || error.message).trim()}`);
	}
	const shutdown = () => pgCtl(['-m', 'fast', '-w', 'stop']).catch(() => {});
	const fields = {
		host: '127.0.0.1',
		port,
		...credentials,
		/** Runs SQL as the superuser on the n8n database; resolves with psql's unaligned, tuples-only output. */
		async query(sql) {
			const { stdout } = await asPostgres('psql', [
				'-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', credentials.database,
				'-v', 'ON_ERROR_STOP=1', '-A', '-t', '-c', sql,
			]);
			return stdout.trim();
		},
	};
	return trackedService(`postgres on 127.0.0.1:${port}`, fields, { shutdown, killNow, log, signalHooks });
}

async function postgresIds() {
	const [uid, gid] = await Promise.all(['-u', '-g'].map(async (flag) => Number((await run('id', [flag, 'postgres'])).stdout)));
	return [uid, gid];
}

module.exports = { ensureQueueServices, startRedis, startPostgres };

// CLI (.ci/run): installs them where possible; says so either way, and exits 0 (the queue tests skip with
// the same reason where they are missing).
if (require.main === module) {
	const reason = ensureQueueServices();
	const version = reason ? '' : path.basename(path.dirname(postgresBinDir()));
	console.log(
		reason
			? `queue mode unavailable, its tests will be skipped: ${reason}`
			: `Redis and PostgreSQL ${version} installed`,
	);
}
