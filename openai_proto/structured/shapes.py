"""Python types read once into a small graph of :class:`Node` values.

The schema writer (:mod:`.schema`) and the converters (:mod:`.convert`) both work from these
nodes, so a type is inspected once and both sides agree on what it means.

Supported: ``str``, ``int``, ``float``, ``bool``, ``None``; ``datetime``, ``date``, ``time``
and ``UUID`` (strings with a ``format``); ``Enum`` subclasses; ``Literal[...]``;
``Optional``/``X | None`` and other unions; ``list``/``Sequence``/``tuple[X, ...]``;
fixed-length ``tuple[X, Y]``; attrs classes, dataclasses and ``TypedDict`` classes (nested
and recursive); ``Annotated[X, "description"]`` / ``Annotated[X, Description(...)]``;
pydantic models and pydantic dataclasses. Anything else raises
:class:`~openai_proto.errors.SchemaError` whose ``path`` names the field.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime
import enum
import sys
import types
import typing
import uuid
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import attrs

from openai_proto.errors import SchemaError

NoneType = type(None)


class Kind(enum.Enum):
    STR = "string"
    INT = "integer"
    FLOAT = "number"
    BOOL = "boolean"
    NULL = "null"
    FORMAT = "formatted string"
    ENUM = "enum"
    LITERAL = "literal"
    LIST = "array"
    TUPLE = "fixed-length tuple"
    UNION = "union"
    OBJECT = "object"
    PYDANTIC = "pydantic model"
    DESCRIBED = "described"

    __hash__ = object.__hash__


class Style(enum.Enum):
    """How an OBJECT node is built and read."""

    ATTRS = "attrs"
    DATACLASS = "dataclass"
    TYPEDDICT = "TypedDict"


@attrs.frozen
class Description:
    """``Annotated[int, Description("the year")]``: a field description for the schema.

    A plain string in ``Annotated`` works too; this marker is for when the annotation
    carries other strings.
    """

    text: str


@attrs.define(eq=False)
class FieldNode:
    """One property of an OBJECT node."""

    #: The JSON key.
    key: str
    #: The keyword argument of the constructor (``None`` for TypedDict).
    arg: str | None
    #: The attribute (or, for TypedDict, the dict key) holding the value.
    attr: str
    node: Node
    description: str | None = None
    #: A ``NotRequired`` TypedDict key: sent as nullable, ``null`` leaves the key out.
    optional: bool = False


@attrs.define(eq=False)
class Node:
    """A type as the schema and the converters see it (compared by identity)."""

    kind: Kind
    #: OBJECT/ENUM/PYDANTIC: the class; FORMAT: the Python type.
    cls: Any = None
    #: LIST: ``[item]``; TUPLE: one per position; UNION: the members; DESCRIBED: ``[inner]``.
    items: list[Node] = attrs.field(factory=list)
    #: LITERAL/ENUM: the Python values (enum members for ENUM).
    values: tuple[Any, ...] = ()
    fields: list[FieldNode] = attrs.field(factory=list)
    style: Style | None = None
    #: DESCRIBED: the text; OBJECT: the class docstring, if written.
    description: str | None = None
    #: A short name for messages and ``$defs``.
    name: str = ""


# -- formats --------------------------------------------------------------------------------

#: Python type -> the JSON schema ``format`` of its ISO string.
FORMATS: dict[type, str] = {
    datetime.datetime: "date-time",
    datetime.date: "date",
    datetime.time: "time",
    uuid.UUID: "uuid",
}

_SCALARS: dict[Any, Kind] = {str: Kind.STR, int: Kind.INT, float: Kind.FLOAT, bool: Kind.BOOL}
_SEQUENCES = (list, collections.abc.Sequence, collections.abc.MutableSequence)
_MAPPINGS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)
_TYPEDDICT_MARKERS = frozenset({"Required", "NotRequired", "ReadOnly"})

#: Class nodes by class: filled before their fields, so recursive types terminate.
_CLASS_NODES: dict[Any, Node] = {}


def analyse(tp: Any) -> Node:
    """The node of a type (class nodes are cached); SchemaError if unsupported."""
    known = set(_CLASS_NODES)
    try:
        return _analyse(tp, _display(tp))
    except BaseException:
        for cls in set(_CLASS_NODES) - known:  # may point at a class that failed
            del _CLASS_NODES[cls]
        raise


def _analyse(tp: Any, path: str) -> Node:
    origin = get_origin(tp)
    if origin is Annotated:
        return _annotated(tp, path)
    if origin in (Union, types.UnionType):
        return _union(get_args(tp), path)
    if origin is Literal:
        return _literal(get_args(tp), path)
    if origin is tuple:
        return _tuple(tp, get_args(tp), path)
    if origin in _SEQUENCES:
        args = get_args(tp)
        if not args:
            raise SchemaError("a list needs an item type (list[X])", path)
        return Node(Kind.LIST, items=[_analyse(args[0], path + "[]")], name="array")
    if origin in _MAPPINGS or tp in _MAPPINGS:
        raise SchemaError(
            f"{_display(tp)} is not supported: strict mode allows no schema for arbitrary keys "
            "(additionalProperties must be false); use a class, or a list of key/value objects",
            path,
        )
    return _plain(tp, path)


def _plain(tp: Any, path: str) -> Node:
    if tp is None or tp is NoneType:
        return Node(Kind.NULL, name="null")
    kind = _SCALARS.get(tp)
    if kind is not None:
        return Node(kind, name=kind.value)
    if tp in FORMATS:
        return Node(Kind.FORMAT, cls=tp, name=tp.__name__)
    if tp in _SEQUENCES or tp is tuple:
        raise SchemaError(f"{_display(tp)} needs an item type ({_display(tp)}[X])", path)
    if isinstance(tp, type):
        node = _CLASS_NODES.get(tp)
        if node is not None:
            return node
        return _class(tp, path)
    raise SchemaError(f"unsupported type {_display(tp)}", path)


def _class(cls: type, path: str) -> Node:
    if issubclass(cls, enum.Enum):
        values = tuple(cls)
        if not values:
            raise SchemaError(f"enum {cls.__name__} has no members", path)
        node = Node(Kind.ENUM, cls=cls, values=values, name=cls.__name__)
        for member in values:
            _check_json_scalar(member.value, f"enum {cls.__name__}", path)
        _CLASS_NODES[cls] = node
        return node
    if is_pydantic(cls):
        node = Node(Kind.PYDANTIC, cls=cls, name=cls.__name__)
        _CLASS_NODES[cls] = node
        return node
    style = object_style(cls)
    if style is None:
        raise SchemaError(
            f"unsupported type {_display(cls)} (use an attrs class, a dataclass, a TypedDict, "
            "an Enum, or a pydantic model)",
            path,
        )
    node = Node(Kind.OBJECT, cls=cls, style=style, name=cls.__name__)
    node.description = class_doc(cls)
    _CLASS_NODES[cls] = node
    node.fields = _object_fields(cls, style, path)
    return node


def object_style(cls: type) -> Style | None:
    if attrs.has(cls):
        return Style.ATTRS
    if dataclasses.is_dataclass(cls):
        return Style.DATACLASS
    if issubclass(cls, dict) and hasattr(cls, "__required_keys__"):
        return Style.TYPEDDICT
    return None


def _object_fields(cls: type, style: Style, path: str) -> list[FieldNode]:
    hints = _type_hints(cls, path)
    if style is Style.ATTRS:
        return [
            _field(a.alias, a.alias, a.name, hints.get(a.name, a.type), a.metadata, path)
            for a in attrs.fields(cls)
            if a.init
        ]
    if style is Style.DATACLASS:
        return [
            _field(f.name, f.name, f.name, hints.get(f.name, f.type), f.metadata, path)
            for f in dataclasses.fields(cls)
            if f.init
        ]
    required: frozenset[str] = getattr(cls, "__required_keys__", frozenset())
    fields = []
    for key, declared in hints.items():
        hint, optional = _typeddict_marker(declared, key not in required)
        field = _field(key, None, key, hint, {}, path)
        field.optional = optional
        fields.append(field)
    return fields


def _field(key: str, arg: str | None, attr: str, hint: Any, metadata: Any, path: str) -> FieldNode:
    field_path = f"{path}.{key}"
    if hint is None or isinstance(hint, (str, typing.ForwardRef)):
        raise SchemaError(f"cannot resolve the annotation {hint!r}", field_path)
    node = _analyse(hint, field_path)
    description = metadata.get("description") if metadata else None
    if description is not None and not isinstance(description, str):
        raise SchemaError("metadata['description'] must be a string", field_path)
    return FieldNode(key=key, arg=arg, attr=attr, node=node, description=description)


def _typeddict_marker(hint: Any, optional: bool) -> tuple[Any, bool]:
    """``NotRequired[X]`` / ``Required[X]`` unwrapped, with whether the key may be absent."""
    while True:
        origin = get_origin(hint)
        name = getattr(origin, "_name", None) or getattr(origin, "__name__", None)
        if origin is Annotated or name not in _TYPEDDICT_MARKERS:
            return hint, optional
        if name != "ReadOnly":
            optional = name == "NotRequired"
        hint = get_args(hint)[0]


def _type_hints(cls: type, path: str) -> dict[str, Any]:
    """The class's resolved annotations: in its module's namespace, else (a class made in a
    function, or by ``exec``) in the namespace of a calling frame that holds the class."""
    module = sys.modules.get(cls.__module__)
    namespace = dict(vars(module)) if module is not None else {}
    try:
        return _hints(cls, namespace)
    except NameError as exc:
        for frame_namespace in _caller_namespaces(cls):
            try:
                return _hints(cls, {**namespace, **frame_namespace})
            except NameError:
                continue
        raise SchemaError(
            f"cannot resolve the annotations of {cls.__name__}: {exc}", path
        ) from None
    except Exception as exc:
        raise SchemaError(
            f"cannot resolve the annotations of {cls.__name__}: {exc}", path
        ) from None


def _hints(cls: type, namespace: dict[str, Any]) -> dict[str, Any]:
    return typing.get_type_hints(
        cls, globalns=namespace, localns={cls.__name__: cls}, include_extras=True
    )


def _caller_namespaces(cls: type) -> list[dict[str, Any]]:
    """Globals+locals of the calling frames in which ``cls`` is visible by its name."""
    found = []
    frame = sys._getframe(1)
    while frame is not None:
        for scope in (frame.f_locals, frame.f_globals):
            if scope.get(cls.__name__) is cls:
                found.append({**frame.f_globals, **frame.f_locals})
                break
        frame = frame.f_back  # type: ignore[assignment]
    return found


def class_doc(cls: type) -> str | None:
    """The docstring written in the class body (not one dataclasses made up)."""
    doc = cls.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    if dataclasses.is_dataclass(cls) and doc.startswith(cls.__name__ + "("):
        return None  # the signature dataclasses write when there is no docstring
    import inspect

    return inspect.cleandoc(doc)


def _annotated(tp: Any, path: str) -> Node:
    inner, *extras = get_args(tp)
    text = None
    for extra in extras:
        if isinstance(extra, Description):
            text = extra.text
        elif isinstance(extra, str) and text is None:
            text = extra
    node = _analyse(inner, path)
    if text is None:
        return node
    return Node(Kind.DESCRIBED, items=[node], description=text, name=node.name)


def _union(args: tuple[Any, ...], path: str) -> Node:
    members = [_analyse(arg, path) for arg in args]
    return Node(Kind.UNION, items=members, name=" | ".join(m.name for m in members))


def _literal(args: tuple[Any, ...], path: str) -> Node:
    values: list[Any] = []
    for arg in args:
        if get_origin(arg) is Literal:  # Literal[Literal[...]] flattens
            values.extend(get_args(arg))
        else:
            values.append(arg)
    for value in values:
        json_value = value.value if isinstance(value, enum.Enum) else value
        _check_json_scalar(json_value, "Literal", path)
    return Node(Kind.LITERAL, values=tuple(values), name=f"Literal{list(values)!r}")


def _tuple(tp: Any, args: tuple[Any, ...], path: str) -> Node:
    if len(args) == 2 and args[1] is Ellipsis:
        return Node(Kind.LIST, cls=tuple, items=[_analyse(args[0], path + "[]")], name="array")
    if args == ((),):
        args = ()
    items = [_analyse(arg, f"{path}[{i}]") for i, arg in enumerate(args)]
    return Node(Kind.TUPLE, items=items, name=_display(tp))


def _check_json_scalar(value: Any, owner: str, path: str) -> None:
    if value is not None and type(value) not in (str, int, float, bool):
        raise SchemaError(
            f"{owner} value {value!r} is not a JSON string, number, boolean or null", path
        )


def accepts_null(node: Node) -> bool:
    """Whether JSON ``null`` is a value of the node's type."""
    if node.kind is Kind.NULL:
        return True
    if node.kind in (Kind.UNION, Kind.DESCRIBED):
        return any(accepts_null(member) for member in node.items)
    if node.kind in (Kind.LITERAL, Kind.ENUM):
        return any(getattr(v, "value", v) is None for v in node.values)
    return False


def is_pydantic(cls: type) -> bool:
    """A pydantic model class, or a pydantic dataclass (only when pydantic is imported)."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return False
    base = getattr(pydantic, "BaseModel", None)
    if base is not None and isinstance(cls, type) and issubclass(cls, base):
        return True
    return dataclasses.is_dataclass(cls) and hasattr(cls, "__pydantic_config__")


def _display(tp: Any) -> str:
    if isinstance(tp, type) and not get_args(tp):
        return tp.__name__
    text = repr(tp)
    return text.replace("typing.", "").replace("collections.abc.", "")


__all__ = [
    "FORMATS",
    "Description",
    "FieldNode",
    "Kind",
    "Node",
    "Style",
    "accepts_null",
    "analyse",
    "class_doc",
    "is_pydantic",
    "object_style",
]
