"""Strict decoders, for our own tests: any drift from the annotations raises
:class:`ModelDriftError` with the path of the offending value.

Strict decoding checks JSON types, required keys (``field(required=True)``), literal and
enum values, and union tags; it allows unknown keys (kept, as in lenient mode).  For input
it accepts it builds exactly what lenient decoding builds.  Speed is not a goal here.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from openai_proto._models.core import (
    DERIVED_CACHES,
    STRICT,
    Loader,
    Model,
    ModelDriftError,
    json_type_name,
)
from openai_proto._models.picking import Candidate, object_candidates, rank
from openai_proto._models.shapes import (
    OBJECT_KINDS,
    Kind,
    Shape,
    literal_pairs,
    model_info,
    shape_of,
)
from openai_proto.sentinels import UNSET

_SHAPE_LOADERS: dict[Shape, Loader] = {}
DERIVED_CACHES.append(_SHAPE_LOADERS)

_VALUE_PREVIEW = 60
_CONTAINER_KINDS = OBJECT_KINDS | {Kind.LIST}


def strict_loader(tp: Any) -> Loader:
    """The strict decoder of an annotation (cached)."""
    if isinstance(tp, type) and issubclass(tp, Model):
        return strict_model(tp)
    loader = strict_shape(shape_of(tp))
    with contextlib.suppress(TypeError):  # an unhashable annotation is not cached
        STRICT[tp] = loader
    return loader


def strict_model(cls: type[Model]) -> Loader:
    """The strict decoder of a model class (cached)."""
    loader = STRICT.get(cls)
    if loader is None:
        loader = _model_loader(cls)
        STRICT[cls] = loader
    return loader


def strict_shape(shape: Shape) -> Loader:
    """The strict decoder of a shape (cached)."""
    loader = _SHAPE_LOADERS.get(shape)
    if loader is None:
        loader = _allow_null(shape, _BUILDERS[shape.kind](shape))
        _SHAPE_LOADERS[shape] = loader
    return loader


def expected(shape: Shape, value: object) -> ModelDriftError:
    return ModelDriftError(f"expected {shape.describe()}, got {json_type_name(value)}")


def _allow_null(shape: Shape, check: Loader) -> Loader:
    if not shape.nullable or shape.kind in (Kind.ANY, Kind.NULL):
        return check

    def load(value: Any) -> Any:
        return None if value is None else check(value)

    return load


def _any(shape: Shape) -> Loader:
    return _same


def _same(value: Any) -> Any:
    return value


def _type_check(*accepted: type) -> Callable[[Shape], Loader]:
    def build(shape: Shape) -> Loader:
        def load(value: Any) -> Any:
            if value.__class__ not in accepted:
                raise expected(shape, value)
            return value

        return load

    return build


def _literal(shape: Shape) -> Loader:
    allowed = literal_pairs(shape)

    def load(value: Any) -> Any:
        if value.__class__ in (dict, list) or (value.__class__, value) not in allowed:
            raise _unknown_value(shape, value)
        return value

    return load


def _unknown_value(shape: Shape, value: object) -> ModelDriftError:
    if isinstance(value, str):
        preview = value if len(value) <= _VALUE_PREVIEW else value[:_VALUE_PREVIEW] + "..."
        return ModelDriftError(f"unknown value {preview!r} (expected {shape.describe()})")
    return expected(shape, value)


def _enum(shape: Shape) -> Loader:
    enum_cls: type[enum.Enum] = shape.cls

    def load(value: Any) -> Any:
        try:
            member = enum_cls(value)
        except (ValueError, TypeError):
            raise _unknown_value(shape, value) from None
        if member.value.__class__ is not value.__class__:
            raise _unknown_value(shape, value)
        return member

    return load


def _list(shape: Shape) -> Loader:
    item = strict_shape(shape.items[0])

    def load(value: Any) -> Any:
        if value.__class__ is not list:
            raise expected(shape, value)
        result = []
        for index, element in enumerate(value):
            try:
                result.append(item(element))
            except ModelDriftError as exc:
                exc.prepend(index)
                raise
        return result

    return load


def _map(shape: Shape) -> Loader:
    item = strict_shape(shape.items[0])

    def load(value: Any) -> Any:
        if value.__class__ is not dict:
            raise expected(shape, value)
        result = {}
        for key, element in value.items():
            try:
                result[key] = item(element)
            except ModelDriftError as exc:
                exc.prepend(key)
                raise
        return result

    return load


def _model(shape: Shape) -> Loader:
    cls = shape.cls

    def load(value: Any) -> Any:
        return strict_model(cls)(value)

    return load


def _tagged(shape: Shape) -> Loader:
    tagged = shape.tagged
    assert tagged is not None

    def load(value: Any) -> Any:
        if value.__class__ is not dict:
            raise expected(shape, value)
        tag_value = value.get(tagged.tag)
        cls = tagged.variants.get(tag_value) if isinstance(tag_value, str) else None
        if cls is None:
            _reject_tag(tagged.tag, tagged.variants, value)
        return strict_model(cls)(value)

    return load


def _reject_tag(tag: str, known: Iterable[str], value: dict[str, Any]) -> NoReturn:
    """Raise the error for an object whose ``tag`` property names none of ``known``."""
    if tag not in value:
        raise ModelDriftError(f"missing the {tag!r} property that tells the variant apart")
    tag_value = value[tag]
    if not isinstance(tag_value, str):
        raise ModelDriftError(f"expected string, got {json_type_name(tag_value)}", (tag,))
    names = ", ".join(repr(name) for name in sorted(known))
    preview = tag_value[:_VALUE_PREVIEW]
    raise ModelDriftError(f"unknown variant {preview!r} (expected one of {names})", (tag,))


def candidate_check(candidate: Candidate) -> Loader:
    """Strictly decode an object as this union candidate, or raise."""
    unknown_of = candidate.unknown_of
    if unknown_of is not None:

        def reject(value: Any) -> Any:
            _reject_tag(unknown_of.tag, unknown_of.variants, value)

        return reject
    cls = candidate.model
    if cls is None:
        return strict_shape(candidate.shape)
    tag, tags = candidate.tag, candidate.tags

    def check(value: Any) -> Any:
        if tag is not None:
            tag_value = value.get(tag)
            if not (isinstance(tag_value, str) and tag_value in tags):
                _reject_tag(tag, tags, value)
        return strict_model(cls)(value)

    return check


def pick_strictly(
    candidates: list[Candidate], checks: dict[Candidate, Loader], value: dict[str, Any]
) -> Any:
    """The first candidate, best ranked first, that ``value`` strictly conforms to."""
    first_error: ModelDriftError | None = None
    for candidate in rank(candidates, value):
        try:
            return checks[candidate](value)
        except ModelDriftError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _union(shape: Shape) -> Loader:
    candidates = object_candidates(shape.items)
    checks = {candidate: candidate_check(candidate) for candidate in candidates}
    lists = [item for item in shape.items if item.kind is Kind.LIST]
    list_check = strict_shape(merge_lists(lists)) if lists else None
    scalars = [strict_shape(item) for item in shape.items if item.kind not in _CONTAINER_KINDS]
    takes_anything = any(item.kind is Kind.ANY for item in shape.items)

    def load(value: Any) -> Any:
        kind = value.__class__
        if kind is dict and candidates:
            return pick_strictly(candidates, checks, value)
        if kind is list and list_check is not None and not takes_anything:
            return list_check(value)
        if kind is list and list_check is not None:
            return list_or_keep(list_check, value)
        if takes_anything:
            return value
        for scalar in scalars:
            try:
                return scalar(value)
            except ModelDriftError:
                continue
        raise expected(shape, value)

    return load


def list_or_keep(list_check: Loader, value: list[Any]) -> Any:
    """In a union that also allows ``Any``: the list decoded if it conforms, else as it is."""
    try:
        return list_check(value)
    except ModelDriftError:
        return value


def merge_lists(lists: list[Shape]) -> Shape:
    """``list[A] | list[B]`` read as ``list[A | B]``."""
    if len(lists) == 1:
        return lists[0]
    members: list[Shape] = []
    for shape in lists:
        item = shape.items[0]
        members.extend(item.items if item.kind is Kind.UNION else (item,))
    nullable = any(member.nullable for member in members)
    return Shape(Kind.LIST, items=(Shape(Kind.UNION, nullable=nullable, items=tuple(members)),))


def _null(shape: Shape) -> Loader:
    def load(value: Any) -> Any:
        if value is not None:
            raise expected(shape, value)
        return None

    return load


def _model_loader(cls: type[Model]) -> Loader:
    info = model_info(cls)
    plan = tuple((f.name, f.key, strict_shape(f.shape), f.required) for f in info.fields)
    keys = info.keys
    new = object.__new__
    setattr_ = object.__setattr__

    def load(value: Any) -> Any:
        if value.__class__ is not dict:
            raise ModelDriftError(
                f"expected {cls.__name__} (an object), got {json_type_name(value)}"
            )
        obj = new(cls)
        for name, key, check, required in plan:
            if key in value:
                try:
                    item = check(value[key])
                except ModelDriftError as exc:
                    exc.prepend(key)
                    raise
            elif required:
                raise ModelDriftError("missing required field", (key,))
            else:
                item = UNSET
            setattr_(obj, name, item)
        extra = {key: item for key, item in value.items() if key not in keys}
        setattr_(obj, "_extra", extra or None)
        setattr_(obj, "_request_id", None)
        return obj

    return load


_BUILDERS: dict[Kind, Callable[[Shape], Loader]] = {
    Kind.ANY: _any,
    Kind.NULL: _null,
    Kind.STR: _type_check(str),
    Kind.INT: _type_check(int),
    Kind.FLOAT: _type_check(int, float),
    Kind.BOOL: _type_check(bool),
    Kind.LITERAL: _literal,
    Kind.ENUM: _enum,
    Kind.LIST: _list,
    Kind.MAP: _map,
    Kind.MODEL: _model,
    Kind.TAGGED: _tagged,
    Kind.UNION: _union,
}
