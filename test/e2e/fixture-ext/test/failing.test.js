'use strict';
const assert = require('assert');

describe('deliberately failing suite', () => {
  it('fails on purpose', () => {
    assert.strictEqual(1 + 1, 3, 'this failure is expected: it proves failures are detected');
  });
});
