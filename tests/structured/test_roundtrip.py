"""Property: for random supported types and random instances of them,
instance → to_jsonable → json.dumps → parse_json gives the instance back, the JSON conforms
to the type's strict schema, and that schema passes the strict-mode checker.

Types are drawn as (annotation, instance strategy, JSON category) triples: scalars, formats,
enums, literals, lists, tuples, optionals, unions and classes (attrs, dataclasses and
TypedDicts made on the fly, with field names unique to each class). A union never holds two
members of the same JSON category (two object classes excepted, told apart by their keys),
since a union reads a value as its first member that accepts it.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import itertools
import json
import typing
from typing import Any, Literal, Optional, Union

import attrs
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import NotRequired

from openai_proto.structured import (
    parse_json,
    strict_json_schema,
    strict_schema_problems,
    to_jsonable,
)
from tests.structured.examples import Leaf, TreeNode
from tests.structured.validator import schema_errors

_names = itertools.count()
Drawn = tuple[Any, st.SearchStrategy[Any], str]

_text = st.text(max_size=8)
_floats = st.floats(allow_nan=False, allow_infinity=False)
_SCALARS: list[Drawn] = [
    (str, _text, "string"),
    (int, st.integers(), "integer"),
    (float, _floats, "number"),
    (bool, st.booleans(), "boolean"),
    (
        datetime.datetime,
        st.datetimes(timezones=st.none() | st.just(datetime.timezone.utc)),
        "string",
    ),
    (datetime.date, st.dates(), "string"),
]


def _unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@st.composite
def enums(draw: st.DrawFn) -> Drawn:
    values = draw(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=4, unique=True))
    members = {f"M{i}": value for i, value in enumerate(values)}
    cls: Any = enum.Enum(_unique("Enum"), members)  # type: ignore[misc]
    return cls, st.sampled_from(list(cls)), "string"


@st.composite
def literals(draw: st.DrawFn) -> Drawn:
    values = draw(st.lists(st.integers(-5, 5), min_size=1, max_size=4, unique=True))
    return Literal[tuple(values)], st.sampled_from(values), "integer"


def leaves() -> st.SearchStrategy[Drawn]:
    return st.sampled_from(_SCALARS) | enums() | literals()


def lists(inner: st.SearchStrategy[Drawn]) -> st.SearchStrategy[Drawn]:
    def build(drawn: Drawn) -> Drawn:
        tp, values, _ = drawn
        return list[tp], st.lists(values, max_size=3), "array"  # type: ignore[valid-type]

    def build_tuple(drawn: Drawn) -> Drawn:
        tp, values, _ = drawn
        return tuple[tp, ...], st.lists(values, max_size=3).map(tuple), "array"  # type: ignore[valid-type]

    return inner.map(build) | inner.map(build_tuple)


@st.composite
def fixed_tuples(draw: st.DrawFn, inner: st.SearchStrategy[Drawn]) -> Drawn:
    items = draw(st.lists(inner, min_size=1, max_size=3))
    tp: Any = tuple[tuple(item[0] for item in items)]  # type: ignore[misc]
    return tp, st.tuples(*(item[1] for item in items)), "object"


def optionals(inner: st.SearchStrategy[Drawn]) -> st.SearchStrategy[Drawn]:
    def build(drawn: Drawn) -> Drawn:
        tp, values, category = drawn
        if category == "null":
            return drawn
        optional: Any = Optional[tp]  # noqa: UP045 - a runtime type, not an annotation
        return optional, st.none() | values, f"{category}|null"

    return inner.map(build)


@st.composite
def unions(draw: st.DrawFn, inner: st.SearchStrategy[Drawn]) -> Drawn:
    members = draw(st.lists(inner, min_size=2, max_size=3))
    chosen: list[Drawn] = []
    seen: set[str] = set()
    for member in members:
        categories = set(member[2].split("|"))
        if {"integer", "number"} & categories and {"integer", "number"} & seen:
            continue
        if categories & seen and categories != {"object"}:
            continue
        seen |= categories
        chosen.append(member)
    if len(chosen) == 1:
        return chosen[0]
    tp: Any = Union[tuple(member[0] for member in chosen)]
    values = st.one_of(*(member[1] for member in chosen))
    return tp, values, "|".join(sorted(seen))


@st.composite
def classes(draw: st.DrawFn, inner: st.SearchStrategy[Drawn]) -> Drawn:
    fields = draw(st.lists(inner, min_size=1, max_size=4))
    name = _unique("C")
    keys = [f"{name.lower()}_f{i}" for i in range(len(fields))]
    style = draw(st.sampled_from(["attrs", "dataclass", "typeddict"]))
    strategies = {key: field[1] for key, field in zip(keys, fields, strict=True)}
    if style == "attrs":
        cls: Any = attrs.make_class(
            name, {k: attrs.field(type=f[0]) for k, f in zip(keys, fields, strict=True)}
        )
        return cls, st.builds(cls, **strategies), "object"
    if style == "dataclass":
        cls = dataclasses.make_dataclass(
            name, [(k, f[0]) for k, f in zip(keys, fields, strict=True)]
        )
        return cls, st.builds(cls, **strategies), "object"
    optional = draw(st.lists(st.booleans(), min_size=len(keys), max_size=len(keys)))
    annotations = {
        key: NotRequired[f[0]] if opt and "null" not in f[2] else f[0]
        for key, f, opt in zip(keys, fields, optional, strict=True)
    }
    make_typeddict: Any = typing.TypedDict
    cls = make_typeddict(name, annotations)
    required = {k: s for k, s in strategies.items() if k in cls.__required_keys__}
    optional_keys = {k: s for k, s in strategies.items() if k not in required}
    return cls, st.fixed_dictionaries(required, optional=optional_keys), "object"


def types() -> st.SearchStrategy[Drawn]:
    return st.recursive(
        leaves(),
        lambda inner: (
            lists(inner) | optionals(inner) | unions(inner) | classes(inner) | fixed_tuples(inner)
        ),
        max_leaves=8,
    )


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[Any, Any]:
    tp, values, _ = draw(types())
    root: Any = attrs.make_class(_unique("Root"), {"value": attrs.field(type=tp)})
    return root, draw(values.map(root))


@given(typed_values())
def test_instances_survive_json_and_conform_to_the_schema(pair: tuple[Any, Any]) -> None:
    root, instance = pair
    schema = strict_json_schema(root)
    assert strict_schema_problems(schema) == []
    data = to_jsonable(instance)
    text = json.dumps(data)
    assert schema_errors(json.loads(text), schema) == []
    assert parse_json(root, text) == instance


def trees() -> st.SearchStrategy[TreeNode]:
    leaves_ = st.builds(Leaf, name=_text, back=st.none())
    return st.recursive(
        st.builds(TreeNode, label=_text, children=st.just([]), parent_hint=st.none() | leaves_),
        lambda inner: st.builds(
            TreeNode,
            label=_text,
            children=st.lists(inner, max_size=3),
            parent_hint=st.none() | st.builds(Leaf, name=_text, back=st.none() | inner),
        ),
        max_leaves=10,
    )


@given(trees())
def test_recursive_instances_survive_json(tree: TreeNode) -> None:
    text = json.dumps(to_jsonable(tree))
    assert schema_errors(json.loads(text), strict_json_schema(TreeNode)) == []
    assert parse_json(TreeNode, text) == tree
