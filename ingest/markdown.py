"""Markdown as people really write it: GitHub markdown plus MkDocs / Material / PyMdown syntax,
the MyST (Sphinx) and Docusaurus forms of the same things (directives, roles, comments), the
Obsidian notes' wikilinks, callouts, block ids and tag lines, and the block tags of GitBook, Hugo
and Jekyll / Jinja pages ({% hint %}, {{< note >}}, {% if %}).

One normalisation for ingestion (heading paths, anchors, the embedded and keyword text) and for
quoting (the text an answer shows). `clean_lines` keeps one output line per input line, so a
unit found in the cleaned text still names the right lines of the real file; a snippet include
resolved to code becomes one multi-line element (a fenced block) standing on its include line.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path

from ingest.characters import characters

Includes = Mapping[str, str]  # snippet path as written -> the file's text (found in the KB)

_TOKEN = r"""(?:[.#][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}"']+)|data-[\w-]+|markdown)"""
ATTR_LIST = re.compile(r"[ \t]*\{:?[ \t]*" + _TOKEN + r"(?:[ \t]+" + _TOKEN + r")*[ \t]*\}")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# A terminal session shown by a docs site's console widget (`<div class="termy">` in FastAPI-style
# docs) colours its output with inline tags; a reader of the quoted block wants the output only.
CONSOLE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*(?:console|shell-session|terminal)\b", re.I)
CONSOLE_MARKUP = re.compile(r"</?(?:span|font|b|strong|em|i|u)\b[^>]*>", re.I)
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])[ \t]+")
ADMONITION = re.compile(
    r"^(\s*)(?:!!!|\?\?\?\+?)[ \t]*([\w-]+)?((?:[ \t]+[\w-]+)*)(?:[ \t]+\"(.*)\")?\s*$"
)
BLOCK = re.compile(r"^(\s*)(/{3,})[ \t]*([\w-]+)?[ \t]*(?:\|[ \t]*(.*?))?\s*$")
BLOCK_OPTION = re.compile(r"^\s+[\w-]+:(?:\s|$)")
TAB = re.compile(r"^(\s*)===\+?[ \t]+\"(.*)\"\s*$")
API_STUB = re.compile(r"^(\s*):::[ \t]+([\w.]+)\s*$")
CONTAINER = re.compile(  # a line whose indented body follows: admonition, tab, block, API stub
    "|".join(f"(?:{marker.pattern})" for marker in (ADMONITION, TAB, BLOCK, API_STUB))
)
SNIPPET = re.compile(r"""^\s*-{1,2}8<-{1,2}[ \t]+["']([^"']+)["']\s*$""")
SNIPPET_BLOCK = re.compile(r"^\s*-{1,2}8<-{1,2}\s*$")
FASTAPI_SNIPPET = re.compile(r"^\s*\{\*\s*(\S+)(.*?)\*\}\s*$")
# mdx_include, as older FastAPI-style docs write it, often inside a fence: {!> ../docs_src/a.py!}
# ({!file.py[ln:1-7]!} takes lines 1 to 7)
MDX_INCLUDE = re.compile(r"^\s*\{!>?\s*([^!|\s\[]+?)(?:\[ln:(\d+)-(\d+)\])?\s*(?:\|[^!]*)?!\}\s*$")
LINK_DEFINITION = re.compile(r"^\s*\[(?!\^)([^\]]+)\]:\s+\S+.*$")
ABBREVIATION = re.compile(r"^\s*\*\[[^\]]+\]:")
RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
# A blockquote's marker ("> "), not a doctest prompt (">>> "); a line of it alone is a blank line.
QUOTE_MARKER = re.compile(r"^([ \t]*)>(?!>)[ \t]?")
HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# A link's text: code spans, one level of nested brackets, other characters; never an unmatched
# "[" (a line of "[[[[..." took quadratic time: 100,000 of them stalled an ingest).
LINK_TEXT = r"(?:`[^`]*`|\[[^\[\]`]*\]|[^\[\]`]){1,300}"
# "See [Discriminated Unions] for ...": a shortcut reference link (its target defined elsewhere
# in the document), not followed by a target, a second label or a definition's colon.
SHORTCUT_LINK = re.compile(r"(?<![\]!\\\w])\[(" + LINK_TEXT + r")\](?![(\[:])")
RELATIVE_LINK = re.compile(r"(?<!!)\[(" + LINK_TEXT + r")\]\((?![a-z][a-z0-9+.-]*:)[^)]*\)", re.I)
HTML_TAGS = (
    "a abbr b big blockquote br button center code dd del details div dl dt em figcaption figure "
    "font form h1 h2 h3 h4 h5 h6 hr i iframe img input ins kbd label li mark ol p picture pre q s "
    "section select small source span strong sub summary sup svg table tbody td th thead tr u ul "
    "video"
).split()
HTML_TAG = re.compile(r"</?(?:" + "|".join(HTML_TAGS) + r")\b(?:\s[^<>]*)?/?>", re.I)
OPEN_TAG = re.compile(r"</?(?:" + "|".join(HTML_TAGS) + r")\b[^<>]*$", re.I)  # `>` on a later line
# The end of a relative or reference link whose text began on the line before.
SPLIT_LINK_END = re.compile(r"^([^\[]*?)\](?:\((?![a-z][a-z0-9+.-]*:)[^)]*\)|\[[^\]]*\])", re.I)
IMG_ALT = re.compile(r"<img\b[^<>]*?\balt=[\"']([^\"']*)[\"'][^<>]*>", re.I)
SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.I | re.S)
# One part of an `ln[...]` selection: "3", "3:6", "3:", ":6" (group 2 is None for one line).
LINE_RANGE = re.compile(r"^\s*(\d*)\s*(?::\s*(\d*))?\s*$")
# A line that is only an image (markdown or <img>, maybe inside a link): a figure, whose alt text
# reads as a stray fragment in a quote ("database as a single file [1]"); the index keeps it.
FIGURE = re.compile(
    r"^\s*\[?(?:!\[[^\]]*\]\([^)]*\)|<img\b[^<>]*>)(?:\]\([^)]*\))?\s*(?:<br\s*/?>)?\s*$", re.I
)
SCRIPT_OPEN = re.compile(r"^ {0,3}<(script|style)\b(?!.*</\1>)", re.I)  # its body on later lines
LANGUAGES = dict(  # fenced-block language of an included file, by extension
    pair.split("=")
    for pair in "py=python toml=toml json=json yaml=yaml yml=yaml sh=bash js=javascript "
    "ts=typescript sql=sql ini=ini cfg=ini html=html txt=text".split()
)
VERSIONS = {
    "version-added": "Added in",
    "version-changed": "Changed in",
    "deprecated": "Deprecated in",
    "deprecated-removed": "Deprecated in",
    "versionadded": "Added in",  # MyST's names
    "versionchanged": "Changed in",
    "versionremoved": "Removed in",
}
# MyST and Docusaurus write admonitions and other directives as fenced blocks, closed by the same
# fence: ```{note}, :::{warning} (MyST), :::tip Title or :::tip[Title] (Docusaurus). A prose
# directive's body is markdown a reader reads; a code directive's body is code, without its
# `:caption:`-style options; a table of contents or an API directive is not text at all (as
# mkdocstrings' `:::` stubs are not); any other backtick directive ({mermaid}, {math}) stays code.
DIRECTIVE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})[ \t]*\{([\w:-]+)\}[ \t]*(.*?)\s*$")
COLON_ADMONITION = re.compile(r"^(\s*)(:{3,})([a-z][\w-]*)(?:\[([^\]]*)\])?(?:[ \t]+(.*?))?\s*$")
COLON_CLOSE = re.compile(r"^\s*:{3,}\s*$")
DIRECTIVE_OPTION = re.compile(r"^\s*:[\w-]+:(?:\s|$)")
# A definition list's definition (MyST, PyMdown, PHP Markdown Extra): ": The definition." under
# its term; not a directive option (":class: dropdown") nor a fence (":::").
DEFINITION = re.compile(r"^(\s*):[ \t]+(?=[^\s:])")
TERM_END = re.compile(r"[.:;!?,]\W*$")  # a line ending so is no bare term
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell"})
DOCTEST_FLAG = re.compile(r"[ \t]*#[ \t]*doctest:.*$")
PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.)(?:\s|$)")
# Directives whose body is code of a known language: Sphinx's doctest sessions and the like.
SESSIONS = {"doctest": "pycon", "testcode": "python", "testoutput": "text", "ipython": "ipython"}
HIDDEN_DIRECTIVES = frozenset(
    "toctree contents include literalinclude currentmodule module automodule autoclass "
    "autofunction automethod autoattribute autodata autoexception autosummary".split()
)
PROSE_DIRECTIVES = frozenset(
    "note warning tip hint important caution attention danger error seealso admonition todo "
    "dropdown topic sidebar margin card tab-item tab-set grid grid-item-card figure epigraph "
    "pull-quote highlights rubric glossary".split()
) | frozenset(VERSIONS)
# The admonitions whose untitled opening reads "Note:", "Tip:" above their text.
LABELLED = frozenset(
    "note warning tip hint important caution attention danger error seealso todo info "
    "success".split()
)
# MyST lines that are not text: a comment ("% ..."), a cross-reference target ("(caching)=") and a
# block break ("+++"); and an MDX page's imports and exports (Docusaurus).
MYST_LINE = re.compile(r"^\s*(?:%(?:[ \t].*)?|\([\w.:-]+\)=|\+\+\+.*)\s*$")
MDX_STATEMENT = re.compile(
    r"""^(?:import\s+[\w{}\s,*]+\s+from\s+['"][^'"]+['"]|export\s+(?:const|default|function)\b.*);?\s*$"""
)
# A line of JSX components only (Docusaurus tabs): "<Tabs>", "<TabItem value="py" label="Py">";
# a component in prose ("<Highlight color="#25c2a0">npm</Highlight>") shows its text; a tag whose
# attributes go on over the next lines; an import of several names over several lines.
JSX_LINE = re.compile(r"^\s*(?:</?[A-Z][\w.]*(?:\s[^<>]*)?/?>\s*)+$")
JSX_TAG = re.compile(r"</?[A-Z][\w.]*(?:\s[^<>]*)?/?>")
JSX_OPEN = re.compile(  # "<Tabs groupId="os"" with its ">" on a later line: only attributes follow
    r"<[A-Z][\w.]*(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|\{[^{}]*\}|[^\s>]+))*\s*$"
)
IMPORT_OPEN = re.compile(r"^import\s+(?:\w+\s*,\s*)?\{[^}]*$")
# A line that is only a template tag: GitBook's {% hint style="warning" %} ... {% endhint %} and
# {% tab title="Python" %}, Hugo's {{< note >}} ... {{< /note >}} and {{% alert title="Tip" %}},
# Jekyll's or MkDocs macros' {% include x.html %} and {% if sponsors %}. An admonition's opening
# reads "Warning:" (or its title), a tab's its label, every other tag nothing.
SHORTCODE_LINE = re.compile(
    r"^\s*(?:\{\{[<%]\s*(/?)\s*([\w-]+)((?:(?![>%]\}\}).)*?)\s*[>%]\}\}"
    r"|\{%-?\s*([\w-]+)((?:(?!%\}).)*?)\s*-?%\})\s*$"
)
# A template tag inside a line of prose ("{% hint %}Tokens expire after an hour.{% endhint %}"):
# the tag goes, its text stays.
INLINE_LIQUID = re.compile(r"\{%-?\s*[\w-]+(?:(?!%\}).)*?-?%\}")
SHORTCODE_ADMONITIONS = frozenset(
    "note tip warning info hint alert callout caution danger important notice admonition".split()
)
RAW_TAG = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")  # Jekyll's {% raw %} around literal braces
# A Hugo shortcode in prose: a cross-reference reads as the page's name, any other as nothing.
INLINE_SHORTCODE = re.compile(
    r"\{\{[<%]\s*(?:(?:rel)?ref\s+\"([^\"#]+)[^\"]*\"|[^{}]*?)\s*[>%]\}\}"
)
# Obsidian: [[Note]], [[Note|shown text]], [[Note#Heading]], ![[diagram.png]] (an embed), a
# block id ending a paragraph ("... builds up. ^vacuum-rule") and a line of tags ("#postgres #ops").
WIKILINK = re.compile(r"(!?)\[\[([^\[\]|#]*)(?:#([^\[\]|]*))?(?:\|([^\[\]]*))?\]\]")
IMAGE_SUFFIXES = frozenset(".png .jpg .jpeg .gif .svg .webp .bmp .pdf .excalidraw".split())
BLOCK_ID = re.compile(r"[ \t]\^(?=[\w-]*[A-Za-z])[\w-]+[ \t]*$")
TAG_LINE = re.compile(r"^[ \t]*#[A-Za-z][\w/-]*(?:[ \t]+#[A-Za-z][\w/-]*)*[ \t]*$")
# A GitHub alert or an Obsidian callout opening a blockquote: "> [!NOTE]", "> [!tip]- Rule".
CALLOUT = re.compile(r"^((?:\s*>)+\s*)\[!(\w+)\][+-]?[ \t]*(.*?)\s*$")
# A MyST role's name, standing right before the code span that holds its content: {ref}`caching`,
# {doc}`Retries <retries>`, {py:func}`~cache.delete`.
ROLE = re.compile(r"\{([\w:+-]+)\}$")
CODE_ROLES = frozenset(
    "func meth class attr mod obj exc data const code literal samp file command program envvar "
    "option kbd any type member var macro".split()
)


def split_heading(raw: str) -> tuple[str, str | None]:
    """A heading's text without its attribute list, and the explicit id the list names."""
    match = ATTR_LIST.search(raw)
    if not match or raw[match.end() :].strip():
        return raw, None
    ids = re.findall(r"(?:^|[\s{:])#([\w:-]+)", match.group(0))
    return raw[: match.start()].rstrip(), (ids[0] if ids else None)


def closes_fence(line: str, fence: str) -> bool:
    """True when `line` ends a code block opened by `fence` (same character, at least as long)."""
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def indent(line: str) -> int:
    """How many columns a line is indented (a tab counts four)."""
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def code_under(lead: str, line: str) -> bool:
    """Whether `line`, below a paragraph or list item whose first line is `lead`, is code written
    without a fence: markdown wants it four columns deeper than `lead`'s text, which in a list
    item starts after the marker."""
    marker = LIST_MARKER.match(lead)
    text = len(marker.group(0).expandtabs(4)) if marker else indent(lead)
    return indent(line) >= text + 4


def front_matter(lines: list[str]) -> tuple[int, str | None]:
    """Where YAML front matter ends (0 when there is none) and the title it gives."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            titles = [re.match(r"title:\s*(.+)$", line) for line in lines[1:i]]
            title = next((m.group(1).strip().strip("\"'") for m in titles if m), None)
            return i + 1, title or None
    return 0, None


def _inline(
    text: str, links: bool = False, references: Collection[str] = (), code: bool = False
) -> str:
    """One line of prose with inline markup a reader should not see removed (code spans kept).
    `links`: keep relative and reference links whole (their targets name the linked topic).
    `references`: the shortcut reference links the document defines (`shortcut_references`).
    `code`: the line may be indented code: the other dialects' markup (`dialects`) stays."""
    text = re.sub(r"\[\]\([^)]*\)\{[^}]*\}", "", text)  # mkdocs-autorefs anchors: [](){#id}
    text = re.sub(r"!\[(" + LINK_TEXT + r")\]\([^)]*\)", r"\1", text)  # images: their alt text
    if not links:
        text = RELATIVE_LINK.sub(r"\1", text)
        text = re.sub(r"\[(" + LINK_TEXT + r")\]\[[^\]]*\]", r"\1", text)  # reference links
    if not code:
        text = CALLOUT.sub(_callout, BLOCK_ID.sub("", text))

    def prose(part: str) -> str:
        part = part if code else dialects(part)
        if references and not links:
            part = SHORTCUT_LINK.sub(
                lambda m: m.group(1) if link_label(m.group(1)) in references else m.group(0), part
            )
        return _prose(part)

    text = roles(text)
    out, pos = [], 0
    for span in CODE_SPAN.finditer(text):
        out.append(prose(text[pos : span.start()]) + span.group(0))
        pos = span.end()
    return "".join(out) + prose(text[pos:])


def dialects(text: str) -> str:
    """Prose with the inline markup of Obsidian, Docusaurus and template-driven sites as their
    pages show it: wikilinks as names, JSX and template tags gone (their text kept), a Hugo
    cross-reference as the page's name. Headings and quotes alike (ingest/chunk.py)."""
    text = RAW_TAG.sub("", JSX_TAG.sub("", WIKILINK.sub(_wikilink, text)))
    text = INLINE_SHORTCODE.sub(lambda m: Path(m.group(1)).stem if m.group(1) else "", text)
    return INLINE_LIQUID.sub("", text)


def roles(text: str) -> str:
    """The MyST roles of a line as a reader sees them (`role_text`): a role is "{name}" standing
    right before a code span; other code spans stay as written."""
    out, pos = [], 0
    for span in CODE_SPAN.finditer(text):
        before = text[pos : span.start()]
        role = ROLE.search(before)
        if role:
            out.append(before[: role.start()] + role_text(role.group(1), span.group(2)))
        else:
            out.append(before + span.group(0))
        pos = span.end()
    return "".join(out) + text[pos:]


def leaves_role(text: str) -> bool:
    """Whether `text` shows a MyST role as written ("{ref}`target`"), not inside a code span."""
    return roles(text) != text


def _shortcode(match: re.Match, followed: bool) -> str:
    """What a template tag standing alone on its line reads as (SHORTCODE_LINE)."""
    hugo_closing, hugo_name, hugo_args, liquid_name, liquid_args = match.groups()
    name = (hugo_name or liquid_name).lower()
    if hugo_closing or name.startswith("end"):
        return ""
    args = hugo_args or liquid_args or ""
    attributes = dict(re.findall(r"([\w-]+)\s*=\s*\"([^\"]*)\"", args))
    # Hugo themes also pass them in order: {{< hint warning >}}, {{< tab "MacOS" >}}.
    positional = re.findall(r"\"([^\"]*)\"|([\w-]+)", re.sub(r"[\w-]+\s*=\s*\"[^\"]*\"", "", args))
    first = next((quoted or word for quoted, word in positional), "")
    if name == "tab":
        label = attributes.get("title") or attributes.get("header") or first
        return _inline(label).strip()
    if name not in SHORTCODE_ADMONITIONS:
        return ""
    title = _inline(attributes.get("title", "")).strip()
    if title:
        return as_sentence(title)
    kind = attributes.get("style") or (first if first in SHORTCODE_ADMONITIONS else name)
    return f"{kind.capitalize()}:" if followed else ""


def _callout(match: re.Match) -> str:
    """A callout's opening line: its title as a sentence, else its kind ("> Tip:")."""
    title = match.group(3)
    if title:
        return match.group(1) + as_sentence(title)
    return match.group(1) + match.group(2).capitalize() + ":"


def _wikilink(match: re.Match) -> str:
    """A wikilink as Obsidian shows it: its alias, else the note's name (and heading); an
    embedded image shows nothing."""
    embed, target, heading, alias = match.groups()
    if alias and alias.strip():
        return alias.strip()
    name = target.strip().removesuffix(".md")
    if embed and Path(name).suffix.lower() in IMAGE_SUFFIXES:
        return ""
    heading = (heading or "").strip()
    return f"{name} › {heading}" if name and heading else name or heading


def role_text(name: str, content: str) -> str:
    """A MyST role as a reader sees it: its text ("Retries" of `Retries <retries>`), in a code
    span for a role naming code (`delete` of {py:func}`~pkg.cache.delete`)."""
    name, content = name.lower(), content.strip()
    explicit = re.match(r"^(.*?)\s*<([^<>]+)>$", content)
    text = (explicit.group(1) or explicit.group(2)) if explicit else content
    if name.rsplit(":", 1)[-1] not in CODE_ROLES:
        return text
    if text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    return f"`{text.lstrip('!')}`"


def link_label(text: str) -> str:
    """A reference link's label as markdown matches it: case and inner spacing ignored."""
    return " ".join(text.lower().split())


def link_labels(lines: list[str]) -> frozenset[str]:
    """The labels a document defines for reference links ("[Discriminated Unions]: ../x.md")."""
    return frozenset(link_label(m.group(1)) for m in map(LINK_DEFINITION.match, lines) if m)


def shortcut_references(passage: str, defined: frozenset[str]) -> tuple[str, ...]:
    """The labels `passage` writes as shortcut reference links ("See [Discriminated Unions] for
    ...") that its document defines (`defined`, from `link_labels`): a reader sees their text.
    Other bracketed words ("**[Ascending number]. [Title of decision]**") stay as written."""
    used = {link_label(m.group(1)) for m in SHORTCUT_LINK.finditer(passage)}
    return tuple(sorted(used & defined))


def _prose(text: str) -> str:
    text = SCRIPT.sub("", text)
    text = IMG_ALT.sub(r"\1", text)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = ATTR_LIST.sub("", text)
    text = re.sub(r"<summary>\s*(.*?)\s*</summary>", _sentence, text, flags=re.I)
    text = re.sub(r"\[\^[^\]]+\](?!:)", "", text)  # footnote markers
    text = re.sub(r"^(\s*)\[\^([^\]]+)\]:\s*", r"\1(\2) ", text)  # footnote definitions
    text = HTML_TAG.sub("", text)
    text = characters(text)
    text = re.sub(r":(?:material|fontawesome|octicons|simple)-[\w-]+:", "", text)
    text = re.sub(r"\+\+([\w+-]+?)\+\+", lambda m: m.group(1).replace("+", " "), text)
    return re.sub(r"(?<=\S)[ \t]{2,}(?=\S)", " ", text)


def _sentence(match: re.Match) -> str:
    """A title standing as a sentence of its own."""
    return as_sentence(match.group(1).strip())


def as_sentence(title: str) -> str:
    """A title standing as a sentence of its own: a full stop unless it ends on one already."""
    return f"{title}." if title and title[-1] not in ".:!?" else title


def _code_block(path: str, code: str, options: str = "") -> str:
    """A resolved snippet as a fenced block, with the lines it selects: `ln[3:6,8,10:]`
    (markdown-include-variants; a "..." line where lines are left out) or `path:a:b`."""
    lines = _lines_of(code, options)
    span = re.search(r":(\d+):(\d+)$", path)
    if span and not re.search(r"ln\[", options):
        lines = lines[int(span.group(1)) - 1 : int(span.group(2))]
    name = re.sub(r":\d+(:\d+)?$", "", path)
    fence = "````" if any(line.startswith("```") for line in lines) else "```"
    language = LANGUAGES.get(Path(name).suffix.lower().lstrip("."), "")
    return "\n".join([fence + language, *lines, fence])


def _mdx_lines(match: re.Match) -> str:
    """An mdx_include's `[ln:a-b]` as the `ln[a:b]` option the other includes use."""
    return f"ln[{match.group(2)}:{match.group(3)}]" if match.group(2) else ""


def _mdx_text(match: re.Match, includes: Includes) -> str:
    """What an mdx_include inside a fence stands for: the file's lines it selects."""
    path, code = match.group(1), includes.get(match.group(1))
    return f"(code: {path})" if code is None else "\n".join(_lines_of(code, _mdx_lines(match)))


def _lines_of(code: str, options: str) -> list[str]:
    """An included file's lines, those its `ln[...]` option selects when it has one (the whole
    file when none of them is valid)."""
    lines = code.rstrip("\n").splitlines()
    spans = re.search(r"ln\[([^\]]*)\]", options)
    return (_selected(lines, spans.group(1)) or lines) if spans else lines


def _selected(lines: list[str], spec: str) -> list[str]:
    """The lines `ln[...]` selects ("3:6,8,10:", 1-based and inclusive), a "..." line standing
    for each run left out between them; parts that are not line numbers or ranges are skipped
    (empty when none is valid: the caller shows the whole file)."""
    keep: set[int] = set()
    for part in spec.split(","):
        found = LINE_RANGE.match(part)
        if not found or not (found.group(1) or found.group(2)):
            continue
        start = int(found.group(1) or 1)
        end = int(found.group(2) or len(lines)) if found.group(2) is not None else start
        keep.update(range(max(start, 1), min(end, len(lines)) + 1))
    out: list[str] = []
    for n in sorted(keep):
        if out and n - 1 not in keep:
            out.append("...")
        out.append(lines[n - 1])
    return out


def _snippet(path: str, includes: Includes, options: str = "") -> str:
    code = includes.get(path)
    if code is None:
        return f"(code: {path})"
    if path.lower().endswith(".md"):
        return " ".join(clean_text(code).split())  # an included markdown fragment: prose
    if re.search(r"ln\[\s*0\s*\]", options):
        return ""  # no lines: the site shows only a collapsed preview of the whole file
    return _code_block(path, code, options)


def last_comment_close(lines: list[str]) -> int:
    """The index of the last line holding "-->" (-1: none). A "<!--" after it is text (as MkDocs'
    Markdown reads it), not a comment hiding the rest of the document."""
    return max((n for n, line in enumerate(lines) if "-->" in line), default=-1)


def clean_lines(
    lines: list[str],
    includes: Includes | None = None,
    links: bool = False,
    references: Collection[str] = (),
) -> list[str]:
    """Line-for-line clean text: markers dropped or made plain, container bodies dedented.
    Element i stands for line i of the input (a resolved snippet may span several lines).
    `links=True` keeps relative and reference links as written (see clean_text), and a
    blockquote's markers: the text embedded and indexed is unchanged by `_goes_on` (re-embedding
    for a marker the tokenizer ignores only moved unrelated answers)."""
    includes = includes or {}
    out: list[str] = []
    containers: list[tuple[int, int]] = []  # (marker indent, body indent) of open bodies
    pending: int | None = None  # marker indent whose body indent the next line sets
    fence: str | None = None
    fence_cut = 0
    console = False  # the open fence shows a terminal session
    orphan = False  # inside a code block whose opening fence is in the previous piece
    comment = in_snippets = in_options = in_tag = importing = False
    last_close = last_comment_close(lines)
    script: str | None = None  # the open <style> or <script> block's tag, its body not prose
    stub: int | None = None  # indent of the `:::` line whose options block is open
    directives: list[str] = []  # the fences of the open prose directives (MyST, Docusaurus)
    glossary: tuple[str, int] | None = None  # an open {glossary} directive: its fence, indent
    options = False  # right after a directive's opening line: its ":key: value" options
    fence_at: int | None = None  # where a directive's opening line stands, until its body starts
    first = next((line for line in lines if line.strip()), "")
    if len(first) - len(first.lstrip()) >= 4 and not FENCE.match(first):  # chunk starts mid-body
        containers.append((-1, len(first) - len(first.lstrip())))
        if _starts_in_code(lines):
            fence, orphan = "`" * 3, not links  # the tail of a code block: no quotable code
    for number, raw in enumerate(lines):
        indent = len(raw) - len(raw.lstrip())
        if raw.strip():
            if pending is not None:
                if indent > pending:
                    containers.append((pending, indent))
                pending = None
            while containers and indent <= containers[-1][0]:
                containers.pop()
        cut = min(indent, containers[-1][1]) if containers else 0
        line = raw[cut:]
        if options and DIRECTIVE_OPTION.match(line) or fence_at is not None and not line.strip():
            out.append("")  # a directive's opening line moves down past its options
            if fence_at is not None:
                out[fence_at], out[-1], fence_at = "", out[fence_at], len(out) - 1
            continue
        options, fence_at = False, None
        if fence:
            included = MDX_INCLUDE.match(line)
            if closes_fence(line, fence):
                fence = None
            elif included:  # the included file's text stands in the fence
                line = _mdx_text(included, includes)
            elif console:
                line = CONSOLE_MARKUP.sub("", line)
            elif line.strip() == "<BLANKLINE>":  # as Sphinx shows a doctest session
                line = ""
            elif PROMPT.match(line):  # without its "# doctest: +SKIP" flags
                line = DOCTEST_FLAG.sub("", line)
            out.append("" if orphan else line[min(fence_cut, len(line) - len(line.lstrip())) :])
            orphan = orphan and fence is not None
            continue
        if comment:
            comment = "-->" not in line
            out.append(_inline(line.split("-->", 1)[1]) if not comment else "")
            continue
        if script:
            closing = re.search(rf"</{script}\s*>", line, re.I)
            script = None if closing else script
            out.append(_inline(line[closing.end() :]) if closing else "")
            continue
        opened_script = SCRIPT_OPEN.match(line)
        if opened_script:
            script = opened_script.group(1)
            out.append("")
            continue
        if importing or IMPORT_OPEN.match(line):  # an MDX import of names over several lines
            importing = bool(line.strip()) and not re.search(r"\bfrom\s*['\"]", line)
            out.append("")
            continue
        if in_tag:  # the attributes of a tag written over several lines
            in_tag = ">" not in line
            line = "" if in_tag else line.split(">", 1)[1]
        if "<!--" in line and ("-->" in line.partition("<!--")[2] or last_close > number):
            before, _, rest = line.partition("<!--")
            comment = "-->" not in rest
            line = before + ("" if comment else rest.split("-->", 1)[1])
            line = re.sub(r"<!--.*?-->", "", line)
        tag = OPEN_TAG.search(line) or JSX_OPEN.search(line)
        if tag:
            line, in_tag = line[: tag.start()], True
        if directives and line.strip() and closes_fence(line, directives[-1]):
            if glossary is not None and glossary[0] == directives.pop():
                glossary = None
            out.append("")
            continue
        directive = _directive(line)
        if directive is not None:
            kind, fenced, name, argument = directive
            options = DIRECTIVE.match(line) is not None  # Docusaurus has no option lines
            if kind == "code":
                fence, fence_cut, console = fenced, len(line) - len(line.lstrip()), False
                fence_at = len(out)
                out.append(fenced + (argument.split() or [""])[0])
            elif kind == "hidden":  # its lines are blank up to its closing fence
                fence, orphan = fenced, True
                out.append("")
            else:
                directives.append(fenced)
                if name == "glossary":
                    glossary = (fenced, len(line) - len(line.lstrip()))
                following = next((x for x in lines[number + 1 :] if x.strip()), "")
                followed = bool(following.strip()) and not closes_fence(following, fenced)
                fence_at = len(out)
                out.append(_directive_title(name, argument, followed))
            continue
        opened = FENCE.match(line)
        if opened:  # a fence in a list item stands on its own: quoted as a code block
            fence, fence_cut = opened.group(1), len(line) - len(line.lstrip())
            console = bool(CONSOLE.match(line))
            out.append(_fence_opening(line[fence_cut:], opened.group(1)))
            continue
        if stub is not None and raw.strip() and len(raw) - len(raw.lstrip()) <= stub:
            stub = None
        if in_options and stub is None and not BLOCK_OPTION.match(raw):
            in_options = False
        if in_options:
            out.append("")
            continue
        if SNIPPET_BLOCK.match(line):
            in_snippets = not in_snippets
            out.append("")
            continue
        if in_snippets:
            path = line.strip()
            out.append(_snippet(path, includes) if path and not path.startswith(";") else "")
            continue
        defined = DEFINITION.match(line)
        if defined and not DIRECTIVE_OPTION.match(line):
            line = defined.group(1) + line[defined.end() :]
            _as_term(out)
        cleaned = _clean_line(line, number, lines, includes, links, references)
        if not links and out and _goes_on(out[-1], cleaned):  # a quote's next line, or in an item
            cleaned = QUOTE_MARKER.sub(r"\1", cleaned, count=1)
        out.append(cleaned)
        if glossary is not None and _glossary_term(lines, number, glossary[1]):
            _as_term(out)
        marker = ADMONITION.match(line) or TAB.match(line) or API_STUB.match(line)
        if marker:
            pending = len(marker.group(1))
            stub = len(marker.group(1)) if API_STUB.match(line) else None
            in_options = stub is not None  # its whole indented YAML block: options, comments, lists
        block = BLOCK.match(line)
        if block:
            in_options = bool(block.group(3))
    if links:
        return out
    if fence and out and not orphan:  # the piece ends inside a code block: close it when quoted
        out[-1] += "\n" + fence
    return _join_split_links(out)


def _as_term(out: list[str]) -> None:
    """The line just cleaned, a definition list's or a glossary's term right above its
    definition, reads as "Term:" (it ran into the definition's first sentence: "dunder methods
    "Dunder" is a contraction ...")."""
    if out and out[-1].strip() and not TERM_END.search(out[-1]):
        out[-1] = out[-1].rstrip() + ":"


def _glossary_term(lines: list[str], number: int, indent: int) -> bool:
    """Line `number` of a {glossary} directive's body is a term: at the directive's own indent,
    its definition indented on the next line."""
    line, following = lines[number], lines[number + 1] if number + 1 < len(lines) else ""
    at = len(line) - len(line.lstrip())
    return bool(line.strip()) and at <= indent and len(following) - len(following.lstrip()) > at


def _directive(line: str) -> tuple[str, str, str, str] | None:
    """A MyST or Docusaurus directive's opening line as (kind, fence, name, argument), kind being
    "prose", "code" or "hidden"; None for any other line (a backtick directive of another name,
    such as {mermaid}, is a code block as FENCE reads it)."""
    found = DIRECTIVE.match(line)
    if found:
        marker, name, argument = found.group(2), found.group(3).lower(), found.group(4)
        colons = marker.startswith(":")
        if name in CODE_DIRECTIVES and not colons:
            return "code", marker, name, argument
        if name in SESSIONS and not colons:
            return "code", marker, name, SESSIONS[name]
        if name in HIDDEN_DIRECTIVES or ":" in name:  # py:function and other API directives
            return "hidden", marker, name, argument
        if name in PROSE_DIRECTIVES or colons:
            return "prose", marker, name, argument
        return None
    found = COLON_ADMONITION.match(line)
    if found:
        title = found.group(4) or found.group(5) or ""
        return "prose", found.group(2), found.group(3).lower(), title
    return None


def _directive_title(name: str, argument: str, followed: bool) -> str:
    """What a prose directive's opening line reads as: its title as a sentence, "Added in 2.1:"
    for a version note, "Note:" above an untitled admonition's text, else nothing."""
    if name in VERSIONS and argument:
        return f"{VERSIONS[name]} {argument.split()[0]}{':' if followed else '.'}"
    title = "" if name == "figure" else _inline(argument).strip()  # a figure's argument: a path
    if title:
        return as_sentence(title)
    if name not in LABELLED or not followed:
        return ""
    return "See also:" if name == "seealso" else f"{name.capitalize()}:"


def _goes_on(previous: str, line: str) -> bool:
    """Whether `line`, below `previous` (both cleaned), goes on in its paragraph or list item: a
    blockquote's marker there would stand in mid-sentence ("... updates. > When using ..."), so
    it is dropped (a line of the marker alone becomes a blank line between the quote's
    paragraphs). A quote's first line keeps its marker: it reads as a quotation; so does a quote
    that a list item's text does not indent (it ends the list)."""
    if not previous.strip() or "\n" in previous:  # a blank line, or a resolved snippet's code
        return False
    item = LIST_MARKER.match(previous) or previous[:1].isspace()
    return not (
        FENCE.match(previous)
        or HEADING_LINE.match(previous)
        or previous.lstrip().startswith("|")
        or (item and indent(line) < max(indent(previous), 1))
    )


def _fence_opening(line: str, fence: str) -> str:
    """A fence as a reader's renderer wants it: the language only, without attributes such as
    `{test="skip"}`, `title="app.py"` or `hl_lines="3"` (`{ .py }` gives `py`)."""
    info = line[len(fence) :].strip()
    language = re.match(r"\{?\s*\.?([\w+#.-]+)(\s*=)?", info)
    return fence + (language.group(1) if language and not language.group(2) else "")


def _starts_in_code(lines: list[str]) -> bool:
    """Whether a piece of a section was cut inside an indented fenced block (the chunker splits
    those at blank lines): reading its fences as opening first must not make a fence with a
    language (always an opening one) close a block; else an odd count of bare fences says so."""
    fences = [line.strip() for line in lines if FENCE.match(line)]

    def consistent(in_code: bool) -> bool:
        for fence in fences:
            has_language = bool(fence.strip("`~").strip())
            if in_code and has_language:
                return False
            in_code = not in_code
        return True

    if not consistent(False):
        return True
    return consistent(True) and len(fences) % 2 == 1


def _join_split_links(lines: list[str]) -> list[str]:
    """A relative or reference link whose text runs over two lines: its text, like a one-line
    link ("the [top-level\n`info` object][info-object]" reads "the top-level `info` object").
    Lines of fenced code are left alone (`rows[\n  x][0]` is indexing)."""
    code, fence = [], None
    for line in lines:
        if "\n" in line:  # a resolved snippet: a whole code block in one element
            code.append(True)
            continue
        opened = FENCE.match(line)
        code.append(fence is not None or bool(opened))
        if fence is not None and closes_fence(line, fence):
            fence = None
        elif fence is None and opened:
            fence = opened.group(1)
    for i in range(1, len(lines)):
        if code[i] or code[i - 1]:
            continue
        end = SPLIT_LINK_END.match(lines[i])
        opening = lines[i - 1].rfind("[")
        if end and opening > lines[i - 1].rfind("]") and "\n" not in lines[i - 1]:
            lines[i - 1] = lines[i - 1][:opening] + lines[i - 1][opening + 1 :]
            lines[i] = end.group(1) + lines[i][end.end() :]
    return lines


def _clean_line(
    line: str,
    number: int,
    lines: list[str],
    includes: Includes,
    links: bool,
    references: Collection[str] = (),
) -> str:
    following = lines[number + 1].strip() if number + 1 < len(lines) else ""
    previous = lines[number - 1].strip() if number > 0 else ""
    if not links and not following and not previous and FIGURE.match(line):
        return ""  # a figure standing as a paragraph of its own
    match = ADMONITION.match(line)
    if match:
        kind, title = (match.group(2) or "note"), match.group(4)
        if title is not None:
            title = _inline(title).strip()
            return as_sentence(title)
        return f"{kind.replace('-', ' ').capitalize()}:" if following else ""
    match = BLOCK.match(line)
    if match:
        kind, title = (match.group(3) or ""), _inline(match.group(4) or "").strip()
        if kind in VERSIONS and title:
            versions = title.split()
            text = f"{VERSIONS[kind]} {versions[0]}"
            if kind == "deprecated-removed" and len(versions) > 1:
                text += f", removed in {versions[1]}"
            return text + ":"
        if kind in ("tab", "details", "admonition") or title:
            return as_sentence(title)
        return f"{kind.capitalize()}:" if kind and kind != "html" and following else ""
    match = TAB.match(line)
    if match:
        return _inline(match.group(2)).strip()
    match = API_STUB.match(line)
    if match:
        return f"(API reference: {match.group(2)})"
    match = SNIPPET.match(line)
    if match:
        return _snippet(match.group(1), includes)
    match = FASTAPI_SNIPPET.match(line)
    if match:
        return _snippet(match.group(1), includes, match.group(2))
    match = MDX_INCLUDE.match(line)
    if match:
        return _snippet(match.group(1), includes, _mdx_lines(match))
    if LINK_DEFINITION.match(line) or ABBREVIATION.match(line) or RULE.match(line):
        return ""
    code = indent(line) >= 4 and not LIST_MARKER.match(line)  # maybe a line of indented code
    if not code:
        if MYST_LINE.match(line) or MDX_STATEMENT.match(line) or JSX_LINE.match(line):
            return ""
        if not links and TAG_LINE.match(line):  # a note's tags: the index keeps them
            return ""
        shortcode = SHORTCODE_LINE.match(line)
        if shortcode:
            return _shortcode(shortcode, bool(following))
        if COLON_CLOSE.match(line):  # a directive's closing fence, its opening in another piece
            return ""
    if ATTR_LIST.fullmatch(line.strip() or "-"):
        return ""
    heading = re.match(r"^(#{1,6}[ \t]+)(.*)$", line)
    if heading:
        return heading.group(1) + _inline(split_heading(heading.group(2))[0], links, references)
    return _inline(line, links, references, code)


def clean_text(
    text: str,
    includes: Includes | None = None,
    links: bool = False,
    references: Collection[str] = (),
) -> str:
    """The text as a reader sees it: what an answer shows and, with `links=True`, what the model
    embeds and the keyword index counts. The index keeps relative and reference links whole:
    their targets name the linked topic (without them kb/'s hit@5 fell from 0.991 to 0.982).
    Blank runs collapse; trailing spaces go."""
    lines = clean_lines(text.splitlines(), includes, links, references)
    joined = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", joined).strip()
