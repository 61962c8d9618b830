'use strict';
// Builds the flame graph page's script, src/profiler/export/html-page/page.ts (browser code, left
// out of the Node build), into dist/profiler/export/html-page/page.js, which toHtml() inlines in
// each page: type-checks it with its own tsconfig (the DOM's types, not Node's), then strips the
// types. Run by `npm run build` after tsc. Exit code 1, and the errors, when it does not check, is
// a module (it runs as a plain script) or holds what would end the page's <script> element.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const PAGE_DIR = path.join(ROOT, 'src/profiler/export/html-page');
const SOURCE = path.join(PAGE_DIR, 'page.ts');
const OUT = path.join(ROOT, 'dist/profiler/export/html-page/page.js');

function fail(message) {
  console.error(`build-html-page: ${message}`);
  process.exit(1);
}

const configFile = path.join(PAGE_DIR, 'tsconfig.json');
const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
if (error) fail(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, PAGE_DIR, undefined, configFile);
const program = ts.createProgram(parsed.fileNames, parsed.options);
const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
if (diagnostics.length > 0) {
  fail(
    `\n${ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    })}`,
  );
}
const source = program.getSourceFile(SOURCE);
if (source === undefined) fail(`${SOURCE} is not in ${configFile}'s files`);
if (ts.isExternalModule(source)) fail(`${SOURCE} must be a script: no import or export`);

const { outputText } = ts.transpileModule(source.text, {
  fileName: SOURCE,
  compilerOptions: { ...parsed.options, noEmit: false, sourceMap: false, inlineSourceMap: false },
});
if (/<\/script|<!--/i.test(outputText)) {
  fail(`${SOURCE} holds </script or <!--, which would end the page's <script> element`);
}
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, outputText);
