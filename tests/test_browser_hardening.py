"""A real Chromium against a real Streamlit server: the Stop button, highlights around code
with brackets, no traceback in the browser, and no chat served beyond loopback without a
password."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXTURE_KB, ROOT, cli_env, index_settings, stop
from llm_server import FakeLLM
from test_browser import BROWSER_ARGS, CHROMIUM, free_port, settle

from app.core import history
from ingest.config import Settings
from ingest.sync import sync

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BRACKETS = """# Brackets in code

## Closing a slice

Close the slice with `items]` at the end of the line, then call the next function.
"""
QUESTION = "Where should I open and close a database session in FastAPI?"


@contextmanager
def streamlit(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[str]:
    """A Streamlit server in a subprocess on a free loopback port; yields its URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    port = free_port()
    log_path = cwd / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, *args, "--server.port", str(port)],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer /_stcore/health"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextmanager
def browser_page(url: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 1000})
        tab.goto(url)
        try:
            yield tab
        finally:
            browser.close()


@pytest.fixture(scope="module")
def llm():
    with FakeLLM() as fake:
        yield fake


@pytest.fixture(scope="module")
def chat(tmp_path_factory, embedder, llm) -> Iterator[tuple[str, Settings]]:
    """kb-chat in LLM mode (the fake server), over the fixture KB plus a page with brackets."""
    root = tmp_path_factory.mktemp("chat")
    shutil.copytree(FIXTURE_KB, root / "kb")
    (root / "kb" / "practice" / "brackets.md").write_text(BRACKETS, encoding="utf-8")
    settings = index_settings(root / "kb", root / "data")
    sync(settings, embedder=embedder)
    env = cli_env(settings, KB_LLM="openai", KB_LLM_BASE_URL=llm.url, KB_LLM_MODEL="fake")
    with streamlit(["-m", "app.ui.chat"], env, root) as url:
        yield url, settings


def test_stop_ends_a_streaming_answer_and_keeps_what_was_written(chat, llm):
    url, settings = chat
    llm.reply = "Open the session in a dependency that uses yield [1]. " + " ".join(
        f"detail{i}" for i in range(600)
    )
    llm.delay, llm.sent = 0.1, 0  # a minute if nobody stops it
    llm.hung_up.clear()
    with browser_page(url) as page:
        page.get_by_text("start with one of these").wait_for(timeout=90_000)
        settle(page)
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(QUESTION)
        box.press("Enter")
        page.get_by_text("detail5", exact=False).first.wait_for(timeout=90_000)
        stop_button = page.get_by_role("button", name="Stop")
        assert stop_button.is_visible()
        stop_button.click()
        page.get_by_text("Stopped before the end", exact=False).wait_for(timeout=60_000)
        settle(page)
        assert page.get_by_role("button", name="Stop").count() == 0
        answer = page.get_by_test_id("stChatMessage").last
        assert answer.get_by_text("Open the session in a dependency", exact=False).is_visible()
        assert llm.hung_up.wait(timeout=30), "the model server kept streaming after Stop"
        assert llm.sent < 600

        page.reload()  # the partial answer was saved with the chat
        page.get_by_text("Stopped before the end", exact=False).wait_for(timeout=90_000)
    [saved] = history.list_conversations(history.db_path(settings.data_dir))
    [_, stored] = history.messages(history.db_path(settings.data_dir), saved.id)
    assert stored.answer is not None and "you stopped it" in stored.answer.notice


def test_highlight_survives_a_bracket_inside_code(chat):
    url, _ = chat
    with browser_page(f"{url}/?source=practice/brackets.md&lines=5-5") as page:
        page.get_by_text("then call the next function", exact=False).first.wait_for(timeout=90_000)
        settle(page)
        section = page.get_by_test_id("stMarkdownContainer").filter(has_text="call the next")
        html = section.first.inner_html()
        assert "`" not in section.first.inner_text()  # the code span was not broken open
        assert "<code" in html and "items]" in html
        highlighted = section.first.locator(".stMarkdownColoredBackground").all_inner_texts()
        assert any("then call the next function" in text for text in highlighted), highlighted


def test_an_unexpected_error_shows_no_traceback_in_the_browser(settings, embedder, tmp_path):
    sync(settings, embedder=embedder)
    db = history.db_path(settings.data_dir)
    db.write_bytes(b"this is not a database" * 100)  # a damaged history file
    env = cli_env(settings, KB_LLM="none")
    with streamlit(["-m", "app.ui.chat"], env, tmp_path) as url, browser_page(url) as page:
        page.get_by_test_id("stException").or_(page.get_by_test_id("stAlert")).first.wait_for(
            timeout=90_000
        )
        settle(page)
        text = page.get_by_test_id("stApp").inner_text()
        for detail in ("Traceback", "sqlite3", "not a database", "history.py", str(ROOT)):
            assert detail not in text, text
    logs = "\n".join(p.read_text(errors="replace") for p in tmp_path.glob("server-*.log"))
    assert "not a database" in logs  # the details went to the server log
    with pytest.raises(sqlite3.DatabaseError):  # and the file was left as it was
        sqlite3.connect(db).execute("SELECT 1 FROM conversations")


def test_streamlit_run_on_every_interface_without_a_password_serves_nothing(
    settings, embedder, tmp_path
):
    sync(settings, embedder=embedder)
    env = cli_env(settings, KB_LLM="none")
    env.pop("KB_CHAT_PASSWORD", None)
    args = [
        "-m", "streamlit", "run", str(ROOT / "app" / "ui" / "streamlit_app.py"),
        "--server.address", "0.0.0.0", "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with streamlit(args, env, tmp_path) as url, browser_page(url) as page:
        page.get_by_text("This chat is not available", exact=False).wait_for(timeout=90_000)
        settle(page)
        assert "KB_CHAT_PASSWORD" in page.get_by_test_id("stApp").inner_text()
        assert page.get_by_test_id("stChatInput").count() == 0
        assert page.get_by_test_id("stSidebar").count() == 0
