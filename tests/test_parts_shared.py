"""A question asked of two names at once ("Blue-green or canary: how do they differ and which
makes rollback easier?") is asked of each: both get their own answer, not one the question
and the other a bare name."""

from __future__ import annotations

import pytest
from conftest import plain, small_kb_assistant

from app.core.engine import Assistant
from app.core.query import split_parts

DEPLOYMENTS = """# Continuous delivery

## Blue-green deployments

Blue-green is a deployment technique which reduces downtime by running two identical
instances of a production environment, called blue and green.

Only one of these environments accepts live production traffic at a given time. During a
release, the new version is deployed to the idle environment, which occurs independently of
the live one, and the end-to-end test suite runs against it before any user sees it.

Migrating users to the new version is as simple as changing the router configuration to
direct all traffic to the idle environment.

Keep the two environments identical in configuration and data, and automate the switch so that
it is the same tested operation every time. Database schema changes need care: both versions
must work against the same database while both environments exist, so make schema changes
backwards compatible and remove old columns only in a later release.

This technique simplifies rollback, as the router can simply be switched back to the previous
environment, which is still running the old version.

## Canary releasing

Once smoke and capacity tests are completed, a canary release routes a small subset of users
to the nodes hosting the release candidate, and widens the subset while the metrics stay
healthy. Canary releases simplify rollbacks, as you can stop routing users to a bad version.

## Release notes

Publish release notes for every production release, listing user-visible changes.
"""


SETTINGS = "Django settings for dev, staging and prod: separate modules or environment variables?"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder) -> Assistant:
    files = {"continuous-delivery.md": DEPLOYMENTS}
    return small_kb_assistant(tmp_path_factory.mktemp("parts-shared"), embedder, files)


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Blue-green or canary: how do they differ and which makes rollback easier?",
            (
                "Blue-green: how do they differ and which makes rollback easier",
                "canary: how do they differ and which makes rollback easier",
            ),
        ),
        (
            "Before vs after validators: which should I choose?",
            ("Before validators: which should I choose", "after validators: which should I choose"),
        ),
        (
            "Head sampling vs tail sampling - what's the trade-off?",
            ("Head sampling: what's the trade-off", "tail sampling: what's the trade-off"),
        ),
        ("Pylint or Flake8?", ("Pylint or Flake8?",)),
        (SETTINGS, (SETTINGS,)),  # not two short names before the colon
    ],
)
def test_a_question_after_two_names_is_asked_of_each(question: str, parts: tuple) -> None:
    assert split_parts(question) == parts


def test_both_names_of_a_choice_are_answered(assistant) -> None:
    answer = assistant.ask(
        "Blue-green or canary: how do they differ and which makes rollback easier?"
    )
    text = plain(answer.text)
    assert "two identical instances" in text or "simplifies rollback" in text
    assert "Canary releases simplify rollbacks" in text or "small subset of users" in text
    assert "release notes" not in text.lower()
    for cited in answer.citations:
        lines = DEPLOYMENTS.splitlines()
        assert cited.text == "\n".join(lines[cited.start_line - 1 : cited.end_line])
