const path = require('node:path');
const { task, src, dest } = require('gulp');

// tsc emits only code: node and credential icons are copied next to the compiled files.
task('build:icons', () =>
	src(['icons/**/*.{png,svg}', 'nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	),
);
