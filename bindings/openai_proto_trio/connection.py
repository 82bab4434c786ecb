"""One HTTP/1.1 connection: h11 over a trio stream (TCP, or TLS over TCP).

:func:`connect` opens it; :meth:`Connection.send` writes a request (head, then the
body in chunks, ``Content-Length`` or chunked framing); :meth:`Connection.receive_head`
and :meth:`Connection.receive_data` read the response.  Each socket operation runs
under its own deadline (``trio.fail_after``).  Errors are raised as they come (trio,
h11, ssl, OSError); the transport maps them.
"""

from __future__ import annotations

import contextlib
import select
import ssl
from collections.abc import Iterator

import h11
import trio

from openai_proto.files import body_length, iter_body
from openai_proto.http import HeaderPairs, Request
from openai_proto_trio.decoding import ACCEPT_ENCODING
from openai_proto_trio.urls import Target

RECEIVE_SIZE = 64 * 1024
#: Largest response head accepted (h11 raises a protocol error beyond it).
MAX_HEAD_BYTES = 64 * 1024


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """``trio.fail_after(seconds)``, or nothing when ``seconds`` is ``None``."""
    if seconds is None:
        yield
        return
    with trio.fail_after(seconds):
        yield


async def connect(target: Target, ssl_context: ssl.SSLContext, timeout: float | None) -> Connection:
    """A new connection to ``target``'s origin, TLS for ``https``."""
    with deadline(timeout):
        tcp = await trio.open_tcp_stream(target.host, target.port)
        if target.scheme != "https":
            return Connection(tcp, tcp)
        tls = trio.SSLStream(tcp, ssl_context, server_hostname=target.host, https_compatible=True)
        try:
            await tls.do_handshake()
        except BaseException:
            await trio.aclose_forcefully(tls)
            raise
        return Connection(tls, tcp)


def request_headers(request: Request, target: Target) -> list[tuple[str, str]]:
    """The headers to send: ``Host`` first, then the request's, then framing and
    ``Accept-Encoding`` when the request has none."""
    headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
    headers.insert(0, ("Host", target.host_header))
    if request.header("accept-encoding") is None:
        headers.append(("Accept-Encoding", ACCEPT_ENCODING))
    if request.header("content-length") is None and request.header("transfer-encoding") is None:
        length = body_length(request.body)
        if length is None:
            headers.append(("Transfer-Encoding", "chunked"))
        elif length or request.method.upper() not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            headers.append(("Content-Length", str(length)))
    return headers


class Connection:
    """An h11 client state machine and the stream it runs on."""

    def __init__(self, stream: trio.abc.Stream, tcp: trio.SocketStream) -> None:
        self.stream = stream
        self._tcp = tcp
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.reused = False
        self.received_any = False

    async def send(self, request: Request, target: Target, timeout: float | None) -> None:
        """Write the request; small pieces are joined so a small request is one write."""
        head = h11.Request(
            method=request.method, target=target.path, headers=request_headers(request, target)
        )
        pending = [self._bytes(head)]
        size = len(pending[0])
        for chunk in iter_body(request.body):
            if size >= RECEIVE_SIZE:
                await self._write(b"".join(pending), timeout)
                pending, size = [], 0
            pending.append(self._bytes(h11.Data(data=chunk)))
            size += len(pending[-1])
        pending.append(self._bytes(h11.EndOfMessage()))
        await self._write(b"".join(pending), timeout)

    def _bytes(self, event: h11.Event) -> bytes:
        return self.h11.send(event) or b""

    async def _write(self, data: bytes, timeout: float | None) -> None:
        if timeout is None:
            await self.stream.send_all(data)
            return
        with trio.CancelScope(deadline=trio.current_time() + timeout) as scope:
            await self.stream.send_all(data)
        if scope.cancelled_caught:
            raise trio.TooSlowError

    async def _receive(self, timeout: float | None) -> bytes | bytearray:
        if timeout is None:
            return await self.stream.receive_some(RECEIVE_SIZE)
        with trio.CancelScope(deadline=trio.current_time() + timeout):
            return await self.stream.receive_some(RECEIVE_SIZE)
        raise trio.TooSlowError

    async def receive_head(self, timeout: float | None) -> tuple[int, HeaderPairs]:
        while True:
            event = await self._next_event(timeout)
            if isinstance(event, h11.Response):
                headers = tuple(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()
                )
                return event.status_code, headers
            if not isinstance(event, h11.InformationalResponse):
                raise h11.RemoteProtocolError(f"unexpected {type(event).__name__} before the head")

    async def receive_data(self, timeout: float | None) -> bytes | None:
        """The next piece of the body, or ``None`` at its end."""
        while True:
            event = await self._next_event(timeout)
            if isinstance(event, h11.Data):
                return bytes(event.data)
            if isinstance(event, h11.EndOfMessage):
                return None
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__} in the body")

    async def _next_event(self, timeout: float | None) -> h11.Event | type[h11.PAUSED]:
        while True:
            event = self.h11.next_event()
            if isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("the server closed the connection")
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]
            data = await self._receive(timeout)
            if data:
                self.received_any = True
            self.h11.receive_data(bytes(data))

    def end_of_buffered_body(self) -> bool:
        """Without IO, consume what h11 already holds; True if the response ends there.

        An event stream stops being read at ``[DONE]``, usually with the end of the
        body already received: the connection can then still be reused.
        """
        try:
            while True:
                event = self.h11.next_event()
                if isinstance(event, h11.EndOfMessage):
                    return True
                if not isinstance(event, h11.Data):
                    return False
        except h11.ProtocolError:
            return False

    def finish(self) -> bool:
        """After a complete response: whether the connection can carry another request."""
        if self.h11.our_state is not h11.DONE or self.h11.their_state is not h11.DONE:
            return False
        trailing, closed = self.h11.trailing_data
        if trailing or closed:
            return False
        self.h11.start_next_cycle()
        self.reused = True
        self.received_any = False
        return True

    def peer_closed(self) -> bool:
        """Whether an idle connection became readable: the peer closed it (or sent
        something it should not have).  Either way it cannot be reused."""
        try:
            fd = self._tcp.socket.fileno()
        except OSError:
            return True
        if fd < 0:
            return True
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([fd], [], [], 0)
        return bool(readable)


async def close_all(connections: list[Connection]) -> None:
    """Close ``connections`` at once, shielded: it completes even inside a cancelled
    scope, so a caller's bookkeeping before it is never left half done."""
    with trio.CancelScope(shield=True):
        for connection in connections:
            await trio.aclose_forcefully(connection.stream)
