/**
 * The real-n8n end-to-end suite (`npm run test:e2e`): each file starts the simulators and one real n8n
 * (see support/stack.js), so files run one after the other.
 */
module.exports = {
	rootDir: '../..',
	// Crawl only test/: dist/ and .runtime/ are build output and installed packages, not test sources.
	roots: ['<rootDir>/test'],
	testEnvironment: 'node',
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.js', '<rootDir>/test/e2e/**/*.e2e.test.ts'],
	maxWorkers: 1,
	// A line per test as it starts and ends: a file here takes minutes.
	reporters: ['default', '<rootDir>/test/support/progress-reporter.js'],
	testTimeout: 180_000,
	// fetch's keep-alive pool can hold a socket to a stopped server for a few seconds after the run.
	forceExit: true,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
};
