'use strict';
// What several parts of the demo agree on: its ports, login, the simulators' shortened waits and names.

const DEFAULT_PORT = 5678;
const DEFAULT_SIM_PORT = 5680; // webhook proxy; the simulators take the next four ports
const OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'Owner', password: 'Demo-Passw0rd' };
// FreeScout waits 15 s (the undo window) before it sends an agent's reply and retries a failed delivery
// after a cron "minute"; shortened so a scenario takes seconds.
const FREESCOUT_UNDO_DELAY_MS = 3000;
const FREESCOUT_RETRY_MINUTE_MS = 2000;
const PLATFORM_NAMES = { chatwoot: 'Chatwoot', freescout: 'FreeScout' };
// The sync example's customer, who has a conversation on each side.
const SYNC_CUSTOMER_EMAIL = 'ana@example.org';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLoopback(url) {
	return LOOPBACK_HOSTS.has(new URL(url).hostname);
}

module.exports = {
	DEFAULT_PORT,
	DEFAULT_SIM_PORT,
	OWNER,
	FREESCOUT_UNDO_DELAY_MS,
	FREESCOUT_RETRY_MINUTE_MS,
	PLATFORM_NAMES,
	SYNC_CUSTOMER_EMAIL,
	isLoopback,
};
