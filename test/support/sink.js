'use strict';
/** An HTTP receiver that answers every request 200 and keeps nothing: a webhook target whose deliveries only get counted. */
const http = require('node:http');

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
async function startSink() {
	const server = http.createServer((_request, response) => response.end());
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const address = /** @type {import('node:net').AddressInfo} */ (server.address());
	return {
		url: `http://127.0.0.1:${address.port}/`,
		close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
	};
}

module.exports = { startSink };
