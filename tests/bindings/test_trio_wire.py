"""The trio binding's TCP stream (:class:`SocketWire`) over real loopback sockets.

Both of its paths run every case: IO on the descriptor (POSIX) and the portable
fallback through ``trio.SocketStream``.  Deadlines bound only the waits for the
socket; cancellation while waiting leaves the wire usable.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Awaitable, Callable

import pytest
import trio

from openai_proto_trio import wire
from openai_proto_trio.wire import SocketWire

Case = Callable[[SocketWire, trio.SocketStream], Awaitable[None]]


@pytest.fixture(params=[True, False], ids=["descriptor", "socket-stream"])
def fd_io(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(wire, "FD_IO", request.param)
    return bool(request.param)


def run_pair(case: Case) -> None:
    """Run ``case`` with a client wire and the server end of one loopback connection."""

    async def main() -> None:
        listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
        port = listeners[0].socket.getsockname()[1]
        client = SocketWire(await trio.open_tcp_stream("127.0.0.1", port))
        server = await listeners[0].accept()
        await listeners[0].aclose()
        try:
            await case(client, server)
        finally:
            await trio.aclose_forcefully(client)
            await trio.aclose_forcefully(server)

    trio.run(main)


async def _read_exactly(stream: trio.abc.ReceiveStream, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        piece = await stream.receive_some()
        assert piece, "the peer closed early"
        data += piece
    return bytes(data)


@pytest.mark.parametrize("size", [1, 1000, 8 * 1024 * 1024])
def test_bytes_arrive_whole_both_ways(fd_io: bool, size: int) -> None:
    """Large writes fill the socket and finish once the peer reads (after a pause)."""
    payload = os.urandom(size)

    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        received = b""

        async def serve() -> None:
            nonlocal received
            await trio.sleep(0.05)  # the client's socket fills up meanwhile
            received = await _read_exactly(server, size)
            await server.send_all(received[::-1])

        async with trio.open_nursery() as nursery:
            nursery.start_soon(serve)
            await client.send_all(payload)
            echoed = await _read_exactly(client, size)
        assert received == payload
        assert echoed == payload[::-1]

    run_pair(case)


def test_data_already_there_is_read_whatever_the_deadline() -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        await server.send_all(b"ready")
        await trio.sleep(0.05)
        client.read_timeout = 0.0  # a deadline only bounds a wait for the socket
        assert await client.receive_some() == b"ready"
        with pytest.raises(trio.TooSlowError):
            await client.receive_some()

    run_pair(case)


def test_a_silent_peer_times_the_read_out(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        client.read_timeout = 0.1
        started = trio.current_time()
        with pytest.raises(trio.TooSlowError):
            await client.receive_some()
        assert 0.1 <= trio.current_time() - started < 2

    run_pair(case)


def test_a_peer_that_never_reads_times_the_write_out(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        client.write_timeout = 0.2
        started = trio.current_time()
        with pytest.raises(trio.TooSlowError):
            await client.send_all(b"x" * (64 * 1024 * 1024))
        assert 0.2 <= trio.current_time() - started < 5

    run_pair(case)


def test_cancelling_a_wait_leaves_the_wire_usable(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        client.read_timeout = 5.0
        with trio.move_on_after(0.05) as scope:
            await client.receive_some()
        assert scope.cancelled_caught
        await server.send_all(b"later")
        assert await client.receive_some() == b"later"

    run_pair(case)


def test_the_peers_end_reads_as_nothing(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        await server.send_all(b"last")
        await server.send_eof()
        assert await _read_exactly(client, 4) == b"last"
        assert await client.receive_some() == b""

    run_pair(case)


def test_a_reset_breaks_the_wire(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await server.aclose()  # closing with no linger resets the connection
        await trio.sleep(0.05)
        with pytest.raises(trio.BrokenResourceError):
            await client.receive_some()
        with pytest.raises(trio.BrokenResourceError):
            await client.send_all(b"x")

    run_pair(case)


def test_a_closed_wire_refuses_io(fd_io: bool) -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        await client.wait_send_all_might_not_block()  # an idle socket can take data
        await client.aclose()
        assert client.fileno() == -1
        with pytest.raises(trio.ClosedResourceError):
            await client.receive_some()
        with pytest.raises(trio.ClosedResourceError):
            await client.send_all(b"x")

    run_pair(case)


def test_receive_size_is_validated() -> None:
    async def case(client: SocketWire, server: trio.SocketStream) -> None:
        with pytest.raises(ValueError, match="max_bytes"):
            await client.receive_some(0)
        await server.send_all(b"abcdef")
        await trio.sleep(0.05)
        assert await client.receive_some(2) == b"ab"

    run_pair(case)
