from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto import (
    OMIT,
    Call,
    Config,
    InvalidRequestError,
    Timeout,
    build,
    build_request,
    make_options,
)
from openai_proto.build import (
    dumps,
    encode_path_param,
    fill_path,
    merge_headers,
    query_pairs,
    user_agent,
)

CONFIG = Config(api_key="sk-test-secret", organization="org-1", project="proj-1")


def call(**kwargs: Any) -> Call[Any]:
    kwargs.setdefault("method", "POST")
    kwargs.setdefault("path", "/chat/completions")
    return Call(**kwargs)


def test_json_call_builds_full_request() -> None:
    request = build_request(CONFIG, call(body={"model": "gpt-4o", "n": 1}, body_kind="json"))
    assert request.method == "POST"
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.body == b'{"model":"gpt-4o","n":1}'
    assert request.header("content-type") == "application/json"
    assert request.header("accept") == "application/json"
    assert request.header("authorization") == "Bearer sk-test-secret"
    assert request.header("openai-organization") == "org-1"
    assert request.header("openai-project") == "proj-1"
    assert request.header("user-agent") == user_agent("sans-io")
    assert request.timeout == Timeout(connect=5.0, read=600.0, write=600.0, pool=600.0)


def test_user_agent_names_project_binding_and_python() -> None:
    agent = user_agent("httpx")
    assert agent.startswith("openai-proto/")
    assert "(httpx; " in agent
    assert "Python" in agent or "/3." in agent


def test_get_has_no_body_and_no_content_type() -> None:
    request = build_request(CONFIG, call(method="get", path="/models"))
    assert request.method == "GET"
    assert request.body == b""
    assert request.header("content-type") is None


def test_unicode_body_is_compact_utf8() -> None:
    request = build_request(CONFIG, call(body={"text": "héllo ✓"}, body_kind="json"))
    assert request.body == '{"text":"héllo ✓"}'.encode()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_rejected(bad: float) -> None:
    with pytest.raises(InvalidRequestError):
        build_request(CONFIG, call(body={"temperature": bad}, body_kind="json"))


def test_unserializable_body_gives_clear_error() -> None:
    with pytest.raises(InvalidRequestError, match="object"):
        dumps({"x": object()})


def test_models_in_body_are_encoded_with_to_dict() -> None:
    class Item:
        def to_dict(self) -> dict[str, str]:
            return {"type": "message"}

    assert dumps({"input": [Item()]}) == b'{"input":[{"type":"message"}]}'


def test_extra_body_merges_and_omit_removes() -> None:
    options = make_options(extra_body={"seed": 7, "n": OMIT})
    request = build_request(
        CONFIG, call(body={"model": "m", "n": 2}, body_kind="json", options=options)
    )
    assert isinstance(request.body, bytes)
    assert json.loads(request.body) == {"model": "m", "seed": 7}


def test_extra_body_on_bodyless_post_creates_json_body() -> None:
    options = make_options(extra_body={"a": 1})
    request = build_request(CONFIG, call(options=options))
    assert request.body == b'{"a":1}'


# -- paths ----------------------------------------------------------------------------


def test_path_params_are_percent_encoded() -> None:
    assert fill_path("/files/{file_id}", {"file_id": "a/b c?d#e"}) == "/files/a%2Fb%20c%3Fd%23e"
    assert fill_path("/x/{id}", {"id": "keep:@$!"}) == "/x/keep:@$!"


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_bad_path_params_are_rejected(value: str) -> None:
    with pytest.raises(InvalidRequestError, match="file_id"):
        encode_path_param("file_id", value)


def test_missing_and_non_string_path_params_are_rejected() -> None:
    with pytest.raises(InvalidRequestError, match="Missing path parameter `id`"):
        fill_path("/x/{id}", {})
    with pytest.raises(InvalidRequestError, match="Expected a string"):
        fill_path("/x/{id}", {"id": None})


@given(st.text(min_size=1).filter(lambda t: t not in {".", ".."}))
def test_any_path_param_stays_inside_one_segment(value: str) -> None:
    encoded = fill_path("/files/{id}/content", {"id": value})
    assert encoded.count("/") == 3
    assert "?" not in encoded
    assert "#" not in encoded


def test_absolute_url_is_used_as_is() -> None:
    request = build_request(CONFIG, call(method="GET", path="https://example.test/v9/things"))
    assert request.url == "https://example.test/v9/things"


def test_base_url_gets_trailing_slash() -> None:
    config = Config(api_key="k", base_url="http://127.0.0.1:9/v1")
    assert build_request(config, call(path="models")).url == "http://127.0.0.1:9/v1/models"


# -- query ----------------------------------------------------------------------------


def test_query_uses_brackets_for_lists_and_dicts() -> None:
    pairs = list(
        query_pairs({"include": ["a b", "c"], "meta": {"k": {"x": True}}, "none": None, "e": ""})
    )
    assert pairs == [("include[]", "a b"), ("include[]", "c"), ("meta[k][x]", "true"), ("e", "")]


def test_query_precedence_default_call_extra() -> None:
    config = Config(api_key="k", default_query={"a": "default", "b": "default"})
    options = make_options(extra_query={"b": "extra"})
    request = build_request(
        config, call(method="GET", path="/x?keep=1&a=url", query={"a": "call"}, options=options)
    )
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query == {"keep": "1", "a": "call", "b": "extra"}


def test_query_encoding_is_escaped() -> None:
    request = build_request(CONFIG, call(method="GET", path="/x", query={"q": "a&b=c"}))
    assert urlsplit(request.url).query == "q=a%26b%3Dc"


# -- headers --------------------------------------------------------------------------


def test_header_precedence_and_removal() -> None:
    config = Config(
        api_key="k", default_headers={"X-Default": "d", "X-Both": "default", "Accept": "*/*"}
    )
    options = make_options(extra_headers={"x-both": "extra", "X-Default": OMIT})
    request = build_request(config, call(headers={"X-Call": "c"}, options=options))
    assert request.header("x-default") is None
    assert request.header("x-both") == "extra"
    assert request.header("x-call") == "c"
    assert request.header("accept") == "*/*"
    names = [name.lower() for name, _ in request.headers]
    assert len(names) == len(set(names))


def test_authorization_can_be_overridden_or_removed() -> None:
    removed = build_request(
        CONFIG, call(options=make_options(extra_headers={"Authorization": OMIT}))
    )
    assert removed.header("authorization") is None
    replaced = build_request(CONFIG, call(headers={"authorization": "Basic x"}))
    assert replaced.header("authorization") == "Basic x"


@pytest.mark.parametrize("value", ["a\r\nInjected: 1", "a\nb", "nul\x00"])
def test_header_values_with_cr_lf_nul_are_rejected(value: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        build_request(CONFIG, call(headers={"X-Bad": value}))
    assert value not in str(info.value)


@pytest.mark.parametrize("name", ["Bad Name", "x:y", "", "a\r\n"])
def test_bad_header_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidRequestError):
        build_request(CONFIG, call(headers={name: "v"}))


@pytest.mark.parametrize("value", [["a"], {"a": 1}, 3, None, b"v"])
def test_header_values_that_are_not_strings_are_rejected(value: object) -> None:
    for _ in range(2):  # also once the valid headers of the call are remembered
        with pytest.raises(InvalidRequestError, match="X-Bad must be a string"):
            build_request(CONFIG, call(headers={"X-Bad": value}))


def test_api_key_with_newline_is_rejected_without_showing_it() -> None:
    config = Config(api_key="sk-secret\nX: y")
    with pytest.raises(InvalidRequestError) as info:
        build_request(config, call())
    assert "sk-secret" not in str(info.value)


def test_no_key_sends_no_authorization() -> None:
    request = build_request(Config(), call())
    assert request.header("authorization") is None


def test_request_repr_redacts_authorization() -> None:
    request = build_request(CONFIG, call())
    assert "sk-test-secret" not in repr(request)
    assert "<redacted>" in repr(request)


def test_per_request_timeout() -> None:
    assert build_request(CONFIG, call(options=make_options(timeout=3))).timeout == Timeout.of(3)
    no_limit = build_request(CONFIG, call(options=make_options(timeout=None))).timeout
    assert no_limit == Timeout(None, None, None, None)


def test_binary_body_is_sent_raw() -> None:
    request = build_request(
        CONFIG,
        call(body=b"\x00\x01", body_kind="binary", headers={"Content-Type": "audio/wav"}),
    )
    assert request.body == b"\x00\x01"
    assert request.header("content-type") == "audio/wav"


# -- the merge, against a plain reference -----------------------------------------------------

#: Names that differ only in case, and values: valid ones, OMIT, and invalid ones.
header_names = st.sampled_from(["X-A", "x-a", "X-B", "x-b", "Accept", "User-Agent", "Bad Name"])
header_values = st.sampled_from(["v", "w", "", "a b", OMIT, "a\nb", "nul\x00", 3])
header_layers = st.lists(st.dictionaries(header_names, header_values, max_size=4), max_size=4)


def reference_merge(layers: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """The rule written plainly: later layers win, names compared lower-cased, OMIT removes,
    any invalid header raises."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        for name, value in layer.items():
            if value is OMIT:
                merged.pop(name.lower(), None)
                continue
            if " " in name or not isinstance(value, str) or any(c in value for c in "\r\n\0"):
                raise InvalidRequestError(name)
            merged[name.lower()] = (name, value)
    return tuple(merged.values())


@given(header_layers)
def test_merge_headers_follows_the_plain_rule(layers: list[dict[str, Any]]) -> None:
    try:
        expected: Any = reference_merge(layers)
    except InvalidRequestError:
        expected = InvalidRequestError
    for _ in range(2):  # the second time, the names are already known to be valid
        try:
            result: Any = merge_headers(*layers)
        except InvalidRequestError:
            result = InvalidRequestError
        assert result == expected


@given(header_layers)
def test_a_request_sends_the_merged_headers_over_the_base_ones(
    layers: list[dict[str, Any]],
) -> None:
    config = Config(api_key="sk-test-secret", default_headers=layers[0] if layers else {})
    headers = layers[1] if len(layers) > 1 else {}
    extra = layers[2] if len(layers) > 2 else {}
    base = {
        "Accept": "application/json",
        "User-Agent": user_agent("sans-io"),
        "Content-Type": "application/json",
    }
    layered: list[Mapping[str, Any]] = [
        base,
        {"Authorization": "Bearer sk-test-secret"},
        config.default_headers,
    ]
    try:
        expected: Any = reference_merge([*layered, headers, extra])
    except InvalidRequestError:
        expected = InvalidRequestError
    options = make_options(extra_headers=extra)
    try:
        request = build_request(
            config, call(body={}, body_kind="json", headers=headers, options=options)
        )
    except InvalidRequestError:
        assert expected is InvalidRequestError
    else:
        assert request.headers == expected


def test_the_remembered_header_names_never_hold_a_credential() -> None:
    config = Config(api_key="sk-remember-me-not", default_headers={"X-Api-Key": "sk-other"})
    build_request(config, call(headers={"X-Custom": "c"}))
    remembered = repr(build._CHECKED_NAMES) + repr(build._checked_base_layer.cache_info())
    assert "x-custom" in remembered
    assert "sk-remember-me-not" not in remembered
    assert "sk-other" not in remembered


def test_dumps_matches_the_standard_encoder() -> None:
    value = {"é": ["✓", 1.5, None, True, {"nested": [1, 2]}], "b": "\u2028\x00"}
    standard = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    assert dumps(value) == standard.encode("utf-8")


def test_dumps_detects_circular_references() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(InvalidRequestError, match="Circular reference"):
        dumps(loop)
    assert dumps([1]) == b"[1]"  # nothing is left over from the failed call
