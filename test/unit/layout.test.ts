/**
 * The house plan of nodes/: four floors, each importing only from its own floor and those below, no cycles, and
 * rooms small enough to read in one sitting.
 *   0 nodes/core/        pure logic: imports only core (and Node's own modules), nothing of n8n
 *   1 nodes/platforms/   one folder per platform, pure: imports core and its own folder (index.ts lists them all)
 *   2 nodes/n8n/         the glue to n8n's types and helpers: imports core, platforms, n8n
 *   3 nodes/<Node>/      the node folders on top: import anything below and their own folder, never another node
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const NODES = path.join(ROOT, 'nodes');
const MAX_LINES = 300;

/** Files of nodes/ that may still be over MAX_LINES while another branch splits them; empty once merged. */
const KNOWN_LONG_FILES: string[] = [];

function filesUnder(folder: string): string[] {
	return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(folder, entry.name);
		return entry.isDirectory() ? filesUnder(full) : [full];
	});
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');
const allFiles = filesUnder(NODES);
const sources = allFiles.filter((file) => file.endsWith('.ts'));

interface Room {
	floor: number;
	/** The folder a file may always import from: its platform's or node's folder, or its whole floor. */
	home: string;
}

function roomOf(file: string): Room {
	const [top, second] = path.relative(NODES, file).split(path.sep);
	if (top === 'core') return { floor: 0, home: 'nodes/core' };
	if (top === 'platforms') return { floor: 1, home: second.endsWith('.ts') ? 'nodes/platforms' : `nodes/platforms/${second}` };
	if (top === 'n8n') return { floor: 2, home: 'nodes/n8n' };
	return { floor: 3, home: `nodes/${top}` };
}

/** The file a relative import names: x.ts or x/index.ts. */
function resolveImport(from: string, specifier: string): string | null {
	const base = path.resolve(path.dirname(from), specifier);
	for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
		if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
	}
	return null;
}

interface Imports {
	local: string[];
	packages: string[];
	unresolved: string[];
}

function importsOf(file: string): Imports {
	const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
	const result: Imports = { local: [], packages: [], unresolved: [] };
	for (const { fileName } of info.importedFiles) {
		if (!fileName.startsWith('.')) {
			result.packages.push(fileName);
			continue;
		}
		const target = resolveImport(file, fileName);
		if (target === null) result.unresolved.push(fileName);
		else result.local.push(target);
	}
	return result;
}

const graph = new Map(sources.map((file) => [file, importsOf(file)]));
const isNodeBuiltin = (name: string) => builtinModules.includes(name.replace(/^node:/, ''));

/** What a file may import from another floor's or room's file; null when allowed. */
function upwardOrSideways(from: string, to: string): string | null {
	const source = roomOf(from);
	const target = roomOf(to);
	if (target.floor > source.floor) return `${rel(from)} (floor ${source.floor}) imports ${rel(to)} from floor ${target.floor} above`;
	const isIndex = rel(from) === 'nodes/platforms/index.ts';
	if (target.floor === source.floor && target.home !== source.home && !isIndex) {
		return `${rel(from)} imports ${rel(to)} from another room on its floor (${target.home})`;
	}
	return null;
}

describe('nodes/ layout', () => {
	it('has the four floors it is described with', () => {
		const floors = new Set(sources.map((file) => roomOf(file).floor));
		expect([...floors].sort()).toEqual([0, 1, 2, 3]);
		expect(sources.map(rel)).toEqual(
			expect.arrayContaining([
				'nodes/ConversationStatus/ConversationStatus.node.ts',
				'nodes/ConversationStatusTrigger/ConversationStatusTrigger.node.ts',
			]),
		);
	});

	it('tells an upward or sideways import apart from an allowed one', () => {
		const at = (file: string) => path.join(NODES, file);
		expect(upwardOrSideways(at('core/types.ts'), at('n8n/request.ts'))).toMatch(/from floor 2 above/);
		expect(upwardOrSideways(at('platforms/chatwoot/api.ts'), at('platforms/freescout/api.ts'))).toMatch(/another room/);
		expect(upwardOrSideways(at('n8n/request.ts'), at('ConversationStatus/ConversationStatus.node.ts'))).toMatch(/above/);
		expect(upwardOrSideways(at('ConversationStatus/x.ts'), at('ConversationStatusTrigger/y.ts'))).toMatch(/another room/);
		expect(upwardOrSideways(at('platforms/index.ts'), at('platforms/chatwoot/index.ts'))).toBeNull();
		expect(upwardOrSideways(at('n8n/request.ts'), at('core/http.ts'))).toBeNull();
	});

	it('every relative import names a file in the repository', () => {
		const unresolved = sources.flatMap((file) => graph.get(file)!.unresolved.map((name) => `${rel(file)}: ${name}`));
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
				.map((name) => `${rel(file)} imports ${name}`),
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
				if (state.get(target) === 'open') cycles.push([...stack.slice(stack.indexOf(target)), target].map(rel).join(' -> '));
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
			.filter((file) => !/\.(svg|png)$/.test(file))
			.map((file) => ({ file: rel(file), lines: fs.readFileSync(file, 'utf8').split('\n').length }))
			.filter(({ lines }) => lines > MAX_LINES)
			.map(({ file, lines }) => `${file}: ${lines} lines`);
		expect(long.filter((entry) => !KNOWN_LONG_FILES.some((file) => entry.startsWith(`${file}:`)))).toEqual([]);
	});
});
