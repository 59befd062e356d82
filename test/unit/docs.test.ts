/**
 * README.md and docs/: a README a newcomer reads in one sitting, commands that exist, links that lead somewhere.
 * The README keeps the first screen, the S1 walk-through and the install; everything else lives in docs/ pages.
 */
import { documentationPages, packageScripts, repoPathExists } from '../support/docs';

const pages = documentationPages() as Array<{ file: string; text: string; bytes: number }>;
const readme = pages.find((page) => page.file === 'README.md')!;

/** GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function anchorsOf(text: string): Set<string> {
	const headings = text.split('\n').filter((line) => /^#{1,6} /.test(line));
	return new Set(headings.map((line) => anchorOf(line.replace(/^#+ /, ''))));
}

/** Joins a link target to the folder of the page it is on, as GitHub resolves it (repo-relative result). */
function resolveFrom(page: string, target: string): string {
	const parts = page.split('/').slice(0, -1);
	for (const part of target.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}

describe('README', () => {
	it('is under 20 KB', () => {
		expect(readme.bytes).toBeLessThan(20 * 1024);
	});

	it('keeps the first steps and links every docs/ page', () => {
		const headings = [...anchorsOf(readme.text)];
		expect(headings).toEqual(expect.arrayContaining(['fix-s1-in-ten-minutes', 'install', 'try-it-the-demo', 'example-workflows']));
		for (const page of pages.filter((page) => page.file.startsWith('docs/'))) {
			expect(readme.text).toContain(`](${page.file})`);
		}
	});

	it('says how to get n8n itself: npm, Docker, or the demo', () => {
		const install = readme.text.slice(readme.text.indexOf('## Install'), readme.text.indexOf('## Try it: the demo'));
		expect(install).toMatch(/npm install -g n8n/);
		expect(install).toMatch(/docker run .*n8nio\/n8n/);
		expect(install).toMatch(/npm run demo/);
	});
});

describe.each(pages.map((page) => [page.file, page] as const))('%s', (_file, page) => {
	it('names only npm scripts that package.json has', () => {
		const scripts = packageScripts() as Record<string, string>;
		const named = [...page.text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]);
		expect(named.filter((name) => !(name in scripts))).toEqual([]);
	});

	it('links only files and headings that exist', () => {
		const broken: string[] = [];
		for (const [, target] of page.text.matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^[a-z]+:/.test(target)) continue;
			const [file, anchor] = target.split('#');
			const linked = file === '' ? page.file : resolveFrom(page.file, file);
			if (!repoPathExists(linked)) broken.push(target);
			else if (anchor !== undefined && linked.endsWith('.md')) {
				const linkedText = pages.find((other) => other.file === linked)?.text ?? '';
				if (!anchorsOf(linkedText).has(anchor)) broken.push(target);
			}
		}
		expect(broken).toEqual([]);
	});
});
