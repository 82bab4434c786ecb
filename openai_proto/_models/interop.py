"""A ``cattrs`` converter that hands models and registered tagged unions to this package."""

from __future__ import annotations

from typing import Any

import cattrs

from openai_proto._models.core import Model, get_tagged_union, structure, unstructure


def _is_ours(tp: Any) -> bool:
    return (isinstance(tp, type) and issubclass(tp, Model)) or get_tagged_union(tp) is not None


def make_converter(*, strict: bool = False) -> cattrs.Converter:
    """A converter whose hooks for models and tagged unions are ``structure``/``unstructure``
    (lenient unless ``strict``); other types keep cattrs' own behaviour."""
    converter = cattrs.Converter()

    def structure_hook(data: Any, tp: Any) -> Any:
        return structure(data, tp, strict=strict)

    converter.register_structure_hook_func(_is_ours, structure_hook)
    converter.register_unstructure_hook_func(_is_ours, unstructure)
    return converter
