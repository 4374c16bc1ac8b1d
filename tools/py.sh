#!/usr/bin/env bash
# Runs the project's Python: the repo's .venv when present (what .ci/run and the README set up),
# else MASKROOM_PYTHON, else python3 from PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${MASKROOM_PYTHON:-}" ]; then py="$MASKROOM_PYTHON"
elif [ -x "$root/.venv/bin/python" ]; then py="$root/.venv/bin/python"
else py="python3"; fi
exec "$py" "$@"
