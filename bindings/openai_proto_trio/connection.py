"""One HTTP/1.1 connection: h11 over a trio stream (TCP, or TLS over TCP).

:func:`connect` opens it; :meth:`Connection.send` writes a request (head, then the
body in chunks, ``Content-Length`` or chunked framing); :meth:`Connection.receive_head`
and :meth:`Connection.receive_data` read the response.  Each socket operation has
its own deadline, armed by :class:`~openai_proto_trio.wire.SocketWire` only when it
has to wait for the socket.  Errors are raised as they come (trio, h11, ssl,
OSError); the transport maps them.
"""

from __future__ import annotations

import contextlib
import select
import ssl
from collections.abc import Iterator

import h11
import trio

from openai_proto.files import body_length, iter_body
from openai_proto.http import HeaderPairs, Request, Timeout
from openai_proto_trio.decoding import ACCEPT_ENCODING
from openai_proto_trio.head import for_h11, render_head
from openai_proto_trio.urls import Target
from openai_proto_trio.wire import RECEIVE_SIZE, SocketWire

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
        wire = SocketWire(await trio.open_tcp_stream(target.host, target.port))
        if target.scheme != "https":
            return Connection(wire, wire)
        tls = trio.SSLStream(wire, ssl_context, server_hostname=target.host, https_compatible=True)
        try:
            await tls.do_handshake()
        except BaseException:
            await trio.aclose_forcefully(tls)
            raise
        return Connection(tls, wire)


def request_headers(request: Request, target: Target) -> list[tuple[str, str]]:
    """The headers to send: ``Host`` first, then the request's, then framing and
    ``Accept-Encoding`` when the request has none."""
    headers = [("Host", target.host_header)]
    names = set()
    for name, value in request.headers:
        lowered = name.lower()
        if lowered != "host":
            headers.append((name, value))
            names.add(lowered)
    if "accept-encoding" not in names:
        headers.append(("Accept-Encoding", ACCEPT_ENCODING))
    if "content-length" not in names and "transfer-encoding" not in names:
        length = body_length(request.body)
        if length is None:
            headers.append(("Transfer-Encoding", "chunked"))
        elif length or request.method.upper() not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            headers.append(("Content-Length", str(length)))
    return headers


class Connection:
    """An h11 client state machine and the stream it runs on (``wire``, or TLS over it)."""

    def __init__(self, stream: trio.abc.Stream, wire: SocketWire) -> None:
        self.stream = stream
        self.wire = wire
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.reused = False
        self.received_any = False
        #: An event h11 gave while :meth:`receive_data` gathered the body: next to handle.
        self._held: h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED] | None = None
        self._poller: tuple[int, select.poll] | None = None

    async def exchange(
        self, request: Request, target: Target, timeout: Timeout
    ) -> tuple[int, HeaderPairs]:
        """Send ``request`` and read the response head; each write has the write
        timeout and each read the read timeout, as in :meth:`send` and :meth:`receive_head`."""
        self.wire.read_timeout = timeout.read
        await self.send(request, target, timeout.write)
        # h11 holds nothing yet (a connection is reused only with nothing trailing),
        # so the socket is read before asking h11 for the head.
        self._feed(await self._receive(timeout.read))
        return await self.receive_head(timeout.read)

    async def send(self, request: Request, target: Target, timeout: float | None) -> None:
        """Write the request; small pieces are joined so a small request is one write.

        The head is written by :func:`render_head`; h11 is told the request through
        :func:`for_h11` and frames the body.  Between the writes of a large body the
        other tasks get their turn.
        """
        self.wire.write_timeout = timeout
        headers = request_headers(request, target)
        pending = [render_head(request.method, target.path, headers)]
        self.h11.send(for_h11(request.method, target.path, headers))
        size = len(pending[0])
        for chunk in iter_body(request.body):
            if size >= RECEIVE_SIZE:
                await self.stream.send_all(b"".join(pending))
                await trio.lowlevel.checkpoint()
                pending, size = [], 0
            pending.append(self._bytes(h11.Data(data=chunk)))
            size += len(pending[-1])
        pending.append(self._bytes(h11.EndOfMessage()))
        await self.stream.send_all(b"".join(pending))

    def _bytes(self, event: h11.Event) -> bytes:
        return self.h11.send(event) or b""

    async def _receive(self, timeout: float | None) -> bytes | bytearray:
        self.wire.read_timeout = timeout
        return await self.stream.receive_some(RECEIVE_SIZE)

    async def receive_head(self, timeout: float | None) -> tuple[int, HeaderPairs]:
        while True:
            event = await self._next_event(timeout)
            if isinstance(event, h11.Response):
                headers = tuple(
                    [
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in event.headers.raw_items()
                    ]
                )
                return event.status_code, headers
            if not isinstance(event, h11.InformationalResponse):
                raise h11.RemoteProtocolError(f"unexpected {type(event).__name__} before the head")

    async def receive_data(self, timeout: float | None) -> bytes | None:
        """The next piece of the body, or ``None`` at its end.

        A piece is all the body h11 can give without more IO (an event stream sent
        as many small HTTP chunks comes out in one piece per socket read); the
        socket is read only when h11 holds none of it.
        """
        event = await self._next_event(timeout)
        if isinstance(event, h11.EndOfMessage):
            return None
        if not isinstance(event, h11.Data):
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__} in the body")
        pieces = [event.data]
        while True:
            following = self.h11.next_event()
            if not isinstance(following, h11.Data):
                break
            pieces.append(following.data)
        if following is not h11.NEED_DATA:
            self._held = following  # the end of the body (or a close): for the next call
        return bytes(pieces[0]) if len(pieces) == 1 else b"".join(pieces)

    def body_complete(self) -> bool:
        """Whether the end of the body is already received (after :meth:`receive_data`
        gave its last piece): then no more IO is needed."""
        return self._held.__class__ is h11.EndOfMessage

    def _take_event(self) -> h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]:
        held, self._held = self._held, None
        return held if held is not None else self.h11.next_event()

    async def _next_event(self, timeout: float | None) -> h11.Event | type[h11.PAUSED]:
        while True:
            event = self._take_event()
            if isinstance(event, h11.ConnectionClosed):
                raise h11.RemoteProtocolError("the server closed the connection")
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]
            self._feed(await self._receive(timeout))

    def _feed(self, data: bytes | bytearray) -> None:
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
                event = self._take_event()
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
        self._held = None  # the end of the body, if it was held: handled
        self.reused = True
        self.received_any = False
        return True

    def peer_closed(self) -> bool:
        """Whether an idle connection became readable: the peer closed it (or sent
        something it should not have).  Either way it cannot be reused."""
        try:
            fd = self.wire.fileno()
        except OSError:
            return True
        if fd < 0:
            return True
        if not hasattr(select, "poll"):
            readable, _, _ = select.select([fd], [], [], 0)
            return bool(readable)
        if self._poller is None or self._poller[0] != fd:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            self._poller = (fd, poller)
        return bool(self._poller[1].poll(0))


async def close_all(connections: list[Connection]) -> None:
    """Close ``connections`` at once, shielded: it completes even inside a cancelled
    scope, so a caller's bookkeeping before it is never left half done."""
    if not connections:
        return
    with trio.CancelScope(shield=True):
        for connection in connections:
            await trio.aclose_forcefully(connection.stream)
