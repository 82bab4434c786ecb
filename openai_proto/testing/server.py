"""The loopback test server: the socket loop that performs a :class:`Script`'s plans.

Stdlib ``socket`` and ``threading`` only, so the demo runs with nothing but the core
installed.  One daemon thread accepts, and one daemon thread serves each connection
(at most ``max_connections`` at a time; more are closed at once).  Every decision is
made by the pure :mod:`openai_proto.testing.script` and
:mod:`openai_proto.testing.http11`; this module only reads, sends, sleeps, resets
and closes.  While a reply pauses, the connection keeps reading, so a client that
leaves early is noticed at once.

``python -m openai_proto.testing.server [--host H] [--port P]`` serves the demo
script and prints its base URL.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Union

from openai_proto.testing.http11 import (
    MAX_HEAD_BYTES,
    MalformedRequest,
    ParsedRequest,
    ParserState,
    RequestParser,
)
from openai_proto.testing.script import (
    Action,
    Close,
    Pause,
    Reply,
    Reset,
    Script,
    Send,
    demo_script,
    error_reply,
    plan,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Sequence
    from types import TracebackType

_RECEIVE_SIZE = 65536
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST


class LoopbackServer:
    """A scripted HTTP/1.1 server on ``host:port`` (port 0 picks a free one).

    It starts at once; ``close()`` (or leaving the ``with`` block) stops it.
    ``ssl_context`` (a server-side :class:`ssl.SSLContext`) wraps accepted sockets.
    """

    def __init__(
        self,
        script: Script | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 64,
        max_head_bytes: int = MAX_HEAD_BYTES,
    ) -> None:
        self.script = demo_script() if script is None else script
        self.max_connections = max_connections
        self.max_head_bytes = max_head_bytes
        self._ssl_context = ssl_context
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, port), family=family)
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._requests: list[ParsedRequest] = []
        self.connection_count = 0
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"loopback-{self.port}-accept", daemon=True
        )
        self._acceptor.start()

    # -- what tests look at ----------------------------------------------------------------

    @property
    def origin(self) -> str:
        scheme = "https" if self._ssl_context else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client uses: ``http://127.0.0.1:PORT/v1``."""
        return self.origin + "/v1"

    @property
    def requests(self) -> list[ParsedRequest]:
        """Every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._sockets)

    def wait_for_no_open_connections(self, timeout: float = 5.0) -> bool:
        """Wait until every connection is closed; False if some is still open at ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._sockets, timeout)

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, shut every connection down and join every thread."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._stopping.set()
        self._wake_acceptor()
        self._acceptor.join(timeout)
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)

    def _wake_acceptor(self) -> None:
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        with contextlib.suppress(OSError):
            socket.create_connection((host, self.port), timeout=1.0).close()
        with contextlib.suppress(OSError):  # also wakes accept() on Linux
            self._listener.shutdown(socket.SHUT_RDWR)

    # -- the loop ----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                self._stopping.wait(0.01)
                continue
            self._admit(sock)

    def _admit(self, sock: socket.socket) -> None:
        with self._lock:
            if self._stopping.is_set() or len(self._sockets) >= self.max_connections:
                sock.close()
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(
                    sock, server_side=True, do_handshake_on_connect=False
                )
            self._sockets.add(sock)
            self.connection_count += 1
            thread = threading.Thread(
                target=self._serve,
                args=(sock,),
                name=f"loopback-{self.port}-conn-{self.connection_count}",
                daemon=True,
            )
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            _Connection(self, sock).run()
        except OSError:
            pass  # the client went away, or close() shut the socket down
        finally:
            sock.close()
            with self._changed:
                self._sockets.discard(sock)
                self._changed.notify_all()

    def _respond(self, request: ParsedRequest) -> Reply:
        with self._lock:
            self._requests.append(request)
            return self.script.respond(request)


Inbound = Union[ParsedRequest, MalformedRequest]


class _Connection:
    """Serves one connection: read requests, perform each reply's plan."""

    def __init__(self, server: LoopbackServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.parser = RequestParser(server.max_head_bytes)
        self.inbox: deque[Inbound] = deque()

    def run(self) -> None:
        while self._wait_for_request():
            item = self.inbox.popleft()
            if isinstance(item, MalformedRequest):
                rejection = error_reply(item.status, str(item), headers=[("connection", "close")])
                self._perform(plan(rejection))
                return
            if not self._perform(plan(self.server._respond(item))) or not item.keep_alive:
                return

    def _wait_for_request(self) -> bool:
        while not self.inbox:
            if not self._receive():
                return False
        return True

    def _receive(self) -> bool:
        """Read once; False when the client closed or the server is stopping."""
        data = self.sock.recv(_RECEIVE_SIZE)
        if not data or self.server._stopping.is_set():
            return False
        if self.parser.state is not ParserState.ERROR:
            try:
                self.inbox.extend(self.parser.feed(data))
            except MalformedRequest as error:
                self.inbox.extend([*error.parsed, error])
        return True

    def _perform(self, actions: list[Action]) -> bool:
        """Perform a plan; False when the connection must end."""
        for action in actions:
            match action:
                case Send(data):
                    self.sock.sendall(data)
                case Pause(seconds):
                    if not self._pause(seconds):
                        return False
                case Reset():
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
                    return False
                case Close():
                    return False
        return True

    def _pause(self, seconds: float) -> bool:
        """Sleep, reading meanwhile; False if the client left or the server stops."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                if not self._receive():
                    return False
            except TimeoutError:
                break
            finally:
                self.sock.settimeout(None)
        return not self.server._stopping.is_set()


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the demo script until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m openai_proto.testing.server",
        description="Serve the openai_proto demo script on the loopback interface.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    args = parser.parse_args(argv)
    with LoopbackServer(demo_script(), args.host, args.port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
