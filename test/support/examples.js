// Reads the example workflows of examples/ for TypeScript tests (which may not import fs under the project's lint rules).
const fs = require('node:fs');
const path = require('node:path');

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** @returns {Array<[string, any]>} [file name, parsed workflow] for every examples/*.json, by name */
function exampleWorkflows() {
	return fs
		.readdirSync(EXAMPLES)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => [file, JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'))]);
}

module.exports = { exampleWorkflows };
