"""Hypothesis strategies for JSON and models, for testing code that uses openai_proto.

- :func:`json_values`: any JSON value (no NaN or infinities).
- :func:`well_formed_json`: JSON that strictly conforms to a model class or annotation.
- :func:`drifted_json`: JSON shaped like a type but drifting the way the real API does:
  absent required keys, ``null`` anywhere, values of other types, unknown enum values,
  unknown keys, unknown or missing union tags.
- :func:`models`: decoded instances of a model class (from well-formed JSON).

Requires ``hypothesis`` (not a dependency of openai_proto itself).
"""

from __future__ import annotations

import functools
from collections.abc import Container
from typing import Any

from hypothesis import strategies as st

from openai_proto._models.core import TaggedUnion, structure
from openai_proto._models.shapes import Kind, Shape, model_info, shape_of

_TEXT = st.text(max_size=12)
_KEYS = st.text(max_size=8)


@functools.cache
def json_values(*, max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, as ``json.loads`` returns it."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | _TEXT
    )
    return st.recursive(scalars, _json_containers, max_leaves=max_leaves)


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4)


def well_formed_json(tp: Any, *, max_depth: int = 4) -> st.SearchStrategy[Any]:
    """JSON that ``structure(value, tp, strict=True)`` accepts.  Containers nested deeper
    than ``max_depth`` are empty, and models there have only their required keys."""
    return _JsonBuilder(drift=False, max_depth=max_depth).value(shape_of(tp), 0)


def drifted_json(tp: Any, *, max_depth: int = 4) -> st.SearchStrategy[Any]:
    """JSON shaped like ``tp`` with drift at any depth (lenient decoding must keep it all)."""
    return _JsonBuilder(drift=True, max_depth=max_depth).value(shape_of(tp), 0)


def models(tp: Any) -> st.SearchStrategy[Any]:
    """Instances of ``tp`` decoded from well-formed JSON."""
    return well_formed_json(tp).map(functools.partial(_decode, tp=tp))


def _decode(value: Any, tp: Any) -> Any:
    return structure(value, tp)


_EMPTY: dict[Kind, st.SearchStrategy[Any]] = {Kind.LIST: st.just([]), Kind.MAP: st.just({})}


class _JsonBuilder:
    """Strategies for the JSON of shapes, one builder per top-level call.  Model strategies
    are memoized per (class, depth) and deferred, so recursive models terminate."""

    def __init__(self, *, drift: bool, max_depth: int) -> None:
        self.drift = drift
        self.max_depth = max_depth
        self._models: dict[tuple[type, int], st.SearchStrategy[Any]] = {}

    def value(self, shape: Shape, depth: int) -> st.SearchStrategy[Any]:
        if depth > self.max_depth:
            return self._shallow(shape, depth)
        strategy = self._base(shape, depth)
        if shape.nullable and shape.kind not in (Kind.NULL, Kind.ANY):
            strategy = st.none() | strategy
        if self.drift:
            strategy = st.one_of(strategy, strategy, st.none(), json_values(max_leaves=4))
        return strategy

    def _shallow(self, shape: Shape, depth: int) -> st.SearchStrategy[Any]:
        """Past ``max_depth``: the smallest values (no drift), so the JSON stays finite."""
        if shape.nullable:
            return st.none()
        if shape.kind in _EMPTY:
            return _EMPTY[shape.kind]
        if depth > self.max_depth + 8:  # a model that requires itself, not nullable
            return st.nothing()
        if shape.kind is Kind.UNION:
            return st.one_of([self._shallow(item, depth) for item in shape.items])
        return self._base(shape, depth)

    def _base(self, shape: Shape, depth: int) -> st.SearchStrategy[Any]:
        kind = shape.kind
        if kind is Kind.ANY:
            return json_values(max_leaves=6)
        if kind is Kind.NULL:
            return st.none()
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind is Kind.LITERAL:
            known = st.sampled_from(shape.values)
            return known | _TEXT if self.drift else known
        if kind is Kind.ENUM:
            return st.sampled_from([member.value for member in shape.cls])
        if kind is Kind.LIST:
            return st.lists(self.value(shape.items[0], depth + 1), max_size=3)
        if kind is Kind.MAP:
            return st.dictionaries(_KEYS, self.value(shape.items[0], depth + 1), max_size=3)
        if kind is Kind.MODEL:
            return self._model(shape.cls, depth)
        if kind is Kind.TAGGED and shape.tagged is not None:
            return self._tagged(shape.tagged, depth)
        return st.one_of([self.value(item, depth) for item in shape.items])

    def _model(self, cls: type, depth: int) -> st.SearchStrategy[Any]:
        key = (cls, depth)
        strategy = self._models.get(key)
        if strategy is None:

            def definition() -> st.SearchStrategy[Any]:
                return self._model_fields(cls, depth)

            strategy = st.deferred(definition)
            self._models[key] = strategy
        return strategy

    def _model_fields(self, cls: type, depth: int) -> st.SearchStrategy[Any]:
        info = model_info(cls)
        values = {field.key: self.value(field.shape, depth + 1) for field in info.fields}
        required = {key: values.pop(key) for key in info.required_keys}
        if depth > self.max_depth:
            return st.fixed_dictionaries(required)
        if not self.drift:
            return st.fixed_dictionaries(required, optional=values)
        extra_keys = _KEYS.filter(functools.partial(_not_in, info.keys))
        extras = st.dictionaries(extra_keys, json_values(max_leaves=3), max_size=2)
        known = st.fixed_dictionaries({}, optional={**required, **values})
        return st.builds(_merged, known, extras)

    def _tagged(self, tagged: TaggedUnion, depth: int) -> st.SearchStrategy[Any]:
        options = [
            st.builds(_with_tag, self._model(cls, depth), st.just(tagged.tag), st.just(tag))
            for tag, cls in tagged.variants.items()
        ]
        if self.drift and depth <= self.max_depth:
            unknown_tag = _TEXT.filter(functools.partial(_not_in, tagged.variants))
            options.append(st.builds(_unknown_variant, st.just(tagged.tag), unknown_tag))
            options.append(st.dictionaries(_KEYS, json_values(max_leaves=3), max_size=3))
        return st.one_of(options)


def _not_in(container: Container[str], key: str) -> bool:
    return key not in container


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    return {**first, **second}


def _with_tag(value: dict[str, Any], tag: str, tag_value: str) -> dict[str, Any]:
    return {**value, tag: tag_value}


def _unknown_variant(tag: str, tag_value: str) -> dict[str, Any]:
    return {tag: tag_value, "payload": {"unexpected": [tag_value]}}


_SCALARS: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.STR: _TEXT,
    Kind.INT: st.integers(),
    Kind.FLOAT: st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
    Kind.BOOL: st.booleans(),
}
