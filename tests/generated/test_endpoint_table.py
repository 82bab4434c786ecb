"""The generated endpoint table against ``resource-map.json`` and the spec, and every
endpoint called by its familiar name in sans-IO mode, built into a request."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

import openai_proto
from openai_proto import Call, Config, build_request
from openai_proto.generated.endpoints import ENDPOINTS, Endpoint
from tests.generated.plausible import (
    PATH_VALUE,
    arguments_from_body,
    documented_bodies,
    endpoints_by_operation,
    param_schemas,
    require_inputs,
    required_arguments,
    resource_map,
    sample,
    spec,
)

CONFIG = Config(api_key="sk-test", base_url="https://api.example.test/v1")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

#: The operations resource-map.json does not name, and the names we give them.
UNMAPPED = {
    ("POST", "/audio/voice_consents"): "audio.voice_consents.create",
    ("GET", "/audio/voice_consents"): "audio.voice_consents.list",
    ("GET", "/audio/voice_consents/{consent_id}"): "audio.voice_consents.retrieve",
    ("POST", "/audio/voice_consents/{consent_id}"): "audio.voice_consents.update",
    ("DELETE", "/audio/voice_consents/{consent_id}"): "audio.voice_consents.delete",
    ("POST", "/audio/voices"): "audio.voices.create",
    (
        "POST",
        "/realtime/translations/client_secrets",
    ): "realtime.translations.client_secrets.create",
}


@pytest.fixture(autouse=True)
def _inputs() -> None:
    require_inputs()


def ident(endpoint: Endpoint) -> str:
    return f"{endpoint.resource}.{endpoint.name}"


def method_of(endpoint: Endpoint) -> Any:
    node: Any = openai_proto.api
    for part in endpoint.resource.split("."):
        node = getattr(node, part)
    return getattr(node, endpoint.name)


def spec_operations() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


# -- the table ------------------------------------------------------------------------


def test_every_resource_map_entry_is_generated_with_its_name_method_and_path() -> None:
    by_name = {ident(e): e for e in ENDPOINTS}
    entries = resource_map()["endpoints"]
    assert len(entries) == 283  # 281 operations; two of them have two names
    for entry in entries:
        endpoint = by_name.get(f"{entry['resource']}.{entry['name']}")
        assert endpoint is not None, entry
        assert (endpoint.method, endpoint.path) == (entry["method"], entry["path"])
        assert endpoint.mapped


def test_every_operation_of_the_spec_is_generated_once_per_name() -> None:
    generated = Counter((e.method, e.path) for e in ENDPOINTS)
    assert set(generated) == spec_operations()
    assert len(generated) == 288
    assert len(ENDPOINTS) == 290
    assert len({ident(e) for e in ENDPOINTS}) == len(ENDPOINTS)


def test_unmapped_operations_are_named_by_convention() -> None:
    unmapped = {(e.method, e.path): ident(e) for e in ENDPOINTS if not e.mapped}
    assert unmapped == UNMAPPED


def test_list_endpoints_are_paged_and_streams_are_known() -> None:
    pages = {ident(e): e.pagination for e in ENDPOINTS if e.pagination}
    assert pages["files.list"] == "cursor"
    assert pages["conversations.items.list"] == "conversation_cursor"
    assert pages["admin.organization.groups.list"] == "next_cursor"
    assert pages["models.list"] == "page"
    assert pages["audio.voice_consents.list"] == "cursor"
    expected_pages = sum("Page[" in entry["returns"] for entry in resource_map()["endpoints"])
    assert len(pages) == expected_pages + 1  # + audio.voice_consents.list
    streaming = sorted(ident(e) for e in ENDPOINTS if e.streaming)
    assert streaming == [
        "audio.transcriptions.create",
        "beta.responses.create",
        "beta.responses.retrieve",
        "beta.threads.create_and_run",
        "beta.threads.runs.create",
        "beta.threads.runs.submit_tool_outputs",
        "chat.completions.create",
        "completions.create",
        "images.edit",
        "images.generate",
        "responses.create",
        "responses.retrieve",
    ]


def test_beta_headers_follow_the_resource() -> None:
    for endpoint in ENDPOINTS:
        if endpoint.resource.startswith(("beta.assistants", "beta.threads", "vector_stores")):
            assert endpoint.beta == "assistants=v2", ident(endpoint)
        elif endpoint.resource.startswith("beta.chatkit"):
            assert endpoint.beta == "chatkit_beta=v1", ident(endpoint)
        elif endpoint.resource.startswith("beta.realtime"):
            assert endpoint.beta == "realtime=v1", ident(endpoint)
        else:
            assert endpoint.beta is None, ident(endpoint)


# -- every endpoint, called -----------------------------------------------------------


def expected_path(endpoint: Endpoint) -> str:
    path = endpoint.path.split("?")[0]
    return "/v1" + re.sub(r"\{[^}]+\}", PATH_VALUE, path)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ident)
def test_endpoint_builds_a_request(endpoint: Endpoint) -> None:
    call = method_of(endpoint)(**required_arguments(endpoint))
    assert isinstance(call, Call)
    request = build_request(CONFIG, call)
    url = urlsplit(request.url)
    assert (request.method, url.path) == (endpoint.method, expected_path(endpoint))
    if "?beta=true" in endpoint.path:
        assert ("beta", "true") in parse_qsl(url.query)
    assert request.header("OpenAI-Beta") == endpoint.beta
    assert call.response_kind == endpoint.response_kind
    assert call.pagination == endpoint.pagination
    if endpoint.accept is not None:
        assert request.header("Accept") == endpoint.accept
    check_body(endpoint, call, request.header("Content-Type"))


def check_body(endpoint: Endpoint, call: Call[Any], content_type: str | None) -> None:
    if endpoint.body_kind == "none":
        assert call.body_kind == "none"
        assert content_type is None
    elif call.body_kind == "json":
        assert content_type == "application/json"
    elif call.body_kind == "multipart":
        assert content_type is not None
        assert content_type.startswith("multipart/form-data; boundary=")
    else:
        assert call.body_kind == "binary"
        assert content_type == "application/sdp"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.streaming], ids=ident)
def test_stream_true_selects_the_event_stream(endpoint: Endpoint) -> None:
    arguments = {**required_arguments(endpoint), "stream": True}
    call = method_of(endpoint)(**arguments)
    request = build_request(CONFIG, call)
    assert call.response_kind == "events"
    assert request.header("Accept") == "text/event-stream"
    if endpoint.method == "GET":
        assert ("stream", "true") in parse_qsl(urlsplit(request.url).query)
    elif call.body_kind == "json":
        assert isinstance(request.body, bytes)
        assert json.loads(request.body)["stream"] is True
    plain = method_of(endpoint)(**required_arguments(endpoint))
    assert plain.response_kind == "json"


QUERY_ENDPOINTS = [e for e in ENDPOINTS if any(p.location == "query" for p in e.params)]


@pytest.mark.parametrize("endpoint", QUERY_ENDPOINTS, ids=ident)
def test_every_query_parameter_reaches_the_url(endpoint: Endpoint) -> None:
    schemas = param_schemas(endpoint)
    arguments = required_arguments(endpoint)
    for param in endpoint.params:
        if param.location == "query" and param.wire != "stream":
            value = sample(schemas[("query", param.wire)])
            arguments[param.name] = value if value not in ([], {}, None) else "v"
    query = urlsplit(build_request(CONFIG, method_of(endpoint)(**arguments)).url).query
    sent = {key.removesuffix("[]").split("[")[0] for key, _ in parse_qsl(query)}
    declared = {p.wire for p in endpoint.params if p.location == "query" and p.wire != "stream"}
    assert declared <= sent


#: Endpoints whose builders filter given parameters into a JSON body or a query.
FILTERING = [
    e
    for e in ENDPOINTS
    if any(
        p.location == "query" or (p.location == "body" and e.body_kind == "json") for p in e.params
    )
]


def optional_params(endpoint: Endpoint) -> list[Any]:
    return [
        p
        for p in endpoint.params
        if not p.required and p.location in ("body", "query") and p.wire != "stream"
    ]


@given(st.data())
def test_builders_send_exactly_the_given_parameters_in_their_order(data: st.DataObject) -> None:
    """Each builder tests every optional parameter for UNSET: the JSON body and the query
    hold the parameters given, under their wire names, in the order they are declared."""
    endpoint = data.draw(st.sampled_from(FILTERING), label="endpoint")
    optional = optional_params(endpoint)
    chosen = data.draw(
        st.lists(st.sampled_from(optional), unique=True) if optional else st.just([])
    )
    check_given(endpoint, chosen)


@pytest.mark.parametrize("endpoint", FILTERING, ids=ident)
def test_builders_send_every_optional_parameter_given(endpoint: Endpoint) -> None:
    check_given(endpoint, optional_params(endpoint))


def check_given(endpoint: Endpoint, chosen: list[Any]) -> None:
    arguments = required_arguments(endpoint)
    for param in chosen:
        arguments[param.name] = f"given {param.name}"
    call = method_of(endpoint)(**arguments)
    given_query = [
        (p.wire, arguments[p.name])
        for p in endpoint.params
        if p.location == "query" and p.name in arguments
    ]
    assert list(call.query.items()) == given_query
    if endpoint.body_kind == "json":
        assert isinstance(call.body, dict)
        given_body = [
            (p.wire, arguments[p.name])
            for p in endpoint.params
            if p.location == "body" and p.name in arguments
        ]
        assert list(call.body.items()) == given_body


BODIES = documented_bodies()


@pytest.mark.parametrize("operation_id", sorted(BODIES))
def test_documented_json_bodies_are_sent_as_documented(operation_id: str) -> None:
    endpoint = endpoints_by_operation()[operation_id][0]
    body = BODIES[operation_id]
    call = method_of(endpoint)(**arguments_from_body(endpoint, body))
    request = build_request(CONFIG, call)
    if call.body_kind != "json":
        pytest.skip(f"{ident(endpoint)} sends {call.body_kind}")
    assert isinstance(request.body, bytes)
    sent = json.loads(request.body)
    assert {key: sent[key] for key in body} == body


def test_documented_bodies_cover_ninety_operations() -> None:
    assert len(BODIES) == 90


def test_keyword_and_bracket_names_are_sent_under_their_wire_names() -> None:
    call = openai_proto.api.beta.threads.runs.steps.list(
        "run_1",
        thread_id="thread_1",
        include=["step_details.tool_calls[*].file_search.results[*].content"],
    )
    url = build_request(CONFIG, call).url
    assert "include%5B%5D=step_details.tool_calls%5B%2A%5D.file_search.results" in url
    renamed = [(p.name, p.wire) for e in ENDPOINTS for p in e.params if p.name != p.wire]
    assert ("betas", "openai-beta") in renamed
    assert all(name.isidentifier() for name, _ in renamed)


def test_beta_feature_header_parameter() -> None:
    call = openai_proto.api.beta.responses.retrieve("resp_1", betas=["responses_multi_agent=v1"])
    request = build_request(CONFIG, call)
    assert request.header("openai-beta") == "responses_multi_agent=v1"
    assert request.url.endswith("/responses/resp_1?beta=true")


def test_files_upload_as_multipart_and_file_ids_as_json() -> None:
    upload = openai_proto.api.containers.files.create("cntr_1", file=("a.txt", b"hello"))
    assert upload.body_kind == "multipart"
    by_id = openai_proto.api.containers.files.create("cntr_1", file_id="file_1")
    assert by_id.body_kind == "json"
    assert build_request(CONFIG, by_id).body == b'{"file_id":"file_1"}'


def test_sdp_offer_alone_is_sent_raw() -> None:
    alone = build_request(CONFIG, openai_proto.api.realtime.calls.create(sdp="v=0"))
    assert (alone.body, alone.header("Content-Type")) == (b"v=0", "application/sdp")
    assert alone.header("Accept") == "application/sdp"
    both = openai_proto.api.realtime.calls.create(sdp="v=0", session={"type": "realtime"})
    request = build_request(CONFIG, both)
    assert isinstance(request.body, bytes)
    assert b'{"type":"realtime"}' in request.body


def test_binary_endpoints_ask_for_binary() -> None:
    assert openai_proto.api.files.content("file_1").cast_to is bytes
    speech = openai_proto.api.audio.speech.create(input="hi", model="tts-1", voice="alloy")
    assert build_request(CONFIG, speech).header("Accept") == "application/octet-stream"
    assert openai_proto.api.files.retrieve_content("file_1").response_kind == "text"
    deleted = openai_proto.api.responses.delete("resp_1")
    assert (deleted.response_kind, deleted.cast_to) == ("empty", None)
