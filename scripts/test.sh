#!/usr/bin/env bash
# Runs every test of the solution (the README's test command) and ends with `N passed, N failed`.
# Tests start their own Azurite (from node_modules), trainer processes and hosts on free ports.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# libtorch's OpenMP threads spin while waiting unless told not to: 5–20x slower on 2 busy cores (docs/performance.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
bash scripts/bootstrap.sh || { echo "0 passed, 1 failed"; exit 1; }

# Long steps say they are alive: a line every minute while a build or a test project runs.
alive() { # alive <label>: prints "<label>: still running (N s)" every 60 s until killed
  local label="$1" start; start=$(date +%s)
  while sleep 60; do echo "$label: still running ($(( $(date +%s) - start )) s)"; done
}

echo "test: dotnet build"
alive "test: dotnet build" & ticker=$!
# warnings are shown (-v q lists them; the summary alone said "N Warning(s)")
dotnet build Pipeline.sln -c Release -v q --nologo; built=$?
kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null
if [ "$built" != "0" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi

results="$root/TestResults"
rm -rf "$results"
status=0
passed=0; failed=0; skipped=0
# infra/bicep: `bicep build` + `bicep lint`, offline, any warning fails; counted as one test.
echo "test: bicep-check"
if bash scripts/bicep-check.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
# One test project at a time: the machines have 2 cores and several suites train small models.
for proj in $(find tests -name '*.Tests.csproj' | sort); do
  name="$(basename "$proj" .csproj)"
  echo "test: $name"
  log="$results/$name.log"
  mkdir -p "$results"
  alive "test: $name" & ticker=$!
  dotnet test "$proj" -c Release --no-build --nologo -v q --logger "trx;LogFileName=$name.trx" --results-directory "$results" 2>&1 | tee "$log" | grep -E "^(Passed|Failed)!|error|\[FAIL\]| Failed [A-Za-z]" || true
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    e=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
    if [ "$f" != "0" ]; then
      status=1
      # the failures' messages (the full output stays in $trx and $log)
      awk '/<Message>/,/<\/Message>/' "$trx" | sed -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/\&/g' | head -n 60
    fi
  else
    echo "test: $name produced no results (crashed?) — see $log"
    failed=$((failed + 1)); status=1
  fi
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
