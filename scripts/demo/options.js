'use strict';
// The demo's command line and environment, read into startDemo's options plus `run` and `exit`.
const { parseArgs } = require('node:util');
const { DEFAULT_N8N_VERSION, N8N_VERSIONS } = require('../../test/e2e/runtime/install');
const { DEFAULT_PORT, DEFAULT_SIM_PORT } = require('./settings');
const { SCENARIOS, findScenario } = require('./scenarios');

const USAGE = `Usage: node scripts/demo.js [options]   (npm run demo -- [options])

  --port N                n8n's port (env N8N_PORT; default ${DEFAULT_PORT})
  --sim-port N            the webhook proxy's port; the simulators use the next four (env DEMO_SIM_PORT;
                          default ${DEFAULT_SIM_PORT})
  --run LIST              run these scenarios first, e.g. s1,s2,reopen (names or numbers, see the menu)
  --exit                  stop after --run instead of offering the menu; exit code 1 if a scenario failed
  --webhook-url URL       the URL the platforms call n8n at, e.g. a public tunnel to n8n's port
                          (env N8N_WEBHOOK_URL; default the proxy on --sim-port)
  --n8n-version V         the n8n line: ${N8N_VERSIONS.join(' or ')} (default ${DEFAULT_N8N_VERSION})

  A real Chatwoot instead of its simulator (example 1 uses it):
  --chatwoot-url URL      env CHATWOOT_URL
  --chatwoot-token T      an administrator's access token (env CHATWOOT_TOKEN)
  --chatwoot-account N    account id (env CHATWOOT_ACCOUNT_ID; default 1)

  A real FreeScout instead of its simulator (example 2 uses it):
  --freescout-url URL     env FREESCOUT_URL
  --freescout-api-key K   env FREESCOUT_API_KEY
  --freescout-secret S    the webhooks' Secret Key (env FREESCOUT_SECRET)
  --freescout-user N      user status changes are made as (env FREESCOUT_USER_ID; default 0 = first admin)

The sync example always runs on its own pair of simulators: it writes to both platforms, which is not
something to try on real data.`;

function toPort(value, flag) {
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${flag}: "${value}" is not a port`);
	return port;
}

function toUrl(value, flag) {
	let url;
	try {
		url = new URL(value);
	} catch {
		throw new Error(`${flag}: "${value}" is not a URL`);
	}
	if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`${flag}: "${value}" is not an http(s) URL`);
	return url.href.replace(/\/+$/, '');
}

/** Scenario names from "s1,2,reopen" (names or menu numbers). */
function scenarioNames(list) {
	return list
		.split(',')
		.map((entry) => entry.trim())
		.filter(Boolean)
		.map((entry) => {
			const scenario = findScenario(entry);
			if (!scenario) {
				throw new Error(`--run: unknown scenario "${entry}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
			}
			return scenario.name;
		});
}

/** Command line + environment -> startDemo options plus `run` and `exit`; `help` when asked for. */
function parseOptions(argv, env = process.env) {
	const { values } = parseArgs({
		args: argv,
		options: {
			help: { type: 'boolean', short: 'h' },
			port: { type: 'string' },
			'sim-port': { type: 'string' },
			run: { type: 'string' },
			exit: { type: 'boolean' },
			'webhook-url': { type: 'string' },
			'n8n-version': { type: 'string' },
			'chatwoot-url': { type: 'string' },
			'chatwoot-token': { type: 'string' },
			'chatwoot-account': { type: 'string' },
			'freescout-url': { type: 'string' },
			'freescout-api-key': { type: 'string' },
			'freescout-secret': { type: 'string' },
			'freescout-user': { type: 'string' },
		},
	});
	if (values.help) return { help: true };
	const pick = (flag, variable) => values[flag] ?? (env[variable] || undefined);
	const options = {
		port: toPort(pick('port', 'N8N_PORT') ?? DEFAULT_PORT, '--port'),
		simPort: toPort(pick('sim-port', 'DEMO_SIM_PORT') ?? DEFAULT_SIM_PORT, '--sim-port'),
		run: values.run ? scenarioNames(values.run) : [],
		exit: Boolean(values.exit),
		n8nVersion: values['n8n-version'] ?? DEFAULT_N8N_VERSION,
	};
	if (!N8N_VERSIONS.includes(options.n8nVersion)) {
		throw new Error(`--n8n-version: one of ${N8N_VERSIONS.join(', ')}, not "${options.n8nVersion}"`);
	}
	const webhookUrl = pick('webhook-url', 'N8N_WEBHOOK_URL');
	if (webhookUrl) options.webhookUrl = toUrl(webhookUrl, '--webhook-url');

	const chatwootUrl = pick('chatwoot-url', 'CHATWOOT_URL');
	const chatwootToken = pick('chatwoot-token', 'CHATWOOT_TOKEN');
	if (chatwootUrl || chatwootToken) {
		if (!chatwootUrl || !chatwootToken) {
			throw new Error('a real Chatwoot needs both --chatwoot-url and --chatwoot-token (an administrator\'s access token)');
		}
		const accountId = Number(pick('chatwoot-account', 'CHATWOOT_ACCOUNT_ID') ?? 1);
		if (!Number.isInteger(accountId) || accountId < 1) throw new Error('--chatwoot-account: not an account id');
		options.chatwoot = { url: toUrl(chatwootUrl, '--chatwoot-url'), token: chatwootToken, accountId };
	}

	const freescoutUrl = pick('freescout-url', 'FREESCOUT_URL');
	const apiKey = pick('freescout-api-key', 'FREESCOUT_API_KEY');
	const secret = pick('freescout-secret', 'FREESCOUT_SECRET');
	if (freescoutUrl || apiKey || secret) {
		if (!freescoutUrl || !apiKey || !secret) {
			throw new Error('a real FreeScout needs --freescout-url, --freescout-api-key and --freescout-secret');
		}
		const userId = Number(pick('freescout-user', 'FREESCOUT_USER_ID') ?? 0);
		if (!Number.isInteger(userId) || userId < 0) throw new Error('--freescout-user: not a user id');
		options.freescout = { url: toUrl(freescoutUrl, '--freescout-url'), apiKey, secret, userId };
	}
	return options;
}

module.exports = { parseOptions, USAGE };
