"""``multipart/form-data`` encoding, pure: fields and files in, a request body out.

Nothing here touches the user's files: a path or an open file becomes a
:class:`~openai_proto.http.FileSource` segment of a :class:`~openai_proto.http.StreamBody`,
which the driver reads in chunks when it sends the request (:mod:`openai_proto.files`).
A form whose parts are all in memory is encoded to ``bytes``.

Values, by type:

- ``None`` is dropped; a mapping nests as ``a[b][c]``; a list repeats ``k[]``;
- ``str`` (text, never a path), ``bool`` (``true``/``false``), ``int``, finite ``float``
  (``repr``), ``date``/``datetime`` (ISO 8601) are text parts;
- ``bytes``/``bytearray``/``memoryview``, an open binary file, an ``os.PathLike`` and the
  tuples ``(filename, content[, content_type[, headers]])`` are file parts.

Content types not given are guessed with :func:`mimetypes.guess_type` (whose tables the
standard library loads once, on first use).  Text parts come first, then file parts,
each group in the order given.  In ``Content-Disposition`` a ``"`` is written ``%22``,
CR ``%0D`` and LF ``%0A`` (as browsers do) and a backslash is doubled; a NUL is
rejected with :class:`~openai_proto.errors.InvalidRequestError`.
"""

from __future__ import annotations

import io
import math
import mimetypes
import os
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import BinaryIO, Union, cast

import attrs

from openai_proto.errors import InvalidRequestError
from openai_proto.http import Body, FileSource, Segment, StreamBody

#: RFC 2046 ``bchars``: 1 to 70 of them, the last one not a space.
BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
#: RFC 9110 ``token``: a boundary made only of these needs no quotes in ``Content-Type``.
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
BOUNDARY_PREFIX = "openai-proto-"
DEFAULT_FILENAME = "upload"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
CRLF = b"\r\n"

#: How a name or filename is written inside the quotes of ``Content-Disposition``.
PARAM_ESCAPES = {"\\": "\\\\", '"': "%22", "\r": "%0D", "\n": "%0A"}
PARAM_SPECIALS = re.compile(r'[\\"\r\n]')
FORBIDDEN_IN_HEADER = re.compile(r"[\r\n\x00]")

FileContent = Union[bytes, FileSource]


@attrs.frozen
class TextPart:
    """A form field: its (bracketed) name and UTF-8 value."""

    name: str
    value: bytes


@attrs.frozen
class FilePart:
    """A file: its content in memory or as a :class:`FileSource` the driver reads."""

    name: str
    filename: str
    content_type: str
    content: FileContent
    headers: tuple[tuple[str, str], ...] = ()


Part = Union[TextPart, FilePart]


# -- public API -----------------------------------------------------------------------


def encode_multipart(body: Mapping[str, object], boundary: str) -> tuple[str, Body]:
    """The ``Content-Type`` value and the body of ``body`` encoded as ``multipart/form-data``.

    The body is ``bytes`` when every part is in memory, else a
    :class:`~openai_proto.http.StreamBody` whose file segments the driver streams.
    Raises :class:`~openai_proto.errors.InvalidRequestError` for a bad boundary, a value
    that cannot be sent, or in-memory content that contains the boundary delimiter.
    """
    check_boundary(boundary)
    if not isinstance(body, Mapping):
        raise InvalidRequestError(f"a multipart body must be a mapping, not {type(body).__name__}")
    parts = sorted(flatten(body), key=lambda part: isinstance(part, FilePart))
    delimiter = b"--" + boundary.encode("ascii")
    segments = [segment for part in parts for segment in render_part(part, delimiter)]
    segments.append(delimiter + b"--" + CRLF)
    return content_type_for(boundary), join_segments(segments)


def boundary_from(rand: float | int) -> str:
    """A valid boundary made deterministically from ``rand``.

    ``rand`` is a float in ``[0, 1)`` (53 bits are used) or a non-negative int (its low
    128 bits are used); drivers pass a value drawn from the configured RNG.
    """
    if isinstance(rand, bool) or not isinstance(rand, (int, float)):
        raise InvalidRequestError(f"boundary_from needs a float or an int, not {rand!r}")
    if isinstance(rand, int):
        if rand < 0:
            raise InvalidRequestError(f"boundary_from needs a non-negative int, not {rand}")
        return f"{BOUNDARY_PREFIX}{rand % (1 << 128):032x}"
    if not 0.0 <= rand < 1.0:
        raise InvalidRequestError(f"boundary_from needs a float in [0, 1), not {rand!r}")
    return f"{BOUNDARY_PREFIX}{int(rand * (1 << 53)):014x}"


def check_boundary(boundary: object) -> None:
    """Raise :class:`InvalidRequestError` unless ``boundary`` is 1-70 RFC 2046 characters."""
    if not isinstance(boundary, str) or BOUNDARY.fullmatch(boundary) is None:
        raise InvalidRequestError(
            f"invalid multipart boundary {boundary!r}: it must be 1 to 70 characters of "
            "letters, digits and '()+_,-./:=? (space allowed, but not last)"
        )


def content_type_for(boundary: str) -> str:
    """``multipart/form-data; boundary=...``, quoting the boundary when it is not a token."""
    value = boundary if TOKEN.fullmatch(boundary) else f'"{boundary}"'
    return f"multipart/form-data; boundary={value}"


# -- flattening: a nested mapping into parts ------------------------------------------


def flatten(body: Mapping[str, object]) -> Iterator[Part]:
    """The parts of ``body``, in order; nested names use brackets."""
    for key, value in body.items():
        yield from walk(field_key(key, ""), value)


def walk(name: str, value: object) -> Iterator[Part]:
    """The parts for one value at field ``name``."""
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk(f"{name}[{field_key(key, name)}]", item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(f"{name}[]", item)
    elif isinstance(value, tuple):
        yield file_from_tuple(name, value)
    elif is_file_content(value):
        yield file_part(name, None, value, None, ())
    else:
        yield TextPart(name, encode_text(name, text_value(name, value)))


def field_key(key: object, parent: str) -> str:
    if not isinstance(key, str):
        where = f" in `{parent}`" if parent else ""
        raise InvalidRequestError(f"multipart field names must be str, got {key!r}{where}")
    return key


def text_value(name: str, value: object) -> str:
    """The text of a scalar form value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRequestError(f"`{name}` must be a finite number, not {value!r}")
        return float.__repr__(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise InvalidRequestError(
        f"`{name}` cannot be sent in a multipart form: {type(value).__name__} is neither "
        "text, a number, a bool, a date, a mapping, a list nor a file"
    )


# -- files ----------------------------------------------------------------------------


def is_file_content(value: object) -> bool:
    """Whether ``value`` is file content: bytes-like, an open file, or a path (not a str)."""
    return isinstance(value, (bytes, bytearray, memoryview, os.PathLike)) or is_file_object(value)


def is_file_object(value: object) -> bool:
    """An ``io.IOBase``, or any object with a callable ``read`` (e.g. a temp file wrapper)."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return False
    return isinstance(value, io.IOBase) or callable(getattr(value, "read", None))


def file_from_tuple(name: str, value: tuple[object, ...]) -> FilePart:
    """A part from ``(filename, content[, content_type[, headers]])``."""
    if not 2 <= len(value) <= 4:
        raise InvalidRequestError(
            f"`{name}`: a file tuple is (filename, content[, content_type[, headers]]), "
            f"got {len(value)} items"
        )
    filename, content, content_type, headers = (*value, None, None)[:4]
    if filename is not None and not isinstance(filename, str):
        raise InvalidRequestError(f"`{name}`: the filename must be a str or None, not {filename!r}")
    if content_type is not None and not isinstance(content_type, str):
        raise InvalidRequestError(f"`{name}`: the content type must be a str or None")
    if not is_file_content(content):
        raise InvalidRequestError(
            f"`{name}`: file content must be bytes, an open binary file or an os.PathLike, "
            f"not {type(content).__name__}"
            + (
                " (a str is never read as a path: pass pathlib.Path(...))"
                if isinstance(content, str)
                else ""
            )
        )
    return file_part(name, filename, content, content_type, part_headers(name, headers))


def file_part(
    name: str,
    filename: str | None,
    content: object,
    content_type: str | None,
    headers: tuple[tuple[str, str], ...],
) -> FilePart:
    filename = default_filename(content) if filename is None else filename
    explicit = find(headers, "content-type") or content_type
    resolved = explicit or mimetypes.guess_type(filename)[0] or DEFAULT_CONTENT_TYPE
    check_header_value(name, "content type", resolved)
    extra = tuple((k, v) for k, v in headers if k.lower() != "content-type")
    return FilePart(name, filename, resolved, file_content(name, content), extra)


def default_filename(content: object) -> str:
    """A path's base name; a file object's ``.name`` base name when it is a str; else ``upload``."""
    if isinstance(content, os.PathLike):
        return os.path.basename(os.fsdecode(os.fspath(content))) or DEFAULT_FILENAME
    name = getattr(content, "name", None) if is_file_object(content) else None
    if isinstance(name, str):
        return os.path.basename(name) or DEFAULT_FILENAME
    return DEFAULT_FILENAME


def file_content(name: str, content: object) -> FileContent:
    """In-memory bytes, or a :class:`FileSource` for a path or an open file."""
    if isinstance(content, (bytes, bytearray)):
        return bytes(content)
    if isinstance(content, memoryview):
        return content.tobytes()
    if isinstance(content, os.PathLike):
        return FileSource(cast("os.PathLike[str]", content))
    return FileSource(cast(BinaryIO, content), start=file_position(name, content))


def file_position(name: str, file: object) -> int:
    """The current position of an open binary file; 0 when it cannot tell."""
    if getattr(file, "closed", False) is True:
        raise InvalidRequestError(f"`{name}`: the file object is closed")
    mode = getattr(file, "mode", None)
    if isinstance(file, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode):
        raise InvalidRequestError(f"`{name}`: the file is open in text mode; open it with 'rb'")
    tell = getattr(file, "tell", None)
    try:
        position = tell() if callable(tell) else 0
    except (OSError, ValueError):
        return 0
    return position if isinstance(position, int) and position >= 0 else 0


def part_headers(name: str, headers: object) -> tuple[tuple[str, str], ...]:
    """The extra headers of a 4-tuple, checked."""
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise InvalidRequestError(f"`{name}`: the headers of a file tuple must be a mapping")
    pairs: list[tuple[str, str]] = []
    for key, value in headers.items():
        if not isinstance(key, str) or TOKEN.fullmatch(key) is None:
            raise InvalidRequestError(f"`{name}`: invalid part header name {key!r}")
        if key.lower() == "content-disposition":
            raise InvalidRequestError(f"`{name}`: Content-Disposition is set by the encoder")
        if not isinstance(value, str):
            raise InvalidRequestError(f"`{name}`: the value of part header {key} must be a str")
        check_header_value(name, key, value)
        pairs.append((key, value))
    return tuple(pairs)


def check_header_value(name: str, header: str, value: str) -> None:
    if FORBIDDEN_IN_HEADER.search(value):
        raise InvalidRequestError(f"`{name}`: {header} contains CR, LF or NUL")


def find(headers: tuple[tuple[str, str], ...], wanted: str) -> str | None:
    return next((v for k, v in headers if k.lower() == wanted), None)


# -- rendering ------------------------------------------------------------------------


def render_part(part: Part, delimiter: bytes) -> list[Segment]:
    """The segments of one part: delimiter line, headers, blank line, content, CRLF."""
    head = [delimiter, CRLF, b'Content-Disposition: form-data; name="']
    head.append(quote_param(part.name, part.name))
    if isinstance(part, TextPart):
        content: FileContent = part.value
        head.append(b'"\r\n')
    else:
        content = part.content
        head += [b'"; filename="', quote_param(part.name, part.filename), b'"\r\n']
        for key, value in (("Content-Type", part.content_type), *part.headers):
            head.append(encode_text(part.name, f"{key}: {value}\r\n"))
    if isinstance(content, bytes):
        check_not_in(part.name, content, delimiter)
    head.append(CRLF)
    return [b"".join(head), content, CRLF]


def quote_param(field: str, text: str) -> bytes:
    """``text`` as it goes between the quotes of a ``Content-Disposition`` parameter."""
    if "\x00" in text:
        raise InvalidRequestError(f"`{field}`: a multipart name or filename cannot contain NUL")
    escaped = PARAM_SPECIALS.sub(lambda match: PARAM_ESCAPES[match.group()], text)
    return encode_text(field, escaped)


def encode_text(field: str, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequestError(f"`{field}`: text is not valid Unicode ({exc.reason})") from None


def check_not_in(field: str, content: bytes, delimiter: bytes) -> None:
    """Reject content that would end its part early: the boundary must not occur in it."""
    if content.startswith(delimiter) or CRLF + delimiter in content:
        raise InvalidRequestError(
            f"`{field}`: the content contains the multipart boundary; use another boundary"
        )


def join_segments(segments: list[Segment]) -> Body:
    """``bytes`` when every segment is in memory, else a :class:`StreamBody` of runs."""
    merged: list[Segment] = []
    run: list[bytes] = []
    for segment in segments:
        if isinstance(segment, bytes):
            run.append(segment)
            continue
        if run:
            merged.append(b"".join(run))
            run = []
        merged.append(segment)
    if not merged:
        return b"".join(run)
    if run:
        merged.append(b"".join(run))
    return StreamBody(tuple(merged))


__all__ = [
    "BOUNDARY",
    "DEFAULT_CONTENT_TYPE",
    "DEFAULT_FILENAME",
    "FilePart",
    "TextPart",
    "boundary_from",
    "check_boundary",
    "content_type_for",
    "encode_multipart",
    "flatten",
    "is_file_content",
]
