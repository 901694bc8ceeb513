"""A greeting before a question and thanks after it are no part of it: "hey guys, ... ? thx"
was refused where the bare question was answered (the words counted as ones the KB lacks)."""

from __future__ import annotations

import pytest

from app.core.chatter import HELLO, WELCOME, reply_to, without_chatter


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        ("hey guys, should a spec be prose or code? thx", "should a spec be prose or code?"),
        ("hi! how can I slice bytes? cheers", "how can I slice bytes?"),
        ("ok so outbox pattern pls", "so outbox pattern"),
        ("question - how do I add a column? (asking for a friend)", "how do I add a column?"),
        ("quick question: is a UUID key ok? thanks!  :)", "is a UUID key ok?"),
        ("hi there, what is CORS? thank you", "what is CORS?"),
        ("hey how do I pin dependencies", "how do I pin dependencies"),
        ("pls help - tests hang on CI", "tests hang on CI"),
        ("okay so why? ty", "why?"),
        ("Is one global session OK? ty in advance", "Is one global session OK?"),
        ("hi! nobody acts on our metrics. Any advice? :)", "nobody acts on our metrics."),
    ],
)
def test_greetings_and_thanks_come_off_the_question(typed, asked):
    assert without_chatter(typed) == asked


@pytest.mark.parametrize(
    "question",
    [
        "How do I get help?",
        "Hello world example in Flask",
        "So-called ORM: what does it map?",
        "Is this OK?",
        "What does the ok() call do",
        "Any ideas for naming a test?",
        "hello.py fails to import, why?",
        "help-desk ticket routing?",
        "Should I use mypy or ty?",  # Astral's type checker
        "How do I say thanks?",
        "Why is tableView(_:) called twice?",
        "Hello, World program in Go?",
    ],
)
def test_a_question_without_chatter_is_left_as_it_is(question):
    assert without_chatter(question) == question


@pytest.mark.parametrize("said", ["thanks!", "hey guys, thanks!", "Thank you :)"])
def test_chatter_alone_asks_nothing(said):
    assert without_chatter(said) == ""


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("hi", HELLO),
        ("hey there!", HELLO),
        ("thanks!", WELCOME),
        ("No more, thanks", WELCOME),
        ("That's all", WELCOME),
        ("great, thanks", WELCOME),
        ("ok", WELCOME),  # mid-conversation: no greeting
        ("ok cool", WELCOME),
        ("gotcha", WELCOME),  # "got you", not "pitfall"
        ("No thanks", WELCOME),
        ("Bye", WELCOME),
    ],
)
def test_a_turn_that_asks_nothing_gets_a_reply(said, reply):
    assert reply_to(said) == reply


@pytest.mark.parametrize(
    "question",
    [
        "How do I say thanks?",
        "hello.py fails",
        "No",
        "Hello, World in Flask?",
        "hi, why?",
        "That's all?",  # asks whether there is more
        "Nothing else?",
        "?",
        "...",
        "ok so how do I retry tasks?",
    ],
)
def test_a_question_gets_no_small_talk(question):
    assert reply_to(question) is None
