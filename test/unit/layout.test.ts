/**
 * The house plan of nodes/: four floors, each importing only from its own floor and those below, no cycles, and
 * rooms small enough to read in one sitting.
 *   0 nodes/core/        pure logic: imports only core (and Node's own modules), nothing of n8n
 *   1 nodes/platforms/   one folder per platform, pure: imports core and its own folder (index.ts lists them all)
 *   2 nodes/n8n/         the glue to n8n's types and helpers: imports core, platforms, n8n
 *   3 nodes/<Node>/      the node folders on top: import anything below and their own folder, never another node
 */
import * as ts from 'typescript';

import { filesUnder, isNodeBuiltin, resolveImport } from '../support/source-tree';

const MAX_LINES = 300;

/** Files of nodes/ that may still be over MAX_LINES while another branch splits them; empty once merged. */
const KNOWN_LONG_FILES: string[] = [];

const allFiles = (filesUnder('nodes') as Array<{ file: string; text: string }>).filter(({ file }) => !/\.(svg|png)$/.test(file));
const sources = allFiles.filter(({ file }) => file.endsWith('.ts')).map(({ file }) => file);
const textOf = new Map(allFiles.map(({ file, text }) => [file, text]));

interface Room {
	floor: number;
	/** The folder a file may always import from: its platform's or node's folder, or its whole floor. */
	home: string;
}

function roomOf(file: string): Room {
	const [, top, second] = file.split('/');
	if (top === 'core') return { floor: 0, home: 'nodes/core' };
	if (top === 'platforms') return { floor: 1, home: second.endsWith('.ts') ? 'nodes/platforms' : `nodes/platforms/${second}` };
	if (top === 'n8n') return { floor: 2, home: 'nodes/n8n' };
	return { floor: 3, home: `nodes/${top}` };
}

interface Imports {
	local: string[];
	packages: string[];
	unresolved: string[];
}

function importsOf(file: string): Imports {
	const info = ts.preProcessFile(textOf.get(file) ?? '', true, true);
	const result: Imports = { local: [], packages: [], unresolved: [] };
	for (const { fileName } of info.importedFiles) {
		if (!fileName.startsWith('.')) {
			result.packages.push(fileName);
			continue;
		}
		const target = resolveImport(file, fileName) as string | null;
		if (target === null) result.unresolved.push(fileName);
		else result.local.push(target);
	}
	return result;
}

const graph = new Map(sources.map((file) => [file, importsOf(file)]));

/** What a file may import from another floor's or room's file; null when allowed. */
function upwardOrSideways(from: string, to: string): string | null {
	const source = roomOf(from);
	const target = roomOf(to);
	if (target.floor > source.floor) return `${from} (floor ${source.floor}) imports ${to} from floor ${target.floor} above`;
	const isIndex = from === 'nodes/platforms/index.ts';
	if (target.floor === source.floor && target.home !== source.home && !isIndex) {
		return `${from} imports ${to} from another room on its floor (${target.home})`;
	}
	return null;
}

describe('nodes/ layout', () => {
	it('has the four floors it is described with', () => {
		const floors = new Set(sources.map((file) => roomOf(file).floor));
		expect([...floors].sort()).toEqual([0, 1, 2, 3]);
		expect(sources).toEqual(
			expect.arrayContaining([
				'nodes/ConversationStatus/ConversationStatus.node.ts',
				'nodes/ConversationStatusTrigger/ConversationStatusTrigger.node.ts',
			]),
		);
	});

	it('tells an upward or sideways import apart from an allowed one', () => {
		const at = (file: string) => `nodes/${file}`;
		expect(upwardOrSideways(at('core/types.ts'), at('n8n/request.ts'))).toMatch(/from floor 2 above/);
		expect(upwardOrSideways(at('platforms/chatwoot/api.ts'), at('platforms/freescout/api.ts'))).toMatch(/another room/);
		expect(upwardOrSideways(at('n8n/request.ts'), at('ConversationStatus/ConversationStatus.node.ts'))).toMatch(/above/);
		expect(upwardOrSideways(at('ConversationStatus/x.ts'), at('ConversationStatusTrigger/y.ts'))).toMatch(/another room/);
		expect(upwardOrSideways(at('platforms/index.ts'), at('platforms/chatwoot/index.ts'))).toBeNull();
		expect(upwardOrSideways(at('n8n/request.ts'), at('core/http.ts'))).toBeNull();
	});

	it('every relative import names a file in the repository', () => {
		const unresolved = sources.flatMap((file) => graph.get(file)!.unresolved.map((name) => `${file}: ${name}`));
		expect(unresolved).toEqual([]);
	});

	it('imports only from its own floor and those below, never from another room on the same floor', () => {
		const problems = sources.flatMap((file) =>
			graph
				.get(file)!
				.local.map((target) => upwardOrSideways(file, target))
				.filter((problem): problem is string => problem !== null),
		);
		expect(problems).toEqual([]);
	});

	it('keeps core and platforms pure: no package but Node built-ins', () => {
		const pure = sources.filter((file) => roomOf(file).floor <= 1);
		const problems = pure.flatMap((file) =>
			graph
				.get(file)!
				.packages.filter((name) => !isNodeBuiltin(name))
				.map((name) => `${file} imports ${name}`),
		);
		expect(problems).toEqual([]);
	});

	it('has no import cycles', () => {
		const cycles: string[] = [];
		const state = new Map<string, 'open' | 'done'>();
		const stack: string[] = [];
		const visit = (file: string) => {
			state.set(file, 'open');
			stack.push(file);
			for (const target of graph.get(file)?.local ?? []) {
				if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
				else if (!state.has(target)) visit(target);
			}
			stack.pop();
			state.set(file, 'done');
		};
		for (const file of sources) if (!state.has(file)) visit(file);
		expect(cycles).toEqual([]);
	});

	it(`has no file over ${MAX_LINES} lines`, () => {
		const long = allFiles
			.map(({ file, text }) => ({ file, lines: text.split('\n').length }))
			.filter(({ lines }) => lines > MAX_LINES)
			.map(({ file, lines }) => `${file}: ${lines} lines`);
		expect(long.filter((entry) => !KNOWN_LONG_FILES.some((file) => entry.startsWith(`${file}:`)))).toEqual([]);
	});
});
