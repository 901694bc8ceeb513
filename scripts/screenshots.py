"""Screenshots of the chat UI for the README, taken with Playwright and Debian's Chromium.

usage: .venv/bin/python -m ingest --data /tmp/shots-data      # index kb/ somewhere
       .venv/bin/python scripts/screenshots.py --data /tmp/shots-data

The data folder and kb/ are copied first: the chats asked here never land in your history,
and the file edited to show "Changed since the last ingest" is a copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
QUESTION = "How do I open and close a database session per request in FastAPI?"
FOLLOW_UP = "When should I denormalise a database schema?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kb-chat exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("kb-chat did not become healthy")


def settle(page) -> None:
    """Wait until the script run is over and the page has drawn."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=90_000
    )
    page.wait_for_timeout(600)


def ask(page, question: str) -> None:
    answers = page.get_by_test_id("stChatMessage").count() + 2
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    page.get_by_test_id("stChatMessage").nth(answers - 1).wait_for(timeout=90_000)
    settle(page)


def shoot(url: str, out: Path, kb: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_text("start with one of these").wait_for(timeout=90_000)
        settle(page)
        page.screenshot(path=out / "screenshot-empty.png")

        ask(page, FOLLOW_UP)
        page.get_by_role("button", name="New chat").click()
        page.get_by_text("start with one of these").wait_for()
        settle(page)
        page.set_viewport_size({"width": 1400, "height": 1700})
        ask(page, QUESTION)
        page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(300)
        page.screenshot(path=out / "screenshot-answer.png")

        page.get_by_role("button", name="Open section").first.click()
        page.get_by_role("dialog").wait_for()
        settle(page)
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.wait_for_timeout(500)
        page.screenshot(path=out / "screenshot-source.png")
        page.keyboard.press("Escape")
        page.wait_for_timeout(500)

        # Edit a file so the index panel has a change to report.
        edited = sorted(kb.rglob("*.md"))[-1]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
        page.set_viewport_size({"width": 1400, "height": 1400})  # the whole sidebar, unscrolled
        page.reload()
        page.get_by_text("Changed since the last ingest").wait_for(timeout=60_000)
        settle(page)
        page.get_by_test_id("stSidebar").screenshot(path=out / "screenshot-sidebar.png")
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="an ingested data folder")
    parser.add_argument("--kb", type=Path, default=ROOT / "kb")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(args.data, data, ignore=shutil.ignore_patterns("app.db*", ".lock"))
        kb = Path(tmp) / "kb"
        shutil.copytree(args.kb, kb)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env.update({"KB_DIR": str(kb), "KB_DATA_DIR": str(data), "KB_LLM": "none"})
        # Sync the copy (only chunks changed since --data was built are embedded), so the
        # index panel starts clean even while someone is editing kb/.
        subprocess.run(
            [sys.executable, "-m", "ingest"],
            env=env,
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "app.ui.chat", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, server)
            args.out.mkdir(parents=True, exist_ok=True)
            shoot(url, args.out, kb)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
