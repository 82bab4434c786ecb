"""The ``Model`` base class, ``field``, the registries, the caches and the hot entry points.

Decoders and encoders are built on first use by the sibling modules (``lenient``, ``strict``,
``dumping``), imported lazily so that importing many generated classes costs only their
definitions.  Everything on the hot path here is one dict lookup and one call.
"""

from __future__ import annotations

import enum
import json
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union, get_args, get_origin, overload

import attrs

from openai_proto.errors import InvalidRequestError, OpenAIError
from openai_proto.sentinels import UNSET, UnsetType

T = TypeVar("T")
M = TypeVar("M", bound="Model")

#: ``attrs`` metadata key holding a field's JSON key, when it differs from the Python name.
JSON_KEY = "json"
#: ``attrs`` metadata key marking a field the spec requires (checked in strict mode only).
REQUIRED_KEY = "required"
#: Attributes of every model that are not API fields.
INTERNAL_FIELDS = frozenset({"_extra", "_request_id"})
#: Names a field must not use (attributes of ``Model``; ``UnknownVariant`` adds ``raw``).
RESERVED_NAMES = frozenset(
    {"to_dict", "to_json", "from_dict", "model_extra", "is_set", "fields_set"} | INTERNAL_FIELDS
)

NoneType = type(None)
SCALAR_TYPES = frozenset({str, int, float, bool, NoneType})

Loader = Callable[[Any], Any]

#: Lenient and strict decoders by type (model classes and other annotations), built on first use.
LENIENT: dict[Any, Loader] = {}
STRICT: dict[Any, Loader] = {}
#: Encoders by runtime class: scalars, containers, and one per model class (built on first use).
DUMPERS: dict[type, Loader] = {}
#: Model subclasses (and named union aliases) by name: the fallback for string annotations.
NAMES: dict[str, Any] = {}
#: Registered tagged unions, by the set of their member classes.
TAGGED_UNIONS: dict[frozenset[type], TaggedUnion] = {}
#: Caches that depend on the registries; emptied when a tagged union is registered.
DERIVED_CACHES: list[dict[Any, Any]] = [LENIENT, STRICT]


class ModelDriftError(OpenAIError, ValueError):
    """JSON that does not match its model: raised by strict decoding (and by ``from_dict``
    when given something that is not a JSON object).

    ``path`` says where (``choices[0].message.role``), ``problem`` says what.  Messages name
    JSON types and unknown enum values, never other values.
    """

    problem: str
    segments: tuple[str | int, ...]

    def __init__(self, problem: str, segments: tuple[str | int, ...] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.segments = segments

    @property
    def path(self) -> str:
        return format_path(self.segments)

    def prepend(self, segment: str | int) -> None:
        """Record that the error happened under ``segment`` (a key or a list index)."""
        self.segments = (segment, *self.segments)

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.segments else self.problem


class ModelDefinitionError(OpenAIError, TypeError):
    """A model class, annotation or union registration the model layer cannot work with."""


def format_path(segments: tuple[str | int, ...]) -> str:
    """``("choices", 0, "message")`` -> ``choices[0].message``."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif segment.isidentifier():
            parts.append(f".{segment}" if parts else segment)
        else:
            parts.append(f"[{json.dumps(segment, ensure_ascii=False)}]")
    return "".join(parts)


_JSON_TYPE_NAMES: dict[type, str] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    NoneType: "null",
}


def json_type_name(value: object) -> str:
    """The JSON type of a decoded value (``object``, ``array``, ``string``, ...)."""
    return _JSON_TYPE_NAMES.get(value.__class__) or type(value).__name__


def field(
    *,
    json: str | None = None,
    required: bool = False,
    default: Any = UNSET,
    **kwargs: Any,
) -> Any:
    """An ``attrs`` field of a model: ``json`` is its JSON key when that is not the Python
    name; ``required`` marks what the spec requires (enforced in strict mode only).
    Other keyword arguments go to :func:`attrs.field`.
    """
    metadata = dict(kwargs.pop("metadata", None) or {})
    if json is not None:
        metadata[JSON_KEY] = json
    if required:
        metadata[REQUIRED_KEY] = True
    if "factory" in kwargs:
        return attrs.field(metadata=metadata, **kwargs)
    return attrs.field(default=default, metadata=metadata, **kwargs)


def _empty_as_none(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    return extra or None


@attrs.define
class Model:
    """Base of every API model: an ``attrs`` class whose fields default to ``UNSET``.

    Keys the class does not declare are kept in ``model_extra`` and sent back by
    ``to_dict()``; equality includes them.
    """

    _extra: dict[str, Any] | None = attrs.field(
        default=None, init=False, repr=False, eq=_empty_as_none
    )
    _request_id: str | None = attrs.field(default=None, init=False, repr=False, eq=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        NAMES[cls.__name__] = cls

    def __repr__(self) -> str:
        """``Name(field=value, ...)`` without UNSET fields, unknown keys last.  Used by classes
        decorated with ``@attrs.define(repr=False)``; plain ``@attrs.define`` keeps attrs' own."""
        parts = [
            f"{name}={value!r}"
            for name in wire_names(self.__class__)
            if (value := getattr(self, name)) is not UNSET
        ]
        parts.extend(f"{key}={value!r}" for key, value in (self._extra or {}).items())
        return f"{type(self).__name__}({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        """The JSON value of this model: UNSET fields left out, unknown keys put back."""
        dumper = DUMPERS.get(self.__class__)
        if dumper is None:
            return _dump_other(self)  # type: ignore[no-any-return]
        return dumper(self)  # type: ignore[no-any-return]

    def to_json(self, indent: int | None = None) -> str:
        """``to_dict()`` as JSON text: compact unless ``indent`` is given; non-ASCII kept."""
        return dumps_json(self.to_dict(), indent)

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any], *, strict: bool = False) -> M:
        """Decode a JSON object (leniently unless ``strict``)."""
        if not isinstance(data, Mapping):
            raise ModelDriftError(f"expected object, got {json_type_name(data)}")
        return structure(data, cls, strict=strict)

    @property
    def model_extra(self) -> dict[str, Any]:
        """The keys this class does not declare, with their JSON values (a live dict)."""
        extra = self._extra
        if extra is None:
            extra = self._extra = {}
        return extra

    def is_set(self, name: str) -> bool:
        """Whether field ``name`` (its Python name) holds a value, ``None`` included."""
        if name not in wire_names(self.__class__):
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        return getattr(self, name) is not UNSET

    @property
    def fields_set(self) -> frozenset[str]:
        """The Python names of the fields that are not UNSET."""
        return frozenset(
            name for name in wire_names(self.__class__) if getattr(self, name) is not UNSET
        )


@attrs.define
class UnknownVariant(Model):
    """Base of the fallback class of a tagged union: a variant this client does not know.

    Subclasses usually declare just the tag field; every other key lands in ``model_extra``,
    so ``to_dict()`` gives back the JSON received.
    """

    @property
    def raw(self) -> Any:
        """The JSON this object was decoded from (or would encode to)."""
        return self.to_dict()


_WIRE_NAMES: dict[type, tuple[str, ...]] = {}


def wire_names(cls: type) -> tuple[str, ...]:
    """The Python names of the API fields of a model class."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = tuple(a.name for a in attrs.fields(cls) if a.name not in INTERNAL_FIELDS)
        _WIRE_NAMES[cls] = names
    return names


@attrs.frozen(eq=False)
class TaggedUnion:
    """A union told apart by the string in one property: ``tag`` value -> variant class."""

    tag: str
    variants: Mapping[str, type[Model]]
    unknown: type[Model]
    members: tuple[type[Model], ...]
    name: str | None = None

    def variant_for(self, tag_value: object) -> type[Model]:
        """The class a JSON object with this tag value decodes to."""
        found = self.variants.get(tag_value) if isinstance(tag_value, str) else None
        return found or self.unknown


def union_members(tp: Any) -> tuple[Any, ...]:
    """The members of a ``Union``/``X | Y`` annotation, without ``None`` and ``UnsetType``."""
    if get_origin(tp) not in (Union, types.UnionType):
        raise ModelDefinitionError(f"{tp!r} is not a union")
    return tuple(arg for arg in get_args(tp) if arg not in (NoneType, UnsetType))


def register_tagged_union(
    union: Any,
    *,
    tag: str,
    variants: Mapping[str, type[Model]],
    unknown: type[Model],
    name: str | None = None,
) -> TaggedUnion:
    """Declare that JSON objects typed ``union`` are told apart by their ``tag`` property.

    ``union`` is a ``Union[...]`` of exactly the classes in ``variants`` plus ``unknown``;
    ``unknown`` receives objects whose tag is missing, not a string, or not in ``variants``.
    ``name`` makes the alias resolvable in string annotations of other modules.
    Register before the first decode that involves the union.
    """
    members = union_members(union)
    expected = {*variants.values(), unknown}
    _check_union_registration(union, tag, members, expected)
    tagged = TaggedUnion(tag, types.MappingProxyType(dict(variants)), unknown, members, name)
    TAGGED_UNIONS[frozenset(members)] = tagged
    if name is not None:
        NAMES[name] = union
    for cache in DERIVED_CACHES:
        cache.clear()
    return tagged


def _check_union_registration(
    union: Any, tag: str, members: tuple[Any, ...], expected: set[Any]
) -> None:
    if not tag:
        raise ModelDefinitionError("a tagged union needs a non-empty tag property name")
    for cls in expected:
        if not (isinstance(cls, type) and issubclass(cls, Model)):
            raise ModelDefinitionError(f"tagged union member {cls!r} is not a Model subclass")
    if set(members) != expected or len(members) != len(expected):
        raise ModelDefinitionError(
            f"{union!r} must be the union of its variants and its unknown class, exactly"
        )


def get_tagged_union(tp: Any) -> TaggedUnion | None:
    """The registration of a tagged union annotation (``None`` and ``UNSET`` ignored)."""
    try:
        members = union_members(tp)
    except ModelDefinitionError:
        return None
    return TAGGED_UNIONS.get(frozenset(members))


@overload
def structure(data: object, tp: type[T], *, strict: bool = False) -> T: ...
@overload
def structure(data: object, tp: Any, *, strict: bool = False) -> Any: ...
def structure(data: object, tp: Any, *, strict: bool = False) -> Any:
    """Decode JSON ``data`` as ``tp`` (a model class or any supported annotation).

    Lenient by default: never raises for any JSON value, and a value of an unexpected
    type comes back as it is.  ``strict=True`` raises :class:`ModelDriftError` instead.
    """
    cache = STRICT if strict else LENIENT
    try:
        loader = cache.get(tp)
    except TypeError:  # an unhashable annotation: build without caching
        loader = None
    if loader is None:
        loader = _build_loader(tp, strict)
    if data.__class__ is not dict and isinstance(data, Mapping):
        data = dict(data)
    return loader(data)


def _build_loader(tp: Any, strict: bool) -> Loader:
    if strict:
        from openai_proto._models.strict import strict_loader

        return strict_loader(tp)
    from openai_proto._models.lenient import lenient_loader

    return lenient_loader(tp)


def unstructure(value: Any) -> Any:
    """The JSON value of a model, or of a list/dict holding models (new containers)."""
    return dump_value(value)


def dump_value(value: Any) -> Any:
    """Encode any value that may hold models; the hot path of every encoder."""
    dumper = DUMPERS.get(value.__class__)
    if dumper is None:
        return _dump_other(value)
    return dumper(value)


def _same(value: Any) -> Any:
    return value


def _dump_list(value: Any) -> list[Any]:
    return [dump_value(item) for item in value]


def _dump_dict(value: Any) -> dict[str, Any]:
    return {key: dump_value(item) for key, item in value.items()}


DUMPERS.update(
    {
        str: _same,
        int: _same,
        float: _same,
        bool: _same,
        NoneType: _same,
        list: _dump_list,
        tuple: _dump_list,
        dict: _dump_dict,
    }
)


def _dump_other(value: Any) -> Any:
    if value is UNSET:
        raise InvalidRequestError("UNSET cannot be encoded: leave the key out instead")
    if isinstance(value, Model):
        from openai_proto._models.dumping import model_dumper

        return model_dumper(value.__class__)(value)
    if isinstance(value, enum.Enum):
        return dump_value(value.value)
    if isinstance(value, Mapping):
        return _dump_dict(value)
    if isinstance(value, (list, tuple)):
        return _dump_list(value)
    return value


def _json_fallback(value: object) -> object:
    if isinstance(value, (Model, enum.Enum)):
        return dump_value(value)
    if isinstance(value, UnsetType):
        raise InvalidRequestError("UNSET cannot be encoded: leave the field out instead")
    raise InvalidRequestError(f"a {type(value).__name__} value cannot be encoded as JSON")


def dumps_json(value: object, indent: int | None = None) -> str:
    """JSON text of an encoded value: compact unless ``indent`` is given; non-ASCII kept."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        value, ensure_ascii=False, separators=separators, indent=indent, default=_json_fallback
    )
