"""Every ```python block of every page in docs/ runs as a test.

Blocks of one page share a namespace and run in order, so a page reads like a
session.  A block fenced as ```python notest is shown but not run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^```python([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def runnable_blocks(page: Path) -> list[str]:
    return [code for info, code in BLOCK.findall(page.read_text("utf-8")) if "notest" not in info]


PAGES = sorted(p for p in DOCS.glob("*.md") if runnable_blocks(p))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for index, code in enumerate(runnable_blocks(page)):
        exec(compile(code, f"{page.name}[block {index}]", "exec"), namespace)
