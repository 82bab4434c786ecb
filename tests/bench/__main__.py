"""Run every benchmark: ``python -m tests.bench`` (or ``python -m tests.bench build``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    wanted = set(sys.argv[1:])
    here = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        if wanted and module.name.removeprefix("bench_") not in wanted:
            continue
        importlib.import_module(f"tests.bench.{module.name}").main()


main()
