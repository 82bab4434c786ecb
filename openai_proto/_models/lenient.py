"""Lenient decoders: they never raise, and keep any value they do not expect as it is.

One function is generated (``exec``) per model class on first use; it reads each key with
``dict.get``, converts only values of the expected container type (a JSON object where a
model is expected, an array where a list is expected), sets the attributes directly (no
``__init__``, no validators) and keeps the remaining keys.  A reference to another model
starts as a stub that builds that model's decoder on its first call and then puts it in
its own place, so building is lazy and recursive models need nothing special.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable
from functools import partial
from typing import Any

from openai_proto._models.core import (
    DERIVED_CACHES,
    LENIENT,
    Loader,
    Model,
    ModelDriftError,
    TaggedUnion,
)
from openai_proto._models.picking import Candidate, object_candidates, rank
from openai_proto._models.shapes import (
    KEEP_AS_IS,
    OBJECT_KINDS,
    Kind,
    Shape,
    model_info,
    shape_of,
)
from openai_proto._models.strict import candidate_check, list_or_keep, merge_lists, strict_shape
from openai_proto.sentinels import UNSET

_SHAPE_LOADERS: dict[Shape, Loader] = {}
DERIVED_CACHES.append(_SHAPE_LOADERS)
_UNKNOWN_TAG = object()


def lenient_loader(tp: Any) -> Loader:
    """The lenient decoder of an annotation (cached)."""
    if isinstance(tp, type) and issubclass(tp, Model):
        return model_loader(tp)
    loader = shape_loader(shape_of(tp))
    with contextlib.suppress(TypeError):  # an unhashable annotation is not cached
        LENIENT[tp] = loader
    return loader


def model_loader(cls: type[Model]) -> Loader:
    """The lenient decoder of a model class (cached)."""
    loader = LENIENT.get(cls)
    if loader is None:
        loader = _compile_model(cls)
        LENIENT[cls] = loader
    return loader


def install(slots: dict[Any, Any], key: Any, cls: type[Model]) -> None:
    """Put the decoder of ``cls`` at ``slots[key]``, or a stub that does so on first call."""
    loader = LENIENT.get(cls)
    if loader is not None:
        slots[key] = loader
        return

    def first_call(value: Any) -> Any:
        real = model_loader(cls)
        slots[key] = real
        return real(value)

    slots[key] = first_call


def shape_loader(shape: Shape) -> Loader:
    """The lenient decoder of a shape (cached)."""
    loader = _SHAPE_LOADERS.get(shape)
    if loader is None:
        loader = _build_shape_loader(shape)
        _SHAPE_LOADERS[shape] = loader
    return loader


def _build_shape_loader(shape: Shape) -> Loader:
    if shape.kind in KEEP_AS_IS:
        return _same
    if shape.kind is Kind.ENUM:
        return _enum_loader(shape.cls)
    if shape.kind is Kind.TAGGED and shape.tagged is not None:
        return _tagged_loader(shape.tagged)
    source = _Source()
    if shape.kind is Kind.UNION:
        return source.union_function(shape)
    source.lines.append("def load(v):")
    source.convert(shape, "    ")
    source.lines.append("    return v")
    return source.compile("load", shape.describe())


def _same(value: Any) -> Any:
    return value


def _enum_loader(enum_cls: type[enum.Enum]) -> Loader:
    def load(value: Any) -> Any:
        try:
            member = enum_cls(value)
        except (ValueError, TypeError):
            return value
        return member if member.value.__class__ is value.__class__ else value

    return load


def _tagged_loader(tagged: TaggedUnion) -> Loader:
    table: dict[Any, Loader] = {}
    for tag_value, cls in tagged.variants.items():
        install(table, tag_value, cls)
    install(table, _UNKNOWN_TAG, tagged.unknown)
    tag = tagged.tag

    def load(value: Any) -> Any:
        if value.__class__ is not dict:
            return value
        tag_value = value.get(tag)
        loader = table.get(tag_value) if tag_value.__class__ is str else None
        if loader is None:
            loader = table[_UNKNOWN_TAG]
        return loader(value)

    return load


def _best_fit(shapes: tuple[Shape, ...]) -> Loader:
    """For an object in a union of several object types: the first candidate (best ranked
    first) it strictly conforms to, else the best ranked one, leniently."""
    candidates = object_candidates(shapes)
    checks = {candidate: candidate_check(candidate) for candidate in candidates}

    def load(value: Any) -> Any:
        ranked = rank(candidates, value)
        for candidate in ranked:
            try:
                return checks[candidate](value)
            except ModelDriftError:
                continue
        return _candidate_loader(ranked[0])(value)

    return load


def _candidate_loader(candidate: Candidate) -> Loader:
    cls = candidate.model
    return model_loader(cls) if cls is not None else shape_loader(candidate.shape)


class _Source:
    """The source text of one generated function and the names it refers to."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"UNSET": UNSET}
        self.lines: list[str] = []

    def bind(self, value: object, prefix: str) -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def model(self, cls: type[Model]) -> str:
        name = f"model{len(self.names)}"
        install(self.names, name, cls)
        return name

    def item_function(self, shape: Shape) -> str:
        if shape.kind is Kind.MODEL:
            return self.model(shape.cls)
        return self.bind(shape_loader(shape), "load")

    def convert(self, shape: Shape, indent: str) -> None:
        """Lines that replace ``v`` by its decoded value when it has the expected type."""
        kind = shape.kind
        if kind in KEEP_AS_IS:
            return
        if kind is Kind.MODEL:
            self.lines.append(f"{indent}if v.__class__ is dict: v = {self.model(shape.cls)}(v)")
        elif kind in (Kind.LIST, Kind.MAP) and shape.items[0].kind in KEEP_AS_IS:
            return
        elif kind is Kind.LIST:
            item = self.item_function(shape.items[0])
            self.lines.append(f"{indent}if v.__class__ is list: v = [{item}(x) for x in v]")
        elif kind is Kind.MAP:
            item = self.item_function(shape.items[0])
            self.lines.append(
                f"{indent}if v.__class__ is dict: v = {{k: {item}(x) for k, x in v.items()}}"
            )
        else:
            self.lines.append(f"{indent}v = {self.bind(shape_loader(shape), 'load')}(v)")

    def union_function(self, shape: Shape) -> Loader:
        self.lines.extend(["def load(v):", "    kind = v.__class__"])
        objects = tuple(item for item in shape.items if item.kind in OBJECT_KINDS)
        if len(objects) > 1:
            self.lines.append(
                f"    if kind is dict: return {self.bind(_best_fit(objects), 'pick')}(v)"
            )
        elif objects and objects[0].kind is not Kind.ANY:
            self.lines.append(f"    if kind is dict: return {self.item_function(objects[0])}(v)")
        lists = [item for item in shape.items if item.kind is Kind.LIST]
        if lists and any(item.kind is Kind.ANY for item in shape.items):
            check = self.bind(partial(list_or_keep, strict_shape(merge_lists(lists))), "pick")
            self.lines.append(f"    if kind is list: return {check}(v)")
        elif lists:
            self.lines.append("    if kind is list:")
            self.convert(merge_lists(lists), "        ")
            self.lines.append("        return v")
        self.lines.append("    return v")
        return self.compile("load", shape.describe())

    def compile(self, function: str, label: str) -> Loader:
        code = compile("\n".join(self.lines), f"<openai_proto lenient {label}>", "exec")
        exec(code, self.names)
        loader: Loader = self.names[function]
        return loader


def _compile_model(cls: type[Model]) -> Loader:
    info = model_info(cls)
    source = _Source()
    new, target = source.bind(object.__new__, "new"), source.bind(cls, "cls")
    keys = source.bind(info.keys, "keys")
    assign = _assigner(source, info.custom_setattr)
    lines = source.lines
    lines += ["def load(d):", "    if d.__class__ is not dict:", "        return d"]
    lines += ["    get = d.get", f"    o = {new}({target})"]
    for field in info.fields:
        read = f"get({field.key!r}, UNSET)"
        before = len(lines)
        source.convert(field.shape, "    ")
        if len(lines) == before:
            lines.append(assign(field.name, read))
        else:
            lines.insert(before, f"    v = {read}")
            lines.append(assign(field.name, "v"))
    lines.append(assign("_request_id", "None"))
    extra = f"None if {keys}.issuperset(d) else {{k: x for k, x in d.items() if k not in {keys}}}"
    lines.append(assign("_extra", extra))
    lines.append("    return o")
    return source.compile("load", cls.__qualname__)


def _assigner(source: _Source, custom_setattr: bool) -> Callable[[str, str], str]:
    """Plain attribute stores, or ``object.__setattr__`` for classes that hook ``__setattr__``
    (frozen classes, validators): decoding must store whatever the JSON holds."""
    if not custom_setattr:
        return lambda name, expression: f"    o.{name} = {expression}"
    setter = source.bind(object.__setattr__, "setattr")
    return lambda name, expression: f"    {setter}(o, {name!r}, {expression})"


def model_field_class(cls: type[Model], key: str) -> type[Model] | None:
    """The class a JSON object under ``key`` (a JSON key of ``cls``) decodes to, when the
    field holds one model class (``null`` allowed); ``None`` for any other field."""
    for field in model_info(cls).fields:
        if field.key == key:
            shape = field.shape
            return shape.cls if shape.kind is Kind.MODEL else None
    return None


def list_field_items(cls: type[Model], key: str) -> tuple[str, Loader] | None:
    """For a field of ``cls`` (JSON key ``key``) typed as a list, which lenient decoding
    turns from a JSON array ``a`` into ``[load(x) for x in a]``: its Python name and
    ``load``; ``None`` for any other field.

    So whoever holds a long array in pieces can decode it piece by piece, to the list
    decoding the whole array gives (the pieces' objects need not all live at once).
    """
    for field in model_info(cls).fields:
        if field.key == key:
            shape = field.shape
            if shape.kind is not Kind.LIST:
                return None
            item = shape.items[0]
            load = model_loader(item.cls) if item.kind is Kind.MODEL else shape_loader(item)
            return field.name, load
    return None
