"""The helper docs' examples (python-sdk-helpers.md) with attrs classes instead of pydantic,
and a few module-level types the tests share (string annotations resolve here)."""

from __future__ import annotations

import enum
from typing import Annotated, Union

import attrs

from openai_proto.structured import Description


@attrs.define
class Step:
    explanation: str
    output: str


@attrs.define
class MathResponse:
    steps: list[Step]
    final_answer: str


class Table(str, enum.Enum):
    orders = "orders"
    customers = "customers"
    products = "products"


class Column(str, enum.Enum):
    id = "id"
    status = "status"
    expected_delivery_date = "expected_delivery_date"
    delivered_at = "delivered_at"
    shipped_at = "shipped_at"
    ordered_at = "ordered_at"
    canceled_at = "canceled_at"


class Operator(str, enum.Enum):
    eq = "="
    gt = ">"
    lt = "<"
    le = "<="
    ge = ">="
    ne = "!="


class OrderBy(str, enum.Enum):
    asc = "asc"
    desc = "desc"


@attrs.define
class DynamicValue:
    column_name: str


@attrs.define
class Condition:
    column: str
    operator: Operator
    value: Union[str, int, DynamicValue]


@attrs.define
class Query:
    table_name: Table
    columns: list[Column]
    conditions: list[Condition]
    order_by: OrderBy


@attrs.define
class TreeNode:
    """A node of a tree."""

    label: Annotated[str, "what the node is"]
    children: list[TreeNode]
    parent_hint: Annotated[Leaf | None, Description("a leaf, if any")] = None


@attrs.define
class Leaf:
    name: str = attrs.field(metadata={"description": "the leaf's name"})
    back: TreeNode | None = None
