"""The trio binding: HTTP/1.1 with h11 over trio streams, and the familiar ``AsyncOpenAI``.

No anyio and no httpx underneath: :class:`TrioTransport` keeps a keep-alive pool per
origin (:class:`Limits`), speaks TLS with the system trust store unless given an
``ssl.SSLContext``, follows redirects without carrying credentials to another
origin, and removes gzip/deflate content-encoding.
"""

from __future__ import annotations

import ssl
from typing import Any

from openai_proto import AsyncClient, Config
from openai_proto_trio.pool import Limits
from openai_proto_trio.transport import TrioResponse, TrioTransport


class AsyncOpenAI(AsyncClient):
    """An async client over trio, configured like the official ``openai.AsyncOpenAI``.

    Pass ``http_client`` (a :class:`TrioTransport`) to share one pool between clients;
    closing the client then leaves it open.  Otherwise ``ssl_context`` and ``limits``
    configure the transport this client owns.
    """

    def __init__(
        self,
        *,
        http_client: TrioTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
        limits: Limits | None = None,
        **config: Any,
    ) -> None:
        self._owns_transport = http_client is None
        transport = http_client or TrioTransport(ssl_context=ssl_context, limits=limits)
        super().__init__(transport, Config.from_env(**config))

    async def close(self) -> None:
        if self._owns_transport:
            await self.transport.aclose()


__all__ = ["AsyncOpenAI", "Limits", "TrioResponse", "TrioTransport"]
