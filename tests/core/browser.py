"""A lean browser for the load benchmark and the crash test: HTTP/1.1 on a raw socket with a
cookie jar and the session's CSRF token.

http.client costs ~0.5 ms of CPU per request (headers through email.parser), taken from the
server when both share a machine. And gunicorn's sync worker, after `Connection: close`,
waits for the client to close its end before it takes the next request: the socket is closed
as soon as the answer is read. Connection errors raise OSError, a malformed answer an
http.client.HTTPException (as http.client would).
"""
from __future__ import annotations

import re
import socket
from http.client import (
    BadStatusLine,
    HTTPException,
    IncompleteRead,
    LineTooLong,
    RemoteDisconnected,
)
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A cookie jar, the CSRF token, and one connection kept only while the server allows it
    (gthread workers); gunicorn's sync workers close after each answer."""

    def __init__(self, port: int, timeout: float = 30):
        self.server, self.timeout = ("127.0.0.1", port), timeout
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.sock: socket.socket | None = None
        self.buffer = b""  # received and not yet parsed

    def request(self, method: str, path: str, form: dict | None = None,
                address: str = "127.0.0.1") -> tuple[int, str]:
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.server[1]}",
                f"X-Forwarded-For: {address}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        body = b""
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token}, doseq=True).encode()
            head.append("Content-Type: application/x-www-form-urlencoded")
        if form is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}")
        try:
            if self.sock is None:  # (not create_connection: its address lookup costs CPU)
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                self.sock.settimeout(self.timeout)
                self.sock.connect(self.server)
            self.sock.sendall("\r\n".join(head).encode() + b"\r\n\r\n" + body)
            status, headers, text, keep = self._answer(method)
        except ValueError as error:  # a length, chunk size or body that does not parse
            self.close()
            raise HTTPException(f"malformed answer: {error}") from error
        except BaseException:
            self.close()
            raise
        if not keep:
            self.close()
        for cookie in headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            if value.strip() and "max-age=0" not in attributes.lower() \
                    and "1970" not in attributes:
                self.cookies[name.strip()] = value.strip()
            else:  # deleted: empty, expired now or in 1970
                self.cookies.pop(name.strip(), None)
        return status, text

    def _answer(self, method: str) -> tuple[int, dict[str, list[str]], str, bool]:
        """Status, headers (lower-case names, every value), body, and whether the connection
        may serve another request."""
        status_line, *lines = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise BadStatusLine(status_line)
        status, headers = int(rest[:3]), {}
        for line in lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        connection = ",".join(headers.get("connection", [])).lower()
        keep = "close" not in connection and (version != "HTTP/1.0" or "keep-alive" in connection)
        if method == "HEAD" or status < 200 or status in (204, 304):
            body = b""  # (no Expect: 100-continue is sent, so no interim answer comes)
        elif "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            body = b""
            while size := int(self._until(b"\r\n").split(b";")[0], 16):
                body += self._exactly(size)
                self._until(b"\r\n")
            while self._until(b"\r\n"):  # trailer fields, up to the empty line
                pass
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"][0]))
        else:  # framed by the server's close
            while data := self.sock.recv(65536):
                self.buffer += data
            body, self.buffer, keep = self.buffer, b"", False
        return status, headers, body.decode(), keep

    def _until(self, marker: bytes) -> bytes:
        """The bytes before `marker`, taken from the connection with the marker."""
        while (end := self.buffer.find(marker)) < 0:
            if len(self.buffer) > 65536:
                raise LineTooLong("answer head or chunk line")
            self._receive()
        data, self.buffer = self.buffer[:end], self.buffer[end + len(marker):]
        return data

    def _exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._receive()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _receive(self) -> None:
        data = self.sock.recv(65536)
        if not data and self.buffer:
            raise IncompleteRead(self.buffer)
        if not data:
            raise RemoteDisconnected("the server closed the connection without an answer")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock, self.buffer = None, b""

    def fetch_token(self, path: str) -> None:
        status, text = self.request("GET", path)
        match = CSRF.search(text)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        self.token = match.group(1)
