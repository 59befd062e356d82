'use strict';
// The package as `npm pack` would publish it, built from this checkout in a temporary copy: the check never
// depends on whether (or from which sources) dist/ was last built here, and cannot pass without a build.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
// Build output, installed or generated folders: neither an input of the build nor of `npm pack`.
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', '.runtime', '.tmp', 'coverage']);

/** Copies the checkout to a temporary folder (sharing node_modules) and runs `npm run build` there. */
function buildInTempCopy() {
	const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'package-build-'));
	fs.cpSync(REPO_ROOT, copy, {
		recursive: true,
		filter: (source) => !NOT_COPIED.has(path.relative(REPO_ROOT, source).split(path.sep)[0]),
	});
	fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
	try {
		execFileSync('npm', ['run', 'build'], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (error) {
		removeBuild(copy);
		// tsc reports its errors on stdout, which execFileSync's message leaves out.
		throw new Error(`npm run build failed in a copy of the checkout:\n${error.stdout}${error.stderr}`);
	}
	return copy;
}

/** Paths of the files `npm pack` would ship from `packageDir` (no lifecycle scripts run). */
function packedFiles(packageDir) {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: packageDir,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	return JSON.parse(output)[0].files.map((file) => file.path);
}

/** Paths of the files under `dir` of `root`, relative to `root` with forward slashes (none if `dir` is missing). */
function filesUnder(root, dir) {
	const folder = path.join(root, dir);
	if (!fs.existsSync(folder)) return [];
	return fs
		.readdirSync(folder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

function removeBuild(copy) {
	fs.rmSync(copy, { recursive: true, force: true });
}

function manifest() {
	return require(path.join(REPO_ROOT, 'package.json'));
}

module.exports = { buildInTempCopy, packedFiles, filesUnder, removeBuild, manifest };
