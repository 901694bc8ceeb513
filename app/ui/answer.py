"""Drawing answers in the chat UI: cited text, source cards, the section view, feedback.

Everything from the knowledge base or a model goes through app.core.render, which escapes it:
nothing here passes raw text to st.markdown, and HTML is never allowed.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.core import history, render
from app.core.documents import find_section, read_source, section_text
from app.core.history import StoredAnswer
from app.core.render import escape, line_label, source_href
from ingest.config import Settings
from ingest.errors import KBError


def current_generation(assistant: Any) -> Any:
    """The open index generation, or the KBError saying why there is none."""
    try:
        return assistant.reader.current()
    except KBError as exc:
        return exc


class Context:
    """What the parts of one script run share."""

    def __init__(self, settings: Settings, assistant: Any, owner: str = "") -> None:
        self.settings = settings
        self.assistant = assistant
        self.owner = owner  # whose chats and feedback these are ("" when not signed in)
        self.db = history.db_path(settings.data_dir)
        self.generation = current_generation(assistant)


def notify(message: str) -> None:
    """A note for the top of the chat on this run (callbacks run before the page is drawn)."""
    notes = st.session_state.setdefault("notices", [])
    if message not in notes:
        notes.append(message)


# ---- drawing safe blocks ----


def draw(blocks: list[render.Block]) -> None:
    for block in blocks:
        if block.kind == "code":
            if block.highlighted:
                st.caption(":orange-background[cited code]")
            st.code(block.text, language=block.language or None)
        else:
            st.markdown(block.text)


def link(text: str, href: str) -> str:
    return f"[{escape(text)}]({href})"


def scores(hit: history.StoredHit | None) -> str:
    if hit is None:
        return ""
    return (
        f"rank {hit.rank} · dense {hit.dense:.3f} · keyword {hit.keyword:.2f} · "
        f"fused {hit.fused:.4f}"
    )


# ---- the section view: a dialog from a source card, or the ?source= page ----


def show_section(
    settings: Settings,
    generation: Any,
    source: str,
    start: int,
    end: int,
    quotes: tuple[str, ...] = (),
) -> None:
    section = find_section(generation.chunks, source, start)
    if section is None:
        st.error(f"{escape(source)} is not in the current index.")
        return
    st.markdown(f"**{escape(section.source)}** › {escape(section.heading_path)}")
    st.caption(
        f"Section: {line_label(section.start_line, section.end_line)} · "
        f"cited: {line_label(start, end)} (highlighted)"
    )
    text = section_text(
        settings.kb_dir,
        generation.meta.get("files", {}).get(source),
        section,
        settings.max_file_bytes,
    )
    if text.notice:
        st.warning(escape(text.notice))
    lines = None if quotes else range(start, end + 1)
    with st.container(border=True):
        draw(render.blocks(text.text, first_line=text.start_line, quotes=quotes, lines=lines))


@st.dialog("Source section", width="large")
def section_dialog(
    settings: Settings, generation: Any, source: str, start: int, end: int, quotes: tuple[str, ...]
) -> None:
    show_section(settings, generation, source, start, end, quotes)
    st.markdown(link("Open the whole document in a new tab", source_href(source, start, end)))


def leave_source_view() -> None:
    for key in ("source", "lines"):
        st.query_params.pop(key, None)


def source_page(settings: Settings, assistant: Any) -> None:
    st.button("← Back to chat", on_click=leave_source_view)
    generation = current_generation(assistant)
    if isinstance(generation, KBError):
        st.error(str(generation))
        return
    source = st.query_params.get("source", "")
    known = {c.source for c in generation.chunks}
    if source not in known:
        st.error(f"{escape(source)} is not a document of the current index.")
        return
    start, end = render.parse_lines(st.query_params.get("lines")) or (1, 1)
    title = next(c.title for c in generation.chunks if c.source == source)
    st.header(escape(title), anchor=False)
    show_section(settings, generation, source, start, end)
    document = read_source(settings.kb_dir, source, settings.max_file_bytes)
    if not isinstance(document, KBError):
        with st.expander(f"Whole document: kb/{escape(source)}"):
            st.code(document.text, language="markdown", line_numbers=True)


# ---- one answer ----


def citation_links(answer: StoredAnswer) -> dict[int, render.Link]:
    return {
        c.n: render.Link(
            source_href(c.passage.source, c.start_line, c.end_line),
            f"{c.passage.source} › {c.passage.heading_path} "
            f"({line_label(c.start_line, c.end_line)})",
        )
        for c in answer.citations
    }


def show_answer(answer: StoredAnswer, message_id: int, ctx: Context) -> None:
    if answer.extra.get("small_talk"):  # "thanks!", "hi": a reply, not a search that failed
        st.markdown(escape(answer.text))
        return
    if answer.refused:
        st.info(escape(answer.text), icon=":material/search_off:")
        if answer.hits:
            st.caption("Closest sections in the knowledge base:")
            st.markdown(
                "\n".join(
                    f"- {link(f'{h.passage.source} › {h.passage.heading_path}', passage_href(h))}"
                    f" · {scores(h)}"
                    for h in answer.hits[:3]
                )
            )
    else:
        draw(render.answer_blocks(answer.text, citation_links(answer)))
        if answer.notice:
            st.warning(escape(answer.notice))
        show_sources(answer, message_id, ctx)
    details = [answer.mode]
    if "seconds" in answer.extra:
        details.append(f"{answer.extra['seconds']:.1f} s")
    if answer.extra.get("section"):
        details.append(f"section {answer.extra['section']}")
    if answer.extra.get("read_as"):  # a typing slip read as the KB's word (app/core/spelling.py)
        details.append(f"read as “{answer.extra['read_as']}”")
    st.caption(" · ".join(escape(d) for d in details))
    feedback_row(message_id, ctx)


def passage_href(hit: history.StoredHit) -> str:
    return source_href(hit.passage.source, hit.passage.start_line, hit.passage.end_line)


def show_sources(answer: StoredAnswer, message_id: int, ctx: Context) -> None:
    hits = {h.passage.chunk_id: h for h in answer.hits}
    if answer.citations:
        st.markdown("**Sources**")
    for c in answer.citations:
        with st.container(border=True):
            title = f"[{c.n}] {c.passage.source} › {c.passage.heading_path}"
            st.markdown(link(title, source_href(c.passage.source, c.start_line, c.end_line)))
            st.caption(
                " · ".join(
                    part
                    for part in (
                        line_label(c.start_line, c.end_line),
                        scores(hits.get(c.passage.chunk_id)),
                    )
                    if part
                )
            )
            draw(render.blocks(c.text, first_line=c.start_line, quotes=c.quotes))
            if st.button(
                "Open section",
                key=f"open-{message_id}-{c.n}",
                icon=":material/article:",
                type="tertiary",
            ):
                if isinstance(ctx.generation, KBError):
                    st.error(str(ctx.generation))
                else:
                    section_dialog(
                        ctx.settings,
                        ctx.generation,
                        c.passage.source,
                        c.start_line,
                        c.end_line,
                        c.quotes,
                    )
    others = answer.uncited_hits()
    if others:
        with st.expander(f"Other retrieved passages ({len(others)})"):
            for h in others:
                st.markdown(link(f"{h.passage.source} › {h.passage.heading_path}", passage_href(h)))
                st.caption(f"{line_label(h.passage.start_line, h.passage.end_line)} · {scores(h)}")
                draw(render.blocks(h.passage.text, first_line=h.passage.start_line))


def feedback_row(message_id: int, ctx: Context) -> None:
    key, comment_key = f"fb-{message_id}", f"fbc-{message_id}"
    saved = history.get_feedback(ctx.db, message_id, ctx.owner)
    default = None if saved is None else (1 if saved.rating == "up" else 0)
    value = st.feedback(
        "thumbs", key=key, default=default, on_change=save_rating, args=(ctx, message_id, key)
    )
    if value is not None:
        st.text_input(
            "Comment (optional)",
            key=comment_key,
            value=saved.comment if saved else "",
            placeholder="What was good, wrong or missing? Press Enter to save.",
            on_change=save_comment,
            args=(ctx, message_id, comment_key),
        )
        if saved is not None and saved.comment:
            st.caption("Thanks, your feedback is saved.")


GONE = "That answer's chat was deleted (in another tab?), so the rating was not saved."


def save_rating(ctx: Context, message_id: int, key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        history.clear_feedback(ctx.db, message_id, ctx.owner)
        return
    try:
        history.set_feedback(ctx.db, message_id, "up" if value == 1 else "down", owner=ctx.owner)
    except history.ChatGone:
        notify(GONE)


def save_comment(ctx: Context, message_id: int, key: str) -> None:
    if not history.set_comment(ctx.db, message_id, st.session_state.get(key) or "", ctx.owner):
        notify(GONE)
