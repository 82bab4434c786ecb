"""Where a request goes, and where a redirect sends it next (pure).

:func:`target_of` splits a URL into what a connection needs (origin, request
target, ``Host`` header).  :func:`follow` turns a request and a redirect response
into the next request: 301/302/303 switch to ``GET`` without a body (``HEAD`` stays),
307/308 keep method and body, and credentials (``Authorization``, ``api-key``,
cookies) are never sent to another origin.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import attrs

from openai_proto.http import SENSITIVE_HEADERS, Request, ResponseHead
from openai_proto_trio.pool import Origin

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CREDENTIALS = SENSITIVE_HEADERS | {"cookie", "proxy-authorization"}
_BODY_HEADERS = frozenset({"content-length", "content-type", "transfer-encoding"})


class BadURL(ValueError):
    """A URL this binding cannot connect to."""


@attrs.frozen
class Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> Origin:
        return (self.scheme, self.host, self.port)

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


def target_of(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadURL(f"invalid URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise BadURL(f"unsupported URL scheme {parts.scheme!r} in {url!r}")
    if not parts.hostname:
        raise BadURL(f"no host in URL {url!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, parts.hostname, port or _DEFAULT_PORTS[scheme], path)


def follow(request: Request, head: ResponseHead) -> Request | None:
    """The request a redirect ``head`` asks for, or ``None`` when it is not a redirect."""
    location = head.header("location")
    if head.status not in REDIRECT_STATUSES or location is None:
        return None
    url = urljoin(request.url, location.strip())
    headers = request.headers
    if target_of(url).origin != target_of(request.url).origin:
        headers = tuple((k, v) for k, v in headers if k.lower() not in _CREDENTIALS)
    if _becomes_get(request.method, head.status):
        headers = tuple((k, v) for k, v in headers if k.lower() not in _BODY_HEADERS)
        return attrs.evolve(request, method="GET", url=url, headers=headers, body=b"")
    return attrs.evolve(request, url=url, headers=headers)


def _becomes_get(method: str, status: int) -> bool:
    if method.upper() == "HEAD":
        return False
    return status == 303 or (status in (301, 302) and method.upper() == "POST")
