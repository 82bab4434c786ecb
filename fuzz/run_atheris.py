"""Run one fuzz target under atheris (libFuzzer for Python).

Usage::

    pip install atheris
    python -m fuzz.run_atheris sse [libFuzzer options, e.g. -max_total_time=60 corpus/]

The targets are in :mod:`fuzz.targets`. atheris is imported only when a run starts,
so this module imports (and its usage is testable) without it.
"""

from __future__ import annotations

import importlib
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the target named by ``argv[1]``; other arguments go to libFuzzer."""
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1].startswith("-"):
        print("usage: python -m fuzz.run_atheris TARGET [libFuzzer options]", file=sys.stderr)
        return 2
    try:
        atheris = importlib.import_module("atheris")
    except ImportError:
        print("atheris is not installed: pip install atheris", file=sys.stderr)
        return 2
    with atheris.instrument_imports():
        from fuzz.targets import TARGETS
    name = argv[1]
    if name not in TARGETS:
        print(f"unknown target {name!r}; known: {', '.join(sorted(TARGETS))}", file=sys.stderr)
        return 2
    atheris.Setup([argv[0], *argv[2:]], TARGETS[name])
    atheris.Fuzz()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
