#!/usr/bin/env bash
# Installs the prerequisites, builds everything (the native core through CMake included) and runs the fast
# tests (everything not in category Slow). `--slow` runs the slow set instead. Ends with the line
# "N passed, N failed, N skipped" computed from the test results (TRX files).
set -euo pipefail
cd "$(dirname "$0")/.."

filter="TestCategory!=Slow"
if [[ "${1:-}" == "--slow" ]]; then filter="TestCategory=Slow"; fi

bash scripts/install-prerequisites.sh --with-peers

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
status=0
dotnet build AutoBatch.sln -c Release -nologo -v q || exit 1
dotnet test AutoBatch.sln -c Release --no-build -nologo --filter "$filter" \
  --logger "trx" --results-directory "$results" || status=$?

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for f in files:
    for r in ET.parse(f).getroot().iterfind(".//t:UnitTestResult", ns):
        outcome = r.get("outcome")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive"):
            skipped += 1
        else:
            failed += 1
if not files:
    failed += 1
    print("no test results were produced", file=sys.stderr)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
