"""Forwarding one request to the configured upstream, and nowhere else.

:class:`Upstream` holds the only two origins the proxy talks to: the Flow Service origin of
``--upstream`` and the IMS origin (``--ims-upstream``, else the Flow Service one). A request is
sent with the caller's own headers (``Host`` set to the upstream's, hop-by-hop headers dropped)
and its own body; the answer comes back with its bytes as sent (still compressed when it was)
and never follows a redirect. urllib3 does the HTTP: ``redirect=False``, no retries, no proxy
from the environment.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

__all__ = ["HOP_BY_HOP", "Answer", "Upstream", "UpstreamError", "decoded_body", "end_to_end"]

#: RFC 9110 section 7.6.1 connection-specific headers, and those a proxy must set itself.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
     "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
)  # fmt: skip
IMS_PREFIX = "/ims/"


class UpstreamError(Exception):
    """The upstream could not be reached or did not answer (no secret in the text)."""


@dataclass(frozen=True)
class Answer:
    """The upstream's answer: status, headers in order, and the body's bytes as sent."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


def end_to_end(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers a proxy passes on: every one but the hop-by-hop ones (and those the
    ``Connection`` header names)."""
    pairs = list(headers)
    named = {
        token.strip().lower()
        for key, value in pairs
        if key.lower() == "connection"
        for token in value.split(",")
    }
    return [(k, v) for k, v in pairs if k.lower() not in HOP_BY_HOP and k.lower() not in named]


def decoded_body(answer: Answer) -> bytes:
    """The body with its ``Content-Encoding`` (gzip, deflate...) undone, for checking."""
    if not answer.header("content-encoding"):
        return answer.body
    response = urllib3.HTTPResponse(
        body=io.BytesIO(answer.body),
        headers=dict(answer.headers),
        status=answer.status,
        preload_content=False,
        decode_content=True,
    )
    try:
        return bytes(response.read())
    except urllib3.exceptions.DecodeError:
        return answer.body


def _origin(url: str, option: str) -> tuple[str, str]:
    """``(scheme://host[:port], host[:port])`` of an http(s) URL, or ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{option} must be an http:// or https:// URL, not {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(f"{option} must hold no user, password, query or fragment")
    return f"{parts.scheme}://{parts.netloc}", parts.netloc


def _quiet_urllib3() -> None:
    """urllib3 logs every URL it requests at DEBUG, query strings (which may hold a secret)
    included: its logger is kept at INFO or above while a proxy runs."""
    logger = logging.getLogger("urllib3")
    if logger.getEffectiveLevel() < logging.INFO:
        logger.setLevel(logging.INFO)


class Upstream:
    """The Flow Service (and IMS) origin requests go to; the one place that sends them."""

    def __init__(
        self, url: str, ims_url: str | None = None, *, timeout_s: float = 60.0, pool_size: int = 8
    ) -> None:
        _quiet_urllib3()
        self.origin, self.host = _origin(url, "--upstream")
        self.ims_origin, self.ims_host = _origin(ims_url or url, "--ims-upstream")
        self._pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=pool_size,
            retries=False,
            timeout=urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s),
        )

    def target(self, path: str) -> tuple[str, str]:
        """The origin and Host header a request path goes to (IMS paths to the IMS origin)."""
        if path.startswith(IMS_PREFIX):
            return self.ims_origin, self.ims_host
        return self.origin, self.host

    def send(
        self, method: str, path: str, query: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Answer:
        """Send one request (``path`` absolute, ``query`` raw) and read the whole answer."""
        if not path.startswith("/") or path.startswith("//"):
            raise UpstreamError("the request path must be absolute")
        origin, host = self.target(path)
        url = origin + path + (f"?{query}" if query else "")
        sent = urllib3.HTTPHeaderDict()
        for name, value in end_to_end(headers):
            sent.add(name, value)
        sent["Host"] = host
        try:
            response = self._pool.request(
                method,
                url,
                body=body or None,
                headers=sent,
                redirect=False,
                preload_content=False,
                decode_content=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise UpstreamError(f"{type(exc).__name__} from {origin}") from None
        try:
            data = response.read(decode_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise UpstreamError(f"{type(exc).__name__} reading from {origin}") from None
        finally:
            response.release_conn()
        return Answer(response.status, tuple(end_to_end(response.headers.items())), bytes(data))

    def close(self) -> None:
        self._pool.clear()
