#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds, fetches the public demo data,
# and runs the built-in RLHF demo end to end on a local host over Azurite. Extra arguments go to
# `rlhf demo` (e.g. --json, --spec configs/tiny.json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# libtorch's OpenMP threads spin while waiting unless told not to: 5–20x slower on 2 busy cores (docs/performance.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# Set-up output goes to stderr, so stdout carries only the demo's own output (one JSON document with --json).
{
  RLHF_SKIP_BROWSER=1 bash scripts/bootstrap.sh
  bash scripts/fetch-data.sh
  dotnet build src/Cli -c Release -v q --nologo -clp:ErrorsOnly
} >&2
exec dotnet src/Cli/bin/Release/net10.0/rlhf.dll demo "$@"
