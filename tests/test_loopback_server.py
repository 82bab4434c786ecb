"""The loopback server over real sockets, seen through http.client and raw sockets."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from openai_proto.testing import LoopbackServer, Reply, Script, json_reply, sse_reply

GET = b"GET /v1/x HTTP/1.1\r\nHost: test\r\n\r\n"


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def server(script: Script) -> Iterator[LoopbackServer]:
    with LoopbackServer(script) as server:
        yield server
    assert not server_threads(server)


def server_threads(server: LoopbackServer) -> list[str]:
    prefix = f"loopback-{server.port}-"
    return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]


def connect(server: LoopbackServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)


def raw(server: LoopbackServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        assert chunk, "connection closed before the head ended"
        data += chunk
    return data


def test_url_and_json_reply(server: LoopbackServer, script: Script) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/v1"
    script.enqueue("POST", "/v1/things", json_reply({"ok": True}, 201, [("x-extra", "1")]))
    conn = connect(server)
    conn.request("POST", "/v1/things?a=b", body=b'{"n": 1}', headers={"Authorization": "Bearer k"})
    response = conn.getresponse()
    assert response.status == 201
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("x-request-id") == "req_1"
    assert response.getheader("x-extra") == "1"
    assert json.loads(response.read()) == {"ok": True}
    conn.close()
    (request,) = server.requests
    assert (request.method, request.path, request.query) == ("POST", "/v1/things", "a=b")
    assert request.header("authorization") == "Bearer k"
    assert request.json() == {"n": 1}


def test_demo_script_is_the_default() -> None:
    with LoopbackServer() as server:
        conn = connect(server)
        conn.request("POST", "/v1/chat/completions", body=b'{"model": "m", "messages": []}')
        response = conn.getresponse()
        assert json.loads(response.read())["object"] == "chat.completion"
        conn.close()


def test_keep_alive_serves_two_requests_on_one_connection(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"one"), Reply(body=b"two"))
    conn = connect(server)
    bodies = []
    for _ in range(2):
        conn.request("GET", "/v1/x")
        bodies.append(conn.getresponse().read())
    conn.close()
    assert bodies == [b"one", b"two"]
    assert server.connection_count == 1
    assert len(server.requests) == 2


def test_pipelined_requests_are_answered_in_order(server: LoopbackServer, script: Script) -> None:
    script.enqueue(
        "GET", "/v1/x", Reply(body=b"one"), Reply(body=b"two", headers=[("Connection", "close")])
    )
    with raw(server) as sock:
        sock.sendall(GET + GET)
        data = read_until_closed(sock)
    assert data.count(b"HTTP/1.1 200 OK") == 2
    assert data.index(b"one") < data.index(b"two")
    assert data.endswith(b"two")


def test_chunked_request_body_is_recorded(server: LoopbackServer) -> None:
    conn = connect(server)
    conn.request("POST", "/v1/up", body=iter([b"abc", b"defg"]), encode_chunked=True)
    assert conn.getresponse().status == 404
    conn.close()
    assert server.requests[0].body == b"abcdefg"
    assert server.requests[0].header("transfer-encoding") == "chunked"


def test_connection_close_from_the_client_is_honoured(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"bye"))
    with raw(server) as sock:
        sock.sendall(b"GET /v1/x HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert read_until_closed(sock).endswith(b"\r\n\r\nbye")


def test_chunk_cuts_arrive_as_separate_sends(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"abcdef", chunks=(2, 4), delay_between_chunks=0.2))
    with raw(server) as sock:
        sock.sendall(GET)
        read_head(sock)
        assert [sock.recv(100) for _ in range(3)] == [b"ab", b"cd", b"ef"]


def test_streamed_events_arrive_in_http_chunks(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", sse_reply([{"n": 1}, {"n": 2}]))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    response = conn.getresponse()
    assert response.getheader("transfer-encoding") == "chunked"
    assert response.read() == b'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n'
    conn.close()


def test_reset_mid_body_is_a_connection_error(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"x" * 1000, reset_after=10))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises(ConnectionResetError):
        response.read()
    conn.close()


def test_reset_before_head(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(reset_after=0))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    conn.close()


def test_close_before_head(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"never", close_after=0))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    with pytest.raises(http.client.RemoteDisconnected):
        conn.getresponse()
    conn.close()


def test_lying_content_length_gives_an_incomplete_read(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"0123456789", content_length=100))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    response = conn.getresponse()
    assert response.getheader("content-length") == "100"
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == b"0123456789"
    conn.close()


def test_close_after_some_body_bytes(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"0123456789", close_after=4))
    with raw(server) as sock:
        sock.sendall(GET)
        data = read_until_closed(sock)
    head, body = data.split(b"\r\n\r\n")
    assert b"content-length: 10" in head
    assert body == b"0123"


def test_duplicate_and_raw_headers_reach_the_client(server: LoopbackServer, script: Script) -> None:
    reply = Reply(headers=[("x-dup", "a"), ("x-dup", "b")], raw_headers=[b"x-raw:  spaced"])
    script.enqueue("GET", "/v1/x", reply)
    conn = connect(server)
    conn.request("GET", "/v1/x")
    response = conn.getresponse()
    response.read()
    assert response.msg.get_all("x-dup") == ["a", "b"]
    assert response.getheader("x-raw") == "spaced"
    conn.close()


def test_gzip_body(server: LoopbackServer, script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"zip " * 50, gzip=True))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    response = conn.getresponse()
    assert response.getheader("content-encoding") == "gzip"
    assert gzip.decompress(response.read()) == b"zip " * 50
    conn.close()


@pytest.mark.parametrize(
    ("data", "status"),
    [(b"NOT HTTP\r\n\r\n", 400), (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000, 431)],
)
def test_malformed_requests_get_an_error_and_a_close(
    server: LoopbackServer, data: bytes, status: int
) -> None:
    with raw(server) as sock:
        sock.sendall(data)
        reply = read_until_closed(sock)
    assert reply.startswith(f"HTTP/1.1 {status} ".encode())
    assert b'"type": "invalid_request_error"' in reply
    assert server.requests == []


def test_open_connections_return_to_zero_when_the_client_closes(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"hi"))
    conn = connect(server)
    conn.request("GET", "/v1/x")
    assert conn.getresponse().read() == b"hi"
    assert server.open_connections == 1
    assert not server.wait_for_no_open_connections(timeout=0.05)
    conn.close()
    assert server.wait_for_no_open_connections(timeout=5)
    assert server.open_connections == 0


def test_leaving_a_slow_stream_early_is_noticed_during_a_pause(
    server: LoopbackServer, script: Script
) -> None:
    script.enqueue(
        "GET", "/v1/x", sse_reply([{"n": i} for i in range(10)], delay_between_chunks=60)
    )
    with raw(server) as sock:
        sock.sendall(GET)
        read_head(sock)
        assert server.open_connections == 1
    assert server.wait_for_no_open_connections(timeout=5)


def test_close_interrupts_pauses_and_leaves_no_threads(script: Script) -> None:
    script.enqueue("GET", "/v1/x", Reply(body=b"late", delay_between_chunks=60))
    server = LoopbackServer(script)
    sockets = [raw(server) for _ in range(3)]
    sockets[0].sendall(GET)
    read_head(sockets[0])  # the server now pauses before the body
    assert server_threads(server)
    server.close()
    assert server_threads(server) == []
    assert server.open_connections == 0
    assert read_until_closed(sockets[0]) == b""
    for sock in sockets:
        sock.close()
    server.close()  # closing twice is fine
    with pytest.raises(ConnectionRefusedError):
        raw(server)


def test_connections_over_the_limit_are_closed(script: Script) -> None:
    with LoopbackServer(script, max_connections=1) as server:
        first = raw(server)
        first.sendall(GET)
        read_head(first)
        with raw(server) as second:
            second.sendall(GET)
            with contextlib.suppress(ConnectionResetError):  # closed at once: EOF or RST
                assert second.recv(100) == b""
        first.close()


def test_tls_hook_wraps_connections(script: Script) -> None:
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    script.enqueue("GET", "/v1/x", Reply(body=b"secure"))
    with LoopbackServer(script, ssl_context=server_context) as server:
        assert server.url.startswith("https://")
        conn = http.client.HTTPSConnection(
            "127.0.0.1", server.port, context=client_context, timeout=10
        )
        conn.request("GET", "/v1/x")
        assert conn.getresponse().read() == b"secure"
        conn.close()


def test_module_entry_point_serves_the_demo() -> None:
    command = [sys.executable, "-m", "openai_proto.testing.server", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            assert url.endswith("/v1")
            port = int(url.rsplit(":", 1)[1].split("/")[0])
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = b'{"model": "m", "messages": [], "stream": true}'
            conn.request("POST", "/v1/chat/completions", body=body)
            assert conn.getresponse().read().endswith(b"data: [DONE]\n\n")
            conn.close()
        finally:
            process.send_signal(signal.SIGINT)  # the server stops cleanly
            assert process.wait(timeout=10) == 0
