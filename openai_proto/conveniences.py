"""Hand-written conveniences that generated model classes take as extra base classes.

The generator names these mixins as bases (e.g. ``class Response(ResponseConveniences,
BaseModel)``); they hold the only logic the models have beyond decoding and encoding.
They keep ``__slots__ = ()`` so that the slotted attrs classes stay slotted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openai_proto.sentinels import UnsetType


def _items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _field(item: object, name: str) -> Any:
    """A field of a model, or a key of a plain JSON object kept as it came (lenient decoding)."""
    if isinstance(item, dict):
        return item.get(name)
    value = getattr(item, name, None)
    return None if isinstance(value, UnsetType) else value


def output_text_parts(output: object) -> Iterator[str]:
    """The ``text`` of every ``output_text`` content part of every ``message`` output item."""
    for item in _items(output):
        if _field(item, "type") != "message":
            continue
        for part in _items(_field(item, "content")):
            text = _field(part, "text")
            if _field(part, "type") == "output_text" and isinstance(text, str):
                yield text


class ResponseConveniences:
    """Mixin of the Responses API's ``Response``: ``output_text``."""

    __slots__ = ()

    @property
    def output_text(self) -> str:
        """The text of all ``output_text`` parts of the message output items, concatenated
        (``""`` when there are none)."""
        return "".join(output_text_parts(getattr(self, "output", None)))
