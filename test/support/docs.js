// Reads README.md, the pages of docs/ and package.json's scripts for TypeScript tests (which may not import fs under
// the project's lint rules).
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** @returns {Array<{file: string, text: string, bytes: number}>} README.md first, then docs/*.md by name (repo-relative) */
function documentationPages() {
	const docs = fs
		.readdirSync(path.join(ROOT, 'docs'))
		.filter((file) => file.endsWith('.md'))
		.sort()
		.map((file) => `docs/${file}`);
	return ['README.md', ...docs].map((file) => {
		const buffer = fs.readFileSync(path.join(ROOT, file));
		return { file, text: buffer.toString('utf8'), bytes: buffer.length };
	});
}

/** Whether a repo-relative path exists (file or folder). */
function repoPathExists(relativePath) {
	return fs.existsSync(path.join(ROOT, relativePath));
}

/** @returns {Record<string, string>} package.json's scripts */
function packageScripts() {
	return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
}

module.exports = { documentationPages, repoPathExists, packageScripts };
