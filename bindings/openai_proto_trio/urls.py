"""Where a request goes (pure).

:func:`target_of` splits a URL into what a connection needs (origin, request
target, ``Host`` header).  Where a redirect sends it next is decided by the core,
:func:`openai_proto.redirects.follow`, for every binding alike.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import attrs

from openai_proto_trio.pool import Origin

_DEFAULT_PORTS = {"http": 80, "https": 443}


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


@lru_cache(maxsize=256)
def target_of(url: str) -> Target:
    """Where ``url`` points (kept for the URLs used most: a client calls a few)."""
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
