"""Reading request bodies in chunks: exact bytes, bounded memory, replay, typed errors."""

from __future__ import annotations

import asyncio
import builtins
import io
import os
import re
import tempfile
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.errors import InvalidRequestError
from openai_proto.files import aiter_body, body_length, is_replayable, iter_body
from openai_proto.http import Body, FileSource, Segment, StreamBody
from openai_proto.multipart import encode_multipart


async def collect(chunks: AsyncIterator[bytes]) -> list[bytes]:
    return [chunk async for chunk in chunks]


def async_chunks(body: Body, chunk_size: int = 64 * 1024) -> list[bytes]:
    return asyncio.run(collect(aiter_body(body, chunk_size)))


class Unseekable(io.RawIOBase):
    """A pipe-like binary stream: readable, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(min(len(buffer), 3))
        buffer[: len(chunk)] = chunk
        return len(chunk)


# -- properties -----------------------------------------------------------------------


@given(st.data())
def test_chunks_join_to_the_segments_and_replay(data: st.DataObject) -> None:
    pieces = data.draw(st.lists(st.binary(max_size=300), max_size=6))
    kinds = data.draw(
        st.lists(
            st.sampled_from(["bytes", "path", "file"]), min_size=len(pieces), max_size=len(pieces)
        )
    )
    chunk_size = data.draw(st.integers(1, 100))
    with tempfile.TemporaryDirectory() as tmp:
        segments: list[Segment] = []
        for index, (piece, kind) in enumerate(zip(pieces, kinds, strict=True)):
            if kind == "bytes":
                segments.append(piece)
            elif kind == "path":
                path = Path(tmp, f"{index}.bin")
                path.write_bytes(piece)
                segments.append(FileSource(path if index % 2 else str(path)))
            else:
                prefix = data.draw(st.binary(max_size=4))
                handle = io.BytesIO(prefix + piece)
                handle.seek(data.draw(st.integers(0, len(prefix) + len(piece))))
                segments.append(FileSource(handle, start=len(prefix)))
        body = StreamBody(tuple(segments))
        expected = b"".join(pieces)

        chunks = list(iter_body(body, chunk_size))
        assert b"".join(chunks) == expected
        assert all(0 < len(chunk) <= chunk_size for chunk in chunks)
        assert b"".join(iter_body(body, chunk_size)) == expected, "a retry resends the same"
        assert async_chunks(body, chunk_size) == chunks
        assert body_length(body) == len(expected)
        assert is_replayable(body)


@given(st.binary(max_size=1000), st.integers(1, 300))
def test_bytes_body_is_split(data: bytes, chunk_size: int) -> None:
    chunks = list(iter_body(data, chunk_size))
    assert b"".join(chunks) == data
    assert all(0 < len(chunk) <= chunk_size for chunk in chunks)
    assert len(chunks) == -(-len(data) // chunk_size)
    assert body_length(data) == len(data)
    assert is_replayable(data)


def test_empty_bodies_yield_nothing() -> None:
    assert list(iter_body(b"")) == []
    assert list(iter_body(StreamBody(()))) == []
    assert list(iter_body(StreamBody((b"", FileSource(io.BytesIO()))))) == []
    assert body_length(StreamBody(())) == 0


# -- the multipart body streams -------------------------------------------------------


def test_multipart_with_a_path_and_a_file_object_equals_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"x": 1}\n' * 1000)
    handle = io.BytesIO(b"HEADER" + b"\x00\r\n--" * 500)
    handle.seek(6)
    streamed = {"purpose": "fine-tune", "file": path, "extra": ("e.bin", handle)}
    in_memory = {
        "purpose": "fine-tune",
        "file": ("train.jsonl", path.read_bytes()),
        "extra": ("e.bin", b"\x00\r\n--" * 500),
    }
    _, body = encode_multipart(streamed, "b0undary")
    _, expected = encode_multipart(in_memory, "b0undary")
    assert isinstance(body, StreamBody)
    assert isinstance(expected, bytes)
    assert b"".join(iter_body(body, 1000)) == expected
    assert b"".join(iter_body(body)) == expected
    assert b"".join(async_chunks(body, 777)) == expected
    assert body_length(body) == len(expected)
    assert handle.tell() == len(handle.getvalue())


def test_a_large_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    size = 30 * 1024 * 1024
    path = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with path.open("wb") as out:
        for _ in range(size // len(block)):
            out.write(block)
    _, body = encode_multipart({"purpose": "batch", "file": path}, "bounded")
    assert isinstance(body, StreamBody)
    total = 0
    tracemalloc.start()
    try:
        for chunk in iter_body(body):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == body_length(body)
    assert total > size
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes for a {size} byte file"


# -- file objects ---------------------------------------------------------------------


def test_unseekable_file_is_read_from_where_it_is_and_not_replayable() -> None:
    pipe = Unseekable(b"abcdefgh")
    assert pipe.read(2) == b"ab"
    body = StreamBody((b"<", FileSource(cast(BinaryIO, pipe), start=0), b">"))
    assert not is_replayable(body)
    assert body_length(body) is None
    assert b"".join(iter_body(body, 4)) == b"<cdefgh>"
    assert b"".join(iter_body(body, 4)) == b"<>", "a second pass finds the stream drained"


def test_body_length_leaves_the_position_alone() -> None:
    handle = io.BytesIO(b"0123456789")
    handle.seek(7)
    assert body_length(StreamBody((FileSource(handle, start=2),))) == 8
    assert handle.tell() == 7
    assert body_length(StreamBody((FileSource(handle, start=20),))) == 0


def test_closed_file_object() -> None:
    handle = io.BytesIO(b"x")
    handle.close()
    body = StreamBody((FileSource(handle),))
    assert not is_replayable(body)
    assert body_length(body) is None
    with pytest.raises(InvalidRequestError, match="cannot read file"):
        list(iter_body(body))


def test_text_mode_file_object_is_rejected_when_read(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("hello")
    with path.open("r") as handle:
        body = StreamBody((FileSource(handle),))  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError, match="binary mode"):
            list(iter_body(body))


def test_non_blocking_read_returning_none_is_rejected() -> None:
    class Empty(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes | None:
            return None

    with pytest.raises(InvalidRequestError, match="NoneType"):
        list(iter_body(StreamBody((FileSource(cast(BinaryIO, Empty())),))))


def test_a_read_error_names_the_file_and_keeps_the_cause() -> None:
    class Broken(io.BytesIO):
        name = "broken.bin"

        def read(self, size: int | None = -1) -> bytes:
            raise OSError(5, "Input/output error")

    with pytest.raises(InvalidRequestError, match=r"broken\.bin.*Input/output error") as info:
        list(iter_body(StreamBody((FileSource(Broken()),))))
    assert isinstance(info.value.__cause__, OSError)


# -- paths ----------------------------------------------------------------------------


def test_missing_path_is_an_invalid_request_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.wav"
    body = StreamBody((b"head", FileSource(missing)))
    for action in (lambda: list(iter_body(body)), lambda: body_length(body)):
        with pytest.raises(InvalidRequestError, match=r"nope\.wav") as info:
            action()
        assert isinstance(info.value.__cause__, FileNotFoundError)
    with pytest.raises(InvalidRequestError, match=r"nope\.wav"):
        async_chunks(body)
    assert is_replayable(body)


def test_a_directory_is_not_readable(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="cannot read file"):
        list(iter_body(StreamBody((FileSource(tmp_path),))))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_a_fifo_has_no_known_length(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert body_length(StreamBody((FileSource(fifo),))) is None


@pytest.fixture
def opened_files(monkeypatch: pytest.MonkeyPatch) -> list[BinaryIO]:
    seen: list[BinaryIO] = []
    real_open = builtins.open

    def spy(*args: Any, **kwargs: Any) -> Any:
        handle = real_open(*args, **kwargs)
        seen.append(handle)
        return handle

    monkeypatch.setattr(builtins, "open", spy)
    return seen


def test_paths_are_closed_after_reading_and_on_early_stop(
    tmp_path: Path, opened_files: list[BinaryIO]
) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100)
    body = StreamBody((FileSource(path),))
    assert b"".join(iter_body(body, 10)) == b"x" * 100
    chunks = iter_body(body, 10)
    assert next(chunks) == b"x" * 10
    chunks.close()

    async def first_then_close() -> bytes:
        agen = aiter_body(body, 10)
        chunk = await agen.__anext__()
        await agen.aclose()
        return chunk

    assert asyncio.run(first_then_close()) == b"x" * 10
    assert len(opened_files) == 3
    assert all(handle.closed for handle in opened_files)


# -- bad arguments --------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [0, -1, True, 1.5, "64"])
def test_bad_chunk_size_fails_at_the_call(chunk_size: Any) -> None:
    with pytest.raises(InvalidRequestError, match="chunk_size"):
        iter_body(b"x", chunk_size)
    with pytest.raises(InvalidRequestError, match="chunk_size"):
        aiter_body(b"x", chunk_size)


@pytest.mark.parametrize("body", ["text", None, [b"x"]])
def test_bad_body_fails_at_the_call(body: Any) -> None:
    for action in (
        lambda: iter_body(body),
        lambda: aiter_body(body),
        lambda: body_length(body),
        lambda: is_replayable(body),
    ):
        with pytest.raises(InvalidRequestError, match="StreamBody"):
            action()


def test_the_core_modules_import_no_io_library() -> None:
    import openai_proto.files
    import openai_proto.multipart

    pattern = re.compile(r"^\s*(?:from|import)\s+(asyncio|anyio|trio|httpx|aiohttp)\b", re.M)
    for module in (openai_proto.files, openai_proto.multipart):
        assert pattern.search(Path(module.__file__ or "").read_text("utf-8")) is None
