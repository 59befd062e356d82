/**
 * `npm run simulators` (scripts/simulators.js): both simulators on their own, with what to enter in one's own n8n.
 * What it prints is what works: the printed token and key read the simulated accounts, a webhook registered with
 * them receives the change a menu key makes. Ports are given as flags; anything else is refused, never ignored.
 */
import { request, requestJson, startReceiver } from '../simulators/http-util';
import { createChatwootSimulator } from '../simulators/chatwoot';
import { freePort, startSimulatorsCommand } from '../support/simulators-command';

/** A value the command printed on the line of a credential field. */
function printed(output: string, field: string): string {
	const match = new RegExp(`^\\s+${field}\\s+(\\S+)`, 'm').exec(output);
	if (!match) throw new Error(`no "${field}" in:\n${output}`);
	return match[1];
}

describe('npm run simulators', () => {
	const ports = { chatwoot: 0, freescout: 0 };
	let command: ReturnType<typeof startSimulatorsCommand>;
	let output: string;

	beforeAll(async () => {
		ports.chatwoot = await freePort();
		ports.freescout = await freePort();
		command = startSimulatorsCommand(['--chatwoot-port', String(ports.chatwoot), '--freescout-port', String(ports.freescout)]);
		output = await command.waitFor(/q {2}quit/);
	});

	afterAll(async () => {
		expect(await command?.stop()).toBe(0);
	});

	it('prints both credentials, and the printed values read the simulated accounts', async () => {
		const chatwootUrl = output.match(/Chatwoot API\s+Base URL\s+(\S+)/)![1];
		const freescoutUrl = output.match(/FreeScout API\s+Base URL\s+(\S+)/)![1];
		expect([chatwootUrl, freescoutUrl]).toEqual([`http://127.0.0.1:${ports.chatwoot}`, `http://127.0.0.1:${ports.freescout}`]);

		const inboxes = await requestJson({
			url: `${chatwootUrl}/api/v1/accounts/${printed(output, 'Account ID')}/inboxes`,
			headers: { api_access_token: printed(output, 'Access Token') },
		});
		expect(inboxes.status).toBe(200);
		const mailboxes = await requestJson({ url: `${freescoutUrl}/api/mailboxes?pageSize=1`, headers: { 'X-FreeScout-API-Key': printed(output, 'API Key') } });
		expect(mailboxes.status).toBe(200);
		expect(printed(output, 'Webhook Secret Key')).toMatch(/^[0-9a-f]{32}$/);
	});

	it('a menu key plays the customer: the webhook registered with the printed token gets the change, and the command lists it', async () => {
		const receiver = await startReceiver();
		try {
			const chatwootUrl = `http://127.0.0.1:${ports.chatwoot}`;
			const accountId = printed(output, 'Account ID');
			const created = await requestJson({
				method: 'POST',
				url: `${chatwootUrl}/api/v1/accounts/${accountId}/webhooks`,
				headers: { api_access_token: printed(output, 'Access Token'), 'Content-Type': 'application/json' },
				body: JSON.stringify({ url: receiver.url, subscriptions: ['conversation_updated'] }),
			});
			expect(created.status).toBe(200);
			expect(output).toMatch(/Chatwoot conversation 1: resolved/);

			command.send('1');
			const after = await command.waitFor(/Chatwoot webhook conversation_updated → http:\/\/127\.0\.0\.1:\d+: 200/);
			expect(after).toMatch(/Chatwoot conversation 1: pending/);
			const statuses = receiver.requests.map((delivery) => JSON.parse(delivery.body)).map((body) => [body.event, body.status]);
			expect(statuses).toContainEqual(['conversation_updated', 'pending']);
		} finally {
			await receiver.close();
		}
	});

	it('a key that is not in the menu is answered with the menu', async () => {
		command.send('x');
		expect(await command.waitFor(/"x" is not in the menu/)).toBeTruthy();
	});
});

describe('ports are taken as given or refused', () => {
	it('a bare port number, a word or an unknown flag stops the command with a message (exit 2)', async () => {
		for (const args of [['5686'], ['--chatwoot-port', 'abc'], ['--freescout-port', '70000'], ['--port', '5686']]) {
			const command = startSimulatorsCommand(args);
			expect([args, await command.exited]).toEqual([args, 2]);
			expect(command.output()).toMatch(/^npm run simulators: (unknown argument|--\w+-port must be a port number)/);
		}
	});

	it("a simulator's start() takes a port number as a port; anything else is an error, not a free port", async () => {
		const sim = createChatwootSimulator();
		const port = await freePort();
		try {
			const { url } = await sim.start(port);
			expect(url).toBe(`http://127.0.0.1:${port}`);
			expect((await request({ url: `${url}/api/v1/accounts/1/inboxes` })).status).toBe(401);
		} finally {
			await sim.stop();
		}
		const other = createChatwootSimulator();
		await expect(other.start(String(port) as unknown as number)).rejects.toThrow(/start\(\) takes a port number or \{port, host\}/);
		await expect(other.start({ port: port + 0.5 })).rejects.toThrow(/whole number from 0 to 65535/);
	});
});
