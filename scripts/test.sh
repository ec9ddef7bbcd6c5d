#!/usr/bin/env bash
# The one test command (`npm test`), in two lanes:
#   fast  type-check, lint (eslint, prettier --check, knip), build, unit tests in plain Node (emulator on loopback)
#   slow  package the .vsix, install real VS Code (code-server) and Chromium if missing, and run the integration
#         and UI suites inside a private network namespace that has only `lo`; then docs/TESTING.md
#
#   bash scripts/test.sh          both lanes; the slow one only if the fast one passed (npm test)
#   bash scripts/test.sh fast     the fast lane only (npm run test:fast)
#   bash scripts/test.sh slow     the slow lane only; adds the counts a fast lane run left in test-results/
#
# Prints "N passed, M failed" at the end (a lint tool or suite that fails without mocha's count adds 1 failed).
set -uo pipefail
cd "$(dirname "$0")/.."
lane=${1:-all}
case "$lane" in all | fast | slow) ;; *) echo "usage: $0 [all|fast|slow]" >&2; exit 2 ;; esac
LOG_DIR="test-results"
FAST_COUNTS="$LOG_DIR/fast-lane.counts"
mkdir -p "$LOG_DIR"
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
run_check() { # run_check <name> <cmd...>: a tool that passes or fails as a whole (lint); output kept in the log
  local name=$1; shift
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  if [ "${PIPESTATUS[0]}" -ne 0 ]; then status=1; failed=$((failed + 1)); echo "--- $name failed (log: $LOG_DIR/$name.log)"; fi
}
finish() {
  echo
  echo "$passed passed, $failed failed"
  exit $status
}

fast_lane() {
  rm -f "$LOG_DIR/cases.jsonl" "$FAST_COUNTS"

  stage "fast lane: type-check"
  npm run --silent typecheck || { failed=$((failed + 1)); status=1; finish; }

  stage "fast lane: lint (eslint with types, prettier --check, knip)"
  run_check lint-eslint npx eslint .
  run_check lint-format npx prettier --check .
  run_check lint-knip npx knip

  stage "fast lane: build"
  npm run --silent build || { failed=$((failed + 1)); status=1; finish; }

  stage "fast lane: unit tests (plain Node, emulator on loopback)"
  run_mocha unit npx mocha

  echo "$passed $failed $status" > "$FAST_COUNTS"
  echo
  echo "fast lane: $passed passed, $failed failed"
}

slow_lane() {
  if [ "$lane" = slow ] && [ -f "$FAST_COUNTS" ]; then
    read -r fp ff fs < "$FAST_COUNTS"
    passed=$((passed + fp)); failed=$((failed + ff)); [ "$fs" -eq 0 ] || status=1
    echo "(including the fast lane's $fp passed, $ff failed from $FAST_COUNTS)"
  fi

  stage "slow lane: package the .vsix (vscode:prepublish builds for production)"
  npm run --silent package || { failed=$((failed + 1)); status=1; finish; }
  size=$(stat -c %s dist/vm-identity.vsix)
  echo "dist/vm-identity.vsix: $size bytes"
  [ "$size" -lt 307200 ] || { echo "the .vsix is over 300 KB" >&2; status=1; failed=$((failed + 1)); }

  stage "slow lane: real VS Code: install code-server 4.100.3 and Chromium if missing"
  npm run --silent setup:vscode || { failed=$((failed + 1)); status=1; finish; }

  # network.e2e.ts (shipped defaults, no endpoint overrides) builds its realistic network inside this namespace:
  # 169.254.169.254 and 192.0.2.10 on lo, the Azure host names in a hosts file bind-mounted in the private mount
  # namespace only, and the emulator's test CA in the namespace's OS bundle.
  stage "slow lane: real VS Code: integration suites in the extension host (fault matrix), namespace with only lo"
  run_mocha integration bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/extensionHost.e2e.ts

  stage "slow lane: real VS Code: UI journeys (Chromium), network namespace with only lo"
  run_mocha e2e bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/smoke.e2e.ts \
    test/e2e/vmIdentity.e2e.ts test/e2e/useIdentity.e2e.ts test/e2e/hosts.e2e.ts test/e2e/consumers.e2e.ts \
    test/e2e/checkAccess.e2e.ts test/e2e/demo.e2e.ts test/e2e/network.e2e.ts test/e2e/networkProxy.e2e.ts

  stage "docs/TESTING.md from the recorded cases"
  node scripts/testing-doc.js || { status=1; failed=$((failed + 1)); }
}

case "$lane" in
  fast) fast_lane ;;
  slow) slow_lane ;;
  all)
    fast_lane
    if [ "$status" -ne 0 ]; then
      echo "The fast lane failed: the real-VS-Code suites did not run (bash scripts/test.sh slow runs them alone)." >&2
      finish
    fi
    slow_lane
    ;;
esac
finish
