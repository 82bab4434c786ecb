"""Hypothesis strategies that build model classes shaped like the API's.

``field_types()`` draws a field annotation: scalars, ``Literal`` enums, ``Any``, lists,
string-keyed maps, nullable types, nested model classes (with renamed keys and required
fields), tagged unions with an unknown-variant fallback, untagged unions, and recursive
models.  Every class is new (unique name), made with ``attrs.make_class`` on ``Model``, the
way the generator's ``@attrs.define`` classes are made.  JSON for the drawn types comes from
:mod:`openai_proto.testing.strategies`.
"""

from __future__ import annotations

import functools
import itertools
import keyword
from typing import Any, Literal, Union

import attrs
from hypothesis import strategies as st

from openai_proto.models import (
    RESERVED_NAMES,
    Model,
    UnknownVariant,
    UnsetType,
    field,
    register_tagged_union,
)

_names = itertools.count()

#: JSON keys that need a Python name of their own.
ODD_KEYS = ("from", "not", "in", "class", "self-harm/intent", "x-request-id", "2fa", "a b", "é")
TAG_NAMES = ("type", "event", "object", "kind")

python_names = st.sampled_from(
    ["id", "name", "text", "data", "items", "value", "role", "status", "n", "x_y", "object"]
)
json_keys = python_names | st.sampled_from(ODD_KEYS)
key_lists = st.lists(json_keys, max_size=4, unique=True)
enum_values = st.sampled_from(["a", "b", "text", "image", "x.y", "done", "z_1"])
enum_value_lists = st.lists(enum_values, min_size=1, max_size=3, unique=True)
literals = enum_value_lists.map(lambda values: Literal[tuple(values)])
leaf_annotations = st.sampled_from([str, int, float, bool, Any]) | literals


def make_model(
    fields: dict[str, Any], *, base: type[Model] = Model, prefix: str = "Gen"
) -> type[Model]:
    """A new slotted attrs model class with these ``field(...)`` attributes."""
    name = f"{prefix}{next(_names)}"
    cls: type[Model] = attrs.make_class(name, fields, bases=(base,), slots=True)
    return cls


def maybe_unset(annotation: Any) -> Any:
    return Union[annotation, UnsetType]


@st.composite
def field_sets(draw: st.DrawFn, depth: int, taken: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Up to four fields: Python name -> ``field(...)``, JSON keys unique and not in ``taken``."""
    keys = [key for key in draw(key_lists) if key not in taken]
    fields: dict[str, Any] = {}
    for index, key in enumerate(keys):
        renamed = not key.isidentifier() or keyword.iskeyword(key) or key in RESERVED_NAMES
        python_name = f"f{index}_" if renamed else key
        fields[python_name] = field(
            json=key if python_name != key else None,
            required=draw(st.booleans()),
            type=maybe_unset(draw(field_types(depth))),
        )
    return fields


@st.composite
def model_classes(draw: st.DrawFn, depth: int = 1) -> type[Model]:
    return make_model(draw(field_sets(depth)))


@st.composite
def tagged_unions(draw: st.DrawFn, depth: int = 1) -> Any:
    """A registered tagged union: 1-3 variants with a ``Literal`` tag, plus its unknown class."""
    tag = draw(st.sampled_from(TAG_NAMES))
    tag_values = draw(enum_value_lists)
    variants: dict[str, type[Model]] = {}
    for tag_value in tag_values:
        fields = draw(field_sets(depth, frozenset({tag})))
        tag_field = field(
            json=tag, required=True, default=tag_value, type=maybe_unset(Literal[tag_value])
        )
        variants[tag_value] = make_model({"tag_": tag_field, **fields}, prefix="Variant")
    unknown_tag = field(json=tag, type=maybe_unset(str))
    unknown = make_model({"tag_": unknown_tag}, base=UnknownVariant, prefix="Unknown")
    members: tuple[type[Model], ...] = (*variants.values(), unknown)
    union: Any = Union[members]
    register_tagged_union(union, tag=tag, variants=variants, unknown=unknown)
    return union


@st.composite
def untagged_unions(draw: st.DrawFn, depth: int = 1) -> Any:
    """``A | B [| C]`` of distinct members: scalars, lists, models, literals."""
    return Union[tuple(draw(_union_members(depth)))]


@functools.cache
def _union_members(depth: int) -> st.SearchStrategy[list[Any]]:
    member = st.one_of(leaf_annotations, model_classes(depth), field_types(depth).map(_list_of))
    return st.lists(member, min_size=2, max_size=3, unique_by=repr)


def _list_of(annotation: Any) -> Any:
    return list[annotation]


@functools.cache
def field_types(depth: int = 2) -> st.SearchStrategy[Any]:
    """A field annotation, nested up to ``depth`` levels of containers and models."""
    if depth <= 0:
        return leaf_annotations | leaf_annotations.map(_optional)
    inner = field_types(depth - 1)
    return st.one_of(
        leaf_annotations,
        inner.map(_list_of),
        inner.map(lambda annotation: dict[str, annotation]),  # type: ignore[valid-type]
        inner.map(_optional),
        model_classes(depth - 1),
        tagged_unions(depth - 1),
        untagged_unions(depth - 1),
    )


def _optional(annotation: Any) -> Any:
    return Union[annotation, None]


def recursive_model() -> type[Model]:
    """A tree node referring to itself by name (a string annotation, resolved lazily)."""
    name = f"Node{next(_names)}"
    fields = {
        "name": field(type=maybe_unset(str)),
        "children": field(type=maybe_unset(list[name])),  # type: ignore[valid-type]
        "parent": field(json="up", type=maybe_unset(Union[name, None])),
    }
    cls: type[Model] = attrs.make_class(name, fields, bases=(Model,), slots=True)
    return cls


#: Types to decode at the top level: models and unions as often as anything else.
_TOP_LEVEL_KINDS = (model_classes(2), tagged_unions(1), untagged_unions(1), field_types(2))
top_level_types = st.sampled_from(range(len(_TOP_LEVEL_KINDS))).flatmap(
    lambda index: _TOP_LEVEL_KINDS[index]
)
