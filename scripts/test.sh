#!/usr/bin/env bash
# The one test command (`npm test`): type-check, build, unit tests in plain Node, then package the .vsix,
# install real VS Code (code-server) and Chromium if missing, and run the integration and UI suites inside a
# private network namespace that has only `lo`. Prints "N passed, M failed" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="test-results"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR/cases.jsonl"
passed=0
failed=0
status=0

stage() { echo; echo "=== $* ==="; }
count() { # count <log>: adds mocha's "N passing" / "N failing" to the totals
  local p f
  p=$(grep -Eo '^ +[0-9]+ passing' "$1" | tail -1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^ +[0-9]+ failing' "$1" | tail -1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
run_mocha() { # run_mocha <name> <cmd...>
  local name=$1; shift
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  local rc=${PIPESTATUS[0]}
  count "$LOG_DIR/$name.log"
  if [ "$rc" -ne 0 ]; then status=1; grep -Eq '^ +[0-9]+ failing' "$LOG_DIR/$name.log" || failed=$((failed + 1)); fi
}

stage "type-check and build"
npm run --silent typecheck || exit 1
npm run --silent build || exit 1

stage "unit tests (plain Node, emulator on loopback)"
run_mocha unit npx mocha

stage "package the .vsix"
npm run --silent package || exit 1
size=$(stat -c %s dist/vm-identity.vsix)
echo "dist/vm-identity.vsix: $size bytes"
[ "$size" -lt 307200 ] || { echo "the .vsix is over 300 KB" >&2; status=1; }

stage "real VS Code: install code-server 4.100.3 and Chromium if missing"
npm run --silent setup:vscode || exit 1

# network.e2e.ts (shipped defaults, no endpoint overrides) builds its realistic network inside this namespace:
# 169.254.169.254 and 192.0.2.10 on lo, the Azure host names in a hosts file bind-mounted in the private mount
# namespace only, and the emulator's test CA in the namespace's OS bundle.
stage "real VS Code: integration suites in the extension host (fault matrix), network namespace with only lo"
run_mocha integration bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/extensionHost.e2e.ts

stage "real VS Code: UI journeys (Chromium), network namespace with only lo"
run_mocha e2e bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/smoke.e2e.ts test/e2e/vmIdentity.e2e.ts test/e2e/demo.e2e.ts test/e2e/network.e2e.ts

stage "docs/TESTING.md from the recorded cases"
node scripts/testing-doc.js || status=1

echo
echo "$passed passed, $failed failed"
exit $status
