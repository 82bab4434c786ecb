"""JSON to instances of a type and back: :func:`parse_json` and :func:`to_jsonable`.

Reading is strict, following the schema :mod:`.schema` writes for the type: an object must
have exactly the declared keys; ``int`` takes only integers, ``float`` integers or floats,
``bool`` only booleans, ``str`` only strings; an enum or literal takes only its values; a
union takes the first member (in declared order) that reads the value; ``datetime``,
``date``, ``time`` and ``UUID`` take their ISO strings. Classes are built by calling them
(so attrs validators and converters run). Anything else raises
:class:`~openai_proto.errors.ContentParseError` with the raw input and the path of the bad
value (``steps[2].output``).

A reader and a writer are built once per type (closures over the type's nodes) and cached.
"""

from __future__ import annotations

import datetime
import enum
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, overload

from openai_proto.errors import ContentParseError, SchemaError
from openai_proto.structured.shapes import (
    FORMATS,
    Kind,
    Node,
    Style,
    accepts_null,
    analyse,
    is_pydantic,
    object_style,
)

T = TypeVar("T")
Reader = Callable[[Any], Any]
Writer = Callable[[Any], Any]

_JSON_TYPE_NAMES: dict[type, str] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class Mismatch(Exception):
    """A value that does not fit; ``segments`` say where (filled on the way up)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.segments: list[str | int] = []

    def path(self) -> str:
        text = ""
        for segment in reversed(self.segments):
            text += (
                f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
            )
        return text


def _kind_of(value: Any) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


# -- public ---------------------------------------------------------------------------------

_READERS: dict[Any, Reader] = {}
_WRITERS: dict[Any, Writer] = {}
_TEXT_READERS: dict[Any, Reader] = {}


@overload
def parse_json(tp: type[T], data: Any) -> T: ...
@overload
def parse_json(tp: Any, data: Any) -> Any: ...
def parse_json(tp: Any, data: Any) -> Any:
    """``data`` (JSON text, bytes, or a decoded value) as an instance of ``tp``.

    Raises ContentParseError (``raw`` = ``data``) for invalid JSON or a value of the wrong
    shape; SchemaError if ``tp`` is not a supported type.
    """
    if isinstance(data, (str, bytes, bytearray)):
        reader_for(tp)
        text_reader = _TEXT_READERS.get(tp)
        if text_reader is not None:
            return text_reader(data)
        value = loads_json(data)
    else:
        value = data
    return read_value(tp, value, data)


def read_value(tp: Any, value: Any, raw: Any) -> Any:
    """The decoded JSON ``value`` as a ``tp``; errors carry ``raw``."""
    reader = reader_for(tp)
    try:
        return reader(value)
    except Mismatch as exc:
        raise ContentParseError(exc.problem, raw, exc.path()) from None


def loads_json(text: str | bytes | bytearray) -> Any:
    """``json.loads``; invalid JSON is a ContentParseError holding the text."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ContentParseError(f"invalid JSON: {exc}", text) from None


def reader_for(tp: Any) -> Reader:
    """The cached reader of a type: decoded JSON -> instance (raises :class:`Mismatch`)."""
    reader = _READERS.get(tp)
    if reader is None:
        node = analyse(tp)
        reader = _READERS[tp] = _Compiler().reader(node)
        if node.kind is Kind.PYDANTIC:
            _TEXT_READERS[tp] = _pydantic_text_reader(node.cls)
    return reader


def to_jsonable(value: Any, tp: Any = None) -> Any:
    """``value`` as JSON data (dicts, lists, strings, numbers, booleans, ``None``).

    Instances of attrs classes, dataclasses and pydantic models are written by their class
    (so fixed-length tuples inside become ``{"item_0": ...}`` objects). Give ``tp`` for a
    value whose type is not its class: a TypedDict (``NotRequired`` keys left out become
    ``null``), a fixed-length tuple, a union. Raises SchemaError for a value that has no
    JSON form.
    """
    if tp is None:
        return write_any(value)
    writer = _WRITERS.get(tp)
    if writer is None:
        writer = _WRITERS[tp] = _Compiler().writer(analyse(tp))
    return writer(value)


def write_any(value: Any) -> Any:
    """JSON data for a value, using its own class (see :func:`to_jsonable`)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is list or kind is tuple:
        return [write_any(item) for item in value]
    if kind is dict:
        return {_key(key): write_any(item) for key, item in value.items()}
    writer = _WRITERS.get(kind)
    if writer is None:
        if not _has_node(kind):
            raise SchemaError(f"a {kind.__name__} value has no JSON form")
        writer = _WRITERS[kind] = _Compiler().writer(analyse(kind))
    return writer(value)


def _has_node(kind: type) -> bool:
    if issubclass(kind, enum.Enum):
        return True
    return kind in FORMATS or is_pydantic(kind) or object_style(kind) is not None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    raise SchemaError(f"a dict key must be a string to be JSON, not {type(key).__name__}")


# -- building readers and writers -----------------------------------------------------------


class _Compiler:
    """Builds the readers/writers of one type graph; class nodes are shared via cells."""

    def __init__(self) -> None:
        self.readers: dict[int, Reader] = {}
        self.writers: dict[int, Writer] = {}

    def reader(self, node: Node) -> Reader:
        return self._made(self.readers, _READ_MAKERS, node)

    def writer(self, node: Node) -> Writer:
        return self._made(self.writers, _WRITE_MAKERS, node)

    def _made(
        self,
        made_for: dict[int, Callable[[Any], Any]],
        makers: dict[Kind, Callable[[_Compiler, Node], Callable[[Any], Any]]],
        node: Node,
    ) -> Callable[[Any], Any]:
        """The reader or writer of ``node``, made once; an object node's stands first as a
        forward to itself, for recursive references."""
        found = made_for.get(id(node))
        if found is not None:
            return found
        if node.kind is Kind.OBJECT:
            cell: list[Callable[[Any], Any]] = []

            def forward(value: Any) -> Any:
                return cell[0](value)

            made_for[id(node)] = forward
            made = makers[Kind.OBJECT](self, node)
            cell.append(made)
        else:
            made = makers[node.kind](self, node)
        made_for[id(node)] = made
        return made


def _read_exactly(cls: type, expected: str) -> Reader:
    """A reader that takes values of exactly ``cls`` (no subclass: ``True`` is no int)."""

    def read(value: Any) -> Any:
        if value.__class__ is cls:
            return value
        raise Mismatch(f"expected {expected}, got {_kind_of(value)}")

    return read


def _read_float(value: Any) -> Any:
    kind = value.__class__
    if kind is float:
        return value
    if kind is int:
        return float(value)
    raise Mismatch(f"expected a number, got {_kind_of(value)}")


def _read_null(value: Any) -> Any:
    if value is None:
        return None
    raise Mismatch(f"expected null, got {_kind_of(value)}")


_SCALAR_CLASS: dict[Kind, type] = {
    Kind.STR: str,
    Kind.INT: int,
    Kind.BOOL: bool,
}
_SIMPLE_READERS: dict[Kind, Reader] = {
    Kind.STR: _read_exactly(str, "a string"),
    Kind.INT: _read_exactly(int, "an integer"),
    Kind.FLOAT: _read_float,
    Kind.BOOL: _read_exactly(bool, "a boolean"),
    Kind.NULL: _read_null,
}


def _parse_datetime(text: str) -> datetime.datetime:
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(text)


_FORMAT_READERS: dict[type, Callable[[str], Any]] = {
    datetime.datetime: _parse_datetime,
    datetime.date: datetime.date.fromisoformat,
    datetime.time: datetime.time.fromisoformat,
    uuid.UUID: uuid.UUID,
}


def _make_format_reader(compiler: _Compiler, node: Node) -> Reader:
    parse = _FORMAT_READERS[node.cls]
    name = node.cls.__name__

    def read(value: Any) -> Any:
        if value.__class__ is not str:
            raise Mismatch(f"expected a {name} string, got {_kind_of(value)}")
        try:
            return parse(value)
        except ValueError as exc:
            raise Mismatch(f"not a valid {name}: {exc}") from None

    return read


def _make_values_reader(compiler: _Compiler, node: Node) -> Reader:
    """ENUM and LITERAL: a lookup keyed by (JSON type, value), so ``True`` is not ``1``."""
    table: dict[tuple[type, Any], Any] = {}
    for python in node.values:
        value = python.value if isinstance(python, enum.Enum) else python
        table[(type(value), value)] = python
    allowed = ", ".join(repr(key[1]) for key in table)

    def read(value: Any) -> Any:
        try:
            return table[(value.__class__, value)]
        except (KeyError, TypeError):
            raise Mismatch(f"expected one of {allowed}") from None

    return read


def _make_list_reader(compiler: _Compiler, node: Node) -> Reader:
    item = node.items[0]
    make = tuple if node.cls is tuple else list
    scalar = _SCALAR_CLASS.get(item.kind)
    read_item = compiler.reader(item)

    def read(value: Any) -> Any:
        if value.__class__ is not list:
            raise Mismatch(f"expected an array, got {_kind_of(value)}")
        if scalar is not None:
            for index, entry in enumerate(value):
                if entry.__class__ is not scalar:
                    error = Mismatch(f"expected {item.kind.value}, got {_kind_of(entry)}")
                    error.segments.append(index)
                    raise error
            return make(value)
        out = []
        for index, entry in enumerate(value):
            try:
                out.append(read_item(entry))
            except Mismatch as exc:
                exc.segments.append(index)
                raise
        return out if make is list else tuple(out)

    return read


def _make_tuple_reader(compiler: _Compiler, node: Node) -> Reader:
    keys = [f"item_{i}" for i in range(len(node.items))]
    read_object = _keyed_reader(
        [(k, compiler.reader(n), False) for k, n in zip(keys, node.items, strict=True)]
    )

    def read(value: Any) -> Any:
        return tuple(read_object(value).values())

    return read


def _make_union_reader(compiler: _Compiler, node: Node) -> Reader:
    members = [compiler.reader(member) for member in node.items]
    names = [member.name for member in node.items]

    def read(value: Any) -> Any:
        problems = []
        for member in members:
            try:
                return member(value)
            except Mismatch as exc:
                problems.append(exc)
        details = "; ".join(
            f"{name}: {(exc.path() + ': ') if exc.segments else ''}{exc.problem}"
            for name, exc in zip(names, problems, strict=True)
        )
        raise Mismatch(f"matches no member of the union ({details})")

    return read


def _make_described_reader(compiler: _Compiler, node: Node) -> Reader:
    return compiler.reader(node.items[0])


def _make_pydantic_reader(compiler: _Compiler, node: Node) -> Reader:
    from openai_proto.structured import pydantic_support

    validate = pydantic_support.loader(node.cls)

    def read(value: Any) -> Any:
        try:
            return validate(value)
        except Exception as exc:
            if pydantic_support.is_validation_error(exc):
                error = pydantic_support.parse_error(exc, value)
                mismatch = Mismatch(error.problem)
                if error.path:
                    mismatch.segments.append(error.path)
                raise mismatch from None
            raise

    return read


def _pydantic_text_reader(cls: type) -> Reader:
    from openai_proto.structured import pydantic_support

    validate = pydantic_support.text_loader(cls)

    def read(text: Any) -> Any:
        try:
            return validate(text)
        except Exception as exc:
            if pydantic_support.is_validation_error(exc):
                raise pydantic_support.parse_error(exc, text) from None
            raise

    return read


def _keyed_reader(fields: list[tuple[str, Reader, bool]]) -> Callable[[Any], dict[str, Any]]:
    """Reads a JSON object with exactly these keys into a dict; ``optional`` keys read as
    ``null`` are left out."""
    count = len(fields)
    expected = [key for key, _, _ in fields]

    def read(value: Any) -> dict[str, Any]:
        if value.__class__ is not dict:
            raise Mismatch(f"expected an object, got {_kind_of(value)}")
        out: dict[str, Any] = {}
        for key, read_field, optional in fields:
            try:
                entry = value[key]
            except KeyError:
                raise Mismatch(f"missing key {key!r}") from None
            if optional and entry is None:
                continue
            try:
                out[key] = read_field(entry)
            except Mismatch as exc:
                exc.segments.append(key)
                raise
        if len(value) != count:
            unknown = sorted(str(key) for key in value if key not in expected)
            raise Mismatch(f"unknown keys {unknown}")
        return out

    return read


def _make_object_reader(compiler: _Compiler, node: Node) -> Reader:
    fields = [
        (f.key, compiler.reader(f.node), f.optional and not accepts_null(f.node))
        for f in node.fields
    ]
    read_fields = _keyed_reader(fields)
    if node.style is Style.TYPEDDICT:
        return read_fields
    cls = node.cls  # attrs and dataclass keys are the constructor's keyword names

    def read(value: Any) -> Any:
        values = read_fields(value)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise Mismatch(f"{cls.__name__} refused the values: {exc}") from None

    return read


def _simple_maker(reader: Reader) -> Callable[[_Compiler, Node], Reader]:
    return lambda compiler, node: reader


_READ_MAKERS: dict[Kind, Callable[[_Compiler, Node], Reader]] = {
    **{kind: _simple_maker(reader) for kind, reader in _SIMPLE_READERS.items()},
    Kind.FORMAT: _make_format_reader,
    Kind.ENUM: _make_values_reader,
    Kind.LITERAL: _make_values_reader,
    Kind.LIST: _make_list_reader,
    Kind.TUPLE: _make_tuple_reader,
    Kind.UNION: _make_union_reader,
    Kind.DESCRIBED: _make_described_reader,
    Kind.OBJECT: _make_object_reader,
    Kind.PYDANTIC: _make_pydantic_reader,
}


# -- writers --------------------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


def _make_values_writer(compiler: _Compiler, node: Node) -> Writer:
    return lambda value: value.value if isinstance(value, enum.Enum) else value


def _make_format_writer(compiler: _Compiler, node: Node) -> Writer:
    if node.cls is uuid.UUID:
        return str
    return lambda value: value.isoformat()


def _make_list_writer(compiler: _Compiler, node: Node) -> Writer:
    write_item = compiler.writer(node.items[0])
    if write_item is _same:
        return list
    return lambda value: [write_item(item) for item in value]


def _make_tuple_writer(compiler: _Compiler, node: Node) -> Writer:
    writers = [(f"item_{i}", compiler.writer(n)) for i, n in enumerate(node.items)]

    def write_tuple(value: Any) -> Any:
        if len(value) != len(writers):
            raise SchemaError(f"expected a tuple of {len(writers)} items, got {len(value)}")
        return {
            key: write_item(item) for (key, write_item), item in zip(writers, value, strict=True)
        }

    return write_tuple


def _make_union_writer(compiler: _Compiler, node: Node) -> Writer:
    members = [(_accepts(member), compiler.writer(member)) for member in node.items]

    def write(value: Any) -> Any:
        for accepts, write_member in members:
            if accepts(value):
                return write_member(value)
        return write_any(value)

    return write


def _accepts(node: Node) -> Callable[[Any], bool]:
    """Whether a Python value belongs to ``node``, a member of a union (for writing).

    Containers are checked item by item (a union may hold ``tuple[str]`` and
    ``tuple[Color, ...]``); classes by ``isinstance``; TypedDicts by their keys.
    """
    kind = node.kind
    if kind is Kind.DESCRIBED:
        return _accepts(node.items[0])
    if kind in (Kind.ENUM, Kind.LITERAL):
        values = node.values
        return lambda v: any(v is x or (type(v) is type(x) and v == x) for x in values)
    if kind is Kind.UNION:
        tests = [_accepts(member) for member in node.items]
        return lambda v: any(test(v) for test in tests)
    if kind is Kind.TUPLE:
        positions = [_accepts(item) for item in node.items]
        return lambda v: (
            type(v) is tuple
            and len(v) == len(positions)
            and all(test(x) for test, x in zip(positions, v, strict=True))
        )
    if kind is Kind.LIST:
        container = node.cls or list
        item = _accepts(node.items[0])
        return lambda v: type(v) is container and all(item(x) for x in v)
    if kind is Kind.OBJECT and node.style is Style.TYPEDDICT:
        keys = {f.key for f in node.fields}
        required = {f.key for f in node.fields if not f.optional}
        return lambda v: type(v) is dict and required <= v.keys() <= keys
    if kind is Kind.FORMAT and node.cls is datetime.date:
        return lambda v: type(v) is datetime.date
    exact = _EXACT.get(kind)
    if exact is not None:
        return lambda v: type(v) in exact
    cls = node.cls
    return lambda v: isinstance(v, cls)


_EXACT: dict[Kind, tuple[type, ...]] = {
    Kind.STR: (str,),
    Kind.INT: (int,),
    Kind.FLOAT: (int, float),
    Kind.BOOL: (bool,),
    Kind.NULL: (type(None),),
}


def _write_object(compiler: _Compiler, node: Node) -> Writer:
    fields = [(f.key, f.attr, compiler.writer(f.node), f.optional) for f in node.fields]
    if node.style is Style.TYPEDDICT:

        def write_dict(value: Any) -> Any:
            return {
                key: write_field(value[attr]) if attr in value or not optional else None
                for key, attr, write_field, optional in fields
            }

        return write_dict

    def write_instance(value: Any) -> Any:
        return {key: write_field(getattr(value, attr)) for key, attr, write_field, _ in fields}

    return write_instance


def _make_pydantic_writer(compiler: _Compiler, node: Node) -> Writer:
    from openai_proto.structured import pydantic_support

    dump: Writer = pydantic_support.dumper(node.cls)
    return dump


_WRITE_MAKERS: dict[Kind, Callable[[_Compiler, Node], Writer]] = {
    Kind.STR: lambda c, n: _same,
    Kind.INT: lambda c, n: _same,
    Kind.FLOAT: lambda c, n: _same,
    Kind.BOOL: lambda c, n: _same,
    Kind.NULL: lambda c, n: _same,
    Kind.FORMAT: _make_format_writer,
    Kind.ENUM: _make_values_writer,
    Kind.LITERAL: _make_values_writer,
    Kind.LIST: _make_list_writer,
    Kind.TUPLE: _make_tuple_writer,
    Kind.UNION: _make_union_writer,
    Kind.DESCRIBED: lambda c, n: c.writer(n.items[0]),
    Kind.PYDANTIC: _make_pydantic_writer,
    Kind.OBJECT: _write_object,
}


__all__ = [
    "Mismatch",
    "loads_json",
    "parse_json",
    "read_value",
    "reader_for",
    "to_jsonable",
    "write_any",
]
