#!/usr/bin/env bash
# Installs everything the project needs beyond the .NET 10 SDK and Node.js 20, idempotently:
# the npm tools (Azurite, public datasets), Debian packages for report fonts and browser tests,
# and the .NET packages. Safe to run again; prints only what it does.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=()
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ "${RLHF_SKIP_BROWSER:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then need_apt+=(chromium); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: apt-get install ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: please install Debian packages: ${need_apt[*]} (report fonts / browser tests need them)" >&2
  fi
fi

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "bootstrap: dotnet restore"
dotnet restore Pipeline.sln -v q --nologo
