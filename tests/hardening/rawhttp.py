"""A raw HTTP/1.1 client for hostile requests: exact bytes, duplicate headers, a Content-Length
that lies, a body cut off by closing the sending side. urllib can do none of these."""

from __future__ import annotations

import socket
from dataclasses import dataclass

HeaderList = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class RawReply:
    """The status (0 when the connection dropped before a status line) and the body."""

    status: int
    body: bytes


def header(name: str, value: str | bytes) -> tuple[bytes, bytes]:
    """A header as bytes; a str value is sent as latin-1 when it can be, else as UTF-8 (so
    non-ASCII reaches the server exactly as typed)."""
    if isinstance(value, bytes):
        return name.encode(), value
    try:
        return name.encode(), value.encode("latin-1")
    except UnicodeEncodeError:
        return name.encode(), value.encode("utf-8")


def post(
    host: str,
    port: int,
    path: str,
    headers: HeaderList,
    body: bytes,
    *,
    content_length: int | None = None,
    send_length: bool = True,
    half_close: bool = False,
    timeout: float = 10.0,
) -> RawReply:
    """POST `body` with exactly `headers`; `content_length` (default: the body's length) is what
    the Content-Length header claims. `half_close` shuts the sending side after the body, so a
    server waiting for more bytes sees the end of the stream."""
    lines = [f"POST {path} HTTP/1.1".encode(), f"Host: {host}:{port}".encode()]
    lines += [name + b": " + value for name, value in headers]
    if send_length:
        claimed = len(body) if content_length is None else content_length
        lines.append(f"Content-Length: {claimed}".encode())
    lines.append(b"Connection: close")
    data = b"\r\n".join(lines) + b"\r\n\r\n" + body
    received = bytearray()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading everything: read the answer
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return parse(bytes(received))


def parse(raw: bytes) -> RawReply:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return RawReply(0, raw)
    return RawReply(int(parts[1]), body)
