// extensionTestsPath module: the extension host calls run() and maps the
// promise (resolved -> exit 0, rejected -> exit 1) to the automation exit code.
'use strict';
const path = require('path');
const { runMocha } = require('./mocha-runner');

exports.run = function run() {
  return runMocha([path.join(__dirname, 'commands.test.js')]);
};
