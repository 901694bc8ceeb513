"""A content tab's label heads its code ("Option 1: pip" over `pip install ...`); a "name: value"
line ("Default: `5`", "**Default:** `30`") states something and stays even with no code under
it. The two were once confused both ways."""

from __future__ import annotations

import pytest
from conftest import small_kb_assistant

from app.core.engine import Assistant

INSTALL = """# Installing the tool

## Install the CLI

Install the command-line tool with the package manager of your platform:

=== "Option 1: pip"

    ```bash
    pip install acmecli
    ```

=== "Option 2: Homebrew"

    ```bash
    brew install acmecli
    ```

After installing, run `acmecli --version` to check it works.

## Configure the CLI

The CLI reads its settings from a file in your home folder named acme.toml.
"""

SETTINGS = """# Settings

#### UPLOAD_TIMEOUT

Seconds an upload may take before the server drops the connection and reports a timeout.

**Default:** `30`

#### Logging

Logs go to standard error. Set the level with the LOG_LEVEL variable.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"install.md": INSTALL, "settings.md": SETTINGS}
    return small_kb_assistant(tmp_path_factory.mktemp("labels"), embedder, files)


def test_a_tab_label_with_a_colon_stays_over_its_code(assistant):
    answer = assistant.ask("How do I install the acmecli command-line tool?")
    assert not answer.refused
    text = answer.text
    assert "package manager of your platform:" in text
    assert "Option 1: pip\n```bash\npip install acmecli" in text
    lines = INSTALL.splitlines()
    cited = answer.citations[0]
    assert cited.start_line <= lines.index("## Install the CLI") + 3  # from the lead-in on


def test_a_default_in_bold_name_value_form_is_kept(assistant):
    answer = assistant.ask("How long may an upload take before the server drops it?")
    assert not answer.refused
    assert "`30`" in answer.text
