"""The pure parts of the loopback server: the request parser, the script and its plans."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.errors import InvalidRequestError, LocalProtocolError, RemoteProtocolError
from openai_proto.testing import fixtures
from openai_proto.testing.http11 import (
    MAX_CHUNK_LINE_BYTES,
    MalformedRequest,
    ParsedRequest,
    ParserState,
    RequestParser,
)
from openai_proto.testing.script import (
    Action,
    Close,
    Pause,
    Reply,
    Reset,
    Script,
    Send,
    SSEEvent,
    cut,
    demo_script,
    error_reply,
    json_reply,
    plan,
    render_head,
    retry_after_reply,
    sse_events,
    sse_reply,
)

# -- helpers ----------------------------------------------------------------------------------


def parse_all(*pieces: bytes, max_head_bytes: int = 65536) -> list[ParsedRequest]:
    parser = RequestParser(max_head_bytes)
    return [request for piece in pieces for request in parser.feed(piece)]


def outcome(pieces: list[bytes], max_head_bytes: int = 64) -> tuple[list[ParsedRequest], int]:
    """The requests parsed from ``pieces``, and the error status (0 if none)."""
    parser = RequestParser(max_head_bytes)
    requests: list[ParsedRequest] = []
    for piece in pieces:
        try:
            requests += parser.feed(piece)
        except MalformedRequest as error:
            return requests + error.parsed, error.status
    return requests, 0


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    edges = [0, *sorted({c % (len(data) + 1) for c in cuts}), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def body_sent(actions: list[Action]) -> bytes:
    """The bytes sent after the head."""
    sends = [a.data for a in actions if isinstance(a, Send)]
    return b"".join(sends[1:])


def unchunk(framed: bytes) -> bytes:
    """Decode a chunked body with the request parser (same framing as a response)."""
    head = b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"
    (request,) = parse_all(head + framed)
    return request.body


# -- the request parser -----------------------------------------------------------------------


def test_parses_a_request_without_body() -> None:
    (request,) = parse_all(b"GET /v1/models?limit=2 HTTP/1.1\r\nHost: x\r\nX-Thing:  a b \r\n\r\n")
    assert request.method == "GET"
    assert request.target == "/v1/models?limit=2"
    assert request.path == "/v1/models"
    assert request.query == "limit=2"
    assert request.headers == (("Host", "x"), ("X-Thing", "a b"))
    assert request.header("x-thing") == "a b"
    assert request.header("missing") is None
    assert request.body == b""
    assert request.keep_alive


def test_absolute_form_target_has_a_path() -> None:
    (request,) = parse_all(b"GET http://example.com/v1/x?y=1 HTTP/1.1\r\n\r\n")
    assert request.path == "/v1/x"


def test_content_length_body_and_keep_alive() -> None:
    data = (
        b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        b"POST /b HTTP/1.1\r\ncontent-length: 0\r\n\r\n"
    )
    first, second = parse_all(data)
    assert (first.path, first.body) == ("/a", b"hello")
    assert (second.path, second.body) == ("/b", b"")


def test_chunked_body_with_extensions_and_trailers() -> None:
    data = (
        b"POST /up HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Trailer: yes\r\n\r\n"
        b"GET /next HTTP/1.1\r\n\r\n"
    )
    first, second = parse_all(data)
    assert first.body == b"hello, world!!!"
    assert second.path == "/next"


def test_repeated_equal_content_lengths_are_accepted() -> None:
    (request,) = parse_all(
        b"POST / HTTP/1.1\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok"
    )
    assert request.body == b"ok"
    assert request.header_values("content-length") == ["2, 2", "2"]


def test_empty_lines_before_a_request_are_ignored() -> None:
    (request,) = parse_all(b"\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert request.path == "/"


def test_connection_close_ends_the_connection() -> None:
    parser = RequestParser()
    requests = parser.feed(
        b"GET /a HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\nGET /b HTTP/1.1\r\n\r\n"
    )
    assert [r.path for r in requests] == ["/a"]
    assert not requests[0].keep_alive
    assert parser.state is ParserState.CLOSED
    assert parser.feed(b"GET /c HTTP/1.1\r\n\r\n") == []
    assert not parser.pending


@pytest.mark.parametrize(
    ("connection", "keep_alive"), [(b"", False), (b"Connection: keep-alive\r\n", True)]
)
def test_http_1_0_closes_unless_asked(connection: bytes, keep_alive: bool) -> None:
    (request,) = parse_all(b"GET / HTTP/1.0\r\n" + connection + b"\r\n")
    assert request.http_version == "1.0"
    assert request.keep_alive is keep_alive


def test_pending_tracks_partial_requests() -> None:
    parser = RequestParser()
    assert not parser.pending
    parser.feed(b"GET / HT")
    assert parser.pending
    parser.feed(b"TP/1.1\r\n\r\n")
    assert not parser.pending


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GET /\r\n\r\n", 400),
        (b"GET  / HTTP/1.1\r\n\r\n", 400),
        (b"G(T / HTTP/1.1\r\n\r\n", 400),
        (b"GET /\x7f HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1.x\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nName : v\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nA: b\nc\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", 400),
    ],
)
def test_malformed_requests_carry_a_status(data: bytes, status: int) -> None:
    with pytest.raises(MalformedRequest) as caught:
        parse_all(data)
    assert caught.value.status == status
    assert isinstance(caught.value, RemoteProtocolError)


def test_oversized_head_is_431_before_it_ends() -> None:
    parser = RequestParser(max_head_bytes=100)
    parser.feed(b"GET / HTTP/1.1\r\nX: " + b"a" * 70)
    with pytest.raises(MalformedRequest) as caught:
        parser.feed(b"a" * 40)
    assert caught.value.status == 431


def test_head_exactly_at_the_limit_is_accepted() -> None:
    head = b"GET / HTTP/1.1\r\nX: " + b"a" * 100
    head += b"b" * (200 - len(head))
    data = head + b"\r\n\r\n"
    (request,) = parse_all(data, max_head_bytes=200)
    assert request.header("x") == "a" * 100 + "b" * (200 - 119)
    assert parse_all(*(data[i : i + 1] for i in range(len(data))), max_head_bytes=200) == [request]
    with pytest.raises(MalformedRequest):
        parse_all(head + b"c\r\n\r\n", max_head_bytes=200)


def test_oversized_trailers_and_chunk_lines_are_rejected() -> None:
    start = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    with pytest.raises(MalformedRequest) as caught:
        parse_all(start + b"0\r\nX: " + b"a" * 300, max_head_bytes=100)
    assert caught.value.status == 431
    with pytest.raises(MalformedRequest) as caught:
        parse_all(start + b"1;" + b"x" * MAX_CHUNK_LINE_BYTES)
    assert caught.value.status == 400


def test_error_keeps_the_requests_parsed_before_it() -> None:
    parser = RequestParser()
    with pytest.raises(MalformedRequest) as caught:
        parser.feed(b"GET /ok HTTP/1.1\r\n\r\nBROKEN\r\n\r\n")
    assert [r.path for r in caught.value.parsed] == ["/ok"]
    assert parser.state is ParserState.ERROR
    with pytest.raises(LocalProtocolError):
        parser.feed(b"GET / HTTP/1.1\r\n\r\n")


def test_repr_hides_secrets_and_body() -> None:
    request = ParsedRequest("POST", "/", (("Authorization", "Bearer sk-secret"),), b"{}")
    assert "sk-secret" not in repr(request)
    assert "<2 bytes>" in repr(request)


def test_json_body() -> None:
    assert ParsedRequest("POST", "/", body=b'{"a": 1}').json() == {"a": 1}
    for bad in (b"{", b"\xff"):
        with pytest.raises(RemoteProtocolError):
            ParsedRequest("POST", "/", body=bad).json()


# -- parser properties ------------------------------------------------------------------------

tokens = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
    min_size=1,
    max_size=12,
)
values = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)
header_lists = st.lists(
    st.tuples(
        tokens.filter(
            lambda n: n.lower() not in {"content-length", "transfer-encoding", "connection"}
        ),
        values,
    ),
    max_size=4,
)


@st.composite
def requests(draw: st.DrawFn) -> tuple[ParsedRequest, bytes]:
    """A request and its bytes, with a Content-Length or a chunked body."""
    method = draw(st.sampled_from(["GET", "POST", "DELETE", "PATCH"]))
    target = "/" + draw(st.text(alphabet="abcxyz/?=&", max_size=15))
    headers = draw(header_lists)
    body = draw(st.binary(max_size=60))
    if draw(st.booleans()):
        framing = ("Transfer-Encoding", "chunked")
        pieces = [p for p in split_at(body, draw(st.lists(st.integers(0, 60), max_size=4))) if p]
        wire = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    else:
        framing, wire = ("Content-Length", str(len(body))), body
    all_headers = (*headers, framing)
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers)
    return ParsedRequest(method, target, all_headers, body), head.encode() + b"\r\n" + wire


@given(st.lists(requests(), min_size=1, max_size=4), st.lists(st.integers(0, 2000), max_size=12))
def test_parsing_is_independent_of_chunking(
    cases: list[tuple[ParsedRequest, bytes]], cuts: list[int]
) -> None:
    data = b"".join(wire for _, wire in cases)
    expected = [request for request, _ in cases]
    assert parse_all(data, max_head_bytes=10_000) == expected
    assert parse_all(*split_at(data, cuts), max_head_bytes=10_000) == expected


@given(
    st.lists(requests(), max_size=3),
    st.binary(max_size=80),
    st.integers(0, 400),
    st.lists(st.integers(0, 2000), max_size=10),
)
def test_any_bytes_parse_or_raise_malformed_request_the_same_way(
    cases: list[tuple[ParsedRequest, bytes]], noise: bytes, at: int, cuts: list[int]
) -> None:
    data = b"".join(wire for _, wire in cases)
    at %= len(data) + 1
    data = data[:at] + noise + data[at:]
    whole = outcome([data])
    assert outcome(split_at(data, cuts)) == whole
    assert outcome([data[i : i + 1] for i in range(len(data))]) == whole


# -- plans ------------------------------------------------------------------------------------


def test_plain_reply_plan() -> None:
    reply = Reply(201, (("x-a", "1"),), b"hello")
    assert plan(reply) == [
        Send(b"HTTP/1.1 201 Created\r\nx-a: 1\r\ncontent-length: 5\r\n\r\n"),
        Send(b"hello"),
    ]


def test_empty_and_bodyless_replies() -> None:
    assert plan(Reply()) == [Send(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")]
    assert plan(Reply(204)) == [Send(b"HTTP/1.1 204 No Content\r\n\r\n")]
    assert render_head(Reply(599), b"").startswith(b"HTTP/1.1 599 Unknown\r\n")


@pytest.mark.parametrize(
    ("chunks", "pieces"),
    [
        (None, [b"abcdefg"]),
        (3, [b"abc", b"def", b"g"]),
        (1, [b"a", b"b", b"c", b"d", b"e", b"f", b"g"]),
        ((2, 5), [b"ab", b"cde", b"fg"]),
        ([5, 2, 2, 0, 7, 99], [b"ab", b"cde", b"fg"]),
    ],
)
def test_chunks_cut_the_body(chunks: int | list[int] | None, pieces: list[bytes]) -> None:
    reply = Reply(body=b"abcdefg", chunks=chunks, delay_between_chunks=0.5)
    actions = plan(reply)
    expected: list[Action] = []
    for piece in pieces:
        expected += [Pause(0.5), Send(piece)]
    assert actions[1:] == expected


@given(
    st.binary(max_size=50), st.one_of(st.none(), st.integers(1, 20), st.lists(st.integers(0, 60)))
)
def test_cut_pieces_are_non_empty_and_rebuild_the_body(
    body: bytes, chunks: int | list[int] | None
) -> None:
    reply = Reply(body=body, chunks=chunks)
    pieces = cut(body, reply.chunks)
    assert b"".join(pieces) == body
    assert all(pieces)


def test_delay_before_head() -> None:
    actions = plan(Reply(body=b"x", delay_before_head=2.0))
    assert actions[0] == Pause(2.0)
    assert isinstance(actions[1], Send)


@pytest.mark.parametrize(("field", "fault"), [("reset_after", Reset()), ("close_after", Close())])
def test_faults_after_some_body_bytes(field: str, fault: Action) -> None:
    reply = Reply(body=b"abcdefgh", chunks=3, delay_before_head=1.0)
    head = plan(reply)[1]
    assert plan(reply.replace(**{field: 0})) == [Pause(1.0), fault]
    assert plan(reply.replace(**{field: 4})) == [Pause(1.0), head, Send(b"abc"), Send(b"d"), fault]
    assert plan(reply.replace(**{field: 8}))[-1] == fault
    assert body_sent(plan(reply.replace(**{field: 100}))) == b"abcdefgh"


def test_fault_after_a_complete_chunked_body_sends_the_terminator_first() -> None:
    reply = Reply(body=b"abc", chunked=True)
    assert plan(reply.replace(reset_after=3))[-2:] == [Send(b"0\r\n\r\n"), Reset()]
    assert Send(b"0\r\n\r\n") not in plan(reply.replace(reset_after=2))


def test_lying_content_length_closes_after_the_reply() -> None:
    actions = plan(Reply(body=b"short", content_length=100))
    assert isinstance(actions[0], Send)
    assert b"content-length: 100\r\n" in actions[0].data
    assert actions[-1] == Close()
    assert plan(Reply(body=b"exact", content_length=5))[-1] == Send(b"exact")


def test_connection_close_header_closes_after_the_reply() -> None:
    assert plan(Reply(headers=[("Connection", "close")]))[-1] == Close()


def test_duplicate_and_raw_headers() -> None:
    reply = Reply(
        headers=[("set-cookie", "a=1"), ("set-cookie", "b=2")],
        raw_headers=[b"x-raw:no space", b"not even a header"],
    )
    head = render_head(reply, b"")
    assert head == (
        b"HTTP/1.1 200 OK\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ncontent-length: 0\r\n"
        b"x-raw:no space\r\nnot even a header\r\n\r\n"
    )


def test_gzip_compresses_then_cuts() -> None:
    body = b"hello " * 100
    actions = plan(Reply(body=body, gzip=True, chunks=10))
    assert isinstance(actions[0], Send)
    assert b"content-encoding: gzip\r\n" in actions[0].data
    sent = body_sent(actions)
    assert gzip.decompress(sent) == body
    assert f"content-length: {len(sent)}\r\n".encode() in actions[0].data
    assert plan(Reply(body=body, gzip=True)) == plan(Reply(body=body, gzip=True))  # mtime fixed


@given(
    st.binary(max_size=100), st.one_of(st.none(), st.integers(1, 20), st.lists(st.integers(0, 100)))
)
def test_chunked_framing_decodes_to_the_body(body: bytes, chunks: int | list[int] | None) -> None:
    actions = plan(Reply(body=body, chunks=chunks, chunked=True))
    assert isinstance(actions[0], Send)
    assert b"transfer-encoding: chunked\r\n" in actions[0].data
    assert b"content-length" not in actions[0].data
    assert unchunk(body_sent(actions)) == body


@pytest.mark.parametrize(
    "changes",
    [
        {"status": 99},
        {"status": 1000},
        {"reset_after": 1, "close_after": 1},
        {"reset_after": -1},
        {"delay_before_head": -0.1},
        {"chunks": 0},
        {"chunks": [3, -1]},
        {"headers": [("x", "a\r\nb")]},
        {"headers": [("x", "caf\u00e9")]},
    ],
)
def test_invalid_replies_are_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidRequestError):
        Reply(**changes)  # type: ignore[arg-type]


# -- convenience constructors -----------------------------------------------------------------


def test_sse_events_rendering() -> None:
    body = sse_events(
        [
            {"a": 1, "b": [True, None]},
            "raw text",
            "two\nlines",
            SSEEvent('{"x":1}', event="thing", id="7"),
        ]
    )
    assert body == (
        b'data: {"a":1,"b":[true,null]}\n\n'
        b"data: raw text\n\n"
        b"data: two\ndata: lines\n\n"
        b'event: thing\nid: 7\ndata: {"x":1}\n\n'
        b"data: [DONE]\n\n"
    )
    assert sse_events([], done=False) == b""


def test_sse_reply_sends_each_event_apart_chunked() -> None:
    reply = sse_reply([{"n": 1}, {"n": 2}], headers=[("x-extra", "1")])
    assert reply.header("content-type") == "text/event-stream; charset=utf-8"
    assert reply.header("x-extra") == "1"
    sends = [a.data for a in plan(reply) if isinstance(a, Send)]
    assert sends[1:] == [
        b'f\r\ndata: {"n":1}\n\n\r\n',
        b'f\r\ndata: {"n":2}\n\n\r\n',
        b"e\r\ndata: [DONE]\n\n\r\n",
        b"0\r\n\r\n",
    ]


def test_json_and_error_replies() -> None:
    reply = json_reply({"a": "\u00e9"}, 202, [("x", "y")])
    assert (reply.status, reply.header("content-type"), reply.header("x")) == (
        202,
        "application/json",
        "y",
    )
    assert json.loads(reply.body) == {"a": "\u00e9"}
    error = error_reply(400, "bad", "bad_thing", param="model")
    assert json.loads(error.body) == {
        "error": {
            "message": "bad",
            "type": "invalid_request_error",
            "param": "model",
            "code": "bad_thing",
        }
    }
    assert json.loads(error_reply(503, "down").body)["error"]["type"] == "server_error"
    assert json.loads(error_reply(418, "tea", type="custom").body)["error"]["type"] == "custom"


@pytest.mark.parametrize(
    ("seconds", "header"),
    [
        (1, "1"),
        (0.5, "0.5"),
        (2.0, "2"),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT"),
    ],
)
def test_retry_after_reply(seconds: float | str, header: str) -> None:
    reply = retry_after_reply(seconds)
    assert reply.status == 429
    assert reply.header("retry-after") == header
    assert json.loads(reply.body)["error"]["code"] == "rate_limit_exceeded"
    assert retry_after_reply(1, status=503).status == 503


# -- the script -------------------------------------------------------------------------------


def request(method: str = "GET", target: str = "/v1/x", body: bytes = b"") -> ParsedRequest:
    return ParsedRequest(method, target, body=body)


def test_queue_then_handler_then_404() -> None:
    script = (
        Script()
        .enqueue("get", "/v1/x", Reply(201), Reply(202))
        .route("GET", "/v1/x", lambda r: Reply(299))
    )
    assert script.pending() == 2
    statuses = [script.respond(request(target="/v1/x?after=1")).status for _ in range(4)]
    assert statuses == [201, 202, 299, 299]
    assert script.pending() == 0
    missing = script.respond(request("POST", "/v1/x"))
    assert missing.status == 404
    assert json.loads(missing.body)["error"]["message"] == "Invalid URL (POST /v1/x)"


def test_request_ids_are_deterministic_and_kept_when_given() -> None:
    script = Script().enqueue("GET", "/v1/x", Reply(), Reply(headers=[("X-Request-Id", "mine")]))
    ids = [script.respond(request()).header("x-request-id") for _ in range(3)]
    assert ids == ["req_1", "mine", "req_3"]
    assert script.request_count == 3


def test_broken_handlers_answer_500() -> None:
    def explode(_request: ParsedRequest) -> Reply:
        raise RuntimeError("boom")

    script = Script().route("GET", "/a", explode).route("GET", "/b", lambda r: "nope")  # type: ignore[arg-type,return-value]
    for target, text in (("/a", "boom"), ("/b", "not a Reply")):
        reply = script.respond(request(target=target))
        assert reply.status == 500
        assert text in json.loads(reply.body)["error"]["message"]


def chat(payload: object) -> Reply:
    return demo_script().respond(
        request("POST", "/v1/chat/completions", json.dumps(payload).encode())
    )


def test_demo_answers_a_chat_completion() -> None:
    reply = chat({"model": "gpt-test", "messages": [{"role": "user", "content": "hi"}]})
    assert reply.status == 200
    assert reply.header("x-request-id") == "req_1"
    assert json.loads(reply.body) == fixtures.chat_completion("gpt-test")


def sse_data(reply: Reply) -> list[object]:
    lines = reply.body.decode().split("\n\n")
    assert lines[-1] == ""
    return [line.removeprefix("data: ") for line in lines[:-1]]


@pytest.mark.parametrize("include_usage", [False, True])
def test_demo_streams_chunks_like_the_api(include_usage: bool) -> None:
    payload = {
        "model": "m",
        "messages": [],
        "stream": True,
        "stream_options": {"include_usage": include_usage},
    }
    reply = chat(payload)
    assert reply.chunked
    *chunks, done = sse_data(reply)
    assert done == "[DONE]"
    parsed = [json.loads(str(c)) for c in chunks]
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "m" for c in parsed)
    assert parsed[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in parsed if c["choices"])
    assert text == fixtures.chat_completion()["choices"][0]["message"]["content"]
    finishes = [c["choices"][0]["finish_reason"] for c in parsed if c["choices"]]
    assert finishes == [None] * (len(finishes) - 1) + ["stop"]
    if include_usage:
        assert parsed[-1]["choices"] == []
        assert parsed[-1]["usage"]["total_tokens"] == 28
        assert all(c["usage"] is None for c in parsed[:-1])
    else:
        assert all("usage" not in c for c in parsed)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "could not parse"),
        (b"[]", "JSON object"),
        (b'{"messages": []}', "model"),
        (b'{"model": "m"}', "messages"),
    ],
)
def test_demo_rejects_bad_bodies(body: bytes, message: str) -> None:
    reply = demo_script().respond(request("POST", "/v1/chat/completions", body))
    assert reply.status == 400
    assert message in json.loads(reply.body)["error"]["message"]


def test_fixtures_are_fresh_objects() -> None:
    first = fixtures.chat_completion()
    first["id"] = "changed"
    assert fixtures.chat_completion()["id"] == fixtures.COMPLETION_ID
