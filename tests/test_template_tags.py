"""Team wikis on GitBook, Hugo or Jekyll sites write admonitions and tabs as template tags
({% hint %}, {{< note >}}, {% tab %}); MkDocs macros pages hold Jinja ({% if sponsors %}). A reader
of an answer sees what the site shows: the admonition's text under "Warning:", never the tags."""

from __future__ import annotations

from conftest import small_kb_assistant

from app.core.evaluate import junk_markup
from ingest.chunk import chunk_markdown
from ingest.markdown import clean_lines, clean_text

DEPLOYS = """# Deploys

{% hint style="warning" %}
Never deploy on Friday afternoons: the on-call engineer is alone over the weekend.
{% endhint %}

{{< note >}}
Roll back with `make rollback` within five minutes of a bad deploy.
{{< /note >}}

{{% alert title="Tag first" color="info" %}}
Tag the release before you deploy it.
{{% /alert %}}

{% tabs %}
{% tab title="Python" %}
Deploy with the SDK's `deploy()` call.
{% endtab %}
{% endtabs %}

See {{< ref "docs/rollbacks.md" >}} for more. Write {% raw %}{{ name }}{% endraw %} in templates.

{% if sponsors %}
{% include sponsors.html %}
{% endif %}

    {% for server in servers %}
"""


def test_template_tags_read_as_the_site_shows_them() -> None:
    lines = DEPLOYS.splitlines()
    cleaned = clean_lines(lines)
    assert len(cleaned) == len(lines)
    text = clean_text(DEPLOYS)
    assert "Warning:\nNever deploy on Friday afternoons" in text
    assert "Note:\nRoll back with `make rollback`" in text
    assert "Tag first.\nTag the release" in text
    assert "Python\nDeploy with the SDK's `deploy()` call." in text
    assert "See rollbacks for more. Write {{ name }} in templates." in text
    assert "{%" not in text.replace("    {% for server in servers %}", "")  # indented code stays
    assert cleaned[-1] == "    {% for server in servers %}"


def test_an_answer_quotes_a_hint_without_its_tags(tmp_path, embedder) -> None:
    assistant = small_kb_assistant(tmp_path, embedder, {"deploys.md": DEPLOYS})
    answer = assistant.ask("Can we deploy on a Friday afternoon?")
    assert "Never deploy on Friday afternoons" in answer.text, answer.text
    assert junk_markup(answer.text) == [], answer.text


INDENTED_CODE = """Add an override block to pyproject:

    [[tool.mypy.overrides]]
    if [[ -f config.toml ]]; then
    echo ok ^done
    #endif
    List<String> xs = new ArrayList<String>();
    {% raw %}
    x = {{< y >}}
"""


def test_indented_code_and_plain_prose_keep_what_looks_like_another_dialect() -> None:
    """Second review: the dialects' markup is read only where it can be markup."""
    lines = INDENTED_CODE.splitlines()
    assert clean_lines(lines)[2:] == lines[2:]  # indented code stays as written
    text = "Keep the batch size <N where N is the number of CPU cores.\nLarger batches retry."
    assert clean_text(text) == text  # "<N" opens no component: the next line stays
    one_line = '{% hint style="info" %}Tokens expire after one hour.{% endhint %}'
    assert clean_text(one_line) == "Tokens expire after one hour."  # the tags go, not the text
    mdx = 'import {\n  Tabs,\n  TabItem}\nfrom "@theme/Tabs";\n\nSome text.'
    assert clean_text(mdx) == "Some text."
    hugo = '{{< hint warning >}}\nCareful.\n{{< /hint >}}\n\n{{< tab "MacOS" >}}\nUse brew.'
    assert clean_text(hugo) == "Warning:\nCareful.\n\nMacOS\nUse brew."


def test_headings_read_as_their_page_shows_them() -> None:
    note = "# Notes on [[Postgres]]\n\n## Tuning [[Postgres#Vacuum|vacuum]] ^h1\n\nText.\n"
    chunk = chunk_markdown(note, "notes.md")[-1]
    assert chunk.heading_path == "Notes on Postgres › Tuning vacuum"
    assert chunk.anchor == "tuning-vacuum"
