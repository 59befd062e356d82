'use strict';
// What `npm pack` would put in the published tarball, and the package manifest, for the package test.
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Paths of the files `npm pack` would ship (no lifecycle scripts run). */
function packedFiles() {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	return JSON.parse(output)[0].files.map((file) => file.path);
}

function manifest() {
	return require(path.join(REPO_ROOT, 'package.json'));
}

module.exports = { packedFiles, manifest };
