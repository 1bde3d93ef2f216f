"""The validation proxy: forward to the real Flow Service, check every exchange against what
the mock knows, compare it with a shadow mock, record it, and report the drift.

See docs/proxy.md (how to use it) and docs/recordings.md (the recording format). Modules:
:mod:`.forward` (the one place that sends), :mod:`.operations` (the OpenAPI document),
:mod:`.checks`, :mod:`.shadow`, :mod:`.compare`, :mod:`.exchange` (redaction of outputs),
:mod:`.report`, :mod:`.recording`, :mod:`.replay` (``serve --replay``), :mod:`.service` (the app).
"""

from __future__ import annotations

from .forward import Upstream, UpstreamError
from .recording import RecordingError, read_recording, seed_document
from .replay import Replay, install_replay
from .report import DriftReport, markdown, write_report
from .service import ProxySettings, create_proxy_app, proxy_state

__all__ = [
    "DriftReport",
    "ProxySettings",
    "RecordingError",
    "Replay",
    "Upstream",
    "UpstreamError",
    "create_proxy_app",
    "install_replay",
    "markdown",
    "proxy_state",
    "read_recording",
    "seed_document",
    "write_report",
]
