"""Fuzz target for the partial JSON parser: ``fuzz_partial_json(data: bytes) -> None``.

The bytes are decoded leniently (bytes that are not UTF-8 become lone surrogates, by
``surrogateescape``), and the text must hold h11's invariant and three more:

* it parses, or raises our :class:`~openai_proto.errors.RemoteProtocolError` — any
  other exception escapes and is a finding;
* the value, or the error message, is the same fed all at once, one character at a
  time, and in uneven chunks cut where the data says (an ``AssertionError`` otherwise);
* it agrees with :func:`json.loads` (with ``NaN`` and ``Infinity`` refused): both accept
  it with equal values, or both refuse it. Nesting beyond ``max_depth`` or beyond
  Python's recursion limit is the one allowed difference;
* when the text is valid JSON with no repeated key, every partial value read on the way
  is a prefix of the final value (:func:`is_prefix_of`); ``value == live`` at every step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from openai_proto.errors import RemoteProtocolError
from openai_proto.sentinels import UNSET
from openai_proto.streams.partial_json import PartialJSON

#: How one run ended: ``("ok", value)`` or ``("error", message)``.
Outcome = tuple[str, Any]


def fuzz_partial_json(data: bytes) -> None:
    """The fuzz target (see the module docstring)."""
    text = data.decode("utf-8", "surrogateescape")
    whole = run(text, [text])
    for name, chunks in (("char by char", list(text)), ("uneven", uneven(text, data))):
        split = run(text, chunks)
        if split != whole:
            raise AssertionError(f"{name} differs from all at once:\n{split!r}\n!=\n{whole!r}")
    check_against_json_loads(text, whole)


def run(text: str, chunks: Sequence[str]) -> Outcome:
    """Feed ``chunks`` (reading the value after each), then close."""
    parser = PartialJSON()
    partials: list[Any] = []
    try:
        for chunk in chunks:
            parser.feed(chunk)
            partials.append(parser.value)
            if parser.live != partials[-1]:
                raise AssertionError(f"live {parser.live!r} != value {partials[-1]!r}")
        final = parser.close()
    except RemoteProtocolError as exc:
        return "error", str(exc)
    if has_repeated_keys(text):
        return "ok", final  # a later value replaces an earlier one: not a prefix
    for partial in partials:
        if not is_prefix_of(partial, final):
            raise AssertionError(f"partial {partial!r} is not a prefix of {final!r}")
    return "ok", final


def uneven(text: str, data: bytes) -> list[str]:
    """``text`` in chunks of 1 to 7 characters, sizes taken from the data itself."""
    chunks: list[str] = []
    position = 0
    while position < len(text):
        size = 1 + data[len(chunks) % len(data)] % 7
        chunks.append(text[position : position + size])
        position += size
    return chunks


def check_against_json_loads(text: str, ours: Outcome) -> None:
    """Both accept ``text`` with equal values, or both refuse it."""
    try:
        theirs: Outcome = "ok", json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        return  # deeper than Python's recursion limit: json.loads cannot say
    except ValueError:
        theirs = "error", None
    if ours[0] == "error" and "max_depth" in ours[1]:
        return
    if ours[0] != theirs[0] or (ours[0] == "ok" and ours[1] != theirs[1]):
        raise AssertionError(f"json.loads gives {theirs!r}, PartialJSON gives {ours!r}")


def has_repeated_keys(text: str) -> bool:
    """Whether some object in the JSON ``text`` repeats a key."""
    repeated = False

    def check(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        repeated = repeated or len({key for key, _ in pairs}) < len(pairs)
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=check)
    except (ValueError, RecursionError):
        return False  # check_against_json_loads reports the disagreement
    return repeated


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def is_prefix_of(partial: Any, final: Any, *, exact_strings: bool = False) -> bool:
    """Whether ``partial`` can be a partial value of ``final`` (or of a later partial).

    Everything but the last item of a list (or the last member of an object) is
    complete, so equal; keys come in the same order; a string may be a prefix
    (equal, with ``exact_strings``); a scalar is equal and of the same type.
    """
    if partial is UNSET:
        return True
    if isinstance(final, str):
        if not isinstance(partial, str):
            return False
        return partial == final if exact_strings else final.startswith(partial)
    if isinstance(final, list):
        return isinstance(partial, list) and _items_prefix(partial, final, exact_strings)
    if isinstance(final, dict):
        return isinstance(partial, dict) and _members_prefix(partial, final, exact_strings)
    return type(partial) is type(final) and partial == final


def _items_prefix(partial: list[Any], final: list[Any], exact_strings: bool) -> bool:
    if not partial:
        return True
    last = len(partial) - 1
    if last >= len(final) or partial[:last] != final[:last]:
        return False
    return is_prefix_of(partial[last], final[last], exact_strings=exact_strings)


def _members_prefix(partial: dict[str, Any], final: dict[str, Any], exact_strings: bool) -> bool:
    if not partial:
        return True
    keys = list(partial)
    if keys != list(final)[: len(keys)]:
        return False
    if any(partial[key] != final[key] for key in keys[:-1]):
        return False
    return is_prefix_of(partial[keys[-1]], final[keys[-1]], exact_strings=exact_strings)


__all__ = [
    "check_against_json_loads",
    "fuzz_partial_json",
    "has_repeated_keys",
    "is_prefix_of",
    "run",
    "uneven",
]
