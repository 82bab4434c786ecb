"""A TCP connection as a trio stream that costs little while the socket is ready.

``trio.SocketStream`` passes every send and receive through a conflict detector, an
error translator and two checkpoints, and a timeout around it needs a cancel scope
per operation: together more than the rest of a small HTTP exchange.
:class:`SocketWire` does the same IO straight on the socket's descriptor and arms a
deadline only when it has to wait for the socket; an operation that finds the socket
ready is never timed out (it takes no time to wait).

Checkpoints: :meth:`SocketWire.receive_some` is a full checkpoint (it lets the other
tasks run *before* reading, so under load the answer has usually arrived by then and
no deadline is needed).  :meth:`SocketWire.send_all` is a cancellation point and
schedules only when it must wait: a request's write is always followed by a read.

Errors are trio's: ``trio.BrokenResourceError`` (from the ``OSError``) for a broken
connection, ``trio.ClosedResourceError`` once closed, ``trio.TooSlowError`` when a
deadline passes.  The descriptor is used on POSIX systems; elsewhere the wire goes
through ``trio.SocketStream`` with a cancel scope per operation.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable
from typing import TypeVar

import trio

T = TypeVar("T")

RECEIVE_SIZE = 64 * 1024
#: Whether the socket's descriptor can be read and written with ``os.read`` / ``os.write``.
FD_IO = os.name == "posix"


def _broken(exc: OSError) -> trio.BrokenResourceError:
    return trio.BrokenResourceError(f"socket connection broken: {exc}")


class SocketWire(trio.abc.Stream):
    """``tcp`` with cheap ready-path IO; ``read_timeout`` / ``write_timeout`` (seconds
    or ``None``) bound each wait for the socket, set by the owner before each operation."""

    def __init__(self, tcp: trio.SocketStream) -> None:
        self.tcp = tcp
        self.read_timeout: float | None = None
        self.write_timeout: float | None = None

    def fileno(self) -> int:
        """The socket's descriptor (``-1`` once closed)."""
        return self.tcp.socket.fileno()

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        if not FD_IO:
            await _within(self.write_timeout, self.tcp.send_all(data))
            return
        await trio.lowlevel.checkpoint_if_cancelled()
        fd = self._open_fd()
        sent = _write(fd, data)
        if sent < len(data):
            with memoryview(data) as view:
                await self._send_rest(fd, view, sent)

    async def _send_rest(self, fd: int, view: memoryview, sent: int) -> None:
        deadline = _deadline(self.write_timeout)
        with trio.CancelScope(deadline=deadline):
            while sent < len(view):
                await trio.lowlevel.wait_writable(fd)
                sent += _write(fd, view[sent:])
            return
        raise trio.TooSlowError

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        size = RECEIVE_SIZE if max_bytes is None else max_bytes
        if size < 1:
            raise ValueError("max_bytes must be >= 1")
        if not FD_IO:
            return await _within(self.read_timeout, self.tcp.receive_some(size))
        await trio.lowlevel.checkpoint()
        fd = self._open_fd()
        data = _read(fd, size)
        if data is not None:
            return data
        with trio.CancelScope(deadline=_deadline(self.read_timeout)):
            while data is None:
                await trio.lowlevel.wait_readable(fd)
                data = _read(fd, size)
            return data
        raise trio.TooSlowError

    async def wait_send_all_might_not_block(self) -> None:
        await self.tcp.wait_send_all_might_not_block()

    async def aclose(self) -> None:
        await self.tcp.aclose()

    def _open_fd(self) -> int:
        fd = self.fileno()
        if fd < 0:
            raise trio.ClosedResourceError("the connection was already closed")
        return fd


def _deadline(timeout: float | None) -> float:
    return trio.current_time() + timeout if timeout is not None else float("inf")


def _write(fd: int, data: bytes | bytearray | memoryview) -> int:
    """Bytes written at once (``0`` when the socket is full)."""
    try:
        return os.write(fd, data)
    except BlockingIOError:
        return 0
    except OSError as exc:
        raise _broken(exc) from exc


def _read(fd: int, size: int) -> bytes | None:
    """Bytes read at once (``b""`` at the peer's end), ``None`` when none are there yet."""
    try:
        return os.read(fd, size)
    except BlockingIOError:
        return None
    except OSError as exc:
        raise _broken(exc) from exc


async def _within(timeout: float | None, operation: Awaitable[T]) -> T:
    """``operation`` under a deadline of ``timeout`` seconds (none when ``None``)."""
    if timeout is None:
        return await operation
    with trio.CancelScope(deadline=trio.current_time() + timeout):
        return await operation
    raise trio.TooSlowError
