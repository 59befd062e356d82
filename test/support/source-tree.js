// Reads the files under nodes/ and resolves their relative imports, for the layout test (TypeScript tests may not
// import fs under the project's lint rules). Paths are repo-relative with forward slashes.
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const ROOT = path.join(__dirname, '..', '..');

/** @returns {Array<{file: string, text: string}>} every file under `folder` (repo-relative), by name */
function filesUnder(folder) {
	const walk = (relative) =>
		fs
			.readdirSync(path.join(ROOT, relative), { withFileTypes: true })
			.sort((a, b) => a.name.localeCompare(b.name))
			.flatMap((entry) => (entry.isDirectory() ? walk(`${relative}/${entry.name}`) : [`${relative}/${entry.name}`]));
	return walk(folder).map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
}

/** The repo-relative file a relative import of `from` names (x.ts or x/index.ts), or null when there is none. */
function resolveImport(from, specifier) {
	const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
	for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
		const full = path.join(ROOT, candidate);
		if (fs.existsSync(full) && fs.statSync(full).isFile()) return candidate;
	}
	return null;
}

/** Whether `name` is one of Node's own modules (with or without `node:`). */
function isNodeBuiltin(name) {
	return builtinModules.includes(name.replace(/^node:/, ''));
}

module.exports = { filesUnder, resolveImport, isNodeBuiltin };
