"""The request head as it goes on the wire, written here; h11 only follows the exchange (pure).

h11 checks and serializes each header of each request one by one, which costs more
than everything else in sending a small request.  :func:`render_head` writes the
head with two checks for all the headers together, and :func:`for_h11` gives h11 the
same request cut down to the headers h11 acts on (``Host``, the body framing,
``Connection``, ``Expect``), so its state machine still follows the exchange exactly:
it frames the body, knows whether the connection stays open, and reads the response.

Checks match h11's: a method and header names are RFC 9110 tokens; a target and
header values are ASCII without control characters (tab allowed in values); anything
else raises :class:`h11.LocalProtocolError`, as h11 would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import h11

#: The headers h11 acts on when a client sends a request.
H11_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "expect"})

_TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
_TOKEN_RE = re.compile(_TOKEN)
#: Header names joined by newlines: each one a token.
_NAMES_RE = re.compile(f"{_TOKEN}(?:\n{_TOKEN})*")
#: Header values joined by newlines: no control character but tab (and the joins).
_VALUES_RE = re.compile("[\t\n\x20-\x7e]*")
_TARGET_RE = re.compile("[\x21-\x7e]+")


def render_head(method: str, target: str, headers: Sequence[tuple[str, str]]) -> bytes:
    """``method target HTTP/1.1``, the headers, and the blank line, as ASCII bytes."""
    if not _TOKEN_RE.fullmatch(method):
        raise h11.LocalProtocolError(f"illegal method {method!r}")
    if not _TARGET_RE.fullmatch(target):
        raise h11.LocalProtocolError(f"illegal request target {target!r}")
    if headers:
        if not _NAMES_RE.fullmatch("\n".join([name for name, _ in headers])):
            bad = next(name for name, _ in headers if not _TOKEN_RE.fullmatch(name))
            raise h11.LocalProtocolError(f"illegal header name {bad!r}")
        if not _VALUES_RE.fullmatch("\n".join([value for _, value in headers])):
            bad = next(name for name, value in headers if not _VALUES_RE.fullmatch(value))
            raise h11.LocalProtocolError(f"illegal value in header {bad}")
    lines = [f"{method} {target} HTTP/1.1\r\n"]
    lines += [f"{name}: {value}\r\n" for name, value in headers]
    lines.append("\r\n")
    return "".join(lines).encode("ascii")


def for_h11(method: str, target: str, headers: Sequence[tuple[str, str]]) -> h11.Request:
    """The request as h11 needs to know it: only the headers it acts on.

    Made once per distinct request line and kept headers (h11 events are immutable,
    so one serves every connection): validating them is most of their cost.
    """
    kept = tuple([(name, value) for name, value in headers if name.lower() in H11_HEADERS])
    key = (method, target, kept)
    request = _H11_REQUESTS.get(key)
    if request is None:
        if len(_H11_REQUESTS) >= H11_REQUESTS_KEPT:
            _H11_REQUESTS.clear()
        request = h11.Request(method=method, target=target, headers=list(kept))
        _H11_REQUESTS[key] = request
    return request


#: How many distinct requests :func:`for_h11` keeps (then it starts afresh).
H11_REQUESTS_KEPT = 256
_H11_REQUESTS: dict[tuple[str, str, tuple[tuple[str, str], ...]], h11.Request] = {}
