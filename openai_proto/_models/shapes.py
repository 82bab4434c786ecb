"""Annotations resolved and classified into ``Shape`` values, and per-class ``ModelInfo``.

A ``Shape`` says what a JSON value should look like (a scalar, a literal, a list, a map, a
model, a tagged or untagged union, ``Any``) and whether ``null`` is allowed.  String
annotations (``from __future__ import annotations``) are resolved on first use, in the
module that defines the field, then among model classes and named aliases by name.
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import sys
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import attrs

from openai_proto._models.core import (
    DERIVED_CACHES,
    INTERNAL_FIELDS,
    JSON_KEY,
    NAMES,
    REQUIRED_KEY,
    RESERVED_NAMES,
    TAGGED_UNIONS,
    Model,
    ModelDefinitionError,
    NoneType,
    TaggedUnion,
    UnknownVariant,
)
from openai_proto.sentinels import UnsetType


class Kind(enum.Enum):
    ANY = "any"
    NULL = "null"
    STR = "string"
    INT = "integer"
    FLOAT = "number"
    BOOL = "boolean"
    LITERAL = "literal"
    ENUM = "enum"
    LIST = "array"
    MAP = "map"
    MODEL = "model"
    TAGGED = "tagged union"
    UNION = "union"


#: Kinds whose lenient decoding keeps the JSON value as it is.
KEEP_AS_IS = frozenset(
    {Kind.ANY, Kind.NULL, Kind.STR, Kind.INT, Kind.FLOAT, Kind.BOOL, Kind.LITERAL}
)
#: Kinds that accept a JSON object / array.
OBJECT_KINDS = frozenset({Kind.MODEL, Kind.TAGGED, Kind.MAP, Kind.ANY})
PRIMITIVES: dict[Any, Kind] = {str: Kind.STR, int: Kind.INT, float: Kind.FLOAT, bool: Kind.BOOL}


@attrs.frozen
class Shape:
    """What a JSON value should look like.  ``items``: the item shape of a LIST, the value
    shape of a MAP, the members of a UNION.  ``values``: a LITERAL's values."""

    kind: Kind
    nullable: bool = False
    items: tuple[Shape, ...] = ()
    cls: Any = None
    values: tuple[Any, ...] = ()
    tagged: TaggedUnion | None = None

    def describe(self) -> str:
        """A short human name, used in error messages."""
        if self.kind in (Kind.MODEL, Kind.ENUM):
            name: str = self.cls.__name__
            return name
        if self.kind is Kind.LITERAL:
            return "one of " + ", ".join(repr(v) for v in self.values)
        if self.kind is Kind.LIST:
            return f"array of {self.items[0].describe()}"
        if self.kind is Kind.MAP:
            return f"object of {self.items[0].describe()}"
        if self.kind is Kind.TAGGED and self.tagged is not None:
            return self.tagged.name or f"object tagged by {self.tagged.tag!r}"
        if self.kind is Kind.UNION:
            return " or ".join(item.describe() for item in self.items)
        return str(self.kind.value)


ANY_SHAPE = Shape(Kind.ANY)
_SEQUENCES = (list, tuple, collections.abc.Sequence, collections.abc.MutableSequence)
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def shape_of(tp: Any) -> Shape:
    """Classify a resolved annotation; unsupported ones raise :class:`ModelDefinitionError`."""
    origin = get_origin(tp)
    if origin is Annotated:
        return shape_of(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return _union_shape(get_args(tp))
    if origin is Literal:
        return Shape(Kind.LITERAL, values=get_args(tp))
    if origin in _SEQUENCES:
        return _list_shape(tp, get_args(tp))
    if origin in _MAPPINGS:
        args = get_args(tp)
        return Shape(Kind.MAP, items=(shape_of(args[1]) if args else ANY_SHAPE,))
    return _plain_shape(tp)


def _plain_shape(tp: Any) -> Shape:
    if tp is Any or tp is object or tp is UnsetType:
        return ANY_SHAPE
    if tp is None or tp is NoneType:
        return Shape(Kind.NULL, nullable=True)
    if tp in PRIMITIVES:
        return Shape(PRIMITIVES[tp])
    if tp in _SEQUENCES:
        return Shape(Kind.LIST, items=(ANY_SHAPE,))
    if tp in _MAPPINGS:
        return Shape(Kind.MAP, items=(ANY_SHAPE,))
    if isinstance(tp, type) and issubclass(tp, Model):
        return Shape(Kind.MODEL, cls=tp)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return Shape(Kind.ENUM, cls=tp)
    if isinstance(tp, (str, typing.ForwardRef)):
        raise ModelDefinitionError(f"unresolved forward reference {tp!r}")
    raise ModelDefinitionError(f"unsupported annotation {tp!r}")


def _list_shape(tp: Any, args: tuple[Any, ...]) -> Shape:
    if get_origin(tp) is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        raise ModelDefinitionError(f"only tuple[T, ...] is supported, not {tp!r}")
    return Shape(Kind.LIST, items=(shape_of(args[0]) if args else ANY_SHAPE,))


def _union_shape(args: tuple[Any, ...]) -> Shape:
    nullable = NoneType in args
    members = [arg for arg in args if arg not in (NoneType, UnsetType)]
    if not members:
        return Shape(Kind.NULL, nullable=True)
    whole = TAGGED_UNIONS.get(frozenset(members))
    if whole is not None:
        return Shape(Kind.TAGGED, nullable=nullable, tagged=whole)
    shapes = _member_shapes(members)
    if len(shapes) == 1:
        return attrs.evolve(shapes[0], nullable=nullable or shapes[0].nullable)
    if any(shape.nullable for shape in shapes):
        nullable = True
    return Shape(Kind.UNION, nullable=nullable, items=tuple(shapes))


def _member_shapes(members: list[Any]) -> list[Shape]:
    """Member shapes in order; members forming a registered tagged union become one shape."""
    grouped: dict[Any, TaggedUnion] = {}
    present = set(members)
    for tagged in TAGGED_UNIONS.values():
        if present.issuperset(tagged.members):
            for member in tagged.members:
                grouped.setdefault(member, tagged)
    shapes: list[Shape] = []
    seen: set[int] = set()
    for member in members:
        tagged_group = grouped.get(member)
        if tagged_group is None:
            shapes.append(shape_of(member))
        elif id(tagged_group) not in seen:
            seen.add(id(tagged_group))
            shapes.append(Shape(Kind.TAGGED, tagged=tagged_group))
    return shapes


@attrs.frozen
class FieldInfo:
    """One API field: Python name, JSON key, shape, and whether the spec requires it."""

    name: str
    key: str
    shape: Shape
    required: bool


@attrs.frozen
class ModelInfo:
    """A model class as the decoders see it."""

    cls: type[Model]
    fields: tuple[FieldInfo, ...]
    keys: frozenset[str]
    required_keys: frozenset[str]
    #: JSON key -> the (type, value) pairs a LITERAL field allows: clues for union picking.
    literals: Mapping[str, frozenset[tuple[type, Any]]]
    #: Whether attributes must be set with ``object.__setattr__`` (frozen, validators, ...).
    custom_setattr: bool


_INFOS: dict[type, ModelInfo] = {}
DERIVED_CACHES.append(_INFOS)


def model_info(cls: type[Model]) -> ModelInfo:
    """The fields of a model class with resolved shapes (computed once per class)."""
    info = _INFOS.get(cls)
    if info is None:
        info = _build_info(cls)
        _INFOS[cls] = info
    return info


def _build_info(cls: type[Model]) -> ModelInfo:
    if not _is_attrs_model(cls):
        raise ModelDefinitionError(f"{cls!r} is not an attrs class derived from Model")
    wire = [a for a in attrs.fields(cls) if a.name not in INTERNAL_FIELDS]
    reserved = RESERVED_NAMES | ({"raw"} if issubclass(cls, UnknownVariant) else set())
    clashes = sorted(a.name for a in wire if a.name in reserved)
    if clashes:
        raise ModelDefinitionError(f"{cls.__qualname__} uses reserved field names {clashes}")
    hints = resolve_field_types(cls, wire)
    fields = tuple(
        FieldInfo(
            name=a.name,
            key=a.metadata.get(JSON_KEY, a.name),
            shape=_field_shape(cls, a.name, hints[a.name]),
            required=bool(a.metadata.get(REQUIRED_KEY, False)),
        )
        for a in wire
    )
    keys = [f.key for f in fields]
    if len(set(keys)) != len(keys):
        raise ModelDefinitionError(f"{cls.__qualname__} maps two fields to the same JSON key")
    return ModelInfo(
        cls=cls,
        fields=fields,
        keys=frozenset(keys),
        required_keys=frozenset(f.key for f in fields if f.required),
        literals={f.key: literal_pairs(f.shape) for f in fields if f.shape.kind is Kind.LITERAL},
        custom_setattr=cls.__setattr__ is not object.__setattr__,
    )


def _is_attrs_model(cls: object) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


def literal_pairs(shape: Shape) -> frozenset[tuple[type, Any]]:
    """The values a LITERAL shape allows, with their types (so ``True`` is not ``1``)."""
    return frozenset((type(value), value) for value in shape.values)


def _field_shape(cls: type, name: str, tp: Any) -> Shape:
    try:
        return shape_of(tp)
    except ModelDefinitionError as exc:
        raise ModelDefinitionError(f"{cls.__qualname__}.{name}: {exc}") from None


_BASE_NAMESPACE: dict[str, Any] = {
    name: getattr(typing, name)
    for name in ("Any", "Annotated", "Dict", "List", "Literal", "Mapping", "Optional", "Union")
}
_BASE_NAMESPACE.update(
    {"UnsetType": UnsetType, "Sequence": collections.abc.Sequence, "Mapping": Mapping}
)


def resolve_field_types(cls: type, wire: list[attrs.Attribute[Any]]) -> dict[str, Any]:
    """Each field's annotation, evaluated in the namespace of the class that declared it."""
    by_owner: dict[type, dict[str, Any]] = {}
    for attribute in wire:
        owner = _declaring_class(cls, attribute.name)
        declared = attribute.type if attribute.type is not None else Any
        by_owner.setdefault(owner, {})[attribute.name] = declared
    resolved: dict[str, Any] = {}
    for owner, declared_types in by_owner.items():
        resolved.update(_evaluate(owner, declared_types))
    return resolved


def _declaring_class(cls: type, name: str) -> type:
    for klass in cls.__mro__:
        if name in inspect.get_annotations(klass):
            return klass
    return cls


def _nested_refs(tp: Any) -> Any:
    """``list["Node"]`` with ``ForwardRef("Node")`` inside, which Python 3.10's
    ``get_type_hints`` resolves (3.11+ does this itself); a whole string is left as it is."""
    if isinstance(tp, types.GenericAlias):
        args = tuple(
            typing.ForwardRef(arg) if isinstance(arg, str) else _nested_refs(arg)
            for arg in get_args(tp)
        )
        return types.GenericAlias(get_origin(tp), args)
    if get_origin(tp) in (Union, types.UnionType):
        return Union[tuple(_nested_refs(arg) for arg in get_args(tp))]
    return tp


def _evaluate(owner: type, annotations: dict[str, Any]) -> dict[str, Any]:
    module = sys.modules.get(owner.__module__)
    namespace: dict[str, Any] = {**_BASE_NAMESPACE, **NAMES}
    if module is not None:
        namespace.update(vars(module))
    namespace.setdefault(owner.__name__, owner)

    def holder() -> None: ...

    holder.__annotations__ = {name: _nested_refs(tp) for name, tp in annotations.items()}
    try:
        return typing.get_type_hints(holder, globalns=namespace, include_extras=True)
    except Exception as exc:
        raise ModelDefinitionError(
            f"cannot resolve the annotations of {owner.__qualname__}: {exc!r}"
        ) from None
