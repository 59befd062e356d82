/**
 * The published package as n8n's community-node rules want it. The tarball of a fresh build holds exactly the
 * compiled JavaScript of nodes/ and credentials/, the codex files, the icons, README.md, LICENSE and
 * package.json. No declarations: n8n loads only the .js files package.json names, and nothing imports this
 * package's types. No source maps (their sources are not shipped), no build info. Also: no runtime
 * dependencies, n8n-workflow as the only peer, strict mode, no install scripts.
 */
import { buildInTempCopy, filesUnder, manifest, packedFiles, removeBuild } from '../support/pack';

/** What the tarball must hold, derived from the sources: tsc's and the icon task's outputs plus npm's fixed files. */
function expectedFiles(root: string): string[] {
	const sources = [...filesUnder(root, 'nodes'), ...filesUnder(root, 'credentials')];
	const compiled = sources
		.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
		.map((file) => `dist/${file.replace(/\.ts$/, '.js')}`);
	const codex = sources.filter((file) => file.endsWith('.node.json')).map((file) => `dist/${file}`);
	const icons = [...sources, ...filesUnder(root, 'icons')]
		.filter((file) => /\.(svg|png)$/.test(file))
		.map((file) => `dist/${file}`);
	return [...compiled, ...codex, ...icons, 'LICENSE', 'README.md', 'package.json'].sort();
}

const pkg = manifest();

describe('published package', () => {
	it('follows the community-node manifest rules', () => {
		expect(pkg.name).toBe('n8n-nodes-conversation-status');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.overrides).toBeUndefined();
		expect(pkg.n8n).toMatchObject({ n8nNodesApiVersion: 1, strict: true });
		for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[script]).toBeUndefined();
		for (const version of Object.values(pkg.devDependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
	});
});

describe('published tarball of a fresh build', () => {
	let buildDir: string;
	let files: string[];

	beforeAll(() => {
		buildDir = buildInTempCopy();
		files = packedFiles(buildDir);
	}, 300_000);

	afterAll(() => {
		if (buildDir) removeBuild(buildDir);
	});

	it('ships exactly the compiled nodes and credentials, codex files, icons, README.md, LICENSE and package.json', () => {
		const expected = expectedFiles(buildDir);
		expect(files.filter((file) => !expected.includes(file))).toEqual([]);
		expect(expected.filter((file) => !files.includes(file))).toEqual([]);
	});

	it('ships every node and credential that package.json declares, with a codex file per node', () => {
		const declared = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(declared.length).toBe(4);
		for (const entry of declared) expect(files).toContain(entry);
		for (const node of pkg.n8n.nodes) expect(files).toContain(node.replace(/\.js$/, '.json'));
	});
});
