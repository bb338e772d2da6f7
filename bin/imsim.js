#!/usr/bin/env node
// Launcher for the `imsim` command. The CLI itself is TypeScript compiled into dist/ by
// `npm run setup` (npm start and npm test run it too).
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  console.error('imsim: dist/ is not built yet. Run `npm run setup` (or `npm start`) in ' + path.dirname(__dirname) + ' first.');
  process.exit(1);
}
require(main);
