#!/usr/bin/env bash
# Install the core and the httpx binding into .venv, then run the demo against the built-in
# loopback server (no API key, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[httpx]'
exec .venv/bin/python -m openai_proto_httpx.demo
