// Deliberately failing extensionTestsPath module: proves that failures inside
// the extension host reach the harness as a non-zero exit code.
'use strict';
const path = require('path');
const { runMocha } = require('./mocha-runner');

exports.run = function run() {
  return runMocha([path.join(__dirname, 'commands.test.js'), path.join(__dirname, 'failing.test.js')]);
};
