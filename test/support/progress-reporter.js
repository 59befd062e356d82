// A jest reporter for the slow suites (e2e, editor): a line per test as it starts and as it ends, so a run that
// takes minutes per file shows where it is. The default reporter prints a file's results only when the file ends.
class ProgressReporter {
	constructor() {
		this.started = new Map();
	}

	onTestFileStart(test) {
		process.stderr.write(`▶ ${relative(test.path)}\n`);
	}

	onTestCaseStart(test, testCaseStartInfo) {
		this.started.set(testCaseStartInfo.fullName, Date.now());
		process.stderr.write(`  … ${testCaseStartInfo.fullName}\n`);
	}

	onTestCaseResult(test, testCaseResult) {
		const mark = { passed: '✓', failed: '✕', pending: '○', skipped: '○', todo: '○' }[testCaseResult.status] ?? '?';
		const seconds = ((testCaseResult.duration ?? 0) / 1000).toFixed(1);
		process.stderr.write(`  ${mark} ${testCaseResult.fullName} (${seconds} s)\n`);
	}
}

function relative(file) {
	return file.startsWith(process.cwd()) ? file.slice(process.cwd().length + 1) : file;
}

module.exports = ProgressReporter;
