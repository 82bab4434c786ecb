"""JSON to instances and back: strict reading, errors that say where and hold the raw input."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import uuid
from typing import Any, Literal, Union

import attrs
import pytest
from typing_extensions import NotRequired, TypedDict

from openai_proto.errors import ContentParseError, SchemaError
from openai_proto.structured import parse_json, to_jsonable
from tests.structured.examples import (
    Column,
    Condition,
    DynamicValue,
    Leaf,
    MathResponse,
    Operator,
    OrderBy,
    Query,
    Step,
    Table,
    TreeNode,
)

QUERY_JSON = {
    "table_name": "orders",
    "columns": ["id", "status", "expected_delivery_date", "delivered_at"],
    "conditions": [
        {"column": "ordered_at", "operator": ">=", "value": "2023-05-01"},
        {"column": "ordered_at", "operator": "<", "value": 20230601},
        {
            "column": "expected_delivery_date",
            "operator": "<",
            "value": {"column_name": "delivered_at"},
        },
    ],
    "order_by": "asc",
}


def test_orders_query_parses_into_enums_nested_objects_and_union_members() -> None:
    query = parse_json(Query, json.dumps(QUERY_JSON))
    assert query == Query(
        table_name=Table.orders,
        columns=[Column.id, Column.status, Column.expected_delivery_date, Column.delivered_at],
        conditions=[
            Condition("ordered_at", Operator.ge, "2023-05-01"),
            Condition("ordered_at", Operator.lt, 20230601),
            Condition("expected_delivery_date", Operator.lt, DynamicValue("delivered_at")),
        ],
        order_by=OrderBy.asc,
    )
    assert to_jsonable(query) == QUERY_JSON


def test_math_response_from_text_bytes_and_decoded_json() -> None:
    data = {
        "steps": [{"explanation": "subtract 31", "output": "8x = -29"}],
        "final_answer": "x = -29/8",
    }
    expected = MathResponse([Step("subtract 31", "8x = -29")], "x = -29/8")
    assert parse_json(MathResponse, json.dumps(data)) == expected
    assert parse_json(MathResponse, json.dumps(data).encode()) == expected
    assert parse_json(MathResponse, data) == expected


def test_recursive_types_round_trip() -> None:
    tree = TreeNode(
        "root", [TreeNode("a", []), TreeNode("b", [TreeNode("c", [])], Leaf("l", None))]
    )
    data = to_jsonable(tree)
    assert data["children"][1]["parent_hint"] == {"name": "l", "back": None}
    assert parse_json(TreeNode, json.dumps(data)) == tree


@pytest.mark.parametrize(
    ("raw", "path", "words"),
    [
        ('{"steps": [], "final_answer": 3}', "final_answer", "expected a string, got integer"),
        (
            '{"steps": [{"explanation": "a"}], "final_answer": "x"}',
            "steps[0]",
            "missing key 'output'",
        ),
        ('{"steps": [], "final_answer": "x", "extra": 1}', "", "unknown keys ['extra']"),
        ('{"steps": {}, "final_answer": "x"}', "steps", "expected an array, got object"),
        ('["not", "an", "object"]', "", "expected an object, got array"),
        ('{"steps": [], "final_answer": "x"', "", "invalid JSON"),
        ("", "", "invalid JSON"),
    ],
)
def test_errors_say_where_and_hold_the_raw_text(raw: str, path: str, words: str) -> None:
    with pytest.raises(ContentParseError) as info:
        parse_json(MathResponse, raw)
    assert info.value.raw == raw
    assert info.value.path == path
    assert words in str(info.value)


def test_union_errors_list_every_member() -> None:
    bad = {**QUERY_JSON, "conditions": [{"column": "c", "operator": "=", "value": [1]}]}
    with pytest.raises(ContentParseError) as info:
        parse_json(Query, bad)
    assert info.value.path == "conditions[0].value"
    assert "string: expected a string, got array" in info.value.problem
    assert "DynamicValue: expected an object, got array" in info.value.problem
    assert info.value.raw is bad


def test_enum_and_literal_values_are_checked() -> None:
    with pytest.raises(ContentParseError, match="expected one of 'asc', 'desc'"):
        parse_json(Query, {**QUERY_JSON, "order_by": "sideways"})


@attrs.define
class Scalars:
    s: str
    i: int
    f: float
    b: bool
    n: None
    lit: Literal[1, True, "x"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("i", True),
        ("i", 1.0),
        ("f", True),
        ("f", "1"),
        ("b", 1),
        ("s", None),
        ("n", 0),
        ("lit", 2),
        ("lit", 1.0),
    ],
)
def test_scalars_are_strict(key: str, value: Any) -> None:
    good = {"s": "a", "i": 1, "f": 1.5, "b": False, "n": None, "lit": True}
    assert parse_json(Scalars, good) == Scalars("a", 1, 1.5, False, None, True)
    with pytest.raises(ContentParseError) as info:
        parse_json(Scalars, {**good, key: value})
    assert info.value.path == key


def test_a_float_field_takes_an_integer_as_float() -> None:
    parsed = parse_json(Scalars, {"s": "", "i": 0, "f": 2, "b": True, "n": None, "lit": 1})
    assert type(parsed.f) is float
    assert parsed.lit == 1
    assert type(parsed.lit) is int


@attrs.define
class Formats:
    at: datetime.datetime
    day: datetime.date
    clock: datetime.time
    ident: uuid.UUID


def test_formats_read_iso_strings() -> None:
    data = {
        "at": "2024-08-06T10:20:30Z",
        "day": "2024-08-06",
        "clock": "10:20:30.5",
        "ident": "12345678-1234-5678-1234-567812345678",
    }
    parsed = parse_json(Formats, data)
    assert parsed.at == datetime.datetime(2024, 8, 6, 10, 20, 30, tzinfo=datetime.timezone.utc)
    assert parsed.day == datetime.date(2024, 8, 6)
    assert parsed.clock == datetime.time(10, 20, 30, 500000)
    assert parsed.ident == uuid.UUID(data["ident"])
    assert parse_json(Formats, to_jsonable(parsed)) == parsed
    with pytest.raises(ContentParseError, match="not a valid date") as info:
        parse_json(Formats, {**data, "day": "August 6"})
    assert info.value.path == "day"


@attrs.define
class Pair:
    point: tuple[float, float]
    names: tuple[str, ...]


def test_fixed_tuples_read_and_write_the_object_encoding() -> None:
    value = Pair((1.5, -2.0), ("a", "b"))
    data = to_jsonable(value)
    assert data == {"point": {"item_0": 1.5, "item_1": -2.0}, "names": ["a", "b"]}
    assert parse_json(Pair, data) == value
    with pytest.raises(ContentParseError) as info:
        parse_json(Pair, {"point": [1, 2], "names": []})
    assert info.value.path == "point"


class Movie(TypedDict):
    title: str
    year: NotRequired[int]
    note: NotRequired[str | None]


@attrs.define
class Catalog:
    movies: list[Movie]


def test_typeddicts_read_null_as_a_missing_not_required_key() -> None:
    data = {
        "movies": [
            {"title": "A", "year": None, "note": None},
            {"title": "B", "year": 1999, "note": "x"},
        ]
    }
    parsed = parse_json(Catalog, data)
    assert parsed.movies == [
        {"title": "A", "note": None},
        {"title": "B", "year": 1999, "note": "x"},
    ]
    assert to_jsonable(parsed) == data
    assert to_jsonable({"title": "C"}, Movie) == {"title": "C", "year": None, "note": None}


def _sorted(values: list[str]) -> list[str]:
    return sorted(values)


@attrs.define
class Validated:
    n: int = attrs.field(validator=attrs.validators.ge(0))
    tags: list[str] = attrs.field(converter=_sorted)


def test_class_validators_and_converters_run() -> None:
    assert parse_json(Validated, {"n": 1, "tags": ["b", "a"]}) == Validated(1, ["a", "b"])
    with pytest.raises(ContentParseError, match="Validated refused the values") as info:
        parse_json(Validated, {"n": -1, "tags": []})
    assert info.value.path == ""


@dataclasses.dataclass
class Shape:
    kind: Literal["circle", "square"]
    size: float | None


@attrs.define
class Union2:
    first: Union[int, str, None]
    shapes: list[Union[Shape, DynamicValue]]


def test_unions_take_the_first_member_that_reads_the_value() -> None:
    data = {"first": "7", "shapes": [{"kind": "circle", "size": None}, {"column_name": "c"}]}
    parsed = parse_json(Union2, data)
    assert parsed == Union2("7", [Shape("circle", None), DynamicValue("c")])
    assert parse_json(Union2, {**data, "first": 7}).first == 7
    assert parse_json(Union2, {**data, "first": None}).first is None
    assert to_jsonable(parsed) == data


class Weird:
    pass


def test_to_jsonable_refuses_values_without_a_json_form() -> None:
    with pytest.raises(SchemaError, match="Weird"):
        to_jsonable({"x": Weird()})
    with pytest.raises(SchemaError, match="string"):
        to_jsonable({1: "x"})
    make_enum: Any = enum.Enum
    letters = make_enum("Letters", {"A": "a"})
    assert to_jsonable([Step("a", "b"), (1, 2), None, letters.A]) == [
        {"explanation": "a", "output": "b"},
        [1, 2],
        None,
        "a",
    ]


def test_unsupported_types_raise_schema_error_when_parsing() -> None:
    with pytest.raises(SchemaError):
        parse_json(dict[str, int], "{}")
