#!/usr/bin/env bash
# Compiles and lints infra/bicep/main.bicep (and every module it uses) offline with the Bicep CLI from NuGet
# (Azure.Bicep.CommandLine.linux-x64, a PackageDownload of tests/FunctionApp.Tests). Fails on any error or warning:
# the CLI exits 0 on warnings, so its diagnostics output must be empty.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version="$(sed -n 's:.*<BicepVersion>\(.*\)</BicepVersion>.*:\1:p' tests/FunctionApp.Tests/FunctionApp.Tests.csproj)"
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
bicep="${packages%/}/azure.bicep.commandline.linux-x64/${version}/tools/bicep"
if [ ! -f "$bicep" ]; then
  dotnet restore tests/FunctionApp.Tests -v q --nologo >/dev/null || { echo "bicep-check: restore of the Bicep CLI failed" >&2; exit 1; }
fi
[ -x "$bicep" ] || chmod +x "$bicep"

status=0
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for step in build lint; do
  if [ "$step" = build ]; then
    "$bicep" build infra/bicep/main.bicep --outfile "$out/main.json" >"$out/$step.log" 2>&1; rc=$?
  else
    "$bicep" lint infra/bicep/main.bicep >"$out/$step.log" 2>&1; rc=$?
  fi
  if [ "$rc" != 0 ] || [ -s "$out/$step.log" ]; then
    echo "bicep-check: bicep $step reported problems (exit $rc):"
    cat "$out/$step.log"
    status=1
  else
    echo "bicep-check: bicep $step clean (Bicep CLI $version)"
  fi
done
exit $status
