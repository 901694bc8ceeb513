"""Answers that hold what they announce: the subsections a quoted sentence introduces, the list
a lead-in introduces in the section's next chunk, the sentence a paragraph ends on, and the page
a pointer sentence sends the reader to."""

from __future__ import annotations

import re

import pytest
from conftest import plain, small_kb_assistant

from app.core.answer import Answer
from app.core.compose import SIBLING_ROOM, Scored, add_second, refers_elsewhere, same_section
from app.core.engine import Assistant
from app.core.evaluate import junk_markup
from app.core.parts import merge
from app.core.passages import split_units
from app.core.query import Query
from app.core.quote import MAX_WORDS, PARAGRAPH_WORDS, Passage, expand, render, words
from app.core.retrieve import Hit
from app.core.scorer import Candidate
from ingest.chunk import chunk_markdown

REVIEWS = """# Reviewing generated code

Generated code needs a reviewer who knows what the author checked.

## What to require before review starts

Ask for three things with every pull request that contains generated code, and put them in
the contribution guide so they are a norm. They cost the author little.

### An explanation of every line

The author must be able to explain each line and what it does with invalid input.

### Tests the author designed

Tests must come from the acceptance criteria, not from the assistant.

### A short disclosure

A few lines telling the reviewer which parts were generated.

## Merging the change

Merge with a squash commit once every blocking comment is resolved. Nothing else is needed.

### Squash commits

A squash commit keeps one commit per change on the main branch.

### Commit messages

The message names the ticket.
"""

# The sign-off list is too long to share a chunk with its lead-in (ingest/chunk.py MAX_CHARS).
RELEASING = """# Releasing

## Rolling out a release

A release reaches every customer in stages, so a fault shows on a few machines before it
reaches them all. The release manager owns the rollout from the first canary to the last
region, and writes down in the release ticket what was checked at each stage, by whom and
when, so that the next manager can see where a rollout stopped and why.

Before the first stage the manager confirms the release has been signed off:

- The change log names every ticket in the release and links the pull request that closed it,
  so support can answer a customer who asks whether their bug is fixed.
- The automated test suite passed on the exact commit being released, not on a later merge.
- The database migrations were applied to the staging copy and rolled back again without loss.
- Feature flags for unfinished work are switched off in the production configuration file.
- The on-call engineer for the release window knows the release is happening and has the runbook
  open, with the rollback steps checked against this release's migrations.
- The dashboards that show error rate and latency per region are open and loading current data.
- The support team has the release notes and knows which customers asked for the fixed bugs.
- The previous release's build is still in the artifact store, ready to redeploy within minutes.

## Closing a release

A release is closed once every region runs it and the error rate has stayed at its baseline
for a full day. The release manager then closes the release ticket, and records in it:

- Which stages needed a second look, and what the manager checked before letting them go on.
- Every alert that fired during the rollout, with the dashboard that showed it and its cause.
- Each rollback, partial or full, with the time it took and the fault that made it necessary.
- The customers who reported problems, so that support can tell them when the fix is out.
- What the next release manager should watch for, written while the rollout is still fresh.
- Which migrations ran in each region, and how long each took on the largest database there.
- Any manual step the runbook did not describe, so that it can be added before the next one.
- The total time from the first canary to the last region, against the time that was planned.

## Rolling back

Roll back by redeploying the previous release; never patch a broken release in place.
"""

MEMORY = """# Memory

## Finding memory growth with tracemalloc

`tracemalloc` records the Python source line that allocated each block, and comparing two
snapshots shows which lines allocated memory that is still alive. Start it early
(`tracemalloc.start(frames)` or `PYTHONTRACEMALLOC=10` in the environment), take a baseline
snapshot, run the suspect workload, take a second snapshot, and use `compare_to(baseline,
"lineno")` (or `"traceback"` for full stacks). `get_traced_memory()` returns current and peak
traced bytes, and `reset_peak()` (3.9+) lets you measure the peak of one phase. Tracing slows
allocation noticeably, so enable it on a canary instance or behind a flag rather than
everywhere. It sees only allocations made through Python's allocators; for native memory from C
extensions, use `memray`, and for "who still references this object", use `gc.get_referrers` or
`objgraph`.
"""

FREE_THREADED = """# Concurrency

## The free-threaded build

Python 3.13 introduced an optional free-threaded build (PEP 703), usually installed as a separate
`python3.13t` executable, in which the GIL is disabled and threads run Python code in parallel on
multiple cores. In 3.13 it was explicitly experimental, with a substantial single-threaded
slowdown. In 3.14 it became officially supported but still optional (PEP 779), with a smaller
single-threaded overhead; the default build still has a GIL. Extension modules must declare that
they support running without the GIL; importing one that does not re-enables the GIL for the
process with a warning, so the benefit depends on every compiled dependency being ready. You can
check at runtime with `sys._is_gil_enabled()` (3.13+) and force the GIL on with `PYTHON_GIL=1` or
`-X gil=1`. Code that was "safe" only because of GIL timing will show its races more often there,
so correct locking matters even more. Treat it as something to benchmark for CPU-bound thread
workloads, not as a default for production services yet.
"""

HANDBOOK = """# Team handbook

## Working agreement with a junior developer

Work with a junior developer follows five principles, and the delegation and mentoring pages
explain how to put each into practice. The full agreement, with examples of how a task moves
through it, is in [Junior collaboration](junior.md).

1. Split work into small components, each with a clear goal (see [Tasks](tasks.md)).
2. Give each piece a specification with acceptance criteria (see [Specs](specs.md)).
3. Help once the junior developer has made several genuine attempts (see [Help](help.md)).
4. Review their code thoroughly and kindly (see [Reviews](reviews.md)).
5. Treat every delegated task as a chance to teach (see [Teaching](teaching.md)).
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"reviews.md": REVIEWS, "releasing.md": RELEASING}
    return small_kb_assistant(tmp_path_factory.mktemp("complete"), embedder, files)


def file_lines(assistant: Assistant, source: str) -> list[str]:
    return (assistant.settings.kb_dir / source).read_text(encoding="utf-8").splitlines()


def test_an_announced_list_of_subsections_is_named_and_cited_at_each_heading(assistant) -> None:
    answer = assistant.ask("What should a pull request with generated code include before review?")
    assert "Ask for three things" in answer.text
    outline = [line for line in answer.text.splitlines() if line.startswith("- ")]
    assert [re.sub(r" \[\d+\]$", "", line) for line in outline] == [
        "- An explanation of every line",
        "- Tests the author designed",
        "- A short disclosure",
    ]
    assert junk_markup(answer.text) == []
    lines = file_lines(assistant, "reviews.md")
    by_n = {c.n: c for c in answer.citations}
    for line in outline:
        cited = by_n[int(re.search(r"\[(\d+)\]$", line).group(1))]
        assert cited.start_line == cited.end_line
        assert cited.text == lines[cited.start_line - 1]  # the heading line, exactly
        assert cited.text.startswith("### ") and cited.text[4:] in line


def test_subsections_nothing_announces_are_not_listed(assistant) -> None:
    answer = assistant.ask("How do we merge a reviewed change?")
    assert "squash commit" in plain(answer.text)
    assert "- Commit messages" not in answer.text


@pytest.mark.parametrize(
    ("question", "lead_in", "section"),
    [
        (  # the lead-in answers best
            "What does the release manager confirm before the first stage?",
            "Before the first stage the manager confirms the release has been signed off:",
            "Rolling out a release",
        ),
        (  # the answer's paragraph closes on the lead-in
            "When is a release closed?",
            "The release manager then closes the release ticket, and records in it:",
            "Closing a release",
        ),
    ],
)
def test_a_lead_in_whose_list_opens_the_next_chunk_is_quoted_with_that_list(
    assistant, question: str, lead_in: str, section: str
) -> None:
    chunks = assistant.reader.current().document("releasing.md")
    ends = [c for c in chunks if " ".join(c.text.split()).endswith(lead_in)]
    assert len(ends) == 1 and ends[0].heading_path.endswith(section)
    listed = next(c for c in chunks if c.start_line > ends[0].end_line)
    assert listed.heading_path == ends[0].heading_path and listed.text.startswith("- ")
    answer = assistant.ask(question)
    assert lead_in in plain(answer.text)
    items = [" ".join(item.split()) for item in re.split(r"^- ", listed.text, flags=re.M)[1:]]
    quoted = [line[2:] for line in answer.text.splitlines() if line.startswith("- ")]
    assert [plain(q) for q in quoted] == items  # every item, in order, nothing else listed
    assert not plain(answer.text).endswith(":")
    lines = file_lines(assistant, "releasing.md")
    for cited in answer.citations:  # each citation is the file's lines, exactly
        assert cited.text == "\n".join(lines[cited.start_line - 1 : cited.end_line])
    assert [(c.start_line, c.end_line) for c in answer.citations][-1] == (
        listed.start_line,
        listed.end_line,
    )


@pytest.mark.parametrize(
    ("last_score", "ends_with_it"),
    [(0.85, True), (0.60, False)],  # 0.85 of the chosen unit's 0.96: as the real index scores it
)
def test_a_paragraph_cut_before_its_answering_sentence_runs_on_to_it(
    last_score: float, ends_with_it: bool
) -> None:
    """The scores are the answer scorer's for "what if the growth comes from a C extension?"
    after a question about tracemalloc, on the knowledge base this paragraph comes from."""
    chunk = next(c for c in chunk_markdown(MEMORY, "memory.md") if "tracemalloc" in c.text)
    units = tuple(split_units(chunk))
    assert len(units) == 5 and words(list(units)) > MAX_WORDS  # the budget cuts it
    scores = dict(zip(range(5), (0.89, 0.96, 0.91, 0.87, last_score), strict=True))
    table = {(chunk.id, order): value for order, value in scores.items()}
    hit = Hit(chunk, 0.6, 5.0, 0.03, 1)
    passage = expand(Candidate(hit, units[1], units), table)
    text = " ".join(u.quote for u in passage.units)
    assert text.startswith("`tracemalloc` records the Python source line")
    assert text.endswith("`objgraph`.") is ends_with_it  # "... use `memray`, and ..."
    assert words(list(passage.units)) <= (PARAGRAPH_WORDS if ends_with_it else MAX_WORDS)


def test_a_long_paragraph_runs_on_to_its_closing_verdict() -> None:
    """ "Should we run production on the free-threaded build?": the verdict closes a paragraph of
    about 150 words, past the 100-word budget; the answer reads on to it (the scores are the
    answer scorer's on the knowledge base this paragraph comes from)."""
    chunk = next(c for c in chunk_markdown(FREE_THREADED, "concurrency.md") if "PEP 703" in c.text)
    units = tuple(split_units(chunk))
    assert len(units) == 7 and words(list(units)) > 140  # longer than a short section
    scores = (0.999, 0.951, 0.981, 0.938, 0.908, 0.851, 0.963)
    table = {(chunk.id, order): value for order, value in enumerate(scores)}
    passage = expand(Candidate(Hit(chunk, 0.6, 5.0, 0.03, 1), units[0], units), table)
    text = " ".join(u.quote for u in passage.units)
    assert text.startswith("Python 3.13 introduced an optional free-threaded build")
    assert text.endswith("not as a default for production services yet.")
    assert words(list(passage.units)) <= PARAGRAPH_WORDS


@pytest.mark.parametrize(
    ("sentence", "points_away"),
    [
        (
            "The full agreement, with examples of how a task moves through it, is in Junior "
            "collaboration.",
            True,
        ),
        (
            "Work with a junior developer follows five principles, and the delegation and "
            "mentoring pages explain how to put each into practice.",
            False,
        ),
        ("Split work into small components, each with a clear goal (see Tasks).", False),
    ],
)
def test_a_sentence_that_only_sends_the_reader_to_a_page_never_leads(
    sentence: str, points_away: bool
) -> None:
    """Such a sentence yields the lead to the next unit scoring within SECOND_SHARE (the
    README's pointer gave way to the linked page's own summary on the real knowledge base)."""
    chunk = next(c for c in chunk_markdown(HANDBOOK, "handbook.md") if "five" in c.text)
    units = tuple(split_units(chunk))
    unit = next(u for u in units if u.quote == sentence)
    assert refers_elsewhere(Candidate(Hit(chunk, 0.6, 5.0, 0.03, 1), unit, units)) is points_away


ROLLBACK = """# Releases

## Rolling back a release

Your release strategy should plan for rollback when a deployment fails in production, and the
plan should be rehearsed before the first release so that nobody improvises under pressure.

Rolling back is simple when only code changed: trigger a new release of the last known good
version and promote it through the same pipeline as any other release, with the same checks.

Rolling back gets tricky when the release changed database records, because the old code may
not understand the new data and the new data may not be reversible without a backup.

Back up every data file and database before each release so that it can be restored, and
record which backup belongs to which release so the restore picks the right one quickly.

Rings limit the damage a bad release can do: deploy to a small group of users first, watch
the error rate and latency, and widen the rollout only when both stay within their budgets.
"""


def test_a_paragraph_two_overlapping_chunks_share_is_quoted_once() -> None:
    """A long section's chunks repeat a short paragraph (the next piece opens with the last
    block of the one before): an answer quoting both pieces shows that paragraph once."""
    first, second = chunk_markdown(ROLLBACK, "releases.md")
    assert first.end_line >= second.start_line  # the pieces overlap
    shared = "Back up every data file and database before each release"
    passages = []
    for rank, chunk in enumerate((first, second), 1):
        units = tuple(split_units(chunk))
        opening = ("Rolling back gets", "Back up", "Rings")
        quoted = tuple(u for u in units if u.quote.startswith(opening))
        passages.append(Passage(Hit(chunk, 0.6, 5.0, 0.03, rank), quoted or units))
    assert all(shared in " ".join(u.quote for u in p.units) for p in passages)
    merged = merge(passages)
    text = render(merged, {p.hit.chunk.id: n for n, p in enumerate(merged, 1)})
    assert text.count(shared) == 1
    assert "Rings limit the damage" in text  # what only the second piece holds stays


EXTRA = """# Models

## Extra data

On extra data behaviour when a model is built without validation:

- With `extra` set to `'allow'`, data not corresponding to fields is stored in
the `__pydantic_extra__` dictionary and saved to the model's `__dict__`.
- With `extra` set to `'ignore'`, data not corresponding to fields is dropped, that is
not stored anywhere on the instance.
"""


def test_a_list_item_whose_lines_are_not_indented_is_quoted_as_one_item() -> None:
    """Markdown lets an item's paragraph run on in lines that are not indented: the answer
    shows each item whole, not its second line as a stray paragraph with its own marker."""
    chunk = chunk_markdown(EXTRA, "models.md")[0]
    units = tuple(split_units(chunk))
    items = [u for u in units if u.kind == "item"]
    assert len(items) == 2
    assert items[0].quote.endswith("saved to the model's `__dict__`.")
    assert items[1].quote.endswith("not stored anywhere on the instance.")
    hit = Hit(chunk, 0.6, 5.0, 0.03, 1)
    text = render([Passage(hit, units)], {chunk.id: 1})
    assert "\n\nthe `__pydantic_extra__`" not in text and "\n\nnot stored" not in text
    assert junk_markup(text) == []


@pytest.mark.parametrize(
    ("share", "opens", "joins"),
    [(0.95, "", True), (0.6, "", False), (0.95, "> ", False), (0.95, "    ", False)],
)
def test_the_next_piece_of_a_long_section_joins_when_it_answers_nearly_as_well(
    share: float, opens: str, joins: bool
) -> None:
    """Chunking cut the section in two, and retrieval ranks the pieces apart: the second piece's
    best unit joins the answer when it scores nearly as well as the lead (SIBLING_SHARE), and a
    unit of another section never does, however well it scores; nor does a quotation or an
    indented block (code without a fence), which do not read on from the lead's prose."""
    text = ROLLBACK.replace("\nRings limit", f"\n{opens}Rings limit")
    first, second = chunk_markdown(text, "releases.md")
    other = chunk_markdown(EXTRA, "models.md")[0]
    hits = [Hit(c, 0.6, 5.0, 0.03, rank) for rank, c in enumerate((first, second, other), 1)]

    def scored(hit: Hit, opening: str, probability: float) -> Scored:
        units = tuple(split_units(hit.chunk))
        shown = {u: u.text.strip() if u.kind == "code" else u.quote for u in units}
        unit = next(u for u in units if shown[u].lstrip("> ").startswith(opening))
        return Scored(probability, probability, Candidate(hit, unit, units))

    lead = scored(hits[0], "Rolling back gets tricky", 0.8)
    ranked = [
        lead,
        scored(hits[2], "With `extra` set to `'allow'`", 0.79),  # another section
        scored(hits[1], "Rings limit the damage", share * 0.8),
    ]
    passages = [expand(lead.candidate)]
    found = same_section(lead, ranked, passages, Query.parse("How do I roll back data changes?"))
    assert (found is not None) is joins
    if found is not None:
        assert found.candidate.hit.chunk == second


def test_the_next_piece_of_a_long_section_joins_a_long_first_quote() -> None:
    """The first piece of a long section quoted nearly whole still leaves room for the next
    piece's answering paragraph: "how do I limit the damage of a bad release?" is answered by
    the "Rings" paragraph that chunking put in the section's second piece."""
    first, second = chunk_markdown(ROLLBACK, "releases.md")
    hits = [Hit(c, 0.6, 5.0, 0.03, rank) for rank, c in enumerate((first, second), 1)]
    quoted = tuple(split_units(first))
    rest = tuple(split_units(second))
    lead_unit = next(u for u in quoted if u.quote.startswith("Rolling back gets tricky"))
    rings = next(u for u in rest if u.quote.startswith("Rings limit"))
    lead = Scored(0.8, 0.8, Candidate(hits[0], lead_unit, quoted))
    sibling = Scored(0.78, 0.78, Candidate(hits[1], rings, rest))
    passages = [Passage(hits[0], quoted)]
    assert 130 < words(list(quoted)) + words([rings]) <= SIBLING_ROOM  # past the old budget
    question = Query.parse("How do I limit the damage of a bad release?")
    add_second(question, lead, [lead, sibling], passages, {})
    assert len(passages) == 2
    assert [u.quote[:12] for u in passages[1].units] == ["Rings limit "]


VERSION_CONTROL = """# Version control

## Commit messages

A commit message has a subject line of at most 50 characters, then a blank line and a body
that says why the change was made. Wrap the body at 72 characters so that it reads well in a
terminal, and write the subject in the imperative mood, as if completing the sentence "If
applied, this commit will ...". Trailers such as Co-authored-by go on the last lines.

Git itself does not enforce any of this; `git log --oneline` and most review tools simply
show the first line, so a vague subject hides what changed from everyone who reads history.

For example, [Conventional Commits](https://www.conventionalcommits.org/) is a lightweight
convention for commit messages that starts each subject with a type such as feat or fix.

For more information on commit message conventions, see:

* [A Note About Git Commit Messages](https://tbaggery.com/git-commit-messages.html)
* [How to Write a Git Commit Message](https://cbea.ms/git-commit)
* [On commit messages](https://who-t.blogspot.com/on-commit-messages.html)

## Branches

Name a branch after its ticket and delete it once the pull request is merged.
"""


def ask_one_page(tmp_path, embedder, page: str, question: str) -> Answer:
    """Ingest a knowledge base of one page and ask it one question."""
    return small_kb_assistant(tmp_path, embedder, {"page.md": page}).ask(question)


def test_a_reading_list_never_answers_in_place_of_the_text_it_adds_to(tmp_path, embedder) -> None:
    """ "For more information on commit message conventions, see:" restates the topic, so it
    matched the question best, and the answer was a list of links; the paragraph it follows
    names the convention."""
    answer = ask_one_page(
        tmp_path, embedder, VERSION_CONTROL, "Is there a convention for commit messages?"
    )
    text = " ".join(re.sub(r"\[\d+\]", "", answer.text).split())
    assert "Conventional Commits](https://www.conventionalcommits.org/) is a lightweight" in text
    assert "For more information" not in text and "cbea.ms" not in text


TOKENS = """# Authentication

## Generating tokens

If you want every user to have an automatically generated token, catch the user model's
`post_save` signal and create the token there:

    from django.db.models.signals import post_save
    from django.dispatch import receiver

    @receiver(post_save, sender=User)
    def create_auth_token(sender, instance=None, created=False, **kwargs):
        if created:
            Token.objects.create(user=instance)

Place this code in a module Django imports on startup, such as `models.py`.

- Tokens never expire by default.

    Rotate them by deleting the old token.
"""


def test_indented_code_is_quoted_as_a_code_block_not_as_sentences(tmp_path, embedder) -> None:
    """Markdown's code without a fence (lines indented four spaces after a blank line): the
    answer shows it whole, fenced, with its line breaks, after the sentence that leads into it."""
    answer = ask_one_page(
        tmp_path, embedder, TOKENS, "How can every new user get a token automatically?"
    )
    assert "```\nfrom django.db.models.signals import post_save\n" in answer.text, answer.text
    assert "    def create_auth_token(" not in answer.text  # dedented as one block
    assert "def create_auth_token(sender, instance=None, created=False, **kwargs):\n" in answer.text
    assert junk_markup(answer.text) == []
    chunk = chunk_markdown(TOKENS, "authentication.md")[0]
    kinds = [(u.kind, u.start_line) for u in split_units(chunk)]
    assert ("code", 8) in kinds  # the block starts at its first indented line
    assert ("sentence", 11) not in kinds  # "@receiver(...)" is code, not a sentence
    assert kinds[-1] == ("sentence", 20)  # an indented paragraph under a list item is not code


PUT_AS_CREATE = """# Generic views

## PUT as create

Before version 3.0 the update mixin treated `PUT` as an update or as a create, depending on
whether the object already existed. Allowing `PUT` to create objects is a problem because it
tells clients whether an object exists, and silently re-creating deleted objects is not clearly
a better default than answering with a `404`.

Both behaviours can be valid, but since version 3.0 the default is to return `404 Not Found`
for a `PUT` to a missing object, because it is simpler and more obvious. If you need the old
behaviour, override `get_object` in your view so that it builds an unsaved instance when the
lookup fails.

## Caching

Cache list endpoints with the cache framework's decorators.
"""


def test_a_short_section_is_quoted_whole_with_the_paragraph_that_answers(
    tmp_path, embedder
) -> None:
    """A section of about 120 words reads best as it stands: its opening gives the history, its
    second paragraph the answer (404), and a quote of the opening alone missed the point."""
    answer = ask_one_page(
        tmp_path, embedder, PUT_AS_CREATE, "Can a PUT create the object when it doesn't exist yet?"
    )
    text = " ".join(re.sub(r"\[\d+\]", "", answer.text).split())
    assert "Before version 3.0 the update mixin treated `PUT`" in text
    assert "since version 3.0 the default is to return `404 Not Found`" in text
    assert "override `get_object`" in text
    assert "Cache list endpoints" not in text


NAMESPACES = """# Versioning

## NamespaceVersioning

To the client, this scheme is the same as `URLPathVersioning`. The only difference is how it is
configured in your Django application, as it uses URL namespacing instead of URL keyword
arguments. With this scheme the `request.version` attribute is determined based on the
`namespace` that matches the incoming request path.

In the following example we're giving a set of views two different possible URL prefixes, each
under a different namespace:

    # bookings/urls.py
    urlpatterns = [
        re_path(r'^$', bookings_list, name='bookings-list'),
        re_path(r'^(?P<pk>[0-9]+)/$', bookings_detail, name='bookings-detail')
    ]

    # urls.py
    urlpatterns = [
        re_path(r'^v1/bookings/', include('bookings.urls', namespace='v1')),
        re_path(r'^v2/bookings/', include('bookings.urls', namespace='v2')),
        re_path(r'^v3/bookings/', include('bookings.urls', namespace='v3')),
        re_path(r'^v4/bookings/', include('bookings.urls', namespace='v4'))
    ]

Both `URLPathVersioning` and `NamespaceVersioning` are reasonable if you just need a simple
versioning scheme.

The view takes these arguments:

* `url`: May be used to pass a canonical base URL for the schema.

        schema_view = get_schema_view(
            url='https://www.example.org/api/'
        )

* `public`: Whether the schema bypasses view permissions.
"""


def test_indented_code_a_piece_starts_near_is_quoted_as_code(tmp_path, embedder) -> None:
    """The section is long, so the chunker cuts it near the code: the piece that holds the code
    was read as an admonition body and the answer showed `urlpatterns = [ re_path(...` as a
    sentence. It shows the code as a block with its comment line, not as a heading."""
    answer = ask_one_page(
        tmp_path, embedder, NAMESPACES, "How do I give views two URL prefixes under namespaces?"
    )
    assert "```\n# bookings/urls.py\nurlpatterns = [\n" in answer.text, answer.text
    assert "\n# urls.py\nurlpatterns = [\n    re_path(r'^v1/bookings/'" in answer.text
    assert junk_markup(answer.text) == []
    for chunk in chunk_markdown(NAMESPACES, "versioning.md"):
        kinds = [(u.kind, u.start_line) for u in split_units(chunk)]
        assert ("sentence", 14) not in kinds and ("sentence", 20) not in kinds, kinds


def test_indented_code_in_a_list_item_is_quoted_as_code() -> None:
    """Code in a list item is indented four spaces deeper than the item's text (an indented
    paragraph under an item is not code)."""
    (chunk,) = [c for c in chunk_markdown(NAMESPACES, "versioning.md") if "schema_view" in c.text]
    units = {u.start_line: u for u in split_units(chunk)}
    assert units[34].kind == "code", units[34]
    assert units[34].quote == (
        "```\nschema_view = get_schema_view(\n    url='https://www.example.org/api/'\n)\n```"
    )
    assert units[38].kind == "item"


TASKS = """# Release checklist

- [ ] Build the wheel:

      python -m build

- [x] Tag the release.
"""


def test_code_under_a_task_list_item_is_quoted_as_code_as_ingestion_grouped_it() -> None:
    """A task item's box is part of its text, not its marker: its code is indented four columns
    past the marker ("- "), as ingestion reads it. Quoting once counted the box in and showed
    the command as a sentence of the item."""
    (chunk,) = chunk_markdown(TASKS, "release.md")
    units = {u.start_line: u for u in split_units(chunk)}
    assert units[5].kind == "code", units[5]
    assert units[5].quote == "```\npython -m build\n```"
    assert [u.kind for u in units.values()] == ["item", "code", "item"]
