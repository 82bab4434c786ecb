#!/usr/bin/env bash
# Install everything into .venv and run the whole check: lint, types, tests with coverage.
# Extra arguments go to pytest.  HYPOTHESIS_PROFILE=thorough runs many more examples.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy --strict"; .venv/bin/mypy
if command -v npm >/dev/null && [ -d ../shared/openapi/prism ] && [ ! -e .cache/prism/node_modules/@stoplight/prism-cli/dist/index.js ]; then
  echo "== installing Prism (the spec-validating mock) into .cache/prism"
  mkdir -p .cache/prism
  cp ../shared/openapi/prism/package.json ../shared/openapi/prism/package-lock.json .cache/prism/
  (cd .cache/prism && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "== pytest"
.venv/bin/pytest -n 2 -p no:cacheprovider --cov --cov-report=term "$@"
