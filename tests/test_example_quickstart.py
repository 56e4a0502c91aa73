"""Quickstart command one (`python -m tests.example`, what `hatch run serve` runs)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from openapi.db.embedded import free_port

from tests.conftest import ROOT, log_text


def test_the_example_logs_the_port_it_really_listens_on(
    example_db_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log = (tmp_path / "server.log").open("w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.example", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATASTORE": example_db_url, "LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not re.search(r"serving on http://\S+ \(pid", text := log_text(log)):
            assert process.poll() is None, text
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
        assert f"serving on http://127.0.0.1:{port} (pid {process.pid})" in text
        assert "8080" not in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/spec", timeout=5) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
