"""The fast paths of decoding and header lookup give exactly what the plain ways give."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto import APIResponseValidationError, Call
from openai_proto.decode import decode, loads
from openai_proto.generated.models import ChatCompletion
from openai_proto.http import Response, ResponseHead, find_header
from openai_proto.testing import fixtures

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
#: What may follow a JSON value: nothing, JSON's own white space, or anything at all.
tails = st.sampled_from(["", " ", "\n", "\r\n\t ", "x", " ,", "}", "\u00a0", "\x00"]) | st.text()
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32-be"])


def outcome(function: Any, body: bytes) -> tuple[str, Any]:
    """What ``function(body)`` gives: its value, or the type and text of its error."""
    try:
        return "value", function(body)
    except Exception as exc:  # the error itself is what is compared
        return type(exc).__name__, str(exc)


@given(json_values, st.sampled_from([None, 2]), tails, encodings)
def test_loads_matches_json_loads_for_encoded_json(
    value: Any, indent: int | None, tail: str, encoding: str
) -> None:
    body = (json.dumps(value, indent=indent, ensure_ascii=False) + tail).encode(
        encoding, "surrogatepass"
    )
    assert outcome(loads, body) == outcome(json.loads, body)


@given(st.binary(max_size=40), st.sampled_from([b"", b"{", b"[", b'{"a": ', b"[1, "]))
def test_loads_matches_json_loads_for_any_bytes(body: bytes, start: bytes) -> None:
    body = start + body
    assert outcome(loads, body) == outcome(json.loads, body)


@pytest.mark.parametrize(
    "body",
    [b'{"a": 1}', b'{"a": 1}\n', b"[1, 2] ", b'{"a": 1} {"b": 2}', b"{", b'{"a"', b"[\xff]"],
)
def test_loads_examples(body: bytes) -> None:
    assert outcome(loads, body) == outcome(json.loads, body)


def test_loads_keeps_what_json_loads_rejects_after_a_bom() -> None:
    body = codecs.BOM_UTF8 + b'{"a": 1}'
    assert loads(body) == {"a": 1} == json.loads(body)


def test_decode_types_a_chat_completion_and_attaches_the_request_id() -> None:
    body = json.dumps(fixtures.chat_completion(), indent=2).encode()
    head = ResponseHead(200, (("Content-Type", "application/json"), ("X-Request-ID", "req_1")))
    call: Call[ChatCompletion] = Call(
        method="POST", path="/chat/completions", cast_to=ChatCompletion
    )
    completion = decode(call, Response(head, body))
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == "Hello! How can I help you today?"
    assert completion._request_id == "req_1"


def test_decode_still_rejects_a_non_object_for_a_model() -> None:
    call: Call[ChatCompletion] = Call(method="GET", path="/x", cast_to=ChatCompletion)
    with pytest.raises(APIResponseValidationError, match="Expected a JSON object"):
        decode(call, Response(ResponseHead(200), b"[1, 2]"))


#: "İ" lower-cases to two characters, the Kelvin sign to an ASCII "k".
header_names = st.text(alphabet="aAbBxX-Kİ\u212a", min_size=1, max_size=6)


@pytest.mark.parametrize(
    ("key", "name"),
    [("İ", "İ"), ("i\u0307", "İ"), ("\u212a", "k"), ("X-Request-Id", "x-request-id")],
)
def test_find_header_examples(key: str, name: str) -> None:
    assert find_header([("other", "no"), (key, "yes")], name) == "yes"


@given(st.lists(st.tuples(header_names, st.text(max_size=3)), max_size=6), header_names)
def test_find_header_is_the_first_case_insensitive_match(
    headers: list[tuple[str, str]], name: str
) -> None:
    wanted = name.lower()
    expected = next((value for key, value in headers if key.lower() == wanted), None)
    assert find_header(headers, name) == expected
