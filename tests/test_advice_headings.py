"""A section heading that is itself the advice is shown above the quote of its section, cited at
its line: the section's body holds only the reasons and the exceptions."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant
from app.core.headings import with_headings
from app.core.passages import split_units
from app.core.query import Query
from app.core.quote import Passage, render
from app.core.retrieve import Hit
from ingest.chunk import chunk_markdown

PERFORMANCE = """# Performance tips

In most cases the parser is not your bottleneck; only follow these tips when profiling says so.

## In general, use `load_json()` not `load_dict(json.loads(...))`

With `load_dict(json.loads(...))` the JSON is parsed into Python dictionaries first and then
checked a second time. `load_json()` parses and checks the document in a single pass.

There are a few cases where `load_dict(json.loads(...))` may be faster: a hook that rewrites
the raw dictionary before checking runs faster on the two step method.

## Caching notes

Schemas are compiled once per class and kept for the life of the process. Compiling a schema
takes a few milliseconds, so a class defined inside a function recompiles on every call.
"""

CHOICE = "Should I call load_json() or parse with json.loads() and then load_dict()?"
HEADING = "In general, use `load_json()` not `load_dict(json.loads(...))`"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"performance.md": PERFORMANCE}
    return small_kb_assistant(tmp_path_factory.mktemp("advice-headings"), embedder, files)


def test_the_advice_in_a_heading_leads_the_answer_cited_at_its_line(assistant):
    answer = assistant.ask(CHOICE)
    assert not answer.refused
    assert answer.text.startswith(f"**{HEADING}**")
    heading_line = PERFORMANCE.splitlines().index(f"## {HEADING}") + 1
    first = answer.citations[0]
    assert first.start_line == heading_line
    assert first.text.splitlines()[0] == f"## {HEADING}"
    assert "parses and checks the document in a single pass" in plain(answer.text)


def test_a_heading_naming_a_topic_is_not_shown(assistant):
    answer = assistant.ask("How often is a schema compiled, and what does that cost?")
    assert not answer.refused
    assert "Caching notes" not in answer.text
    assert "compiled once per class" in plain(answer.text)


def test_a_question_asking_only_what_something_is_gets_no_recommendation(assistant):
    answer = assistant.ask("What does load_json() do?")
    assert not answer.refused
    assert HEADING not in answer.text


SETTINGS = """# Settings

Every setting below is read once, when the worker starts.

## Network settings

#### RETRY_LIMIT

How many times a failed delivery is attempted again before the message is parked in the
dead-letter queue.

Default: `5`

#### `ack_timeout`

Seconds the broker waits for an acknowledgement; the ack_timeout also bounds how long a
consumer may hold a message.

Default: `30`

## Queue housekeeping

Parked messages are kept for a week and then purged by a nightly job.
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory, embedder) -> Assistant:
    files = {"settings.md": SETTINGS}
    return small_kb_assistant(tmp_path_factory.mktemp("name-headings"), embedder, files)


def test_a_reference_entry_is_named_by_its_heading_when_its_body_never_says_it(reference):
    answer = reference.ask("How many times is a failed delivery attempted again?")
    assert not answer.refused
    assert answer.text.startswith("**RETRY_LIMIT**")
    assert "dead-letter queue" in plain(answer.text)
    assert "Default: `5`" in answer.text  # a "name: value" line is content, not a tab's label
    first = answer.citations[0]
    assert first.text.splitlines()[0] == "#### RETRY_LIMIT"
    assert first.start_line == SETTINGS.splitlines().index("#### RETRY_LIMIT") + 1


def test_an_entry_that_names_itself_or_a_topic_heading_is_not_repeated(reference):
    named = reference.ask("How long does the broker wait for an acknowledgement?")
    assert not named.refused
    assert "Seconds the broker waits" in plain(named.text)
    assert not named.text.startswith("**")  # the quote says ack_timeout itself
    topic = reference.ask("How long are parked messages kept before they are purged?")
    assert not topic.refused
    assert "Queue housekeeping" not in topic.text


LOCKING = """# Concurrency control

Two requests that edit the same row at once can lose one of the edits.

## Optimistic locking

Each row carries a version number. An update states the version it read and fails when the row
moved on, and the client retries with fresh data. Nothing waits, so it suits rows that rarely
collide.

## Pessimistic locking

The transaction takes a row lock with SELECT ... FOR UPDATE before it reads, and every other
writer waits until it commits. It suits hot rows where retries would keep failing.
"""


@pytest.fixture(scope="module")
def locking(tmp_path_factory, embedder) -> Assistant:
    files = {"locking.md": LOCKING}
    return small_kb_assistant(tmp_path_factory.mktemp("side-headings"), embedder, files)


def test_each_side_of_a_comparison_is_labelled_by_its_heading(locking):
    answer = locking.ask("optimistic vs pessimistic locking")
    assert not answer.refused
    text = answer.text
    assert "**Optimistic locking**" in text and "**Pessimistic locking**" in text
    assert text.index("**Optimistic locking**") < text.index("version number")
    assert text.index("**Pessimistic locking**") < text.index("FOR UPDATE")
    lines = LOCKING.splitlines()
    cited = {c.start_line for c in answer.citations}
    assert {
        lines.index("## Optimistic locking") + 1,
        lines.index("## Pessimistic locking") + 1,
    } <= cited


def test_a_question_about_one_side_gets_no_labels(locking):
    answer = locking.ask("How does optimistic locking detect that a row changed?")
    assert not answer.refused
    assert "**Optimistic locking**" not in answer.text
    assert "version" in plain(answer.text)


RELEASES = [
    ("v2.4.0", "Add a streaming consumer API.", "Speed up batch acknowledgements by half."),
    ("v2.3.0", "Support zstd compression of payloads.", "Deprecate the legacy ping command."),
    ("v2.2.0", "Add per-queue retry limits.", "Fix a leak of file handles in the broker."),
    ("v2.1.0", "Add TLS client certificates.", "Log the consumer tag with every failure."),
    ("v2.0.0", "Drop support for Python 3.8.", "Rename the settings module."),
    ("v1.9.0", "Add the dead-letter queue.", "Fix ordering of redelivered messages."),
    ("v1.8.0", "Add prometheus metrics export.", "Fix a crash on empty frames."),
    ("v1.7.0", "Add message priorities.", "Fix reconnect backoff."),
    ("v1.6.0", "Add delayed delivery.", "Fix a race in shutdown."),
    ("v1.5.0", "Add queue purging.", "Fix header decoding of non-ascii values."),
    ("v1.4.0", "Add consumer groups.", "Fix a memory spike on large batches."),
]
CHANGELOG = "# Changelog\n\n" + "\n".join(
    f"## {version}\n\n- {first}\n- {second}\n" for version, first, second in RELEASES
)
QUEUE_API = """# Queue API

## Reading

#### `get()`

Takes the oldest message off the queue together with its headers, or waits for one.

#### `nack_all()`

Returns every unacknowledged message to the queue:

- Redelivered messages:
    - keep their original headers and priority,
    - count one more delivery attempt.
"""


@pytest.fixture(scope="module")
def releases(tmp_path_factory, embedder) -> Assistant:
    files = {"CHANGELOG.md": CHANGELOG, "queue.md": QUEUE_API}
    return small_kb_assistant(tmp_path_factory.mktemp("release-headings"), embedder, files)


def test_a_release_heading_is_shown_once_as_the_caption_not_as_a_name(releases):
    answer = releases.ask("In which release was support for Python 3.8 dropped?")
    assert not answer.refused
    assert "*v2.0.0*" in answer.text
    assert "**v2.0.0**" not in answer.text


def test_a_name_inside_another_word_does_not_count_as_named(releases):
    answer = releases.ask("How do I take the oldest message off the queue?")
    assert not answer.refused
    assert answer.text.startswith("**`get()`**")  # "together" does not name get()


def test_a_heading_above_a_quote_opening_on_a_nested_item_keeps_the_quote():
    # The list under `nack_all()`, quoted from its first nested item on: the heading shown above
    # it once swallowed the whole list (a nested item joined the heading's block).
    chunk = next(c for c in chunk_markdown(QUEUE_API, "queue.md") if "nack_all" in c.heading_path)
    nested = [u for u in split_units(chunk) if u.kind == "item" and u.level > 0]
    passage = Passage(Hit(chunk, 0.5, 1.0, 1.0, 1), tuple(nested))
    query = Query.parse("Which attempt count do redelivered messages get?")
    shown = with_headings(query, [passage])
    text = render(shown, {chunk.id: 1})
    assert text.startswith("**`nack_all()`**")
    assert "keep their original headers and priority" in text
    assert "count one more delivery attempt" in text
