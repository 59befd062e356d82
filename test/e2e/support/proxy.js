'use strict';
// A transparent HTTP forwarder on 127.0.0.1 that n8n's N8N_WEBHOOK_URL points at, so every webhook
// delivery from the simulators passes through it. Tests use it to make n8n's answer look like a failure
// to the sender (a reverse proxy timing out, a 502 from a load balancer), which makes FreeScout retry.
// With several targets (queue mode's `n8n webhook` processes) it is a round-robin load balancer: request
// i goes to target i mod n, and the log says which target answered.
//
//   const proxy = await startProxy();           // proxy.url: "http://127.0.0.1:<port>" ({port} to fix it)
//   proxy.setTarget(n8n.baseUrl);               // or proxy.setTargets([webhookA.baseUrl, webhookB.baseUrl])
//   proxy.failNext({ count: 1, status: 502, forward: true });  // forward to n8n, answer 502 anyway
//   proxy.clearFailures();                       // forward and answer normally again
//   proxy.log                                    // [{method, path, target, status, forwardedStatus, failed, at}]
//   await proxy.close();
const http = require('node:http');

async function startProxy({ port = 0 } = {}) {
	let targets = [];
	let next = 0; // round-robin position
	const failures = [];
	const log = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const entry = {
				method: req.method,
				path: req.url,
				target: null,
				status: 0,
				forwardedStatus: null,
				failed: false,
				at: Date.now(),
			};
			log.push(entry);
			const failure = failures.length > 0 ? failures[0] : null;
			if (failure) {
				failure.count -= 1;
				if (failure.count <= 0) failures.shift();
			}
			try {
				let forwarded = null;
				if (!failure || failure.forward) {
					if (targets.length === 0) throw new Error('proxy has no target');
					const target = targets[next++ % targets.length];
					entry.target = target;
					const headers = { ...req.headers };
					delete headers.host;
					delete headers.connection;
					delete headers['content-length'];
					const response = await fetch(`${target}${req.url}`, {
						method: req.method,
						headers,
						body: ['GET', 'HEAD'].includes(req.method) ? undefined : body,
					});
					forwarded = { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
					entry.forwardedStatus = response.status;
				}
				if (failure) {
					entry.failed = true;
					entry.status = failure.status;
					res.writeHead(failure.status, { 'content-type': 'text/plain' });
					res.end('Bad Gateway (e2e proxy)');
					return;
				}
				entry.status = forwarded.status;
				const contentType = forwarded.headers.get('content-type');
				res.writeHead(forwarded.status, contentType ? { 'content-type': contentType } : {});
				res.end(forwarded.body);
			} catch (error) {
				entry.status = 502;
				entry.error = error.message;
				if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
				res.end(`proxy error: ${error.message}`);
			}
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		log,
		/** Forwards everything to one URL. */
		setTarget(url) {
			this.setTargets([url]);
		},
		/** Spreads requests over these URLs in turn (round-robin), starting with the first. */
		setTargets(urls) {
			targets = urls.map((url) => url.replace(/\/$/, ''));
			next = 0;
		},
		/** The next `count` requests answer `status`; with `forward` n8n still receives (and answers) them. */
		failNext({ count = 1, status = 502, forward = true } = {}) {
			failures.push({ count, status, forward });
		},
		/** Every request again forwarded and answered as the target answers (ends failNext, even count: Infinity). */
		clearFailures() {
			failures.length = 0;
		},
		close() {
			server.closeAllConnections?.();
			return new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { startProxy };
