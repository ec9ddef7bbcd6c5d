#!/usr/bin/env node
// Renders media/icon.svg to media/icon.png (128×128, transparent corners) with the Chromium the UI tests use.
// Run after editing the SVG, offline like every browser here:
//   bash scripts/netns-run.sh node scripts/render-icon.js      (CHROMIUM_PATH overrides /usr/bin/chromium)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const root = path.resolve(__dirname, '..');
const svg = fs.readFileSync(path.join(root, 'media', 'icon.svg'), 'utf8');

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    fs.writeFileSync(path.join(root, 'media', 'icon.png'), png);
    process.stdout.write(`media/icon.png: ${png.length} bytes\n`);
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
