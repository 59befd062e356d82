'use strict';
/**
 * A scripted loopback HTTP server for tests that need exact failure sequences (429, 5xx, dropped connections)
 * in front of, or instead of, a platform simulator.
 *
 *   const api = await startFakeApi(handler)   handler(req) -> response | Promise<response>
 *     req:      { method, path, query: {k: v}, headers (lower case), body (parsed JSON or raw text or null), raw }
 *     response: { status, headers?, body? (object -> JSON, string -> text/plain) }, or 'drop' to destroy the
 *               socket without an answer (a connection error for the client), or 'hang' to keep the
 *               connection open and never answer (until the client gives up or the server stops), or
 *               undefined to pass the request on to `api.forwardTo` (a base URL, e.g. a simulator's) unchanged.
 *   api.url          base URL (http://127.0.0.1:<port>)
 *   api.log          [{ method, path, query, headers, body }] every request received, in order
 *   api.forwardTo    set to a base URL to proxy unscripted requests there
 *   api.setHandler(fn), api.clearLog(), await api.stop()
 */
const http = require('node:http');
const { readBody, send, listen, close, request } = require('../simulators/http-util');

/**
 * @typedef {{ method: string, path: string, query: { [k: string]: string }, headers: { [k: string]: any }, body: any }} LoggedRequest
 * @typedef {{ url: string, log: LoggedRequest[], forwardTo: string | null, handler: any,
 *   setHandler: (fn: (req: LoggedRequest & { raw: Buffer }) => any) => void, clearLog: () => void,
 *   stop: () => Promise<void> }} FakeApi
 * @param {(req: LoggedRequest & { raw: Buffer }) => any} [handler]
 * @returns {Promise<FakeApi>}
 */
async function startFakeApi(handler) {
	/** @type {any} */
	const api = { url: '', log: [], forwardTo: null, handler };
	const server = http.createServer(async (req, res) => {
		const raw = await readBody(req);
		const u = new URL(req.url, 'http://127.0.0.1');
		const query = {};
		for (const [k, v] of u.searchParams) query[k] = v;
		const text = raw.toString('utf8');
		let body = null;
		if (text !== '') {
			try {
				body = JSON.parse(text);
			} catch {
				body = text;
			}
		}
		const entry = { method: req.method, path: u.pathname, query, headers: req.headers, body };
		api.log.push(entry);
		let response;
		try {
			response = api.handler ? await api.handler({ ...entry, raw }) : undefined;
		} catch (error) {
			response = { status: 599, body: `fake-api handler failed: ${error.message}` };
		}
		if (response === 'drop') {
			req.socket.destroy();
			return;
		}
		if (response === 'hang') return;
		if (response === undefined && api.forwardTo) {
			const headers = { ...req.headers };
			delete headers.host;
			delete headers['content-length'];
			const upstream = await request({ method: req.method, url: api.forwardTo + req.url, headers, body: raw.length ? raw : undefined });
			const outHeaders = { ...upstream.headers };
			delete outHeaders['content-length'];
			delete outHeaders['transfer-encoding'];
			delete outHeaders.connection;
			send(res, upstream.status, upstream.body === '' ? undefined : upstream.body, outHeaders);
			return;
		}
		if (!response) {
			send(res, 599, 'fake-api: no scripted response', { 'Content-Type': 'text/plain' });
			return;
		}
		const headers = { ...(response.headers || {}) };
		let payload = response.body;
		if (payload !== undefined && payload !== null && typeof payload !== 'string') {
			payload = JSON.stringify(payload);
			if (!headers['Content-Type']) headers['Content-Type'] = 'application/json; charset=utf-8';
		} else if (typeof payload === 'string' && !headers['Content-Type']) {
			headers['Content-Type'] = 'text/plain';
		}
		send(res, response.status, payload === null ? undefined : payload, headers);
	});
	api.url = await listen(server);
	api.setHandler = (fn) => {
		api.handler = fn;
	};
	api.clearLog = () => {
		api.log.length = 0;
	};
	api.stop = () => close(server);
	return api;
}

module.exports = { startFakeApi };
