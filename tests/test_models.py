"""The model layer: lenient decoding, lossless encoding, strict mode, unions, laziness."""

from __future__ import annotations

import enum
import itertools
import json
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Union

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from openai_proto import sentinels
from openai_proto._models.core import LENIENT
from openai_proto._models.lenient import list_field_items, model_field_class
from openai_proto.errors import InvalidRequestError, OpenAIError
from openai_proto.models import (
    JSON_KEY,
    REQUIRED_KEY,
    RESERVED_NAMES,
    UNSET,
    Model,
    ModelDefinitionError,
    ModelDriftError,
    UnknownVariant,
    UnsetType,
    field,
    get_tagged_union,
    make_converter,
    register_tagged_union,
    structure,
    unstructure,
)
from openai_proto.testing.strategies import drifted_json, json_values, models, well_formed_json
from tests.strategies import model_classes, recursive_model, top_level_types

# -- models shaped like the API's ---------------------------------------------------------


@attrs.define
class Function(Model):
    name: str | UnsetType = field(required=True)
    arguments: str | UnsetType = field(required=True)


@attrs.define
class ToolCall(Model):
    id: str | UnsetType = field(required=True)
    type: Literal["function"] | UnsetType = field(default="function", required=True)
    function: Function | UnsetType = field(required=True)


@attrs.define
class TextPart(Model):
    type: Literal["text"] | UnsetType = field(default="text", required=True)
    text: str | UnsetType = field(required=True)


@attrs.define
class ImagePart(Model):
    type: Literal["image_url"] | UnsetType = field(default="image_url", required=True)
    image_url: str | UnsetType = field(required=True)
    detail: Literal["low", "high", "auto"] | UnsetType = UNSET


Part = Union[TextPart, ImagePart]


@attrs.define
class Message(Model):
    role: Literal["assistant", "user"] | UnsetType = field(required=True)
    content: str | list[Part] | UnsetType | None = field(required=True)
    refusal: str | UnsetType | None = UNSET
    tool_calls: list[ToolCall] | UnsetType = UNSET


@attrs.define
class Choice(Model):
    index: int | UnsetType = field(required=True)
    message: Message | UnsetType = field(required=True)
    finish_reason: Literal["stop", "length", "tool_calls"] | UnsetType | None = field(required=True)


@attrs.define
class Completion(Model):
    id: str | UnsetType = field(required=True)
    object: Literal["chat.completion"] | UnsetType = field(required=True)
    choices: list[Choice] | UnsetType = field(required=True)
    metadata: dict[str, str] | UnsetType | None = UNSET
    scores: dict[str, float] | UnsetType = UNSET
    raw: Any = UNSET


@attrs.define
class Categories(Model):
    self_harm_intent: bool | UnsetType = field(json="self-harm/intent")
    from_: str | UnsetType = field(json="from")
    hate: bool | UnsetType = UNSET


@attrs.define
class MessageItem(Model):
    type: Literal["message"] | UnsetType = field(default="message", required=True)
    id: str | UnsetType = UNSET
    content: list[Part] | UnsetType = UNSET


@attrs.define
class FunctionCallItem(Model):
    type: Literal["function_call"] | UnsetType = field(default="function_call", required=True)
    name: str | UnsetType = field(required=True)
    arguments: str | UnsetType = UNSET


@attrs.define
class UnknownItem(UnknownVariant):
    type: str | UnsetType = UNSET


Item = Union[MessageItem, FunctionCallItem, UnknownItem]
ITEM = register_tagged_union(
    Item,
    tag="type",
    variants={"message": MessageItem, "function_call": FunctionCallItem},
    unknown=UnknownItem,
    name="Item",
)


@attrs.define
class Response(Model):
    output: list[Item] | UnsetType = field(required=True)
    first: Item | str | UnsetType | None = UNSET
    tree: Node | UnsetType = UNSET


@attrs.define
class Node(Model):
    name: str | UnsetType = UNSET
    children: list[Node] | UnsetType = UNSET


class Color(enum.Enum):
    RED = "red"
    ONE = 1


@attrs.define
class Paint(Model):
    color: Color | UnsetType = UNSET
    colors: list[Color] | UnsetType = UNSET


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
}


def assert_same_json(actual: object, expected: object) -> None:
    """Equal JSON, with exact types (``True`` is not ``1``, ``1`` is not ``1.0``)."""
    assert type(actual) is type(expected), (actual, expected)
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert actual.keys() == expected.keys()
        for key, value in expected.items():
            assert_same_json(actual[key], value)
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        assert len(actual) == len(expected)
        for left, right in zip(actual, expected, strict=True):
            assert_same_json(left, right)
    else:
        assert actual == expected


def round_trip(data: object, tp: Any) -> Any:
    value = structure(data, tp)
    assert_same_json(unstructure(value), data)
    return value


def located(data: object, segments: tuple[str | int, ...]) -> Iterator[object]:
    """The values along a drift error's path (all but possibly a missing last key)."""
    for segment in segments:
        if not _holds(data, segment):
            return
        data = data[segment]  # type: ignore[index]
        yield data


def _holds(data: object, segment: str | int) -> bool:
    if isinstance(data, dict):
        return segment in data
    return isinstance(data, list) and isinstance(segment, int) and 0 <= segment < len(data)


# -- properties -----------------------------------------------------------------------------


@given(st.data())
def test_drifted_json_round_trips_and_strict_raises_only_drift(data: st.DataObject) -> None:
    tp = data.draw(top_level_types, label="type")
    value = data.draw(drifted_json(tp), label="json")
    lenient = round_trip(value, tp)
    try:
        strict = structure(value, tp, strict=True)
    except ModelDriftError as exc:
        error = exc
    else:
        assert strict == lenient
        return
    note(str(error))
    walked = list(located(value, error.segments))
    missing_key = error.problem == "missing required field"
    assert len(walked) == len(error.segments) - missing_key


@given(st.data())
def test_any_json_round_trips(data: st.DataObject) -> None:
    tp = data.draw(top_level_types, label="type")
    round_trip(data.draw(json_values(), label="json"), tp)


@given(st.data())
def test_well_formed_json_decodes_the_same_strict_and_lenient(data: st.DataObject) -> None:
    tp = data.draw(top_level_types, label="type")
    value = data.draw(well_formed_json(tp), label="json")
    lenient = round_trip(value, tp)
    assert structure(value, tp, strict=True) == lenient
    assert structure(unstructure(lenient), tp) == lenient


@given(st.data())
def test_recursive_models_round_trip(data: st.DataObject) -> None:
    node = recursive_model()
    value = data.draw(drifted_json(node) | well_formed_json(node))
    round_trip(value, node)


@given(models(Response))
def test_decoded_models_encode_and_decode_back_equal(response: Response) -> None:
    assert Response.from_dict(response.to_dict(), strict=True) == response
    assert json.loads(response.to_json()) == response.to_dict()


@given(drifted_json(Completion))
def test_drifted_completions_round_trip(value: Any) -> None:
    round_trip(value, Completion)


# -- UNSET and the Model API ----------------------------------------------------------------


def test_unset_is_a_falsy_enum_singleton_distinct_from_none() -> None:
    assert UNSET is sentinels.UNSET
    assert UNSET is UnsetType.UNSET
    assert not UNSET
    assert repr(UNSET) == "UNSET"
    assert UNSET is not None
    assert Function().name is UNSET


def test_to_dict_leaves_unset_out_and_writes_none_as_null() -> None:
    message = Message(role="user", content=None)
    assert message.to_dict() == {"role": "user", "content": None}
    assert Message().to_dict() == {}


def test_to_json_is_compact_utf8_text_and_can_indent() -> None:
    function = Function(name="météo", arguments="{}")
    assert function.to_json() == '{"name":"météo","arguments":"{}"}'
    assert function.to_json(indent=2) == '{\n  "name": "météo",\n  "arguments": "{}"\n}'


def test_to_json_refuses_unset_inside_a_value() -> None:
    with pytest.raises(InvalidRequestError, match="UNSET"):
        Completion(raw=[UNSET]).to_json()


def test_to_json_encodes_models_put_in_untyped_places() -> None:
    completion = Completion(raw={"call": Function(name="f")}, metadata={"k": "v"})
    assert json.loads(completion.to_json()) == {
        "raw": {"call": {"name": "f"}},
        "metadata": {"k": "v"},
    }


def test_unknown_keys_are_kept_compared_and_written_after_known_ones() -> None:
    data = {"zeta": 1, "name": "f", "extra": {"deep": [1]}, "arguments": "{}"}
    function = Function.from_dict(data)
    assert function.model_extra == {"zeta": 1, "extra": {"deep": [1]}}
    assert list(function.to_dict()) == ["name", "arguments", "zeta", "extra"]
    assert function != Function(name="f", arguments="{}")
    assert function == Function.from_dict(dict(data))


def test_model_extra_is_live_and_empty_extra_equals_none() -> None:
    function = Function(name="f")
    assert function == Function(name="f")
    function.model_extra["new_param"] = True
    assert function.to_dict() == {"name": "f", "new_param": True}
    function.model_extra.clear()
    assert function == Function(name="f")


def test_is_set_and_fields_set_tell_missing_from_null() -> None:
    message = Message.from_dict({"role": "user", "content": None})
    assert message.is_set("content")
    assert message.content is None
    assert not message.is_set("refusal")
    assert message.fields_set == {"role", "content"}
    with pytest.raises(AttributeError, match="no field"):
        message.is_set("nope")


def test_from_dict_accepts_any_mapping_and_refuses_other_values() -> None:
    assert Function.from_dict(types.MappingProxyType({"name": "f"})) == Function(name="f")
    with pytest.raises(ModelDriftError, match="expected object, got array"):
        Function.from_dict([1])  # type: ignore[arg-type]


def test_decoding_ignores_defaults_and_does_not_run_init() -> None:
    calls: list[str] = []

    @attrs.define
    class Hooked(Model):
        kind: str | UnsetType = "default"

        def __attrs_post_init__(self) -> None:
            calls.append("init")

    assert structure({}, Hooked).kind is UNSET
    assert calls == []
    assert Hooked().kind == "default"


def test_compact_repr_leaves_unset_out_and_shows_unknown_keys() -> None:
    @attrs.define(repr=False)
    class Compact(Model):
        a: int | UnsetType = UNSET
        b: str | UnsetType | None = UNSET

    assert repr(Compact.from_dict({"b": None, "new": [1]})) == "Compact(b=None, new=[1])"
    assert repr(Function(name="f")) == "Function(name='f', arguments=UNSET)"


def test_request_id_can_be_attached_and_is_not_data() -> None:
    function = Function.from_dict({"name": "f"})
    function._request_id = "req_123"
    assert function == Function(name="f")
    assert function.to_dict() == {"name": "f"}


def test_to_dict_builds_new_containers() -> None:
    completion = Completion.from_dict({"scores": {"a": 1.0}, "raw": {"x": [1]}, "id": "c"})
    out = completion.to_dict()
    out["scores"]["b"] = 2.0
    out["raw"]["x"].append(2)
    assert completion.to_dict() == {"scores": {"a": 1.0}, "raw": {"x": [1]}, "id": "c"}


def test_reserved_names_and_metadata_keys_are_published() -> None:
    assert {"to_dict", "model_extra", "_extra"} <= RESERVED_NAMES
    assert attrs.fields(Categories).from_.metadata == {JSON_KEY: "from"}
    assert attrs.fields(Function).name.metadata == {REQUIRED_KEY: True}


# -- renamed keys ---------------------------------------------------------------------------


def test_keys_that_are_not_python_names_are_mapped() -> None:
    data = {"self-harm/intent": True, "from": "x", "hate": False}
    categories = round_trip(data, Categories)
    assert categories.self_harm_intent is True
    assert categories.from_ == "x"
    assert Categories(from_="y").to_dict() == {"from": "y"}


def test_reserved_field_names_are_refused() -> None:
    cls = attrs.make_class("Clash", {"to_dict": field(type=str)}, bases=(Model,))
    with pytest.raises(ModelDefinitionError, match=r"reserved field names \['to_dict'\]"):
        structure({}, cls)


def test_two_fields_with_one_json_key_are_refused() -> None:
    cls = attrs.make_class(
        "Clash", {"a": field(json="k", type=str), "b": field(json="k", type=str)}, bases=(Model,)
    )
    with pytest.raises(ModelDefinitionError, match="same JSON key"):
        structure({}, cls)


# -- lenient decoding -----------------------------------------------------------------------


def test_null_is_accepted_anywhere_and_kept() -> None:
    data = {"id": None, "object": None, "choices": [None, {"message": None}], "scores": None}
    completion = round_trip(data, Completion)
    assert completion.id is None
    assert completion.choices[1].message is None


def test_values_of_the_wrong_type_are_kept_as_they_are() -> None:
    data = {"id": 5, "choices": "not a list", "scores": [1], "object": {"weird": True}}
    completion = round_trip(data, Completion)
    assert completion.id == 5
    assert completion.choices == "not a list"
    choice = round_trip({"index": "0", "message": ["x"], "finish_reason": 7}, Choice)
    assert choice.index == "0"
    assert choice.message == ["x"]


def test_numbers_are_never_turned_into_strings_or_back() -> None:
    function: Any = structure({"name": 5, "arguments": True}, Function)
    assert function.name == 5
    assert function.arguments is True
    choice = structure({"index": 1.0}, Choice)
    assert type(choice.index) is float


def test_unknown_enum_values_are_kept_as_strings() -> None:
    choice = round_trip({"finish_reason": "brand_new_reason"}, Choice)
    assert choice.finish_reason == "brand_new_reason"


def test_enum_classes_decode_known_values_and_keep_the_rest() -> None:
    paint = round_trip({"color": "red", "colors": ["red", 1, True, "blue", [1]]}, Paint)
    assert paint.color is Color.RED
    assert paint.colors == [Color.RED, Color.ONE, True, "blue", [1]]
    assert structure({"color": "red"}, Paint, strict=True).color is Color.RED
    with pytest.raises(ModelDriftError, match="unknown value 'blue'"):
        structure({"color": "blue"}, Paint, strict=True)


def test_lists_maps_and_any_are_decoded_and_kept() -> None:
    data = {
        "id": "c",
        "choices": [{"index": 0}, "junk", 3],
        "metadata": {"k": "v", "n": 1},
        "raw": {"anything": [{"goes": None}]},
    }
    completion = round_trip(data, Completion)
    assert isinstance(completion.choices[0], Choice)
    assert completion.choices[1:] == ["junk", 3]
    assert completion.raw == {"anything": [{"goes": None}]}


def test_top_level_annotations_other_than_models() -> None:
    assert round_trip([{"name": "f"}, 1], list[Function]) == [Function(name="f"), 1]
    assert round_trip({"a": {"name": "f"}}, dict[str, Function]) == {"a": Function(name="f")}
    assert round_trip({"name": "f"}, Annotated[Function, "meta"]) == Function(name="f")
    assert round_trip("text", Function) == "text"


@given(st.data())
def test_list_fields_decode_piece_by_piece_as_they_decode_whole(data: st.DataObject) -> None:
    # what a caller holding a long array in pieces relies on (the chat stream's logprobs)
    cls = data.draw(model_classes(depth=2))
    value = data.draw(drifted_json(cls))
    if type(value) is not dict:
        return
    whole = structure(value, cls)
    for key, items in value.items():
        plan = list_field_items(cls, key)
        if plan is None or type(items) is not list:
            continue
        name, load = plan
        cuts = sorted(data.draw(st.lists(st.integers(0, len(items)), max_size=3)))
        bounds = [0, *cuts, len(items)]
        pieces = [items[a:b] for a, b in itertools.pairwise(bounds)]
        decoded = [load(item) for piece in pieces for item in piece]
        note(f"{key=} {pieces=}")
        assert decoded == getattr(whole, name)


def test_list_field_items_only_for_plain_list_fields() -> None:
    plan = list_field_items(Message, "tool_calls")
    assert plan is not None
    assert plan[0] == "tool_calls"
    assert plan[1]({"id": "c"}) == structure({"id": "c"}, ToolCall)
    assert plan[1]("junk") == "junk"  # kept as it is, as in the whole list
    assert list_field_items(Message, "content") is None  # a union: decoded as a whole
    assert list_field_items(Message, "role") is None
    assert list_field_items(Message, "no such key") is None
    assert list_field_items(Completion, "scores") is None  # a map


def test_model_field_class_names_the_model_an_object_decodes_to() -> None:
    assert model_field_class(Choice, "message") is Message
    assert model_field_class(ToolCall, "function") is Function
    assert model_field_class(Message, "content") is None  # a union
    assert model_field_class(Completion, "choices") is None  # a list
    assert model_field_class(Choice, "no such key") is None


# -- tagged unions --------------------------------------------------------------------------


def test_tagged_union_picks_the_variant_by_its_tag() -> None:
    data = {
        "output": [
            {"type": "message", "id": "m", "content": [{"type": "text", "text": "hi"}]},
            {"type": "function_call", "name": "f", "arguments": "{}"},
        ]
    }
    response = round_trip(data, Response)
    assert isinstance(response.output[0], MessageItem)
    assert response.output[0].content == [TextPart(text="hi")]
    assert isinstance(response.output[1], FunctionCallItem)


@pytest.mark.parametrize(
    "item",
    [
        {"type": "reasoning", "summary": [{"text": "..."}], "id": "rs_1"},
        {"summary": "no tag at all"},
        {"type": None, "x": 1},
        {"type": ["message"]},
        {"type": 7},
    ],
    ids=["unknown tag", "missing tag", "null tag", "list tag", "number tag"],
)
def test_unknown_or_missing_tags_become_the_unknown_class(item: dict[str, Any]) -> None:
    response = round_trip({"output": [item]}, Response)
    unknown = response.output[0]
    assert isinstance(unknown, UnknownItem)
    assert_same_json(unknown.raw, item)
    with pytest.raises(ModelDriftError) as error:
        structure({"output": [item]}, Response, strict=True)
    assert error.value.path.startswith("output[0]")


def test_tagged_union_inside_a_wider_union() -> None:
    assert isinstance(structure({"first": {"type": "message"}}, Response).first, MessageItem)
    assert isinstance(structure({"first": {"type": "new"}}, Response).first, UnknownItem)
    assert structure({"first": "just text"}, Response).first == "just text"
    assert structure({"first": None}, Response).first is None


def test_tagged_union_values_that_are_not_objects_are_kept() -> None:
    response = round_trip({"output": ["text", 1, None, [{"type": "message"}]]}, Response)
    assert response.output == ["text", 1, None, [{"type": "message"}]]


def test_registration_is_found_again_and_maps_tags() -> None:
    assert get_tagged_union(Item) is ITEM
    assert get_tagged_union(Union[Item, None, UnsetType]) is ITEM
    assert get_tagged_union(Part) is None
    assert get_tagged_union(int) is None
    assert ITEM.variant_for("message") is MessageItem
    assert ITEM.variant_for("other") is UnknownItem
    assert ITEM.variant_for(None) is UnknownItem


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(ModelDefinitionError, match="exactly"):
        register_tagged_union(
            Union[MessageItem, UnknownItem], tag="type", variants={}, unknown=UnknownItem
        )
    with pytest.raises(ModelDefinitionError, match="not a union"):
        register_tagged_union(MessageItem, tag="type", variants={}, unknown=UnknownItem)
    with pytest.raises(ModelDefinitionError, match="not a Model"):
        register_tagged_union(
            Union[MessageItem, int],
            tag="type",
            variants={"m": MessageItem},
            unknown=int,  # type: ignore[arg-type]
        )
    with pytest.raises(ModelDefinitionError, match="non-empty"):
        register_tagged_union(Item, tag="", variants={}, unknown=UnknownItem)


# -- unions without a tag -------------------------------------------------------------------


def test_string_or_list_union_is_chosen_by_json_type() -> None:
    assert structure({"content": "hello"}, Message).content == "hello"
    parts = structure({"content": [{"type": "text", "text": "a"}]}, Message).content
    assert parts == [TextPart(text="a")]


def test_object_union_members_are_told_apart_by_literals_and_keys() -> None:
    text, image, unclear = round_trip(
        [{"text": "a", "type": "text"}, {"image_url": "u"}, {"zzz": 1}], list[Part]
    )
    assert isinstance(text, TextPart)
    assert isinstance(image, ImagePart)
    assert isinstance(unclear, TextPart)  # nothing fits: the first of the best ranked
    assert unclear.model_extra == {"zzz": 1}


def test_an_object_goes_to_the_member_it_conforms_to() -> None:
    @attrs.define
    class ByNumber(Model):
        value: int | UnsetType = UNSET

    @attrs.define
    class ByText(Model):
        value: str | UnsetType = UNSET

    either = Union[ByNumber, ByText]
    assert isinstance(structure({"value": "x"}, either), ByText)
    assert isinstance(structure({"value": 1}, either), ByNumber)
    assert isinstance(structure({"value": None}, either), ByNumber)


def test_values_no_member_takes_are_kept() -> None:
    assert round_trip({"content": 5}, Message).content == 5
    assert round_trip({"content": {"an": "object"}}, Message).content == {"an": "object"}
    with pytest.raises(ModelDriftError, match="content: expected string or array of"):
        structure({"role": "user", "content": 5}, Message, strict=True)


def test_several_list_members_are_read_element_by_element() -> None:
    text = TextPart.from_dict({"type": "text", "text": "a"})
    either = Union[list[TextPart], list[int]]
    assert round_trip([{"type": "text", "text": "a"}, 1], either) == [text, 1]
    with_any = Union[Any, list[TextPart]]
    assert structure([{"type": "text", "text": "a"}], with_any) == [text]
    assert structure([{"text": "a"}], with_any) == [{"text": "a"}]  # not a list[TextPart]


# -- strict mode ----------------------------------------------------------------------------


def test_strict_accepts_conforming_json_with_unknown_keys() -> None:
    data = {**COMPLETION, "service_tier": "default"}
    strict = structure(data, Completion, strict=True)
    assert strict == structure(data, Completion)
    assert strict.model_extra == {"service_tier": "default"}


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda c: c["choices"][0]["message"].pop("role"), "choices[0].message.role", "missing"),
        (
            lambda c: c["choices"][0]["message"].update(role="robot"),
            "choices[0].message.role",
            "unknown value 'robot'",
        ),
        (lambda c: c.update(id=5), "id", "expected string, got integer"),
        (lambda c: c.update(id=None), "id", "expected string, got null"),
        (lambda c: c["choices"].append("x"), "choices[1]", "expected Choice (an object)"),
        (
            lambda c: c["choices"][0]["message"]["tool_calls"][0].update(type="custom"),
            "choices[0].message.tool_calls[0].type",
            "unknown value 'custom'",
        ),
        (lambda c: c.update(metadata={"k": 1}), "metadata.k", "expected string"),
        (lambda c: c.update(metadata={"a b": 1}), 'metadata["a b"]', "expected string"),
    ],
)
def test_strict_names_the_path_of_the_drift(change: Any, path: str, problem: str) -> None:
    data = json.loads(json.dumps(COMPLETION))
    change(data)
    with pytest.raises(ModelDriftError) as error:
        structure(data, Completion, strict=True)
    assert error.value.path == path
    assert problem in error.value.problem
    assert str(error.value) == f"{path}: {error.value.problem}"
    assert isinstance(error.value, OpenAIError)
    round_trip(data, Completion)


def test_strict_reports_unknown_and_missing_tags() -> None:
    with pytest.raises(ModelDriftError, match=r"output\[0\]\.type: unknown variant 'new'"):
        structure({"output": [{"type": "new"}]}, Response, strict=True)
    with pytest.raises(ModelDriftError, match=r"output\[0\]: missing the 'type' property"):
        structure({"output": [{}]}, Response, strict=True)


def test_strict_messages_do_not_repeat_values_of_the_wrong_type() -> None:
    secret = {"sk-not-a-real-key": "sk-proj-abcdef"}
    with pytest.raises(ModelDriftError) as error:
        structure({"id": secret}, Completion, strict=True)
    assert "sk-" not in str(error.value)


def test_strict_top_level_wrong_type() -> None:
    with pytest.raises(ModelDriftError, match="expected Function"):
        structure([], Function, strict=True)
    with pytest.raises(ModelDriftError, match=r"^\[1\]: expected integer, got string"):
        structure([1, "2"], list[int], strict=True)


# -- definitions: forward references, modules, errors, laziness -----------------------------


def test_recursive_model_by_string_annotation() -> None:
    data = {"tree": {"name": "a", "children": [{"name": "b", "children": [{}]}, 1]}}
    response = round_trip(data, Response)
    assert response.tree.children[0].children == [Node()]


def test_models_in_modules_that_import_each_other_only_for_type_checking() -> None:
    first = textwrap.dedent(
        """
        from __future__ import annotations
        from typing import TYPE_CHECKING
        import attrs
        from openai_proto.models import UNSET, Model, UnsetType
        if TYPE_CHECKING:
            from drift_mod_b import Leaf

        @attrs.define
        class Tree(Model):
            leaves: list[Leaf] | UnsetType = UNSET
        """
    )
    second = textwrap.dedent(
        """
        from __future__ import annotations
        import attrs
        from openai_proto.models import UNSET, Model, UnsetType

        @attrs.define
        class Leaf(Model):
            owner: Tree | UnsetType | None = UNSET
        """
    )
    modules = {}
    for name, source in (("drift_mod_a", first), ("drift_mod_b", second)):
        module = types.ModuleType(name)
        sys.modules[name] = module
        exec(compile(source, name, "exec"), module.__dict__)
        modules[name] = module
    try:
        tree_cls = modules["drift_mod_a"].Tree
        tree = round_trip({"leaves": [{"owner": {"leaves": []}}]}, tree_cls)
        assert type(tree.leaves[0]).__name__ == "Leaf"
        assert type(tree.leaves[0].owner) is tree_cls
    finally:
        for name in modules:
            del sys.modules[name]


def test_unresolvable_and_unsupported_annotations_fail_clearly_on_first_use() -> None:
    @attrs.define
    class Dangling(Model):
        ref: NoSuchModel | UnsetType = UNSET  # type: ignore[name-defined]  # noqa: F821

    @attrs.define
    class Unsupported(Model):
        values: set[int] | UnsetType = UNSET

    with pytest.raises(ModelDefinitionError, match="cannot resolve"):
        structure({}, Dangling)
    with pytest.raises(ModelDefinitionError, match=r"Unsupported\.values: unsupported"):
        structure({}, Unsupported)
    with pytest.raises(ModelDefinitionError, match="only tuple"):
        structure([], tuple[int, str])


def test_plain_attrs_classes_are_not_models() -> None:
    @attrs.define
    class Plain:
        x: int = 0

    with pytest.raises(ModelDefinitionError, match="unsupported annotation"):
        structure({}, Plain)


def test_decoders_are_built_on_first_use_only() -> None:
    @attrs.define
    class Late(Model):
        child: Late | UnsetType = UNSET

    assert Late not in LENIENT
    structure({}, Late)
    assert Late in LENIENT


def test_importing_the_models_module_builds_nothing_and_skips_cattrs() -> None:
    code = (
        "import sys, openai_proto.models\n"
        "loaded = [m for m in ('cattrs', 'openai_proto._models.lenient',"
        " 'openai_proto._models.strict', 'openai_proto._models.dumping') if m in sys.modules]\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_frozen_and_validated_models_are_decoded_without_running_hooks() -> None:
    def only_ints(instance: object, attribute: object, value: object) -> None:
        if not isinstance(value, int):
            raise TypeError("not an int")

    @attrs.frozen
    class Frozen(Model):
        value: int | UnsetType = attrs.field(default=UNSET, validator=only_ints)

    frozen = round_trip({"value": "not an int", "more": 1}, Frozen)
    assert frozen.value == "not an int"
    assert structure({"value": 1}, Frozen, strict=True) == Frozen(value=1)


def test_a_cattrs_converter_can_delegate_to_the_model_layer() -> None:
    converter = make_converter()
    completion = converter.structure(COMPLETION, Completion)
    assert completion == structure(COMPLETION, Completion)
    assert converter.unstructure(completion) == COMPLETION
    assert isinstance(converter.structure({"type": "zzz"}, Item), UnknownItem)
    with pytest.raises(ModelDriftError):
        make_converter(strict=True).structure({"type": "zzz"}, Item)
