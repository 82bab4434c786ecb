"""Every fuzz target, driven by hypothesis; and the atheris runner, without atheris."""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzz import run_atheris
from fuzz.targets import TARGETS, bytewise, check_chunking, uneven
from openai_proto.lines import LineDecoder
from tests.test_sse import STREAMS

NAMES = sorted(TARGETS)


def test_the_stream_targets_are_registered() -> None:
    assert {"lines", "sse", "event_stream", "partial_json"} <= set(TARGETS)


@pytest.mark.parametrize("name", NAMES)
@given(data=STREAMS)
def test_target_holds_its_invariant(name: str, data: bytes) -> None:
    TARGETS[name](data)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xef\xbb\xbf\xef\xbb",
        b"data: [DONE]\n\n\xff",
        b'data: {"error": {"message": "x"}}\n\ndata: 1\n\n',
        b"event: error\r\n\r\n" + b"x" * 100,
        b"data: " + b"[" * 50_000 + b"\n\n",
        b"retry: " + b"9" * 5000 + b"\n\n",
    ],
)
def test_target_on_known_hard_inputs(name: str, data: bytes) -> None:
    TARGETS[name](data)


@given(st.binary(max_size=200))
def test_uneven_chunks_cover_the_data(data: bytes) -> None:
    chunks = uneven(data)
    assert b"".join(chunks) == data
    assert all(1 <= len(chunk) <= 13 for chunk in chunks)
    assert bytewise(data) == [bytes([b]) for b in data]


def test_check_chunking_catches_a_decoder_that_depends_on_chunking() -> None:
    class FirstChunkOnly(LineDecoder):
        def __init__(self) -> None:
            super().__init__()
            self.fed = False

        def feed(self, data: bytes) -> list[str]:
            lines = [] if self.fed else super().feed(data)
            self.fed = True
            return lines

    with pytest.raises(AssertionError, match="byte by byte differs"):
        check_chunking(FirstChunkOnly, b"a\nb\n")


# -- the atheris runner ----------------------------------------------------------------


class FakeAtheris(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("atheris")
        self.calls: list[tuple[str, Any]] = []

    @contextlib.contextmanager
    def instrument_imports(self) -> Iterator[None]:
        self.calls.append(("instrument_imports", None))
        yield

    def Setup(self, argv: list[str], function: Any) -> None:
        self.calls.append(("Setup", (argv, function)))

    def Fuzz(self) -> None:
        self.calls.append(("Fuzz", None))


@pytest.fixture
def fake_atheris(monkeypatch: pytest.MonkeyPatch) -> FakeAtheris:
    fake = FakeAtheris()
    monkeypatch.setitem(sys.modules, "atheris", fake)
    return fake


def test_runner_sets_up_and_runs_the_named_target(fake_atheris: FakeAtheris) -> None:
    assert run_atheris.main(["prog", "sse", "-runs=10"]) == 0
    assert fake_atheris.calls == [
        ("instrument_imports", None),
        ("Setup", (["prog", "-runs=10"], TARGETS["sse"])),
        ("Fuzz", None),
    ]


def test_runner_refuses_an_unknown_target(
    fake_atheris: FakeAtheris, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_atheris.main(["prog", "nope"]) == 2
    assert "unknown target 'nope'; known: " in capsys.readouterr().err
    assert [name for name, _ in fake_atheris.calls] == ["instrument_imports"]


@pytest.mark.parametrize("argv", [["prog"], ["prog", "-runs=1"]])
def test_runner_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_atheris.main(argv) == 2
    assert "usage: python -m fuzz.run_atheris TARGET" in capsys.readouterr().err


def test_runner_without_atheris(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "atheris", None)  # makes the import fail
    assert run_atheris.main(["prog", "sse"]) == 2
    assert "atheris is not installed" in capsys.readouterr().err
