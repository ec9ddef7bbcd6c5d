#!/usr/bin/env bash
# Installs the Debian packages the real-VS-Code test harness needs
# (Chromium, ripgrep, a C++ toolchain for code-server's native modules,
# libkrb5-dev for the kerberos module, iproute2/util-linux for the private
# network namespace). Idempotent: runs apt only when something is missing,
# and then one `apt-get update` + one `apt-get install`.
set -euo pipefail

# command -> apt package
declare -A NEED=(
  [chromium]=chromium
  [rg]=ripgrep
  [g++]=g++
  [make]=make
  [python3]=python3
  [krb5-config]=libkrb5-dev
  [openssl]=openssl
  [ip]=iproute2
  [unshare]=util-linux
)

missing=()
for cmd in "${!NEED[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    missing+=("${NEED[$cmd]}")
  fi
done
# krb5-config alone does not prove the headers are there.
if [ ! -f /usr/include/gssapi/gssapi.h ] && [ ! -f /usr/include/krb5.h ]; then
  missing+=(libkrb5-dev)
fi
[ -d /etc/ssl/certs ] && [ -s /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all present"
  exit 0
fi

# de-duplicate
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "install-system-deps: installing ${missing[*]}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"

for cmd in "${!NEED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "install-system-deps: $cmd still missing" >&2; exit 1; }
done
echo "install-system-deps: done"
