"""``mock-flowservice serve`` as a subprocess whose log goes to a file, for the serve tests.

The server writes one log line per request; a pipe nobody reads would fill up and block it,
so stderr goes to a file, read after the server stopped. Every process is stopped by its PID
when the block ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .support import BASE_PATH, wait_for_url, wait_healthy


@dataclass
class Served:
    """A running ``serve`` process, the URL it printed and the file its stderr goes to."""

    process: subprocess.Popen[str]
    url: str
    log_path: Path

    @property
    def base_url(self) -> str:
        return self.url + BASE_PATH

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Send ``sig`` (once), wait for the exit and return the status; kill after ``timeout``."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self) -> None:
        """``kill -9``: no chance to flush or clean up."""
        self.process.kill()
        self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


def serve_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "mock_flowservice", "serve", "--port", "0", *args]


def run_serve(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run ``serve --port 0 ARGS`` to its end (for commands that must refuse to start)."""
    command = serve_command(args)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@contextmanager
def served(
    *args: str, log_path: Path, env: dict[str, str] | None = None, ready: bool = True
) -> Iterator[Served]:
    """Run ``serve --port 0 ARGS`` on 127.0.0.1 for a ``with`` block (healthy when ``ready``)."""
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            serve_command(args),
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            env={**os.environ, **(env or {})},
        )
    try:
        try:
            server = Served(process, wait_for_url(process), log_path)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log_path.read_text('utf-8')}") from None
        if ready:
            wait_healthy(server.url)
        yield server
    finally:
        Served(process, "", log_path).stop()
        assert process.stdout is not None
        process.stdout.close()
