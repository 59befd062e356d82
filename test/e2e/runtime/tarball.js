'use strict';
// The package as a user installs a release: `npm pack` makes the tarball (the publish workflow attaches the same
// file to each GitHub release), and npm installs it into the n8n user folder's nodes folder, as the README's
// Install section says:
//
//   cd ~/.n8n/nodes && npm install --legacy-peer-deps ./n8n-nodes-conversation-status-<version>.tgz
//
// --legacy-peer-deps keeps npm from installing the peer dependency n8n-workflow next to the package (npm 7+ does
// by default): the package must use n8n's own copy, and that install would fetch n8n-workflow and build its
// native dependencies.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

/** `npm pack` of `packageDir` (built beforehand) into `outDir`; returns the tarball's path. */
function packTarball(packageDir, outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	const output = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], {
		cwd: packageDir,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [{ filename }] = JSON.parse(output);
	return path.join(outDir, filename);
}

/**
 * Copies the tarball into `<userFolder>/.n8n/nodes/` and installs it there with npm, as the README says.
 * @returns the installed package's name
 */
function installTarball(tarball, userFolder) {
	const nodesFolder = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesFolder, { recursive: true });
	const file = path.basename(tarball);
	fs.copyFileSync(tarball, path.join(nodesFolder, file));
	execFileSync('npm', ['install', '--legacy-peer-deps', '--no-audit', '--no-fund', `./${file}`], {
		cwd: nodesFolder,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const manifest = JSON.parse(fs.readFileSync(path.join(nodesFolder, 'package.json'), 'utf8'));
	const [name] = Object.keys(manifest.dependencies ?? {});
	if (!name || !fs.existsSync(path.join(nodesFolder, 'node_modules', name, 'package.json'))) {
		throw new Error(`npm install of ${file} left no package under ${nodesFolder}/node_modules`);
	}
	return name;
}

module.exports = { packTarball, installTarball };
