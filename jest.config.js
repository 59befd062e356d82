/** Unit and in-process tests. The real-n8n suite has its own config in test/e2e. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
	setupFiles: ['<rootDir>/test/support/env.js'],
	// Some in-process tests start n8n-core, simulators and HTTP servers; on a loaded 2-core machine jest's 5 s default
	// is too tight. Tests assert results and counts, never times.
	testTimeout: 20_000,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
};
