"""The generator: deterministic output, ``--check`` agreeing with the tree on disk, and
the naming and typing rules of the model generator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen.__main__ import differences, header, with_headers
from codegen.spec import SpecError, load
from codegen.types import class_name, field_name, join_union, pascal, split_none
from tests.generated.spec_support import ROOT, SPEC_PATH, built, needs_spec


@needs_spec
def test_check_passes_on_the_committed_tree() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegen", str(SPEC_PATH), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@needs_spec
def test_check_fails_on_a_hand_edit(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    command = [sys.executable, "-m", "codegen", str(SPEC_PATH), "--out", str(out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    target = out / "models" / "chat.py"
    target.write_text(target.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    (out / "models" / "stray.py").write_text("x = 1\n", encoding="utf-8")
    result = subprocess.run(
        [*command, "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "differs: models/chat.py" in result.stderr
    assert "unexpected: models/stray.py" in result.stderr


@needs_spec
def test_same_input_gives_the_same_files() -> None:
    from codegen.__main__ import build

    first = build(SPEC_PATH, SPEC_PATH.with_name("resource-map.json"))[2]
    second = build(SPEC_PATH, SPEC_PATH.with_name("resource-map.json"))[2]
    assert first == second


@needs_spec
def test_every_file_has_the_header() -> None:
    spec, _, files = built()
    head = header(spec)
    assert all(text.startswith(head) for text in with_headers(files, head).values())
    assert "2.3.0" in head
    assert "f85dbe2" in head


@needs_spec
def test_every_component_schema_has_a_definition() -> None:
    spec, registry, _ = built()
    assert len(spec.schemas) == 1422
    names = {registry.class_name(name) for name in spec.schemas}
    assert names <= set(registry.definitions)


@needs_spec
def test_familiar_renames_keep_the_spec_name_as_alias() -> None:
    _, registry, _ = built()
    assert registry.class_name("CreateChatCompletionResponse") == "ChatCompletion"
    assert registry.aliases["CreateChatCompletionResponse"] == "ChatCompletion"
    assert registry.class_name("OpenAIFile") == "FileObject"


def test_differences_names_missing_unexpected_and_changed() -> None:
    problems = differences({"a.py": "1", "b.py": "2"}, {"b.py": "3", "c.py": "4"})
    assert problems == ["missing: a.py", "unexpected: c.py", "differs: b.py"]


def test_load_rejects_another_spec_version(tmp_path: Path) -> None:
    path = tmp_path / "openapi.json"
    path.write_text('{"info": {"version": "9.9.9"}}', encoding="utf-8")
    with pytest.raises(SpecError, match=r"9\.9\.9"):
        load(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("tool_choice", "ToolChoice"), ("Error-2", "Error2"), ("self-harm/intent", "SelfHarmIntent")],
)
def test_pascal(text: str, expected: str) -> None:
    assert pascal(text) == expected


def test_names_that_are_not_python_names() -> None:
    assert class_name("Error-2") == "Error2"
    assert class_name("Any") == "Any_"
    assert field_name("from") == "from_"
    assert field_name("self-harm/intent") == "self_harm_intent"
    assert field_name("to_dict") == "to_dict_"
    assert field_name("2fa") == "n_2fa"


def test_union_text_puts_none_last() -> None:
    assert join_union(["A", "None", "B", "A"], nullable=True) == "A | B | None"
    assert split_none("A | B | None") == ("A | B", True)
    assert split_none("A") == ("A", False)
