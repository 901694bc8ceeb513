"""The offline promise, checked at the system level.

Python audit hooks see only Python sockets; onnxruntime's telemetry is native code. So
kb-ingest, kb-ask and a kb-chat that runs for more than 30 s (and answers a question from a
real browser) run under `strace -f`, which records every connect() and sendto() of every
process and thread, and in a fresh HOME, where nothing may appear under ~/.cache/Microsoft.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, cli_env, strace_or_skip
from test_browser import BROWSER_ARGS, CHROMIUM, ask, free_port, settle

pytestmark = pytest.mark.slow

CHAT_SECONDS = 35  # long-lived processes flush telemetry on a timer: stay up long enough
# One address in strace's decoding of a sockaddr, e.g.
#   {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("20.42.65.92")}
#   {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=..., inet_pton(AF_INET6, "::1", ...
ADDRESS = re.compile(
    r"sa_family=AF_INET6?, sin6?_port=htons\((?P<port>\d+)\).*?"
    r"(?:inet_addr\(\"(?P<v4>[^\"]+)\"\)|inet_pton\(AF_INET6, \"(?P<v6>[^\"]+)\")"
)
CALLS = ("connect(", "sendto(", "sendmsg(", "sendmmsg(")
# Switches our own code must set: the test takes them out of the environment it starts with.
SWITCHES = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HUB_DISABLE_TELEMETRY",
    "ANONYMIZED_TELEMETRY",
    "ORT_DISABLE_TELEMETRY",
    "DO_NOT_TRACK",
)


def _loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "::ffff:127.0.0.1")


def outside_calls(log: Path) -> list[str]:
    """Network calls that leave the machine, or ask a DNS server (even a local one) a name."""
    bad = []
    for line in log.read_text(errors="replace").splitlines():
        if not any(call in line for call in CALLS):
            continue
        for match in ADDRESS.finditer(line):
            address = match["v4"] or match["v6"] or ""
            if not _loopback(address) or match["port"] == "53":
                bad.append(line.strip())
    return bad


def clean_env(settings, home: Path) -> dict[str, str]:
    """Our commands' environment, without any of the switches our own code must set."""
    env = cli_env(settings, HOME=str(home), KB_LLM="none")
    for key in SWITCHES:
        env.pop(key, None)
    for key in [k for k in env if k.startswith("STREAMLIT_")]:
        env.pop(key)
    return env


def traced(strace: str, log: Path, *args: str) -> list[str]:
    return [strace, "-f", "-qq", "-e", "trace=network", "-o", str(log), *args]


def test_ingest_ask_and_chat_open_no_connection_beyond_this_machine(settings, tmp_path) -> None:
    strace = strace_or_skip()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(settings, home)
    logs = {name: tmp_path / f"{name}.strace" for name in ("ingest", "ask", "chat")}

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    ingest = subprocess.run(
        traced(strace, logs["ingest"], sys.executable, "-m", "ingest"),
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    ask_cli = subprocess.Popen(  # answers while kb-chat starts and stays up
        traced(strace, logs["ask"], sys.executable, "-m", "app.cli", "What should I mock?"),
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    port = free_port()
    chat_log = (tmp_path / "kb-chat.log").open("wb")
    started = time.monotonic()
    chat = subprocess.Popen(
        traced(strace, logs["chat"], sys.executable, "-m", "app.ui.chat", "--port", str(port)),
        env=env, cwd=tmp_path, stdout=chat_log, stderr=subprocess.STDOUT,
        start_new_session=True,  # strace and everything under it: one process group to stop
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    requests: list[str] = []
    try:
        _wait_healthy(chat, url, tmp_path / "kb-chat.log")
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(url)
            page.get_by_text("start with one of these").wait_for(timeout=120_000)
            settle(page)
            ask(page, "What should I mock in tests?")
            answer = page.get_by_test_id("stChatMessage").last
            assert answer.get_by_role("link", name="[1]", exact=True).count() > 0
            left = CHAT_SECONDS - (time.monotonic() - started)
            if left > 0:
                page.wait_for_timeout(left * 1000)  # the page stays connected meanwhile
            browser.close()
        assert chat.poll() is None, (tmp_path / "kb-chat.log").read_text()
    finally:
        os.killpg(chat.pid, signal.SIGTERM)
        try:
            chat.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(chat.pid, signal.SIGKILL)
            chat.wait()
        chat_log.close()
        out, err = ask_cli.communicate(timeout=600)
    assert ask_cli.returncode == 0 and "[1]" in out, err

    assert time.monotonic() - started >= 30
    for name, log in logs.items():
        assert log.stat().st_size > 0, f"strace recorded nothing for {name}"
        assert outside_calls(log) == [], f"{name} went online"
    assert not (home / ".cache" / "Microsoft").exists(), sorted(
        str(p.relative_to(home)) for p in (home / ".cache" / "Microsoft").rglob("*")
    )
    # The page too (Streamlit's usage statistics would be sent by the browser).
    assert requests
    assert [u for u in requests if not u.startswith((url, "data:", "blob:"))] == []


def _wait_healthy(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            assert time.monotonic() < deadline, "kb-chat did not answer /_stcore/health"
            time.sleep(0.5)


def test_outside_calls_recognises_what_strace_prints(tmp_path: Path) -> None:
    """The parser above, on lines as strace 6 prints them: it must not miss a format."""
    sample = "\n".join(
        [
            "7 connect(3, {sa_family=AF_INET, sin_port=htons(443), "
            'sin_addr=inet_addr("20.42.65.92")}, 16) = -1 ENETUNREACH',
            '7 sendto(5, "abc", 3, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), '
            'sin_addr=inet_addr("127.0.0.11")}, 16) = 3',
            "8 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "2603:1030::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
            "9 connect(4, {sa_family=AF_INET, sin_port=htons(8501), "
            'sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            '9 connect(6, {sa_family=AF_UNIX, sun_path="/tmp/x.sock"}, 110) = 0',
            "9 bind(4, {sa_family=AF_INET, sin_port=htons(8501), "
            'sin_addr=inet_addr("0.0.0.0")}, 16) = 0',
        ]
    )
    path = tmp_path / "sample.strace"
    path.write_text(sample)
    assert len(outside_calls(path)) == 3
