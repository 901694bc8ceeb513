"""A comparison of names ("stub vs mock vs fake", "to_dict vs to_json") is answered by what the
knowledge base says each side is: the opening of the section headed by its name, or the list
item labelled with it. A sentence that only mentions a side next to another ("Like mocks,
fakes ...") does not count as that side's answer, and a list of many methods is quoted only
by the items that name a side."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant

DOUBLES = """# Test doubles

A test double replaces a real dependency in a unit test. Teams name the kinds differently, so
agree on the words before arguing about which one a test should use.

## Stubs

A stub hands back canned answers that were fixed before the test started, whatever it is asked.
The client under test reads those answers as if a real service had sent them.

Stubs get repetitive when every test needs its own set of canned answers, and they are often
combined with other doubles in one suite.

## Mocks

A mock is programmed with expectations about the calls it should receive, and it fails the
test when the code under test calls it differently.

Mocking libraries exist for every language and make these checks quick to write, which is why
mocking tends to be overused.

## Fakes

A fake is a real, working implementation that takes a shortcut, such as a repository that
keeps its rows in a dictionary instead of a database.

Like mocks, fakes push the design towards injected dependencies, but unlike mocks they need no
library: a fake is ordinary code. Fakes written for tests often end up shipped next to the
product code so that other teams stop writing their own mocks.
"""

RECORDS = """# Record objects

## Methods

Every record object offers the following methods:

- `to_dict()`: returns a plain dictionary of the record's fields and values.
- `to_json()`: returns the record encoded as a JSON string, ready to send over the wire.
- `copy()`: returns a shallow copy of the record.
- `validate()`: checks every field against its declared type and raises on the first error.
- `schema()`: returns a description of the record's fields and their types.
- `diff()`: lists the fields whose values differ from another record of the same kind.
"""

DEPLOYMENT = """# Deployment

## Rolling back

Roll back by redeploying the previous release's image; never patch a running container.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"test-doubles.md": DOUBLES, "records.md": RECORDS, "deployment.md": DEPLOYMENT}
    return small_kb_assistant(tmp_path_factory.mktemp("sides"), embedder, files)


def test_each_of_three_sides_gets_what_its_own_section_says_it_is(assistant) -> None:
    text = plain(assistant.ask("stub vs mock vs fake").text)
    assert "A stub hands back canned answers" in text
    assert "A mock is programmed with expectations" in text
    assert "A fake is a real, working implementation" in text
    # in the question's order: each side's own passage, not the fakes' mention of mocks, first
    assert text.index("A stub") < text.index("A mock") < text.index("A fake")


def test_a_list_of_methods_is_quoted_by_the_items_naming_a_side(assistant) -> None:
    text = plain(assistant.ask("to_dict vs to_json").text)
    assert "returns a plain dictionary" in text
    assert "encoded as a JSON string" in text
    assert "shallow copy" not in text and "raises on the first error" not in text
