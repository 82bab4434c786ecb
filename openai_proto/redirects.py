"""Following a redirect, decided once for every binding (pure).

:func:`follow` turns a request and a redirect response into the next request:
301/302/303 switch to ``GET`` without a body (``HEAD`` stays ``HEAD``), 307/308 keep
the method and the body, and credentials (``Authorization``, ``api-key`` and the
other :data:`~openai_proto.http.SENSITIVE_HEADERS`, cookies, proxy credentials) never
go to another origin (scheme, host and port).  A binding sends the next request
itself, at most :data:`MAX_REDIRECTS` times; :func:`follow` raises
``TransportError(NOT_REPLAYABLE)`` when the next request must carry a body that cannot be
sent again (:func:`openai_proto.files.is_replayable`).
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import attrs

from openai_proto.files import is_replayable
from openai_proto.http import SENSITIVE_HEADERS, Request, ResponseHead
from openai_proto.transport import TransportError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
#: Why a redirect that must send the body again fails when the body is single-use.
NOT_REPLAYABLE = "cannot follow a redirect: the request body cannot be sent again"
CREDENTIALS = SENSITIVE_HEADERS | {"cookie", "proxy-authorization"}
_BODY_HEADERS = frozenset({"content-length", "content-type", "transfer-encoding"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of an ``http`` or ``https`` URL, host lowercased and
    the port filled in; anything else raises :class:`TransportError`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TransportError(f"invalid URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise TransportError(f"unsupported URL scheme {parts.scheme!r} in {url!r}")
    if not parts.hostname:
        raise TransportError(f"no host in URL {url!r}")
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def follow(request: Request, head: ResponseHead) -> Request | None:
    """The request a redirect ``head`` asks for, or ``None`` when it is not a redirect.

    A ``Location`` that is not an ``http``/``https`` URL, and a 307/308 whose body cannot
    be sent again, raise :class:`TransportError`.
    """
    if head.status not in REDIRECT_STATUSES:  # most responses: no header lookup
        return None
    location = head.header("location")
    if location is None:
        return None
    url = urljoin(request.url, location.strip())
    headers = request.headers
    if origin_of(url) != origin_of(request.url):
        headers = tuple((k, v) for k, v in headers if k.lower() not in CREDENTIALS)
    if _becomes_get(request.method, head.status):
        headers = tuple((k, v) for k, v in headers if k.lower() not in _BODY_HEADERS)
        return attrs.evolve(request, method="GET", url=url, headers=headers, body=b"")
    if not is_replayable(request.body):
        raise TransportError(NOT_REPLAYABLE)
    return attrs.evolve(request, url=url, headers=headers)


def _becomes_get(method: str, status: int) -> bool:
    if method.upper() == "HEAD":
        return False
    return status == 303 or (status in (301, 302) and method.upper() == "POST")


__all__ = [
    "CREDENTIALS",
    "MAX_REDIRECTS",
    "NOT_REPLAYABLE",
    "REDIRECT_STATUSES",
    "follow",
    "origin_of",
]
