/**
 * The published package as n8n's community-node rules want it: only dist/ plus README, LICENSE and package.json
 * in the tarball, no runtime dependencies, n8n-workflow as the only peer, strict mode, no install scripts.
 */
import { manifest, packedFiles } from '../support/pack';

describe('published package', () => {
	const pkg = manifest();

	it('ships only dist/, README.md, LICENSE and package.json, and every node and credential when built', () => {
		const files: string[] = packedFiles();
		const outside = files.filter((file) => !file.startsWith('dist/'));
		expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
		const built = files.some((file) => file.startsWith('dist/'));
		if (built) {
			// Without a build there is nothing under dist/ to check (npm test runs before npm run build in CI too).
			for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
			expect(files.filter((file) => /(^|\/)test\/|\.test\./.test(file))).toEqual([]);
		}
	});

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
