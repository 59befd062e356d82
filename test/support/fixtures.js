// Reads test fixture files for TypeScript tests (which may not import fs under the project's lint rules).
const fs = require('node:fs');
const path = require('node:path');

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** @returns {Buffer} the exact bytes of a file under test/fixtures */
function fixtureBytes(relativePath) {
	return fs.readFileSync(path.join(FIXTURES, relativePath));
}

/**
 * Real FreeScout deliveries, in capture order: {name, event, signature, body (Buffer)}. `folder`: 'freescout-real'
 * (actions through the REST API, FreeScout 1.8.159) or 'freescout-real-ui' (actions in the web UI, 1.8.235).
 */
function realFreeScoutDeliveries(folder = 'freescout-real') {
	const dir = path.join(FIXTURES, folder);
	return fs
		.readdirSync(dir)
		.filter((name) => name.endsWith('.body.raw'))
		.sort()
		.map((file) => {
			const name = file.replace('.body.raw', '');
			const headers = JSON.parse(fs.readFileSync(path.join(dir, `${name}.headers.json`), 'utf8'));
			return { name, event: headers.event, signature: headers.signature, body: fs.readFileSync(path.join(dir, file)) };
		});
}

/**
 * A minute after the newest time any delivery of `folder` shows (ms since epoch): a moment at which all of them were
 * fresh, for tests that deliver them to a trigger reading the real clock.
 */
function capturedAt(folder = 'freescout-real') {
	const times = realFreeScoutDeliveries(folder).flatMap((delivery) =>
		[...delivery.body.toString('utf8').matchAll(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g)].map((match) => Date.parse(match[1])),
	);
	return Math.max(...times) + 60_000;
}

module.exports = { capturedAt, fixtureBytes, realFreeScoutDeliveries };
