"""The bench's lean browser (tests/core/browser.py) against a socket server that records each
request and answers with canned bytes: what it sends, the cookie jar, the three ways a body is
framed, keep-alive, and the errors its callers catch (OSError, http.client.HTTPException)."""
from __future__ import annotations

import http.client
import socket
import threading

import pytest

from tests.core.browser import Browser
from tests.helpers import free_port


class CannedServer:
    """Answers each request with the next (bytes, close) answer. Like gunicorn's sync worker,
    it waits for the client to close a connection unless `close` says it closes it itself
    (a body framed by the close); a client that keeps it open is recorded as `lingering`."""

    def __init__(self, *answers: tuple[bytes, bool]):
        self.answers = list(answers)
        self.requests: list[tuple[int, str, bytes]] = []  # connection number, head, body
        self.lingering = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        number = 0
        while self.answers:
            conn, _ = self.listener.accept()
            conn.settimeout(3)
            with conn:
                self._converse(conn, number)
            number += 1
        self.listener.close()

    def _converse(self, conn: socket.socket, number: int) -> None:
        buffer = b""
        while self.answers:
            try:
                while b"\r\n\r\n" not in buffer:
                    if not (data := conn.recv(65536)):
                        return  # the client closed its end
                    buffer += data
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(buffer) < length:
                    buffer += conn.recv(65536)
            except TimeoutError:
                self.lingering += 1
                return
            self.requests.append((number, head.decode(), buffer[:length]))
            buffer = buffer[length:]
            answer, close = self.answers.pop(0)
            conn.sendall(answer)
            if close:
                return


def answer(status: str, *headers: str, body: bytes = b"", length: bool = True) -> bytes:
    lines = [f"HTTP/1.1 {status}", *headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_cookies_form_and_a_fresh_connection_after_each_close():
    page = '<input name="csrf_token" type="hidden" value="tok1"> café'.encode()
    server = CannedServer(
        (answer("200 OK", "Connection: close", "Set-Cookie: session=abc; Path=/; HttpOnly",
                "Set-Cookie: lang=zh; Path=/", body=page), False),
        (answer("302 FOUND", "Connection: close", "Location: /done",
                "Set-Cookie: lang=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
                "Set-Cookie: session=def; Path=/; SameSite=Lax"), False),
        (answer("200 OK", "Connection: close", "Set-Cookie: session=x; Max-Age=0; Path=/",
                body="é".encode()), False))
    browser = Browser(server.port)

    browser.fetch_token("/form")
    assert browser.token == "tok1" and browser.cookies == {"session": "abc", "lang": "zh"}
    assert browser.request("POST", "/vote", {"project": ["P1", "P2"], "process": 3},
                           "10.0.0.7") == (302, "")
    assert browser.cookies == {"session": "def"}
    assert browser.request("GET", "/after") == (200, "é")
    assert browser.cookies == {}
    server.thread.join(5)

    assert [number for number, _, _ in server.requests] == [0, 1, 2]
    assert server.lingering == 0  # each socket closed as soon as its answer was read
    _, head, body = server.requests[1]
    assert body == b"project=P1&project=P2&process=3&csrf_token=tok1"
    assert head.split("\r\n") == [
        "POST /vote HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "X-Forwarded-For: 10.0.0.7",
        "Cookie: session=abc; lang=zh", "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(body)}"]
    assert "Cookie: session=def" in server.requests[2][1].split("\r\n")


def test_keep_alive_chunked_and_close_framed_bodies():
    server = CannedServer(
        (answer("200 OK", "Transfer-Encoding: chunked", length=False,
                body=b"5\r\nhello\r\n7;note=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"), False),
        (answer("200 OK", "Connection: keep-alive", body=b"second"), False),
        (answer("200 OK", body=b"HTTP/1.0: closed by default").replace(b"1.1", b"1.0", 1),
         False),
        (answer("200 OK", length=False, body=b"until the end").replace(b"1.1", b"1.0", 1), True),
        (answer("204 NO CONTENT", "Connection: close", length=False), False))
    browser = Browser(server.port)

    assert browser.request("GET", "/a") == (200, "hello, world")
    assert browser.request("GET", "/b") == (200, "second")
    assert browser.request("GET", "/c") == (200, "HTTP/1.0: closed by default")
    assert browser.request("GET", "/d") == (200, "until the end")
    assert browser.request("GET", "/e") == (204, "")
    server.thread.join(5)
    assert [number for number, _, _ in server.requests] == [0, 0, 0, 1, 2]
    assert server.lingering == 0


@pytest.mark.parametrize(("reply", "error"), [
    (b"", http.client.RemoteDisconnected),  # closed without an answer
    (answer("200 OK", length=False)[:-4] + b"\r\nContent-Length: 10\r\n\r\nabc",
     http.client.IncompleteRead),
    (b"SSH-2.0-OpenSSH\r\n\r\n", http.client.BadStatusLine),
    (answer("200 OK", "Transfer-Encoding: chunked", length=False, body=b"zz\r\n"),
     http.client.HTTPException),
])
def test_a_broken_answer_raises_what_the_callers_catch_and_the_next_request_reconnects(
        reply, error):
    server = CannedServer((reply, True), (answer("200 OK", "Connection: close"), False))
    browser = Browser(server.port)
    with pytest.raises(error) as raised:
        browser.request("POST", "/sign", {"eligible": "y"})
    assert isinstance(raised.value, (OSError, http.client.HTTPException))
    assert browser.request("GET", "/again") == (200, "")
    assert [number for number, _, _ in server.requests] == [0, 1]


def test_no_server_is_an_oserror():
    with pytest.raises(OSError):
        Browser(free_port(), timeout=5).request("GET", "/")
