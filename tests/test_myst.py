"""Sphinx projects write their markdown in MyST, Docusaurus sites in its own dialect: directives
in fences (```{note}, :::{warning}, :::tip Title), roles ({ref}`target`), comments and targets.
A reader of an answer sees their text, never the markup, and a code directive shows its code."""

from __future__ import annotations

from conftest import small_kb_assistant

from app.core.evaluate import junk_markup
from ingest.markdown import clean_lines, clean_text

CACHING = """---
title: Caching guide
---

(caching-guide)=
# Caching

% This comment is for editors only.

```{note}
Cache entries expire after ten minutes unless the service overrides `CACHE_TTL`.
```

## Invalidation

:::{warning}
:class: dropdown
Delete the key after the transaction commits, never before, or a reader may cache the old row.
:::

See {ref}`caching-guide` and {doc}`the retry guide <retries>`; {py:func}`~app.cache.delete` is
idempotent.

:::tip Choosing a TTL
Pick the TTL from how stale a reader may tolerate the data, not from how costly the query is.
:::

```{code-block} python
:caption: Deleting after commit

transaction.on_commit(lambda: cache.delete(f"order:{order.id}"))
```

```{toctree}
:maxdepth: 2

retries
```

```{versionadded} 2.1
Keys carry the schema version.
```
"""


def test_myst_and_docusaurus_markup_reads_as_text_line_for_line() -> None:
    lines = CACHING.splitlines()
    cleaned = clean_lines(lines)
    assert len(cleaned) == len(lines)  # citations still name the file's own lines
    text = clean_text(CACHING)
    assert "Note:\nCache entries expire after ten minutes" in text
    assert "Warning:\nDelete the key after the transaction commits" in text
    assert "See caching-guide and the retry guide; `delete` is\nidempotent." in text
    assert "Choosing a TTL.\nPick the TTL" in text
    assert '```python\ntransaction.on_commit(lambda: cache.delete(f"order:{order.id}"))\n```' in (
        text
    )
    assert "Added in 2.1:\nKeys carry the schema version." in text
    # A code span holding braces is code, whatever follows it on the line.
    assert clean_text("Format with `{name}` then `{value}` placeholders.") == (
        "Format with `{name}` then `{value}` placeholders."
    )
    assert clean_text("Go to `/items/{item_id}`, you see the `item_id` value.").startswith(
        "Go to `/items/{item_id}`, you see the `item_id`"
    )
    # A Docusaurus admonition has no option lines: an emoji shortcode opening it is text.
    assert clean_text(":::tip\n:bulb: Cache the client.\n:::") == "Tip:\n💡 Cache the client."
    assert clean_text("```{versionadded} 2.1\n```") == "Added in 2.1."
    session = "```{doctest}\n>>> len(cache)  # doctest: +SKIP\n0\n>>> print()\n<BLANKLINE>\n```"
    assert clean_text(session) == "```pycon\n>>> len(cache)\n0\n>>> print()\n\n```"
    for markup in ("{", ":::", "% This", "(caching-guide)=", ":caption:", "maxdepth", "retries\n"):
        assert markup not in text.replace("{order.id}", ""), markup


def test_an_answer_quotes_a_directive_s_text_without_its_markup(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"caching.md": CACHING})
    answer = assistant.ask("When should I delete the cache key?")
    assert "Delete the key after the transaction commits" in answer.text, answer.text
    answer = assistant.ask("How long do cache entries live?")
    assert "Cache entries expire after ten minutes" in answer.text, answer.text
    assert "```" not in answer.text  # the note is prose, not a code block
    for question in ("When should I delete the cache key?", "How do I pick a TTL?"):
        text = assistant.ask(question).text
        assert junk_markup(text) == [], text


GLOSSARY = """# Glossary

:::{glossary}
dunder methods
  "Dunder" is a contraction of "double underscore": methods like `__init__`.

slotted classes
  A class whose instances keep their attributes in slots instead of a dictionary.
:::

## Principles

Fast
: The work is done when the class is defined, never when an instance is created.

**No surprises.**

: Classes work the way a beginner would expect them to.
"""


def test_a_glossary_or_definition_list_reads_term_then_definition() -> None:
    """A term ran into its definition's first sentence ('dunder methods "Dunder" is ...'), and a
    definition's ": " marker was quoted as written."""
    lines = GLOSSARY.splitlines()
    assert len(clean_lines(lines)) == len(lines)
    text = clean_text(GLOSSARY)
    assert 'dunder methods:\n  "Dunder" is a contraction' in text
    assert "slotted classes:\n  A class whose instances" in text
    assert "Fast:\nThe work is done when the class is defined" in text
    assert "**No surprises.**\n\nClasses work the way" in text  # a sentence of its own: as it is
    assert not any(line.lstrip().startswith(":") for line in text.splitlines())
