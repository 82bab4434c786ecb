"""Timing helpers for the benchmarks (not part of the test run)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_of(function: Callable[[], object], *, repeat: int = 7, min_time: float = 0.2) -> float:
    """Seconds per call: the best of ``repeat`` rounds, each running at least ``min_time``."""
    loops = 1
    while True:
        started = time.perf_counter()
        for _ in range(loops):
            function()
        if time.perf_counter() - started >= min_time / 4:
            break
        loops *= 2
    best = float("inf")
    gc.collect()
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(loops):
            function()
        best = min(best, (time.perf_counter() - started) / loops)
    return best


def report(title: str, rows: list[tuple[str, float]], floor_name: str) -> None:
    """Print per-call times and ratios to the row named ``floor_name``."""
    floor = dict(rows)[floor_name]
    print(f"\n{title}")
    print(f"  {'':44} {'per call':>12} {'ratio':>9}")
    for name, seconds in rows:
        print(f"  {name:44} {seconds * 1e6:10.1f}us {seconds / floor:8.2f}x")
