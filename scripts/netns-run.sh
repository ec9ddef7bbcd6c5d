#!/usr/bin/env bash
# netns-run.sh <cmd...>
#
# Runs <cmd> inside a private network namespace whose only interface is the
# loopback device `lo`. Nothing in there can reach any non-loopback address
# (no cloud metadata endpoint, no internet): connects fail immediately with
# ENETUNREACH.
#
#   NETNS_ADDRS="169.254.169.254/32 192.0.2.10/32"  extra addresses added to lo
#                                                   (so a test can serve an
#                                                   emulator on them, locally)
#
# Needs root (or unprivileged user namespaces: falls back to `unshare -rn`).
# Sets VMID_NETNS=1 inside; a nested call only re-verifies and execs.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

SELF="$(readlink -f "${BASH_SOURCE[0]}")"

if [ "${VMID_NETNS:-}" != "1" ] && [ "${VMID_NETNS_SETUP:-}" != "1" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    exec env VMID_NETNS_SETUP=1 unshare --net --mount --propagation private -- bash "$SELF" "$@"
  else
    exec env VMID_NETNS_SETUP=1 unshare --map-root-user --net -- bash "$SELF" "$@"
  fi
fi

# --- inside the namespace (or nested call) ---
if [ "${VMID_NETNS_SETUP:-}" = "1" ]; then
  unset VMID_NETNS_SETUP
  ip link set lo up
fi

# Verify: the only interface is lo.
ifaces="$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//')"
if [ "$ifaces" != "lo" ]; then
  echo "netns-run: refusing to run: namespace has interfaces other than lo:" >&2
  ip -o link show >&2
  exit 1
fi
if ! ip -o link show lo | grep -q 'UP\|UNKNOWN'; then
  echo "netns-run: lo is not up" >&2
  exit 1
fi
# No route may lead anywhere but lo.
if ip route show table all 2>/dev/null | grep -v ' dev lo' | grep -q .; then
  echo "netns-run: refusing to run: unexpected routes:" >&2
  ip route show table all >&2
  exit 1
fi

for a in ${NETNS_ADDRS:-}; do
  ip addr add "$a" dev lo 2>/dev/null || ip addr show dev lo | grep -q " ${a%/*}/" || {
    echo "netns-run: could not add $a to lo" >&2; exit 1; }
done

export VMID_NETNS=1
exec "$@"
