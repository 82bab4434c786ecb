"""The pure parts of the trio binding: pool bookkeeping, content decoding, URLs,
the request head."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import h11
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto_trio import head
from openai_proto_trio.decoding import ACCEPT_ENCODING, DecodingError, decoder_for
from openai_proto_trio.head import H11_HEADERS, H11_REQUESTS_KEPT, for_h11, render_head
from openai_proto_trio.pool import Limits, Pool
from openai_proto_trio.urls import BadURL, target_of

ORIGINS = [("http", "a", 80), ("https", "b", 443)]

# -- pool -------------------------------------------------------------------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["take", "give_back", "discard", "wait"]),
        st.sampled_from(ORIGINS),
        st.floats(0, 5),
    ),
    max_size=60,
)


@given(operations, st.integers(1, 4), st.floats(0.5, 10))
def test_pool_bookkeeping_keeps_every_connection_in_one_place(
    ops: list[tuple[str, tuple[str, str, int], float]], max_idle: int, idle_timeout: float
) -> None:
    """Each connection is lent, idle or handed back to be closed; never two at once."""
    pool: Pool[int] = Pool(Limits(max_connections=10, max_idle=max_idle, idle_timeout=idle_timeout))
    lent: dict[tuple[str, str, int], list[int]] = {o: [] for o in ORIGINS}
    idle: set[int] = set()
    closed: set[int] = set()
    now, fresh = 0.0, 0
    for op, origin, seconds in ops:
        if op == "wait":
            now += seconds
        elif op == "take":
            connection, expired = pool.take(origin, now)
            closed.update(expired)
            idle.difference_update(expired)
            if connection is None:
                pool.lend(origin)
                fresh += 1
                connection = fresh
            else:
                idle.remove(connection)
            lent[origin].append(connection)
        elif lent[origin]:
            connection = lent[origin].pop()
            if op == "give_back":
                dropped = pool.give_back(origin, connection, now)
                idle.add(connection)
                idle.difference_update(dropped)
                closed.update(dropped)
            else:
                pool.discard(origin)
                closed.add(connection)
        for o in ORIGINS:
            assert pool.lent(o) == len(lent[o])
            assert pool.idle(o) <= max_idle
        assert sum(pool.idle(o) for o in ORIGINS) == len(idle)
        assert not idle & closed
    assert set(pool.drain()) == idle


def test_pool_refuses_to_give_back_what_was_not_lent() -> None:
    with pytest.raises(RuntimeError):
        Pool[int](Limits()).discard(ORIGINS[0])


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        Limits(max_connections=0)
    with pytest.raises(ValueError, match="idle_timeout"):
        Limits(idle_timeout=-1)


# -- decoding ---------------------------------------------------------------------------------


def _cut(data: bytes, sizes: list[int]) -> list[bytes]:
    pieces, start = [], 0
    for size in sizes:
        pieces.append(data[start : start + size])
        start += size
    return [*pieces, data[start:]]


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "deflate": zlib.compress,
    "raw-deflate": _raw_deflate,
}


@given(st.binary(max_size=3000), st.lists(st.integers(1, 300)), st.sampled_from(sorted(ENCODERS)))
def test_decoding_any_cut_gives_the_original(data: bytes, sizes: list[int], kind: str) -> None:
    header = "deflate" if kind == "raw-deflate" else kind
    decoder = decoder_for([header])
    encoded = ENCODERS[kind](data)
    if kind == "raw-deflate" and sizes and sizes[0] < 2:
        sizes = [2, *sizes[1:]]  # the wrapper check needs the first two bytes together
    out = b"".join(decoder.feed(piece) for piece in _cut(encoded, sizes))
    assert out + decoder.flush() == data


def test_stacked_encodings_are_removed_in_reverse() -> None:
    decoder = decoder_for(["deflate", "gzip"])  # deflate applied first, then gzip
    assert decoder.feed(gzip.compress(zlib.compress(b"hello"))) + decoder.flush() == b"hello"


def test_unknown_and_identity_encodings_pass_through() -> None:
    for values in ([], ["identity"], ["br"]):
        decoder = decoder_for(values)
        assert decoder.feed(b"raw") + decoder.flush() == b"raw"
    assert ACCEPT_ENCODING == "gzip, deflate"


def test_corrupt_and_truncated_bodies_raise() -> None:
    with pytest.raises(DecodingError, match="invalid gzip"):
        decoder_for(["gzip"]).feed(b"not gzip at all")
    decoder = decoder_for(["gzip"])
    decoder.feed(gzip.compress(b"x" * 1000)[:-10])
    with pytest.raises(DecodingError, match="truncated"):
        decoder.flush()


# -- urls -----------------------------------------------------------------------------------


def test_targets() -> None:
    target = target_of("https://Example.com/v1/models?limit=2")
    assert target.origin == ("https", "example.com", 443)
    assert (target.path, target.host_header) == ("/v1/models?limit=2", "example.com")
    assert target_of("http://[::1]:8080").host_header == "[::1]:8080"
    assert target_of("http://h").path == "/"
    for bad in ("ftp://h/x", "http:///x", "http://h:99999/"):
        with pytest.raises(BadURL):
            target_of(bad)


# -- the request head -------------------------------------------------------------------------

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=12)
# h11's field-value: visible ASCII, inner runs of spaces and tabs, nothing at either end
values = st.from_regex(r"\A([\x21-\x7e]+([ \t]+[\x21-\x7e]+)*)?\Z")
targets = st.from_regex(r"\A/[\x21-\x7e]{0,30}\Z")
other_headers = st.lists(
    st.tuples(tokens.filter(lambda name: name.lower() not in H11_HEADERS), values), max_size=8
)


def _h11_bytes(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    connection = h11.Connection(h11.CLIENT)
    return connection.send(h11.Request(method=method, target=target, headers=headers)) or b""


@given(tokens, targets, other_headers, st.sampled_from([None, "0", "17"]))
def test_render_head_writes_what_h11_writes(
    method: str, target: str, extra: list[tuple[str, str]], length: str | None
) -> None:
    headers = [("Host", "example.com:8080"), *extra]
    if length is not None:
        headers.append(("Content-Length", length))
    assert render_head(method, target, headers) == _h11_bytes(method, target, headers)


@given(tokens, targets, other_headers, st.sampled_from([None, "0", "17", "chunked"]))
def test_h11_follows_the_cut_down_request_as_the_whole_one(
    method: str, target: str, extra: list[tuple[str, str]], framing: str | None
) -> None:
    """h11's state after the cut-down request equals its state after the whole one,
    and it frames the body the same way."""
    headers = [("Host", "h"), *extra, ("Connection", "close")]
    if framing == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
    elif framing is not None:
        headers.append(("Content-Length", framing))
    whole, cut = h11.Connection(h11.CLIENT), h11.Connection(h11.CLIENT)
    whole.send(h11.Request(method=method, target=target, headers=headers))
    cut.send(for_h11(method, target, headers))
    assert (cut.our_state, cut.their_state) == (whole.our_state, whole.their_state)
    if framing is not None and whole.our_state is h11.SEND_BODY:
        body = b"x" * (17 if framing == "17" else 0 if framing == "0" else 5)
        assert cut.send(h11.Data(data=body)) == whole.send(h11.Data(data=body))
        assert cut.send(h11.EndOfMessage()) == whole.send(h11.EndOfMessage())
        states = {cut.our_state, whole.our_state}
        assert states == {h11.MUST_CLOSE}


@pytest.mark.parametrize(
    ("method", "target", "header"),
    [
        ("GET", "/", ("X-Bad", "a\r\nInjected: 1")),
        ("GET", "/", ("X-Bad", "a\x00b")),
        ("GET", "/", ("X-Bad", "caf\u00e9")),
        ("GET", "/", ("Bad Name", "v")),
        ("GET", "/", ("Bad:Name", "v")),
        ("GET", "/", ("", "v")),
        ("G T", "/", ("X-Ok", "v")),
        ("GET", "/a b", ("X-Ok", "v")),
        ("GET", "/\u00e9", ("X-Ok", "v")),
    ],
)
def test_render_head_refuses_what_cannot_go_on_the_wire(
    method: str, target: str, header: tuple[str, str]
) -> None:
    with pytest.raises(h11.LocalProtocolError):
        render_head(method, target, [("Host", "h"), header])


def test_for_h11_makes_one_event_per_distinct_request() -> None:
    """Only the request line and the headers h11 acts on tell two requests apart; the
    events kept are bounded."""
    first = for_h11(
        "POST", "/v1/x", [("Host", "h"), ("Authorization", "a"), ("Content-Length", "5")]
    )
    again = for_h11(
        "POST", "/v1/x", [("Host", "h"), ("Authorization", "b"), ("Content-Length", "5")]
    )
    assert again is first
    assert [(bytes(k), bytes(v)) for k, v in first.headers] == [
        (b"host", b"h"),
        (b"content-length", b"5"),
    ]
    for other in (
        for_h11("POST", "/v1/x", [("Host", "h"), ("Content-Length", "6")]),
        for_h11("POST", "/v1/y", [("Host", "h"), ("Content-Length", "5")]),
        for_h11("PUT", "/v1/x", [("Host", "h"), ("Content-Length", "5")]),
    ):
        assert other is not first
    for n in range(H11_REQUESTS_KEPT + 1):
        for_h11("GET", f"/{n}", [("Host", "h")])
    assert len(head._H11_REQUESTS) <= H11_REQUESTS_KEPT
