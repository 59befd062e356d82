/**
 * The webhook lifecycle's pure steps (nodes/core/trigger/registration-steps.ts), driven without n8n: a scripted
 * platform answers each request, and the test records what the node would do.
 */
import type { ApiRequest, ApiResponse } from '../../nodes/core/http';
import {
	checkExistsSteps,
	createSteps,
	primesOn,
	removeSteps,
	type Lifecycle,
	type Step,
} from '../../nodes/core/trigger/registration-steps';
import type { RegistrationContext, StoredWebhook, WebhookRegistration } from '../../nodes/core/trigger/webhook-registration';

const context: RegistrationContext = { url: 'https://n8n.example.com/webhook/abc/webhook', events: ['a', 'b'], accountId: null, name: 'n8n: wf / T' };
const stored: StoredWebhook = { id: '7', url: context.url, secret: 's1', events: ['a', 'b'] };
const ok = (body: unknown = {}): ApiResponse => ({ statusCode: 200, headers: {}, body });
const failure = { message: 'no', description: 'check it', httpCode: '401' };

/** A platform whose readers return what `answers` says for each request path. */
function platform(answers: Record<string, unknown>, canUpdate = true): WebhookRegistration {
	const request = (path: string): ApiRequest => ({ method: 'GET', path }) as ApiRequest;
	const outcome = (path: string) => answers[path] as never;
	return {
		platform: 'freescout',
		eventsFor: () => context.events,
		createRequest: () => request('create'),
		readCreated: () => outcome('create'),
		checkRequest: () => request('check'),
		readCheck: () => outcome('check'),
		update: canUpdate ? { request: () => request('update'), read: () => outcome('update') } : null,
		adopt: { listRequest: () => request('list'), findByUrl: () => outcome('list') },
		deleteRequest: () => request('delete'),
		readDeleted: () => outcome('delete'),
	};
}

/** Runs the steps like the node does (deletes succeed unless told otherwise) and records each action. */
function drive(first: Step, { deleted = true } = {}): { actions: string[]; end: Step } {
	const actions: string[] = [];
	let step = first;
	for (;;) {
		switch (step.kind) {
			case 'send':
				actions.push(`send ${step.request.path}`);
				step = step.next(ok());
				break;
			case 'delete':
				actions.push(`delete ${step.webhook.id}`);
				step = step.next(deleted);
				break;
			case 'store':
				actions.push(`store ${step.webhook.id}/${step.webhook.secret}`);
				step = step.next();
				break;
			case 'forget':
				actions.push('forget');
				step = step.next();
				break;
			case 'log':
				actions.push(`log ${step.message}`);
				step = step.next();
				break;
			default:
				return { actions, end: step };
		}
	}
}

const life = (registration: WebhookRegistration, over: Partial<Lifecycle> = {}): Lifecycle => ({
	registration,
	displayName: 'FreeScout',
	context,
	automatic: true,
	stored,
	...over,
});

describe('checkExists', () => {
	test('registered by hand: nothing is sent, the webhook "exists", and the memory is primed', () => {
		expect(drive(checkExistsSteps(life(platform({}), { automatic: false, stored: null })))).toEqual({
			actions: [],
			end: { kind: 'done', answer: true, prime: true },
		});
	});

	test('nothing stored: create', () => {
		expect(drive(checkExistsSteps(life(platform({}), { stored: null }))).end).toEqual({ kind: 'done', answer: false, prime: false });
	});

	test("n8n's URL changed: the old webhook is deleted and forgotten, then create", () => {
		const { actions, end } = drive(checkExistsSteps(life(platform({}), { stored: { ...stored, url: 'https://old.example.com/webhook/x' } })));
		expect(actions).toEqual(['log webhook 7 points at https://old.example.com/webhook/x; registering it again', 'delete 7', 'forget']);
		expect(end).toEqual({ kind: 'done', answer: false, prime: false });
	});

	test('exists with a new secret: the secret is kept, then priming', () => {
		const { actions, end } = drive(checkExistsSteps(life(platform({ check: { kind: 'exists', secret: 's2' } }))));
		expect(actions).toEqual(['send check', 'store 7/s2']);
		expect(end).toEqual({ kind: 'done', answer: true, prime: true });
	});

	test('unknown to the platform but registered for other events: replaced', () => {
		const { actions, end } = drive(
			checkExistsSteps(life(platform({ check: { kind: 'unknown', reason: 'cannot list' } }), { stored: { ...stored, events: ['a'] } })),
		);
		expect(actions).toEqual(['send check', 'log webhook 7 delivers other events; registering it again', 'delete 7', 'forget']);
		expect(end).toMatchObject({ answer: false });
	});

	test('gone: forgotten, then create', () => {
		const { actions, end } = drive(checkExistsSteps(life(platform({ check: { kind: 'gone', reason: 'webhook 7 is gone' } }))));
		expect(actions).toEqual(['send check', 'log webhook 7 is gone; registering it again', 'forget']);
		expect(end).toMatchObject({ answer: false });
	});

	test('outdated: updated where the platform can, re-created where it cannot', () => {
		const updated = { kind: 'updated', webhook: { id: '7', secret: 's1' } };
		const outdated = { kind: 'outdated', reason: 'webhook 7 misses b' };
		expect(drive(checkExistsSteps(life(platform({ check: outdated, update: updated })))).actions).toEqual(['send check', 'send update', 'store 7/s1']);
		expect(drive(checkExistsSteps(life(platform({ check: outdated }, false)))).actions).toEqual([
			'send check',
			'log webhook 7 misses b; registering it again',
			'delete 7',
			'forget',
		]);
	});

	test('an error answer fails the method with the platform failure', () => {
		expect(drive(checkExistsSteps(life(platform({ check: { kind: 'failed', failure } })))).end).toMatchObject({ kind: 'failed', failure });
	});
});

describe('create', () => {
	test('created: stored, then priming', () => {
		const { actions, end } = drive(createSteps(life(platform({ create: { kind: 'created', webhook: { id: '9', secret: 'x' } } }), { stored: null })));
		expect(actions).toEqual(['send create', 'store 9/x']);
		expect(end).toEqual({ kind: 'done', answer: true, prime: true });
	});

	test('a conflict: the webhook with this URL is found, adopted and updated', () => {
		const registration = platform({
			create: { kind: 'conflict' },
			list: { kind: 'found', webhook: { id: '4', secret: null } },
			update: { kind: 'updated', webhook: { id: '4', secret: null } },
		});
		const { actions, end } = drive(createSteps(life(registration, { stored: null })));
		expect(actions).toEqual(['send create', 'send list', `log adopting the existing webhook 4 for ${context.url}`, 'send update', 'store 4/null']);
		expect(end).toMatchObject({ kind: 'done', answer: true, prime: true });
	});

	test('a conflict the list does not show: refused with what to do', () => {
		const registration = platform({ create: { kind: 'conflict' }, list: { kind: 'missing' } });
		expect(drive(createSteps(life(registration, { stored: null }))).end).toMatchObject({
			kind: 'refused',
			message: `FreeScout says a webhook for ${context.url} exists but does not list it`,
		});
	});

	test('registered by hand: nothing is sent and nothing primed (checkExists already did)', () => {
		expect(drive(createSteps(life(platform({}), { automatic: false })))).toEqual({ actions: [], end: { kind: 'done', answer: true, prime: false } });
	});
});

describe('delete', () => {
	test('deleted: forgotten; a failed delete keeps the stored webhook for the next check', () => {
		expect(drive(removeSteps(life(platform({}))))).toEqual({ actions: ['delete 7', 'forget'], end: { kind: 'done', answer: true, prime: false } });
		expect(drive(removeSteps(life(platform({}))), { deleted: false })).toEqual({ actions: ['delete 7'], end: { kind: 'done', answer: false, prime: false } });
		expect(drive(removeSteps(life(platform({}), { stored: null }))).actions).toEqual([]);
	});
});

test('priming: on every activation and n8n start, not for test listening', () => {
	expect(['activate', 'update', 'manual', 'init', 'leadershipChange'].filter(primesOn)).toEqual(['activate', 'update', 'init', 'leadershipChange']);
});
