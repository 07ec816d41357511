"""HTTP to the agent over loopback TCP or a Unix socket (standard library only).

One connection per call keeps the client thread-safe and simple (a loopback connect costs tens
of microseconds). Bodies go out as memoryviews, so a vector is not copied on the Python side;
answers are read into one pre-sized bytearray. Every answer with status >= 400 becomes the
exception of its error code.
"""

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Union, cast
from urllib.parse import urlsplit

from .errors import ShardwireError, error_from_answer

Body = Union[bytes, bytearray, memoryview]


class _UnixConnection(http.client.HTTPConnection):
    """HTTPConnection over an AF_UNIX stream socket."""

    def __init__(self, path: str, timeout: Optional[float]) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


@dataclass
class Answer:
    """An agent's answer: status, content type and the whole body."""

    status: int
    content_type: str
    body: bytearray

    def json(self) -> Dict[str, Any]:
        """The body as a JSON object."""
        return cast(Dict[str, Any], json.loads(bytes(self.body).decode("utf-8"))) if self.body else {}


class Transport:
    """Sends authenticated requests to one agent.

    Args:
        url: ``http://127.0.0.1:PORT`` for TCP (ignored with ``socket_path``).
        socket_path: the agent's Unix socket.
        token: the bearer token (read from the agent's token file).
    """

    def __init__(self, url: Optional[str], socket_path: Optional[str], token: str) -> None:
        if socket_path is None:
            if url is None:
                raise ValueError("Transport needs a url or a socket_path")
            parts = urlsplit(url)
            if parts.scheme != "http" or parts.hostname is None or parts.port is None:
                raise ValueError(f"agent url expected http://HOST:PORT, got {url!r}")
            self._host: Optional[str] = parts.hostname
            self._port: Optional[int] = parts.port
        else:
            self._host, self._port = None, None
        self._socket_path = socket_path
        self._auth = f"Bearer {token}"

    def _connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self._socket_path is not None:
            return _UnixConnection(self._socket_path, timeout)
        return http.client.HTTPConnection(self._host or "127.0.0.1", self._port, timeout=timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Optional[Mapping[str, Any]] = None,
        body: Optional[Body] = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> Answer:
        """Sends one request and returns the answer; raises the error of an error answer.

        Raises:
            ShardwireError: (a subclass per code) when the agent answers with an error.
            ConnectionError / OSError: when the agent cannot be reached.
        """
        h = {"Authorization": self._auth}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        conn = self._connection(timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=h)
            except (BrokenPipeError, ConnectionResetError):
                # the agent may have refused the body early (E_BODY_TOO_LARGE) and closed; its
                # answer is still readable
                pass
            res = conn.getresponse()
            answer = Answer(res.status, res.getheader("Content-Type", ""), _read_all(res))
        finally:
            conn.close()
        if answer.status >= 400:
            try:
                parsed = answer.json()
            except ValueError:
                parsed = {}
            raise error_from_answer(answer.status, parsed)
        return answer


def _read_all(res: http.client.HTTPResponse) -> bytearray:
    length = res.getheader("Content-Length")
    if length is None:
        return bytearray(res.read())
    buf = bytearray(int(length))
    view = memoryview(buf)
    at = 0
    while at < len(buf):
        n = res.readinto(view[at:])
        if not n:
            raise ShardwireError(f"the agent's answer ended after {at} of {len(buf)} bytes", code="E_BAD_PAYLOAD")
        at += n
    return buf
