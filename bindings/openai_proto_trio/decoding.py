"""Removing ``Content-Encoding`` from a response body, chunk by chunk (pure).

Only what :data:`ACCEPT_ENCODING` advertises is decoded: ``gzip`` and ``deflate``
(zlib-wrapped, or raw as some servers send it).  ``identity`` and encodings we never
asked for pass through unchanged.  A corrupt or truncated body raises
:class:`DecodingError`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Protocol

ACCEPT_ENCODING = "gzip, deflate"


class DecodingError(Exception):
    """The body does not decode with the content-encoding its response declared."""


class ContentDecoder(Protocol):
    def feed(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


class Identity:
    def feed(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


class Zlib:
    """gzip (``wbits=31``) or deflate; a deflate body without the zlib wrapper is
    retried as raw deflate."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        try:
            return self._feed(data)
        except zlib.error as exc:
            raise DecodingError(f"invalid {self._encoding} body: {exc}") from exc

    def _feed(self, data: bytes) -> bytes:
        if not self._started and self._encoding == "deflate":
            self._started = True
            try:
                return self._inflate.decompress(data)
            except zlib.error:
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = True
        return self._inflate.decompress(data)

    def flush(self) -> bytes:
        if not self._started:
            return b""
        try:
            tail = self._inflate.flush()
        except zlib.error as exc:
            raise DecodingError(f"invalid {self._encoding} body: {exc}") from exc
        if not self._inflate.eof:
            raise DecodingError(f"truncated {self._encoding} body")
        return tail


class Chain:
    """Several encodings, removed in the reverse of the order they were applied."""

    def __init__(self, decoders: list[ContentDecoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes) -> bytes:
        for decoder in self._decoders:
            data = decoder.feed(data)
        return data

    def flush(self) -> bytes:
        data = b""
        for decoder in self._decoders:
            data = decoder.feed(data) + decoder.flush()
        return data


def encodings(values: Iterable[str]) -> list[str]:
    """The codings of ``Content-Encoding`` header values, in the order applied."""
    return [
        token.strip().lower() for value in values for token in value.split(",") if token.strip()
    ]


def decoder_for(values: Iterable[str]) -> ContentDecoder:
    """The decoder for a response whose ``Content-Encoding`` headers are ``values``."""
    codings = [c for c in encodings(values) if c in ("gzip", "x-gzip", "deflate")]
    decoders: list[ContentDecoder] = [
        Zlib("gzip" if c == "x-gzip" else c) for c in reversed(codings)
    ]
    if not decoders:
        return Identity()
    return decoders[0] if len(decoders) == 1 else Chain(decoders)
