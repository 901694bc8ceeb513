"""Asked for a fix, an answer leads with the sentence of the found page that states the fix
("The cleanest fix is ..."), not with the description of the problem, which shares more of the
question's words."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

URLS = """# Upgrade notes for URL fields

## Why URL fields stopped behaving like strings

After the upgrade a URL field holds a URL object, not a `str`, so string methods, string
comparisons and database drivers that expect text all fail on it.

### What the URL object breaks

`model.url.startswith("https")` raises `AttributeError`, because the object has no string
methods. `model.url == "https://example.com/"` is `False` even when the text matches. Handing
the object to a `String` column fails at flush time with a type error from the driver.

### How the URL is normalised

An empty path becomes `/` (`https://example.com` comes back as `https://example.com/`), the
host is lower-cased and a default port is dropped.

## One shared URL type that stays a str

The cleanest fix is one `Annotated` alias, declared once and used in every model, that
validates the value as a URL and then keeps it as a plain `str`. Code that called
`.startswith()` or assigned to a column keeps working.
"""

QUESTION = (
    "After the upgrade our URL fields are no longer str: .startswith() fails, String columns "
    "choke on them, and https://example.com comes back with a trailing slash. What's the "
    "cleanest fix across the codebase?"
)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"urls.md": URLS}
    return small_kb_assistant(tmp_path_factory.mktemp("compose-fix"), embedder, files)


def test_asked_for_a_fix_the_answer_leads_with_the_fix(assistant):
    text = plain(assistant.ask(QUESTION).text)
    assert text.startswith("The cleanest fix is one `Annotated` alias"), text[:200]


def test_asked_what_breaks_the_answer_still_describes_the_problem(assistant):
    text = plain(assistant.ask("What breaks when a URL field is no longer a str?").text)
    assert not text.startswith("The cleanest fix"), text[:200]
