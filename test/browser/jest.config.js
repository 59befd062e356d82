/**
 * The editor suite (`npm run test:browser`): n8n's real editor in headless Debian chromium (scripts/chromium.js),
 * one real n8n per file (test/e2e/support/stack.js), files one after the other.
 */
module.exports = {
	rootDir: '../..',
	roots: ['<rootDir>/test'],
	testEnvironment: 'node',
	testMatch: ['<rootDir>/test/browser/**/*.browser.test.js'],
	maxWorkers: 1,
	// A line per test as it starts and ends: a file here takes minutes.
	reporters: ['default', '<rootDir>/test/support/progress-reporter.js'],
	testTimeout: 180_000,
	// fetch's keep-alive pool can hold a socket to a stopped server for a few seconds after the run.
	forceExit: true,
};
