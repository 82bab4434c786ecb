"""Types to strict JSON schemas: each supported kind, the helper docs' examples as golden
schemas, the strict-mode checker, names, and the errors for what strict mode cannot say."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import uuid
from typing import Annotated, Any, Literal, Optional, Union

import attrs
import pytest
from typing_extensions import NotRequired, TypedDict

from openai_proto.errors import SchemaError
from openai_proto.structured import (
    Description,
    check_strict_schema,
    response_format,
    schema_name,
    strict_json_schema,
    strict_schema_problems,
    text_format,
)
from tests.structured.examples import Leaf, MathResponse, Query, TreeNode


def obj(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def field_schema(tp: Any) -> Any:
    """The schema of ``tp`` as the one field of a class (checked against strict mode)."""
    holder = attrs.make_class("Holder", {"value": attrs.field(type=tp)})
    schema = strict_json_schema(holder)
    assert strict_schema_problems(schema) == []
    assert list(schema["properties"]) == ["value"]
    return schema["properties"]["value"]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mixed(enum.Enum):
    A = "a"
    ONE = 1


@pytest.mark.parametrize(
    ("tp", "expected"),
    [
        (str, {"type": "string"}),
        (int, {"type": "integer"}),
        (float, {"type": "number"}),
        (bool, {"type": "boolean"}),
        (type(None), {"type": "null"}),
        (datetime.datetime, {"type": "string", "format": "date-time"}),
        (datetime.date, {"type": "string", "format": "date"}),
        (datetime.time, {"type": "string", "format": "time"}),
        (uuid.UUID, {"type": "string", "format": "uuid"}),
        (Color, {"type": "string", "enum": ["red", "green"]}),
        (Level, {"type": "integer", "enum": [1, 2]}),
        (
            Mixed,
            {"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "integer", "enum": [1]}]},
        ),
        (Literal["a", "b"], {"type": "string", "enum": ["a", "b"]}),
        (Literal[1, 2], {"type": "integer", "enum": [1, 2]}),
        (Literal[Color.RED], {"type": "string", "enum": ["red"]}),
        (
            Literal["x", None],
            {"anyOf": [{"type": "string", "enum": ["x"]}, {"type": "null"}]},
        ),
        (Optional[int], {"anyOf": [{"type": "integer"}, {"type": "null"}]}),  # noqa: UP045
        (int | None, {"anyOf": [{"type": "integer"}, {"type": "null"}]}),
        (Union[str, int], {"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        (list[int], {"type": "array", "items": {"type": "integer"}}),
        (tuple[str, ...], {"type": "array", "items": {"type": "string"}}),
        (
            tuple[int, str],
            obj({"item_0": {"type": "integer"}, "item_1": {"type": "string"}}),
        ),
        (
            list[bool | None],
            {"type": "array", "items": {"anyOf": [{"type": "boolean"}, {"type": "null"}]}},
        ),
        (Annotated[int, "a count"], {"type": "integer", "description": "a count"}),
        (
            Annotated[int, "ignored", Description("the marker wins")],
            {"type": "integer", "description": "the marker wins"},
        ),
    ],
)
def test_each_supported_kind(tp: Any, expected: Any) -> None:
    assert field_schema(tp) == expected


def test_sequence_types_are_arrays() -> None:
    from collections.abc import Sequence

    assert field_schema(Sequence[int]) == {"type": "array", "items": {"type": "integer"}}


def test_math_tutor_golden_schema() -> None:
    step = obj({"explanation": {"type": "string"}, "output": {"type": "string"}})
    expected = obj(
        {
            "steps": {"type": "array", "items": {"$ref": "#/$defs/Step"}},
            "final_answer": {"type": "string"},
        }
    )
    expected["$defs"] = {"Step": step}
    assert strict_json_schema(MathResponse) == expected


def test_orders_query_golden_schema() -> None:
    columns = [
        "id",
        "status",
        "expected_delivery_date",
        "delivered_at",
        "shipped_at",
        "ordered_at",
        "canceled_at",
    ]
    condition = obj(
        {
            "column": {"type": "string"},
            "operator": {"type": "string", "enum": ["=", ">", "<", "<=", ">=", "!="]},
            "value": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "integer"},
                    {"$ref": "#/$defs/DynamicValue"},
                ]
            },
        }
    )
    expected = obj(
        {
            "table_name": {"type": "string", "enum": ["orders", "customers", "products"]},
            "columns": {"type": "array", "items": {"type": "string", "enum": columns}},
            "conditions": {"type": "array", "items": {"$ref": "#/$defs/Condition"}},
            "order_by": {"type": "string", "enum": ["asc", "desc"]},
        }
    )
    expected["$defs"] = {
        "Condition": condition,
        "DynamicValue": obj({"column_name": {"type": "string"}}),
    }
    assert strict_json_schema(Query) == expected


def test_recursive_types_use_refs_and_descriptions() -> None:
    schema = strict_json_schema(TreeNode)
    assert schema["description"] == "A node of a tree."
    assert schema["properties"]["label"] == {"type": "string", "description": "what the node is"}
    assert schema["properties"]["children"] == {"type": "array", "items": {"$ref": "#"}}
    assert schema["properties"]["parent_hint"] == {
        "anyOf": [{"$ref": "#/$defs/Leaf"}, {"type": "null"}],
        "description": "a leaf, if any",
    }
    leaf = schema["$defs"]["Leaf"]
    assert leaf["properties"]["name"] == {"type": "string", "description": "the leaf's name"}
    assert leaf["properties"]["back"] == {"anyOf": [{"$ref": "#"}, {"type": "null"}]}
    assert strict_json_schema(Leaf)["properties"]["back"] == {
        "anyOf": [{"$ref": "#/$defs/TreeNode"}, {"type": "null"}]
    }
    check_strict_schema(schema)


@attrs.define
class Inner:
    """Inner docs."""

    x: int


@attrs.define
class Outer:
    described: Inner = attrs.field(metadata={"description": "the inner one"})
    plain: Inner | None = None


def test_a_described_reference_is_inlined_not_given_siblings() -> None:
    schema = strict_json_schema(Outer)
    inner = obj({"x": {"type": "integer"}}, type="object", description="Inner docs.")
    assert schema["properties"]["described"] == {**inner, "description": "the inner one"}
    assert schema["properties"]["plain"] == {"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "null"}]}
    assert schema["$defs"]["Inner"] == inner


@dataclasses.dataclass
class WithDefaults:
    name: str
    count: int = 3
    tags: list[str] = dataclasses.field(default_factory=list, metadata={"description": "labels"})
    hidden: int = dataclasses.field(default=0, init=False)


def test_dataclass_defaults_stay_required_and_as_declared() -> None:
    assert strict_json_schema(WithDefaults) == obj(
        {
            "name": {"type": "string"},
            "count": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "labels"},
        }
    )


class Movie(TypedDict):
    title: str
    year: NotRequired[int]
    rating: NotRequired[float | None]


def test_typeddict_not_required_keys_are_required_and_nullable() -> None:
    assert strict_json_schema(Movie) == obj(
        {
            "title": {"type": "string"},
            "year": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            "rating": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        }
    )


@attrs.define
class Private:
    _secret: str


def test_attrs_private_fields_use_their_init_name() -> None:
    assert strict_json_schema(Private)["properties"] == {"secret": {"type": "string"}}


class First:
    @attrs.define
    class Item:
        a: int


class Second:
    @attrs.define
    class Item:
        b: str


@attrs.define
class TwoItems:
    one: First.Item
    two: Second.Item


def test_classes_with_the_same_name_get_distinct_definitions() -> None:
    schema = strict_json_schema(TwoItems)
    assert schema["properties"] == {
        "one": {"$ref": "#/$defs/Item"},
        "two": {"$ref": "#/$defs/Item_2"},
    }
    assert set(schema["$defs"]) == {"Item", "Item_2"}


def test_schemas_are_cached_and_returned_as_fresh_copies() -> None:
    first = strict_json_schema(MathResponse)
    first["properties"].clear()
    assert strict_json_schema(MathResponse)["properties"]
    assert strict_json_schema(MathResponse) is not strict_json_schema(MathResponse)


@attrs.define
class HasMap:
    counts: dict[str, int]


@attrs.define
class HasAny:
    value: Any


@attrs.define
class HasSet:
    tags: set[str]


@attrs.define
class Deep:
    inner: list[HasMap]


@pytest.mark.parametrize(
    ("tp", "path", "words"),
    [
        (HasMap, "HasMap.counts", "additionalProperties"),
        (HasAny, "HasAny.value", "unsupported type Any"),
        (HasSet, "HasSet.tags", "unsupported type set[str]"),
        (Deep, "Deep.inner[].counts", "additionalProperties"),
        (int, "int", "must be an object"),
        (list[MathResponse], "list", "must be an object"),
    ],
)
def test_unsupported_types_name_the_field(tp: Any, path: str, words: str) -> None:
    with pytest.raises(SchemaError) as info:
        strict_json_schema(tp)
    assert info.value.path.startswith(path.split("[", maxsplit=1)[0])
    assert path in str(info.value)
    assert words in str(info.value)


def test_a_failed_class_does_not_poison_the_cache() -> None:
    with pytest.raises(SchemaError):
        strict_json_schema(Deep)
    assert strict_json_schema(MathResponse)["$defs"]["Step"]["required"] == [
        "explanation",
        "output",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Foo", "Foo"),
        ("Foo[int]", "Foo_int"),
        ("my response.v2", "my_response_v2"),
        ("é", "response"),
        ("x" * 80, "x" * 64),
    ],
)
def test_names_fit_the_api_pattern(name: str, expected: str) -> None:
    assert schema_name(None, name) == expected


def test_response_format_and_text_format_shapes() -> None:
    schema = strict_json_schema(MathResponse)
    assert response_format(MathResponse) == {
        "type": "json_schema",
        "json_schema": {"name": "MathResponse", "schema": schema, "strict": True},
    }
    assert text_format(MathResponse, name="math") == {
        "type": "json_schema",
        "name": "math",
        "schema": schema,
        "strict": True,
    }
    given = {"type": "json_object"}
    assert response_format(given) == given
    assert text_format(given) == given


# -- the checker -------------------------------------------------------------------------------


def problems_of(schema: Any) -> str:
    return " | ".join(strict_schema_problems(schema))


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        ({"type": "object", "properties": {}, "required": []}, "additionalProperties: false"),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "required": [],
                "additionalProperties": False,
            },
            "must be required",
        ),
        ({"anyOf": [obj({})]}, "top level"),
        (obj({"a": {"oneOf": [{"type": "string"}]}}), "'oneOf' is not supported"),
        (obj({"a": {"type": "array", "prefixItems": [{"type": "string"}]}}), "'prefixItems'"),
        (obj({"a": {"type": "string", "default": "x"}}), "'default'"),
        (obj({"a": {"type": "string", "minLength": 1}}), "'minLength'"),
        (obj({"a": {}}), "needs a type"),
        (obj({"a": {"$ref": "#/$defs/Missing"}}), "does not resolve"),
        (obj({"a": {"$ref": "#", "description": "x"}}), "sibling keywords"),
        (obj({"a": {"type": "string", "format": "email-ish"}}), "format 'email-ish'"),
        (obj({"a": {"type": "array"}}), "needs items"),
        (
            obj(
                {
                    "a": {
                        "type": "object",
                        "properties": {},
                        "required": [],
                        "additionalProperties": {"type": "integer"},
                    }
                }
            ),
            "additionalProperties: false",
        ),
        (obj({"a": {"type": "strin"}}), "unknown type"),
    ],
)
def test_checker_finds_broken_rules(schema: Any, words: str) -> None:
    assert words in problems_of(schema)
    with pytest.raises(SchemaError):
        check_strict_schema(schema)


def nested(depth: int) -> dict[str, Any]:
    schema = obj({"leaf": {"type": "string"}})
    for _ in range(depth - 1):
        schema = obj({"child": schema})
    return schema


def test_checker_limits_nesting_depth() -> None:
    assert strict_schema_problems(nested(10)) == []
    assert "11 objects nested, more than the 10 allowed" in problems_of(nested(11))


def test_checker_limits_properties_and_enums() -> None:
    many = obj({f"p{i}": {"type": "string"} for i in range(5001)})
    assert "5001 properties" in problems_of(many)
    enums = obj(
        {f"e{i}": {"type": "string", "enum": [f"v{j}" for j in range(100)]} for i in range(11)}
    )
    assert "1100 enum values" in problems_of(enums)
    big = obj({"e": {"type": "string", "enum": ["x" * 60 + str(i) for i in range(260)]}})
    assert "more than 250 values" in problems_of(big)


def test_checker_survives_absurd_nesting() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(3000):
        schema = {"type": "array", "items": schema}
    problems = problems_of(obj({"a": schema}))
    assert "nested more than" in problems


def test_checker_accepts_recursion_and_definitions() -> None:
    assert strict_schema_problems(strict_json_schema(TreeNode)) == []
    assert strict_schema_problems(strict_json_schema(Query)) == []


def test_classes_made_inside_functions_resolve_from_the_calling_frame() -> None:
    @attrs.define
    class LocalStep:
        text: str

    @attrs.define
    class LocalAnswer:
        steps: list[LocalStep]

    schema = strict_json_schema(LocalAnswer)
    assert schema["properties"]["steps"] == {
        "type": "array",
        "items": {"$ref": "#/$defs/LocalStep"},
    }


def test_unresolvable_annotations_are_a_schema_error() -> None:
    @attrs.define
    class Dangling:
        other: NowhereToBeFound  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(SchemaError, match="cannot resolve the annotations of Dangling"):
        strict_json_schema(Dangling)
