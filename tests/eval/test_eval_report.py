"""`duplexsynth report`: the HTML page opens in headless Chromium, its audio loads and its plots render."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from duplexsynth.cli.report import report

CHROMIUM = "/usr/bin/chromium"


def _chromium(args: list[str], user_dir: Path) -> str:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={user_dir}", "--virtual-time-budget=8000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


@pytest.fixture()
def served_corpus(small_corpus: Path):
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(small_corpus))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_report_command_writes_the_page(small_corpus: Path) -> None:
    result = CliRunner().invoke(report, [str(small_corpus)])
    assert result.exit_code == 0, result.output
    page = (small_corpus / "report" / "index.html").read_text(encoding="utf-8")
    assert "Overlapping floor transfers (FTO<0)" in result.output and "targets met" in result.output
    assert page.count("<audio") == 1 and 'src="../audio/duplex/dlg-0.flac"' in page
    assert page.count('class="plot"') == 2  # FTO histogram + the dialogue's timeline
    assert "Good morning." in page and "data-wer=" in page


def test_report_command_names_a_missing_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, [str(tmp_path)])
    assert result.exit_code == 2 and "timelines.jsonl" in result.output


@pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason="needs Debian's chromium (apt-get install -y chromium)")
def test_report_loads_audio_and_renders_plots_in_chromium(small_corpus: Path, served_corpus: str, tmp_path: Path) -> None:
    assert CliRunner().invoke(report, [str(small_corpus)]).exit_code == 0
    url = f"{served_corpus}/report/index.html"
    dom = _chromium(["--dump-dom", url], tmp_path / "profile-dom")
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    assert 'data-audio-loaded="1"' in body.group(0), body.group(0)
    assert 'data-plots-rendered="2"' in body.group(0), body.group(0)
    duration = float(re.search(r'<audio[^>]*data-duration="([\d.]+)"', dom).group(1))
    assert duration == pytest.approx(15.1, abs=1.0)
    shot = tmp_path / "report.png"
    _chromium(["--hide-scrollbars", "--window-size=1280,1600", f"--screenshot={shot}", url], tmp_path / "profile-shot")
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shutil.copy(shot, small_corpus / "report" / "screenshot.png")
