"""`mkdocs serve` as a contributor runs it: edits to topic YAML and references.bib rebuild the site."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return None


def wait_for(url: str, text: str, seconds: float = 40) -> str:
    deadline = time.monotonic() + seconds
    page = None
    while time.monotonic() < deadline:
        page = fetch(url)
        if page is not None and text in page:
            return page
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url} within {seconds} s")


def test_serve_rebuilds_after_editing_yaml_and_bib(site_copy: Callable[[str], Path]) -> None:
    root = site_copy("basic")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", "-f", str(root / "mkdocs.yml")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for(base + "conditions/example-disease/", "Example disease")

        topic = root / "content" / "conditions" / "example-disease.yaml"
        topic.write_text(topic.read_text("utf-8").replace("title: Example disease", "title: Edited disease"), "utf-8")
        wait_for(base + "conditions/example-disease/", "Edited disease")
        wait_for(base + "mechanisms/example-pathway/", "Edited disease")  # a related topic: its page is rendered again too

        bib = root / "references.bib"
        bib.write_text(bib.read_text("utf-8").replace("A randomised trial of the drug", "A renamed trial"), "utf-8")
        wait_for(base + "references/doe2020trial/", "A renamed trial")
    finally:
        server.terminate()
        server.wait(timeout=10)
