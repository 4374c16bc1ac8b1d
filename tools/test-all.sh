#!/usr/bin/env bash
# The README's test command (`npm test`): every gate, in an order where each stage's inputs exist.
#   lint → typecheck → pytest (also writes the pycocotools RLE vectors) → vitest → build → Playwright
# Every stage runs even if an earlier one failed, so one run shows every problem; the exit code is
# non-zero if any stage failed. The last line sums the test cases of the three runners.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TURBO_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
reports="$(mktemp -d)"

# PostgreSQL and Redis on loopback for the integration suites. Started here when they are not
# running already, and then stopped on exit; servers someone else started are left alone.
if bash tools/ci-services.sh status >/dev/null 2>&1; then
  bash tools/ci-services.sh start >/dev/null
elif bash tools/ci-services.sh start; then
  trap 'bash tools/ci-services.sh stop' EXIT
else
  echo "✘ could not start PostgreSQL/Redis: run 'bash tools/setup.sh --test' first"; exit 1
fi
# shellcheck source=/dev/null
source .ci/services.env
failed=()

stage() {
  local name="$1"; shift
  echo; echo "━━━ ${name} ━━━"
  local start=$SECONDS
  if "$@"; then echo "✔ ${name} ($((SECONDS - start)) s)"; else echo "✘ ${name} failed ($((SECONDS - start)) s)"; failed+=("$name"); fi
}

stage lint npm run --silent lint
stage typecheck npx turbo run typecheck --output-logs=errors-only
stage pytest bash tools/py.sh -m pytest gpu-worker/tests -q --junitxml="$reports/pytest.xml"
stage vitest npx vitest run --reporter=default --reporter=junit --outputFile.junit="$reports/vitest.xml"
stage build npx turbo run build --output-logs=errors-only
stage playwright env PLAYWRIGHT_JUNIT_OUTPUT_NAME="$reports/playwright.xml" \
  npx playwright test -c e2e/playwright.config.ts --reporter=list,junit

echo
node tools/junit-summary.mjs "$reports"/*.xml
if [ ${#failed[@]} -gt 0 ]; then echo "failed stages: ${failed[*]}"; exit 1; fi
