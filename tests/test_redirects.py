"""Following redirects (:mod:`openai_proto.redirects`): the rules every binding applies."""

from __future__ import annotations

import io
from typing import BinaryIO, cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from openai_proto.http import SENSITIVE_HEADERS, FileSource, Request, ResponseHead, StreamBody
from openai_proto.redirects import CREDENTIALS, NOT_REPLAYABLE, follow, origin_of
from openai_proto.transport import TransportError

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


class _OneShot(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_refuse_a_body_that_cannot_be_sent_again(status: int) -> None:
    one_shot = FileSource(cast(BinaryIO, _OneShot()))
    upload = attrs.evolve(POST, body=StreamBody((b"--b\r\n", one_shot)))
    with pytest.raises(TransportError, match=NOT_REPLAYABLE):
        follow(upload, _redirect(status, "/v1/y"))
    assert follow(upload, _redirect(303, "/v1/y")) is not None  # a GET carries no body


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


def test_origins() -> None:
    assert origin_of("https://Example.com/v1") == ("https", "example.com", 443)
    assert origin_of("HTTP://h:8080/x") == ("http", "h", 8080)
    assert origin_of("http://[::1]/") == ("http", "::1", 80)
    for bad in ("ftp://h/x", "http:///x", "http://h:99999/", "mailto:a@b"):
        with pytest.raises(TransportError):
            origin_of(bad)


def test_a_location_that_is_not_http_raises() -> None:
    with pytest.raises(TransportError, match="unsupported URL scheme 'ftp'"):
        follow(POST, _redirect(302, "ftp://a/x"))


hosts = st.sampled_from(["a", "b", "A"])
schemes = st.sampled_from(["http", "https"])
ports = st.sampled_from(["", ":1", ":80", ":443"])
header_names = st.sampled_from(
    sorted(
        CREDENTIALS | {"X-Team", "Content-Type", "Accept"} | {n.title() for n in SENSITIVE_HEADERS}
    )
)


@given(
    schemes,
    hosts,
    ports,
    schemes,
    hosts,
    ports,
    st.sampled_from([301, 302, 303, 307, 308]),
    st.lists(st.tuples(header_names, st.text("xyz", min_size=1, max_size=3)), max_size=6),
)
def test_credentials_stay_with_their_origin(
    scheme: str,
    host: str,
    port: str,
    to_scheme: str,
    to_host: str,
    to_port: str,
    status: int,
    headers: list[tuple[str, str]],
) -> None:
    """Any redirect: credential headers are kept exactly when the origin is the same;
    every other header is kept (except the body's on a switch to GET)."""
    request = Request("POST", f"{scheme}://{host}{port}/v1/x", tuple(headers), b"{}")
    moved = follow(request, _redirect(status, f"{to_scheme}://{to_host}{to_port}/y"))
    assert moved is not None
    same_origin = origin_of(moved.url) == origin_of(request.url)
    for name, value in headers:
        lowered = name.lower()
        kept = (name, value) in moved.headers
        if lowered in CREDENTIALS:
            assert kept == same_origin
        elif lowered != "content-type" or moved.method == "POST":
            assert kept
