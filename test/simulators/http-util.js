'use strict';
/**
 * Small HTTP helpers shared by the service simulators (Chatwoot, FreeScout, ...).
 *
 * Every outgoing request is restricted to loopback hosts: simulators and test clients must
 * never send traffic anywhere but this machine. Servers listen on 127.0.0.1 with an
 * OS-chosen port unless given one.
 *
 * API (keep it stable, other simulators use it):
 *   readBody(req)                         -> Promise<Buffer>
 *   parseBody(buffer, contentType)        -> { ok, value, error } (JSON or urlencoded; empty -> {})
 *   send(res, status, body, headers)      -> writes a response; body: string | Buffer | undefined
 *   sendJson(res, status, value, headers) -> JSON.stringify(value) with application/json
 *   listen(server, port = 0)              -> Promise<string> base url "http://127.0.0.1:<port>"
 *   close(server)                         -> Promise<void> (also drops keep-alive sockets)
 *   request({ method, url, headers, body, timeoutMs })
 *                                          -> Promise<{ status, headers, body }> (body: string)
 *                                             rejects on connection errors / timeout (err.code)
 *   requestJson(opts)                     -> like request, plus `json` (parsed body or null)
 *   assertLoopback(url)                   -> throws unless the host is 127.0.0.1 / localhost / ::1
 *   startReceiver({ status, body, handler }) -> Promise<{ url, requests, status, body, handler, close() }>
 *                                             a recording HTTP endpoint (webhook target) on 127.0.0.1;
 *                                             requests: [{ method, url, headers, body (raw string) }];
 *                                             `status` / `body` / `handler` can be changed between requests;
 *                                             handler(rec) may return { status, body } per request.
 */
const http = require('http');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function assertLoopback(url) {
	const u = url instanceof URL ? url : new URL(url);
	if (!LOOPBACK_HOSTS.has(u.hostname)) {
		const err = new Error(`refusing to send a request to non-loopback host "${u.hostname}"`);
		err.code = 'ENONLOOPBACK';
		throw err;
	}
	if (u.protocol !== 'http:') {
		const err = new Error(`only http: is supported by the simulators, got "${u.protocol}"`);
		err.code = 'EPROTOCOL';
		throw err;
	}
	return u;
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function parseBody(buffer, contentType) {
	const text = buffer ? buffer.toString('utf8') : '';
	if (text.trim() === '') return { ok: true, value: {} };
	const ct = String(contentType || '').toLowerCase();
	if (ct.includes('application/x-www-form-urlencoded')) {
		const value = {};
		for (const [k, v] of new URLSearchParams(text)) value[k] = v;
		return { ok: true, value };
	}
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, error };
	}
}

function send(res, status, body, headers) {
	const h = Object.assign({}, headers || {});
	if (body !== undefined && body !== null) {
		const buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
		h['Content-Length'] = String(buf.length);
		res.writeHead(status, h);
		res.end(buf);
	} else {
		h['Content-Length'] = '0';
		res.writeHead(status, h);
		res.end();
	}
}

function sendJson(res, status, value, headers) {
	send(
		res,
		status,
		JSON.stringify(value),
		Object.assign({ 'Content-Type': 'application/json; charset=utf-8' }, headers || {}),
	);
}

/**
 * What a simulator's start() was given, as {port, host}: nothing (a free port), a port number, or {port, host}.
 * Anything else is an error, never a silent free port. host defaults to 127.0.0.1 (0.0.0.0: every interface).
 */
function listenOptions(options) {
	const given = typeof options === 'number' ? { port: options } : options === undefined ? {} : options;
	if (given === null || typeof given !== 'object') throw new TypeError(`start() takes a port number or {port, host}, not ${JSON.stringify(options)}`);
	const { port = 0, host = '127.0.0.1' } = given;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`start(): the port must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`);
	return { port, host };
}

function listen(server, port = 0, host = '127.0.0.1') {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.removeListener('error', reject);
			const addr = server.address();
			resolve(`http://127.0.0.1:${addr.port}`);
		});
	});
}

function close(server) {
	return new Promise((resolve) => {
		if (!server || !server.listening) return resolve();
		server.close(() => resolve());
		if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
	});
}

function request(opts) {
	const { method = 'GET', headers = {}, body, timeoutMs = 10000 } = opts;
	let u;
	try {
		u = assertLoopback(opts.url);
	} catch (err) {
		return Promise.reject(err);
	}
	return new Promise((resolve, reject) => {
		const payload =
			body === undefined || body === null
				? null
				: Buffer.isBuffer(body)
					? body
					: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
		const h = Object.assign({}, headers);
		if (payload) h['Content-Length'] = String(payload.length);
		const req = http.request(
			{
				method,
				hostname: u.hostname.replace(/^\[|\]$/g, ''),
				port: u.port || 80,
				path: u.pathname + u.search,
				headers: h,
				agent: false,
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						headers: res.headers,
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				);
				res.on('error', reject);
			},
		);
		req.setTimeout(timeoutMs, () => {
			const err = new Error(`request timed out after ${timeoutMs} ms`);
			err.code = 'ETIMEDOUT';
			req.destroy(err);
		});
		req.on('error', reject);
		if (payload) req.write(payload);
		req.end();
	});
}

/** @returns {Promise<{ status: number, headers: Record<string, any>, body: string, json: any }>} */
async function requestJson(opts) {
	const res = await request(opts);
	let json = null;
	try {
		json = res.body === '' ? null : JSON.parse(res.body);
	} catch {
		json = null;
	}
	return Object.assign(res, { json });
}

/**
 * @typedef {{ method: string, url: string, headers: Record<string, any>, body: string }} ReceivedRequest
 * @typedef {{ url: string, requests: ReceivedRequest[], status: number, body: any, handler: ((req: ReceivedRequest) => any) | null, close: () => Promise<void> }} Receiver
 * @param {{ status?: number, body?: any, handler?: ((req: ReceivedRequest) => any) | null }} [options]
 * @returns {Promise<Receiver>}
 */
async function startReceiver({ status = 200, body = 'ok', handler = null } = {}) {
	/** @type {Receiver} */
	const rec = { url: '', requests: [], status, body, handler, close: () => Promise.resolve() };
	const server = http.createServer((req, res) => {
		readBody(req).then(
			async (raw) => {
				const entry = { method: req.method, url: req.url, headers: req.headers, body: raw.toString('utf8') };
				rec.requests.push(entry);
				let out = null;
				try {
					out = rec.handler ? await rec.handler(entry) : null;
				} catch {
					out = { status: 500, body: 'receiver handler failed' };
				}
				send(res, out && out.status ? out.status : rec.status, out && out.body !== undefined ? out.body : rec.body);
			},
			() => send(res, 400, 'bad request'),
		);
	});
	rec.url = await listen(server);
	rec.close = () => close(server);
	return rec;
}

module.exports = {
	startReceiver,
	assertLoopback,
	readBody,
	parseBody,
	send,
	sendJson,
	listenOptions,
	listen,
	close,
	request,
	requestJson,
};
