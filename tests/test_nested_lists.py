"""A list with a nested sub-list: the sub-list is a list of its own inside its parent item, and
the outer list goes on after it; an answer quoting it shows the sub-items under their parent
and the next outer item back at the outer level, citing the file's lines exactly."""

from __future__ import annotations

from conftest import assert_cites_exact_lines, small_kb_assistant

from app.core.passages import split_units
from app.core.quote import expand, render
from app.core.retrieve import Hit
from app.core.scorer import Candidate
from ingest.chunk import chunk_markdown

RELEASES = """# Releases

## Before a release

Check these before every release:

- Run the full test suite on the release branch.
- Update the changelog:
  - list every user-visible change
  - link each change to its ticket
- Tag the release commit with the version number.
- Announce the release window in the team channel.
"""


def test_a_nested_list_is_a_list_of_its_own_and_the_outer_list_goes_on_after_it() -> None:
    chunk = chunk_markdown(RELEASES, "releases.md")[-1]
    units = {u.start_line: u for u in split_units(chunk) if u.kind == "item"}
    parent, child, other_child, sibling = units[8], units[9], units[10], units[11]
    assert child.block == other_child.block != parent.block  # the sub-list is its own list
    assert sibling.block == parent.block  # the outer list goes on after it
    assert units[12].block == parent.block
    assert (child.start_line, child.end_line) == (9, 9)
    assert child.quote == "list every user-visible change"


def test_an_answer_shows_sub_items_under_their_parent_and_cites_exact_lines(
    tmp_path, embedder
) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"releases.md": RELEASES})
    answer = assistant.ask("What should I check before every release?")
    assert not answer.refused
    assert (
        "- Update the changelog:\n"
        "  - list every user-visible change\n"
        "  - link each change to its ticket\n"
        "- Tag the release commit with the version number."
    ) in answer.text, answer.text
    assert_cites_exact_lines(answer, RELEASES)


CHECKLIST = """# Releases

## Before a release

Check these before every release:

- Run the full test suite on the release branch.
- Update the changelog
  - list every user-visible change
  - link each change to its ticket
- Tag the release commit with the version number.
- Announce the release window in the team channel.
"""


def test_a_narrowed_list_keeps_the_chosen_item_with_its_sub_list() -> None:
    """A question about one item of a list quotes that item with the list's lead-in; the item's
    own sub-list comes with it, the other items do not."""
    chunk = chunk_markdown(CHECKLIST, "releases.md")[-1]
    units = tuple(split_units(chunk))
    changelog = next(u for u in units if u.quote == "Update the changelog")
    scores = {(chunk.id, u.order): 0.05 for u in units}
    scores[(chunk.id, changelog.order)] = 0.95  # the scorer's pick, far above its siblings
    passage = expand(Candidate(Hit(chunk, 0.6, 5.0, 0.03, 1), changelog, units), scores, True)
    assert render([passage], {chunk.id: 1}) == (
        "Check these before every release:\n\n"
        "- Update the changelog\n"
        "  - list every user-visible change\n"
        "  - link each change to its ticket [1]"
    )
    lines = CHECKLIST.splitlines()
    for unit in passage.units:  # each quoted unit stands at its own lines of the file
        assert unit.text.strip() == "\n".join(lines[unit.start_line - 1 : unit.end_line]).strip()
