"""Reading request bodies for the drivers and bindings: the one core module that touches files.

A :data:`~openai_proto.http.Body` is ``bytes`` or a :class:`~openai_proto.http.StreamBody`
of byte segments and :class:`~openai_proto.http.FileSource` references.  This module
turns one into chunks (:func:`iter_body`, :func:`aiter_body`), tells its length for a
``Content-Length`` header (:func:`body_length`) and whether it can be sent again on a
retry (:func:`is_replayable`).  Plain blocking file IO only, in chunks of
``chunk_size`` bytes, so memory use does not grow with the file.

A path that cannot be opened or read raises
:class:`~openai_proto.errors.InvalidRequestError` naming the path (the original
``OSError`` is its ``__cause__``).  Call :func:`body_length` before sending: it checks
every path up front, so the error comes from the driver, not from inside a transport.
"""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncGenerator, Generator, Iterator
from contextlib import contextmanager
from typing import BinaryIO, Union, cast

from openai_proto.errors import InvalidRequestError
from openai_proto.http import Body, FileSource, Segment, StreamBody

DEFAULT_CHUNK_SIZE = 64 * 1024

PathLike = Union[str, "os.PathLike[str]"]


# -- chunks ---------------------------------------------------------------------------


def iter_body(body: Body, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Generator[bytes, None, None]:
    """The bytes of ``body`` in chunks of at most ``chunk_size`` bytes.

    Paths are opened, read chunk by chunk and closed (also when the iteration stops
    early); a file object is rewound to its ``start`` when it can seek, else read from
    where it is.  Empty chunks are never yielded.  A bad ``body`` or ``chunk_size``
    raises here; a file that cannot be read raises when the iteration reaches it.
    """
    check_chunk_size(chunk_size)
    return chunks_of(segments_of(body), chunk_size)


def aiter_body(body: Body, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncGenerator[bytes, None]:
    """:func:`iter_body` as an async iterator, for async bindings.

    Each file read is a small blocking call (one chunk, from the local disk); the file
    is closed when the iteration ends or the generator is closed (``aclose()``).
    """
    return async_chunks(iter_body(body, chunk_size))


def chunks_of(segments: tuple[Segment, ...], chunk_size: int) -> Generator[bytes, None, None]:
    for segment in segments:
        if isinstance(segment, bytes):
            yield from split(segment, chunk_size)
        elif segment.is_path:
            yield from read_path(path_of(segment), chunk_size)
        else:
            yield from read_file(segment, chunk_size)


async def async_chunks(chunks: Generator[bytes, None, None]) -> AsyncGenerator[bytes, None]:
    try:
        for chunk in chunks:
            yield chunk
    finally:
        chunks.close()


def segments_of(body: Body) -> tuple[Segment, ...]:
    if isinstance(body, (bytes, bytearray, memoryview)):
        return (bytes(body),)
    if isinstance(body, StreamBody):
        return body.segments
    raise InvalidRequestError(f"a request body must be bytes or a StreamBody, not {type(body)}")


def check_chunk_size(chunk_size: int) -> None:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidRequestError(f"chunk_size must be a positive int, not {chunk_size!r}")


def split(data: bytes, chunk_size: int) -> Iterator[bytes]:
    if len(data) <= chunk_size:
        if data:
            yield data
        return
    view = memoryview(data)
    for start in range(0, len(data), chunk_size):
        yield bytes(view[start : start + chunk_size])


def read_path(path: PathLike, chunk_size: int) -> Iterator[bytes]:
    with opened(path) as file, reading(path_name(path)):
        yield from read_chunks(file, chunk_size, path_name(path))


def read_file(source: FileSource, chunk_size: int) -> Iterator[bytes]:
    file = file_of(source)
    with reading(display_name(file)):
        if seekable(file):
            file.seek(source.start)
        yield from read_chunks(file, chunk_size, display_name(file))


def read_chunks(file: BinaryIO, chunk_size: int, name: str) -> Iterator[bytes]:
    while True:
        chunk = file.read(chunk_size)
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InvalidRequestError(
                f"file {name}: read() returned {type(chunk).__name__}, not bytes "
                "(open the file in binary mode, 'rb', and make it blocking)"
            )
        if not chunk:
            return
        yield bytes(chunk)


@contextmanager
def opened(path: PathLike) -> Iterator[BinaryIO]:
    """``open(path, "rb")``, with an :class:`InvalidRequestError` naming the path on failure."""
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise unreadable(path_name(path), exc) from exc
    with file:
        yield file


@contextmanager
def reading(name: str) -> Iterator[None]:
    """Turn an error raised while reading (``OSError``, or ``ValueError`` from a closed
    file) into an :class:`InvalidRequestError`."""
    try:
        yield
    except InvalidRequestError:
        raise
    except (OSError, ValueError) as exc:
        raise unreadable(name, exc) from exc


def unreadable(name: str, exc: Exception) -> InvalidRequestError:
    reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc) or type(exc).__name__
    return InvalidRequestError(f"cannot read file {name}: {reason}")


# -- length and replay ----------------------------------------------------------------


def body_length(body: Body) -> int | None:
    """The number of bytes :func:`iter_body` yields, or ``None`` when it cannot be known.

    A path counts its size (``None`` if it is not a regular file); a seekable file
    object counts from its ``start`` to its end; a file object that cannot seek is
    unknown.  A path that does not exist raises :class:`InvalidRequestError`.
    """
    total = 0
    for segment in segments_of(body):
        size = segment_length(segment)
        if size is None:
            return None
        total += size
    return total


def segment_length(segment: Segment) -> int | None:
    if isinstance(segment, bytes):
        return len(segment)
    if segment.is_path:
        return path_length(path_of(segment))
    return file_length(segment)


def path_length(path: PathLike) -> int | None:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise unreadable(path_name(path), exc) from exc
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def file_length(source: FileSource) -> int | None:
    """Size minus ``start`` of a seekable file object; its position is left unchanged."""
    file = file_of(source)
    if not seekable(file):
        return None
    try:
        here = file.tell()
        end = file.seek(0, os.SEEK_END)
        if not isinstance(end, int):
            end = file.tell()
        file.seek(here)
    except (OSError, ValueError):
        return None
    return max(end - source.start, 0)


def is_replayable(body: Body) -> bool:
    """Whether the body can be sent again: every file is a path or a seekable file object."""
    return all(
        isinstance(segment, bytes) or segment.is_path or seekable(segment.file)
        for segment in segments_of(body)
    )


# -- helpers ----------------------------------------------------------------------------


def seekable(file: object) -> bool:
    """``file.seekable()``, ``False`` when it has none, is closed or raises."""
    method = getattr(file, "seekable", None)
    if not callable(method):
        return False
    try:
        return bool(method())
    except (OSError, ValueError):
        return False


def path_of(source: FileSource) -> PathLike:
    return cast(PathLike, source.file)  # is_path was checked


def file_of(source: FileSource) -> BinaryIO:
    return cast(BinaryIO, source.file)  # is_path was checked


def path_name(path: PathLike) -> str:
    return repr(os.fsdecode(path))


def display_name(file: object) -> str:
    name = getattr(file, "name", None)
    return repr(name) if isinstance(name, (str, bytes)) else f"object {type(file).__name__}"


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "aiter_body",
    "body_length",
    "is_replayable",
    "iter_body",
]
