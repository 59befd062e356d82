// n8n-core writes <N8N_USER_FOLDER>/.n8n/config on first use: keep it out of the user's home.
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-cs-test-'));
}
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
// n8n-core logs every node error its workflows raise; the tests raise them on purpose and assert them, so the log
// would be noise. N8N_LOG_LEVEL=info npx jest ... shows it again.
process.env.N8N_LOG_LEVEL ??= 'silent';
require('reflect-metadata');
