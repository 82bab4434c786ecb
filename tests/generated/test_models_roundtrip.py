"""Lossless round trip over the generated models: ``encode(decode(j)) == j`` for JSON shaped
like each model (known keys with values of the declared shapes, unknown keys, unknown union
variants, values of unexpected types and ``null`` mixed in)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from openai_proto._models.core import get_tagged_union
from openai_proto._models.shapes import Kind, Shape, model_info
from openai_proto.models import Model, UnknownVariant, structure, unstructure
from tests.generated.spec_support import needs_spec

pytestmark = needs_spec

MAX_DEPTH = 3
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _models() -> Any:
    return importlib.import_module("openai_proto.generated.models")


def generated(kind: str) -> list[Any]:
    """Every generated model class (``kind="class"``) or tagged union alias (``"union"``)."""
    models = _models()
    found: list[Any] = []
    for name in sorted(models.INDEX):
        value = getattr(models, name)
        if kind == "class" and isinstance(value, type) and attrs.has(value):
            if issubclass(value, Model) and value.__name__ == name:
                found.append(value)
        elif kind == "union" and get_tagged_union(value) is not None:
            found.append(value)
    return found


def json_for(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    """JSON values that fit ``shape``, with drift (other types, ``null``) mixed in."""
    fitting = _fitting(shape, depth)
    if shape.nullable:
        fitting = fitting | st.none()
    return st.one_of(fitting, fitting, fitting, ANY_JSON if depth < MAX_DEPTH else SCALARS)


def _fitting(shape: Shape, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.kind
    if depth >= MAX_DEPTH and kind in (Kind.MODEL, Kind.TAGGED, Kind.UNION, Kind.LIST, Kind.MAP):
        return st.just({}) if kind is not Kind.LIST else st.just([])
    builders = {
        Kind.MODEL: lambda: model_json(shape.cls, depth + 1),
        Kind.TAGGED: lambda: tagged_json(shape, depth + 1),
        Kind.UNION: lambda: st.one_of([json_for(item, depth + 1) for item in shape.items]),
        Kind.LIST: lambda: st.lists(json_for(shape.items[0], depth + 1), max_size=3),
        Kind.MAP: lambda: st.dictionaries(
            st.text(max_size=5), json_for(shape.items[0], depth + 1), max_size=3
        ),
        Kind.LITERAL: lambda: st.sampled_from(shape.values) | st.text(max_size=5),
        Kind.STR: lambda: st.text(max_size=8),
        Kind.INT: lambda: st.integers(-(2**53), 2**53),
        Kind.FLOAT: lambda: st.floats(allow_nan=False, allow_infinity=False),
        Kind.BOOL: st.booleans,
        Kind.NULL: st.none,
    }
    builder = builders.get(kind)
    return builder() if builder is not None else ANY_JSON


def model_json(cls: type[Model], depth: int) -> st.SearchStrategy[dict[str, Any]]:
    info = model_info(cls)
    known = {f.key: json_for(f.shape, depth) for f in info.fields}
    unknown_keys = st.text(max_size=6).filter(lambda key: key not in info.keys)
    extra = st.dictionaries(unknown_keys, ANY_JSON, max_size=2)
    declared = st.fixed_dictionaries({}, optional=known)
    return st.tuples(declared, extra).map(lambda pair: {**pair[0], **pair[1]})


def _setting(key: str, value: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda obj: {**obj, key: value}


def tagged_json(shape: Shape, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    tagged = shape.tagged
    assert tagged is not None
    known = [
        model_json(cls, depth).map(_setting(tagged.tag, tag))
        for tag, cls in sorted(tagged.variants.items())
    ]
    other_tag = st.text(max_size=6).filter(lambda tag: tag not in tagged.variants)
    unknown = st.tuples(other_tag, st.dictionaries(st.text(max_size=5), ANY_JSON, max_size=3))
    return st.one_of(*known, unknown.map(lambda pair: {**pair[1], tagged.tag: pair[0]}))


@st.composite
def class_and_json(draw: st.DrawFn) -> tuple[type[Model], Any]:
    cls = draw(st.sampled_from(generated("class")))
    return cls, draw(json_for(Shape(Kind.MODEL, cls=cls), 0))


@st.composite
def union_and_json(draw: st.DrawFn) -> tuple[Any, Any]:
    union = draw(st.sampled_from(generated("union")))
    tagged = get_tagged_union(union)
    return union, draw(json_for(Shape(Kind.TAGGED, tagged=tagged), 0))


@given(class_and_json())
def test_models_round_trip(case: tuple[type[Model], Any]) -> None:
    cls, document = case
    assert unstructure(structure(document, cls)) == document


@given(union_and_json())
def test_tagged_unions_round_trip(case: tuple[Any, Any]) -> None:
    union, document = case
    decoded = structure(document, union)
    assert unstructure(decoded) == document
    tagged = get_tagged_union(union)
    assert tagged is not None
    if isinstance(document, dict):
        tag = document.get(tagged.tag)
        known = isinstance(tag, str) and tag in tagged.variants
        assert isinstance(decoded, UnknownVariant) is not known


def test_every_generated_class_resolves() -> None:
    classes = generated("class")
    assert len(classes) > 1422
    for cls in classes:
        assert model_info(cls).cls is cls
