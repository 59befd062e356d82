// The source and tarball lint of n8n's verification scanner (@n8n/scan-community-package 0.32.0,
// scanner/scanner.mjs: buildScanConfig + analyzePackage), run locally. The scanner itself only works on a
// package already published with provenance; this replays its two ESLint passes on the working tree:
//   1. the source: package.json and {nodes,credentials}/**/*.{js,ts,json};
//   2. the tarball `npm pack` would publish: **/*.js and package.json (run `npm run build` first).
// Same config as the scanner: the community-nodes plugin's full recommended config, no-console, the
// eslint-plugin-n8n-nodes-base community/credentials/nodes rulesets with the scanner's off-overrides, the
// TypeScript parser for .ts and .json, and allowInlineConfig: false (eslint-disable comments do not count).
// Uses the copies that @n8n/node-cli already installs (no extra dependency). Pass = zero errors.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeCli = path.join(root, 'node_modules', '@n8n', 'node-cli');
// Resolve like the scanner would: from @n8n/node-cli's own dependencies first, then the project's.
const requireFrom = createRequire(path.join(nodeCli, 'package.json'));
const load = async (name) => await import(pathToFileURL(requireFrom.resolve(name)).href);

const { ESLint } = await load('eslint');
const { defineConfig } = await load('eslint/config');
const { n8nCommunityNodesPlugin } = await load('@n8n/eslint-plugin-community-nodes');
const tsParserModule = await load('@typescript-eslint/parser');
const n8nNodesPlugin = (await load('eslint-plugin-n8n-nodes-base')).default;
const parser = tsParserModule.default ?? tsParserModule;
const globModule = await load('fast-glob');
const glob = globModule.default ?? globModule;

const config = defineConfig(
	n8nCommunityNodesPlugin.configs.recommended,
	{ rules: { 'no-console': 'error' } },
	{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
	{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
	{
		files: ['**/credentials/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['**/nodes/**/*.ts'],
		rules: {
			...n8nNodesPlugin.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
	{ files: ['**/*.json'], languageOptions: { parser } },
	{ files: ['**/*.ts'], languageOptions: { parser } },
);

async function analyze(label, cwd, patterns) {
	const eslint = new ESLint({ cwd, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: config });
	const files = glob.sync(patterns, { cwd, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((sum, r) => sum + r.errorCount, 0);
	const warnings = results.reduce((sum, r) => sum + r.warningCount, 0);
	const formatted = await (await eslint.loadFormatter('stylish')).format(results);
	if (formatted.trim() !== '') console.log(formatted.split(cwd + path.sep).join(''));
	console.log(`${label}: ${files.length} files, ${errors} errors, ${warnings} warnings`);
	return errors;
}

let errors = await analyze('source', root, ['package.json', '{nodes,credentials}/**/*.{js,ts,json}']);

if (!fs.existsSync(path.join(root, 'dist'))) {
	console.log('tarball: dist/ is missing, run `npm run build` first');
	errors += 1;
} else {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-scanner-'));
	try {
		const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
			.trim()
			.split('\n')
			.pop();
		const unpacked = path.join(work, 'package');
		execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
		errors += await analyze('tarball', unpacked, ['**/*.js', 'package.json']);
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

process.exitCode = errors > 0 ? 1 : 0;
