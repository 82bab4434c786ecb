"""Pydantic models: our strict schema against the official SDK's ``to_strict_json_schema``.

Where the official schema follows the strict-mode rules, ours is equal to it. Where it does
not, we differ on purpose (and the official schema fails our checker):

- discriminated unions: official ``oneOf`` (+ ``discriminator``), ours ``anyOf``;
- non-null defaults: official keeps ``default``, ours drops it (strict mode has none);
- fixed-length tuples: official ``prefixItems``, ours a SchemaError;
- ``dict[str, X]``: official ``additionalProperties: {...}``, ours a SchemaError.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Literal, Union

import attrs
import pydantic
import pytest
from openai.lib._pydantic import to_strict_json_schema
from pydantic import BaseModel, Field

from openai_proto.errors import ContentParseError, SchemaError
from openai_proto.structured import (
    function_tool,
    parse_chat_completion,
    parse_json,
    strict_json_schema,
    strict_schema_problems,
    to_jsonable,
)
from tests.structured.test_parsing import message_of


class Step(BaseModel):
    explanation: str
    output: str


class MathResponse(BaseModel):
    steps: list[Step]
    final_answer: str


class Table(str, enum.Enum):
    orders = "orders"
    customers = "customers"


class Operator(str, enum.Enum):
    eq = "="
    gt = ">"


class DynamicValue(BaseModel):
    column_name: str


class Condition(BaseModel):
    column: str
    operator: Operator
    value: Union[str, int, DynamicValue]


class Query(BaseModel):
    """Query the database."""

    table_name: Table
    columns: list[str]
    conditions: list[Condition]
    order_by: Literal["asc", "desc"]


class Described(BaseModel):
    inner: DynamicValue = Field(description="the value to compare with")
    maybe: Step | None = None
    count: int = Field(description="how many", ge=0)


class Node(BaseModel):
    name: str
    children: list[Node]


@pydantic.dataclasses.dataclass
class PydanticDataclass:
    a: int
    b: list[str]


AGREEING = [MathResponse, Query, Described, Node]


@pytest.mark.parametrize("model", AGREEING, ids=lambda m: m.__name__)
def test_our_schema_equals_the_official_one_where_that_is_strict(model: type[BaseModel]) -> None:
    official = to_strict_json_schema(model)
    assert strict_schema_problems(official) == []
    assert strict_json_schema(model) == official


def test_pydantic_dataclasses_agree_too() -> None:
    official = to_strict_json_schema(pydantic.TypeAdapter(PydanticDataclass))
    assert strict_json_schema(PydanticDataclass) == official
    assert parse_json(PydanticDataclass, '{"a": 1, "b": ["x"]}') == PydanticDataclass(1, ["x"])


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool


class Pet(BaseModel):
    pet: Annotated[Union[Cat, Dog], Field(discriminator="kind")]


class WithDefault(BaseModel):
    size: int = 3


class WithTuple(BaseModel):
    point: tuple[float, float]


class WithMap(BaseModel):
    counts: dict[str, int]


def test_discriminated_unions_become_any_of() -> None:
    official = to_strict_json_schema(Pet)
    assert "oneOf" in json.dumps(official)
    assert any("oneOf" in p for p in strict_schema_problems(official))
    ours = strict_json_schema(Pet)
    assert strict_schema_problems(ours) == []
    assert ours["properties"]["pet"] == {
        "anyOf": [{"$ref": "#/$defs/Cat"}, {"$ref": "#/$defs/Dog"}],
        "title": "Pet",
    }
    assert parse_json(Pet, '{"pet": {"kind": "dog", "good": true}}') == Pet(
        pet=Dog(kind="dog", good=True)
    )


def test_non_null_defaults_are_dropped() -> None:
    official = to_strict_json_schema(WithDefault)
    assert official["properties"]["size"]["default"] == 3
    assert any("'default'" in p for p in strict_schema_problems(official))
    assert strict_json_schema(WithDefault)["properties"]["size"] == {
        "title": "Size",
        "type": "integer",
    }


@pytest.mark.parametrize(
    ("model", "keyword", "words"),
    [
        (WithTuple, "prefixItems", "prefixItems"),
        (WithMap, "additionalProperties", "arbitrary keys"),
    ],
)
def test_what_strict_mode_cannot_say_is_refused(
    model: type[BaseModel], keyword: str, words: str
) -> None:
    official = to_strict_json_schema(model)
    assert keyword in json.dumps(official)
    assert strict_schema_problems(official) != []
    with pytest.raises(SchemaError, match=words) as info:
        strict_json_schema(model)
    assert info.value.path == model.__name__


class Limited(BaseModel):
    name: str = Field(max_length=5)


def test_unsupported_keywords_are_reported_when_the_schema_is_made() -> None:
    with pytest.raises(SchemaError, match="'maxLength' is not supported"):
        strict_json_schema(Limited)


def test_pydantic_parsing_errors_and_round_trips() -> None:
    query = Query(
        table_name=Table.orders,
        columns=["id"],
        conditions=[
            Condition(column="c", operator=Operator.gt, value=DynamicValue(column_name="d"))
        ],
        order_by="asc",
    )
    text = json.dumps(to_jsonable(query))
    assert parse_json(Query, text) == query
    assert parse_json(Query, json.loads(text)) == query
    with pytest.raises(ContentParseError) as info:
        parse_json(Query, text.replace('"asc"', '"up"'))
    assert info.value.path == "order_by"
    assert info.value.raw == text.replace('"asc"', '"up"')


def test_pydantic_tools_and_completions() -> None:
    tool = function_tool(Query)
    assert tool.description == "Query the database."
    assert tool.parameters == to_strict_json_schema(Query)
    content = json.dumps({"steps": [{"explanation": "e", "output": "o"}], "final_answer": "f"})
    data = {
        "id": "c",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": content, "refusal": None},
            }
        ],
    }
    parsed = parse_chat_completion(data, response_format=MathResponse)
    assert message_of(parsed).parsed == MathResponse(
        steps=[Step(explanation="e", output="o")], final_answer="f"
    )
    assert json.loads(parsed.to_json())["choices"][0]["message"]["parsed"] == json.loads(content)


@attrs.define
class Wrapper:
    steps: list[Step]


def test_a_pydantic_model_inside_another_type_is_refused_by_name() -> None:
    with pytest.raises(SchemaError, match="Step is a pydantic model") as info:
        strict_json_schema(Wrapper)
    assert info.value.path == "Wrapper.steps[]"
    # reading and writing still work through pydantic
    value = parse_json(Wrapper, {"steps": [{"explanation": "e", "output": "o"}]})
    assert value == Wrapper([Step(explanation="e", output="o")])
    assert to_jsonable(value) == {"steps": [{"explanation": "e", "output": "o"}]}
