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
#   NETNS_HOSTS="192.0.2.10 management.azure.com graph.microsoft.com; ..."
#                         host-file entries ("<ip> <name>..." separated by ';'
#                         or newlines): a copy of /etc/hosts with them added is
#                         bind-mounted over /etc/hosts INSIDE the private mount
#                         namespace only (the host's /etc/hosts is untouched).
#
# Needs root (or unprivileged user namespaces: falls back to `unshare -rn`).
# Sets VMID_NETNS=1 inside; a nested call only re-verifies and execs.
# Exports VMID_HOST_MNTNS (the mount namespace it was started from), so code
# inside can prove it runs in a different, private one before mounting.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

SELF="$(readlink -f "${BASH_SOURCE[0]}")"

if [ "${VMID_NETNS:-}" != "1" ] && [ "${VMID_NETNS_SETUP:-}" != "1" ]; then
  host_mntns="$(readlink /proc/self/ns/mnt)"
  if [ "$(id -u)" -eq 0 ]; then
    exec env VMID_NETNS_SETUP=1 VMID_HOST_MNTNS="$host_mntns" unshare --net --mount --propagation private -- bash "$SELF" "$@"
  else
    exec env VMID_NETNS_SETUP=1 VMID_HOST_MNTNS="$host_mntns" unshare --map-root-user --net --mount --propagation private -- bash "$SELF" "$@"
  fi
fi

# --- inside the namespace (or nested call) ---
setup=0
if [ "${VMID_NETNS_SETUP:-}" = "1" ]; then
  unset VMID_NETNS_SETUP
  setup=1
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

# Host names for the namespace only: never touch the host's /etc/hosts.
if [ "$setup" = "1" ] && [ -n "${NETNS_HOSTS:-}" ]; then
  mntns="$(readlink /proc/self/ns/mnt)"
  parent_mntns="$(readlink "/proc/$PPID/ns/mnt" 2>/dev/null || true)"
  if [ -z "${VMID_HOST_MNTNS:-}" ] || [ "$mntns" = "$VMID_HOST_MNTNS" ] || [ -z "$parent_mntns" ] || [ "$mntns" = "$parent_mntns" ]; then
    echo "netns-run: refusing to bind-mount /etc/hosts: not in a private mount namespace ($mntns)" >&2
    exit 1
  fi
  if awk '$5 == "/" && / shared:/ {found=1} END {exit !found}' /proc/self/mountinfo; then
    echo "netns-run: refusing to bind-mount /etc/hosts: / propagates mounts (shared)" >&2
    exit 1
  fi
  hosts_file="$(mktemp /tmp/netns-hosts.XXXXXX)"
  cat /etc/hosts > "$hosts_file"
  printf '\n# netns-run.sh NETNS_HOSTS (this namespace only)\n' >> "$hosts_file"
  printf '%s\n' "$NETNS_HOSTS" | tr ';' '\n' | sed 's/^[[:space:]]*//;/^$/d' >> "$hosts_file"
  mount --bind "$hosts_file" /etc/hosts
  rm -f "$hosts_file" # the bind mount keeps the file alive; nothing is left behind
  export VMID_NETNS_HOSTS=1
fi

export VMID_NETNS=1
exec "$@"
