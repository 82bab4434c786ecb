"""Importing the package stays cheap: the generated models load only when used."""

from __future__ import annotations

import json
import subprocess
import sys

BUDGET_SECONDS = 0.3
#: The measurement runs on a busy CI machine: allow this much over the budget.
MARGIN = 2.0


def run(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True
    )


def modules_after(statement: str) -> list[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    loaded: list[str] = json.loads(run(code).stdout)
    return loaded


def test_importing_the_package_does_not_import_the_models() -> None:
    loaded = modules_after("import openai_proto")
    assert "openai_proto.generated.models" not in loaded
    assert not [m for m in loaded if m.startswith("openai_proto.generated.models.")]


def test_a_familiar_type_imports_only_part_of_the_models() -> None:
    loaded = modules_after("from openai_proto.types import ChatCompletion")
    model_modules = [m for m in loaded if m.startswith("openai_proto.generated.models.")]
    assert "openai_proto.generated.models.chat" in model_modules
    assert "openai_proto.generated.models.responses" not in model_modules
    assert "openai_proto.generated.models.realtime" not in model_modules


def test_import_time_is_within_budget() -> None:
    stderr = run("import openai_proto", "-X", "importtime").stderr
    total_us = 0
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us = line.split(":", 1)[1].split("|")[0].strip()
            if self_us.isdigit():
                total_us += int(self_us)
    assert total_us > 0
    assert total_us / 1e6 < BUDGET_SECONDS * MARGIN
