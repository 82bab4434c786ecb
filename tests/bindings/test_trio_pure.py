"""The pure parts of the trio binding: pool bookkeeping, content decoding, redirects."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.http import Request, ResponseHead
from openai_proto_trio.decoding import ACCEPT_ENCODING, DecodingError, decoder_for
from openai_proto_trio.pool import Limits, Pool
from openai_proto_trio.urls import BadURL, follow, target_of

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


# -- urls and redirects -----------------------------------------------------------------------


def test_targets() -> None:
    target = target_of("https://Example.com/v1/models?limit=2")
    assert target.origin == ("https", "example.com", 443)
    assert (target.path, target.host_header) == ("/v1/models?limit=2", "example.com")
    assert target_of("http://[::1]:8080").host_header == "[::1]:8080"
    assert target_of("http://h").path == "/"
    for bad in ("ftp://h/x", "http:///x", "http://h:99999/"):
        with pytest.raises(BadURL):
            target_of(bad)


POST = Request(
    "POST",
    "http://a:1/v1/x",
    (("Authorization", "Bearer k"), ("api-key", "k"), ("Content-Type", "json"), ("X-Y", "1")),
    b"{}",
)


def _redirect(status: int, location: str) -> ResponseHead:
    return ResponseHead(status, (("Location", location),))


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_keep_method_and_body(status: int) -> None:
    moved = follow(POST, _redirect(status, "/v1/y"))
    assert moved is not None
    assert (moved.method, moved.url, moved.body, moved.headers) == (
        "POST",
        "http://a:1/v1/y",
        b"{}",
        POST.headers,
    )


@pytest.mark.parametrize("status", [301, 302, 303])
def test_301_302_303_turn_a_post_into_a_get(status: int) -> None:
    moved = follow(POST, _redirect(status, "http://a:1/v1/z"))
    assert moved is not None
    assert (moved.method, moved.body) == ("GET", b"")
    assert moved.header("content-type") is None
    assert moved.header("authorization") == "Bearer k"


@pytest.mark.parametrize("location", ["http://b:1/x", "https://a:1/x", "http://a:2/x"])
def test_credentials_never_go_to_another_origin(location: str) -> None:
    moved = follow(POST, _redirect(307, location))
    assert moved is not None
    assert moved.header("authorization") is None
    assert moved.header("api-key") is None
    assert moved.header("x-y") == "1"


def test_not_a_redirect() -> None:
    assert follow(POST, ResponseHead(200, (("Location", "/x"),))) is None
    assert follow(POST, ResponseHead(302)) is None
