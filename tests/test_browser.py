"""One real browser (Debian's Chromium via Playwright) against `kb-chat` in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import cli_env, stop

from ingest.sync import sync

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOSTILE = """# Hostile markup page

<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> Hostile markup testing: a knowledge base page may contain script tags and image tags, and the chat must show them as text.

## Links and images in hostile markup testing

Markdown links such as [click me](javascript:window.__pwned=3) and images such as ![pixel](http://127.0.0.1:9/pixel.png) must never run or load when the chat shows hostile markup.
"""  # noqa: E501
SCRIPT_TEXT = "<script>window.__pwned=1</script>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(settings, embedder, tmp_path: Path) -> Iterator[str]:
    """kb-chat on a free port, serving an ingested fixture KB with one hostile file."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    (settings.kb_dir / "practice" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    sync(settings, embedder=embedder)
    port = free_port()
    log = (tmp_path / "kb-chat.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.ui.chat", "--port", str(port)],
        env=cli_env(settings, KB_LLM="none"),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "kb-chat.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "kb-chat did not answer /_stcore/health"
                time.sleep(0.3)
        yield url
    finally:
        stop(process)
        log.close()


@pytest.fixture
def page(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        tab = context.new_page()
        tab.goto(server)
        try:
            yield tab
        finally:
            browser.close()


def settle(page) -> None:
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=90_000
    )


def ask(page, question: str) -> None:
    count = page.get_by_test_id("stChatMessage").count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    page.get_by_test_id("stChatMessage").nth(count + 1).wait_for(timeout=90_000)
    settle(page)


def test_browser_answer_citation_source_and_hostile_markup(page):
    page.get_by_text("start with one of these").wait_for(timeout=90_000)
    settle(page)

    ask(page, "Where should I open and close a database session in FastAPI?")
    answer = page.get_by_test_id("stChatMessage").last
    marker = answer.get_by_role("link", name="[1]", exact=True).first
    assert "?source=web/fastapi-basics.md" in marker.get_attribute("href")
    assert "web/fastapi-basics.md" in marker.get_attribute("title")
    assert answer.get_by_text("Sources", exact=True).is_visible()

    # The [1] marker opens the cited section in a new tab.
    with page.context.expect_page() as opened:
        marker.click()
    source = opened.value
    source.get_by_role("heading", name="FastAPI basics").wait_for(timeout=60_000)
    settle(source)
    assert source.get_by_text("web/fastapi-basics.md", exact=False).first.is_visible()
    source.close()

    # "Open section" shows the whole section in a dialog.
    answer.get_by_role("button", name="Open section").first.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    # the dialog opens before Streamlit has drawn the section inside it
    section_text = dialog.get_by_text("Declare what an endpoint needs", exact=False)
    section_text.wait_for(timeout=30_000)
    assert section_text.is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # KB text with HTML in it is shown as text and runs nothing.
    ask(page, "How must the chat show script tags and image tags in hostile markup?")
    answer = page.get_by_test_id("stChatMessage").last
    assert answer.get_by_text(SCRIPT_TEXT, exact=False).first.is_visible()
    page.wait_for_timeout(500)  # give an onerror handler time to fire, if one were attached
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert (
        page.evaluate("[...document.scripts].filter(s => s.textContent.includes('__pwned')).length")
        == 0
    )
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript:\"]').length") == 0
