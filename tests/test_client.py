from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AsyncClient,
    Client,
    Config,
    InternalServerError,
    LocalProtocolError,
    MissingCredentialsError,
    NotFoundError,
    RateLimitError,
    RawResponse,
    Request,
    TransportError,
    TransportTimeout,
)
from openai_proto.testing.memory import (
    AsyncMemoryTransport,
    MemoryTransport,
    Outcome,
    Reply,
    json_reply,
    replay,
)
from tests.helpers import run_now, sequence

OK = json_reply({"id": "chatcmpl-1", "object": "chat.completion"}, headers=[("x-request-id", "r1")])


def config(**kwargs: Any) -> Config:
    kwargs.setdefault("api_key", "sk-test")
    kwargs.setdefault("base_url", "http://api.test/v1")
    kwargs.setdefault("random", sequence(0.0))
    kwargs.setdefault("clock", lambda: 1_700_000_000.0)
    return Config(**kwargs)


def sync_client(*outcomes: Outcome, **kwargs: Any) -> tuple[Client, MemoryTransport]:
    transport = MemoryTransport(replay(*outcomes))
    return Client(transport, config(**kwargs)), transport


def test_json_call_decodes() -> None:
    client, transport = sync_client(OK)
    result = client.post("/chat/completions", body={"model": "m"})
    assert result == {"id": "chatcmpl-1", "object": "chat.completion"}
    assert transport.requests[0].url == "http://api.test/v1/chat/completions"
    assert transport.requests[0].body == b'{"model":"m"}'
    assert transport.open_responses == 0
    assert transport.sleeps == []


def test_429_with_retry_after_is_retried() -> None:
    limited = json_reply({"error": {"message": "slow down"}}, 429, [("retry-after", "0.05")])
    client, transport = sync_client(limited, OK)
    assert client.get("/models")["id"] == "chatcmpl-1"
    assert transport.sleeps == [0.05]
    assert len(transport.requests) == 2
    assert transport.open_responses == 0


def test_500_after_retries_raises_with_request_id() -> None:
    failing = json_reply({"error": {"message": "boom"}}, 500, [("x-request-id", "req_500")])
    client, transport = sync_client(failing)
    with pytest.raises(InternalServerError) as info:
        client.get("/models")
    assert info.value.request_id == "req_500"
    assert info.value.status_code == 500
    assert len(transport.requests) == 3
    assert transport.sleeps == [0.5, 1.0]
    assert transport.open_responses == 0


def test_non_retryable_status_raises_at_once() -> None:
    client, transport = sync_client(json_reply({"error": {"message": "nope"}}, 404))
    with pytest.raises(NotFoundError):
        client.get("/files/x")
    assert len(transport.requests) == 1


def test_timeout_then_success() -> None:
    client, transport = sync_client(TransportTimeout("read"), OK)
    assert client.get("/x")["object"] == "chat.completion"
    assert len(transport.sleeps) == 1


def test_timeouts_exhausted_raise_api_timeout_error() -> None:
    client, _ = sync_client(TransportTimeout("read"), max_retries=1)
    with pytest.raises(APITimeoutError) as info:
        client.get("/x")
    assert isinstance(info.value.__cause__, TransportTimeout)
    assert isinstance(info.value.request, Request)


def test_reset_mid_body_raises_connection_error_after_retries() -> None:
    broken = Reply(200, (), (b'{"id":',), fail_with=TransportError("reset"), fail_after=1)
    client, transport = sync_client(broken)
    with pytest.raises(APIConnectionError) as info:
        client.get("/x")
    assert not isinstance(info.value, APITimeoutError)
    assert len(transport.requests) == 3
    assert transport.open_responses == 0


def test_per_request_max_retries() -> None:
    client, transport = sync_client(json_reply({}, 503))
    with pytest.raises(InternalServerError):
        client.get("/x", options={"max_retries": 0})
    assert len(transport.requests) == 1


def test_with_options_shares_transport() -> None:
    client, transport = sync_client(json_reply({}, 503))
    quiet = client.with_options(max_retries=0)
    with pytest.raises(InternalServerError):
        quiet.get("/x")
    assert quiet.transport is transport
    assert client.config.max_retries == 2


def test_key_provider_is_called_on_every_attempt() -> None:
    keys = iter(["sk-1", "sk-2", "sk-3"])
    client, transport = sync_client(json_reply({}, 500), OK, api_key=lambda: next(keys))
    client.get("/x")
    assert [r.header("authorization") for r in transport.requests] == [
        "Bearer sk-1",
        "Bearer sk-2",
    ]


def test_async_key_provider_on_sync_client_is_a_clear_error() -> None:
    async def provider() -> str:
        return "sk"

    client, _ = sync_client(OK, api_key=provider)
    with pytest.raises(MissingCredentialsError, match="async"):
        client.get("/x")


def test_async_key_provider_is_awaited() -> None:
    async def provider() -> str:
        return "sk-async"

    transport = AsyncMemoryTransport(replay(OK))
    client = AsyncClient(transport, config(api_key=provider))
    run_now(client.get("/x"))
    assert transport.requests[0].header("authorization") == "Bearer sk-async"


def test_invalid_json_body_is_a_validation_error() -> None:
    client, _ = sync_client(Reply(200, (), (b"<html>",)))
    with pytest.raises(APIResponseValidationError, match="html"):
        client.get("/x")


def test_raw_response_gives_status_headers_and_parse() -> None:
    client, _ = sync_client(OK)
    raw = client.with_raw_response.get("/x")
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.request_id == "r1"
    assert raw.header("content-type") == "application/json"
    assert raw.retries_taken == 0
    assert raw.parse() == {"id": "chatcmpl-1", "object": "chat.completion"}
    assert json.loads(raw.text) == raw.json()


def test_binary_and_text_and_empty_casts() -> None:
    client, _ = sync_client(Reply(200, (), (b"ab", b"cd")))
    assert client.get("/f", cast_to=bytes) == b"abcd"
    assert client.get("/f", cast_to=str) == "abcd"
    assert client.delete("/f", cast_to=None) is None


def test_streamed_response_lines_and_close() -> None:
    body = (b"data: 1\n\nda", b"ta: 2\r\n\r\n")
    client, transport = sync_client(Reply(200, (), body))
    with client.post("/chat/completions", body={"stream": True}, stream=True) as stream:
        assert transport.open_responses == 1
        assert stream.http_request.header("accept") == "text/event-stream"
        lines = list(stream.iter_lines())
    assert lines == ["data: 1", "", "data: 2", ""]
    assert transport.open_responses == 0


def test_leaving_a_stream_early_closes_it() -> None:
    client, transport = sync_client(Reply(200, (), (b"a\n", b"b\n", b"c\n")))
    with client.get("/x", stream=True) as stream:
        for _line in stream.iter_lines():
            break
    assert transport.open_responses == 0


def test_stream_body_can_be_read_once() -> None:
    client, _ = sync_client(Reply(200, (), (b"x",)))
    stream = client.get("/x", stream=True)
    assert stream.read() == b"x"
    with pytest.raises(LocalProtocolError):
        stream.read()


def test_streamed_error_status_raises_before_streaming() -> None:
    client, transport = sync_client(json_reply({"error": {"message": "m"}}, 429), max_retries=0)
    with pytest.raises(RateLimitError):
        client.post("/chat/completions", body={}, stream=True)
    assert transport.open_responses == 0


def test_client_context_manager_closes_transport() -> None:
    client, transport = sync_client(OK)
    with client:
        pass
    assert transport.closed


# -- sync and async agreement ---------------------------------------------------------

outcome_strategy = st.one_of(
    st.builds(
        lambda status, after: json_reply(
            {"error": {"message": "x"}} if status >= 400 else {"ok": status},
            status,
            [("retry-after", after)] if after else [],
        ),
        st.sampled_from([200, 201, 400, 404, 408, 409, 429, 500, 503]),
        st.sampled_from([None, "0.01", "2", "500", "junk"]),
    ),
    st.builds(TransportTimeout, st.just("timeout")),
    st.builds(TransportError, st.just("reset")),
    st.builds(
        lambda n: Reply(200, (), (b"{",), fail_with=TransportError("mid-body"), fail_after=n),
        st.integers(0, 1),
    ),
)


def _outcome_of(run: Any) -> tuple[str, Any]:
    try:
        return "value", run()
    except APIError as exc:
        return type(exc).__name__, str(exc)


@given(
    st.lists(outcome_strategy, min_size=1, max_size=6),
    st.integers(0, 4),
    st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=4),
)
def test_sync_and_async_make_same_requests_and_sleeps(
    outcomes: list[Outcome], max_retries: int, draws: list[float]
) -> None:
    sync_transport = MemoryTransport(replay(*outcomes))
    async_transport = AsyncMemoryTransport(replay(*outcomes))
    sync = Client(sync_transport, config(max_retries=max_retries, random=sequence(*draws)))
    aio = AsyncClient(async_transport, config(max_retries=max_retries, random=sequence(*draws)))
    sync_result = _outcome_of(lambda: sync.post("/x", body={"a": 1}))
    async_result = _outcome_of(lambda: run_now(aio.post("/x", body={"a": 1})))
    assert sync_result == async_result
    assert sync_transport.requests == async_transport.requests
    assert sync_transport.sleeps == async_transport.sleeps
    assert len(sync_transport.requests) <= max_retries + 1
    assert sync_transport.open_responses == async_transport.open_responses == 0


def test_secrets_never_reach_logs_reprs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    secret = "sk-very-secret-key"
    caplog.set_level("DEBUG", logger="openai_proto")
    client, transport = sync_client(
        json_reply({"error": {"message": "busy"}}, 503),
        TransportError("reset"),
        api_key=secret,
        organization="org-visible",
        max_retries=1,
    )
    with pytest.raises(APIError) as info:
        client.get("/models?key=should-not-log")
    assert caplog.records, "retries are logged"
    texts = [
        caplog.text,
        repr(client.config),
        repr(transport.requests),
        str(info.value),
        repr(info.value),
        repr(info.value.request),
    ]
    for text in texts:
        assert secret not in text
    assert "should-not-log" not in caplog.text


def test_model_result_from_a_non_object_is_a_validation_error() -> None:
    import attrs

    from openai_proto.models import UNSET, Model, UnsetType

    @attrs.define
    class Thing(Model):
        id: str | UnsetType = UNSET

    client, _ = sync_client(json_reply([1, 2]))
    with pytest.raises(APIResponseValidationError, match="JSON object for Thing"):
        client.get("/thing", cast_to=Thing)
    client, _ = sync_client(json_reply({"id": "t1", "new": True}, headers=[("x-request-id", "r")]))
    thing = client.get("/thing", cast_to=Thing)
    assert isinstance(thing, Thing)
    assert (thing.id, thing.model_extra, thing._request_id) == ("t1", {"new": True}, "r")
