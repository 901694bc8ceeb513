"""The chat UI: `kb-chat`, or `streamlit run app/streamlit_app.py`.

Everything from the knowledge base or a model goes through app.render, which escapes it:
this file never passes raw text to st.markdown and never allows HTML.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from app import history, render
from app.history import StoredAnswer
from app.render import escape, line_label, source_href
from app.status import (
    ago,
    changed_files,
    example_questions,
    find_section,
    read_source,
    section_text,
    sections,
)
from ingest.config import Settings
from ingest.edge import load_settings, prepare_process
from ingest.errors import KBError

ALL_SECTIONS = "All sections"
MAX_QUESTION_CHARS = 2000


# ---- loading, once per process and settings ----


@st.cache_resource(show_spinner=False)
def load_embedder(model: str | None) -> Any:
    from ingest.embed import Embedder

    embedder = Embedder(model)
    embedder.embed(["warm up"])  # load the weights now, not on the first question
    return embedder


@st.cache_resource(show_spinner="Loading the embedding model and the index (first start only)…")
def load_assistant(settings: Settings) -> Any:
    """One Assistant per settings: tests with different folders never share one."""
    from app.engine import Assistant

    return Assistant(settings, embedder=load_embedder(settings.embed_model))


def current_generation(assistant: Any) -> Any:
    """The open index generation, or the KBError saying why there is none."""
    try:
        return assistant.reader.current()
    except KBError as exc:
        return exc


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
    saved = history.get_feedback(ctx.db, message_id)
    default = None if saved is None else (1 if saved.rating == "up" else 0)
    value = st.feedback(
        "thumbs", key=key, default=default, on_change=save_rating, args=(ctx.db, message_id, key)
    )
    if value is not None:
        st.text_input(
            "Comment (optional)",
            key=comment_key,
            value=saved.comment if saved else "",
            placeholder="What was good, wrong or missing? Press Enter to save.",
            on_change=save_comment,
            args=(ctx.db, message_id, comment_key),
        )
        if saved is not None and saved.comment:
            st.caption("Thanks, your feedback is saved.")


def save_rating(db: Path, message_id: int, key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        history.clear_feedback(db, message_id)
    else:
        history.set_feedback(db, message_id, "up" if value == 1 else "down")


def save_comment(db: Path, message_id: int, key: str) -> None:
    history.set_comment(db, message_id, st.session_state.get(key) or "")


# ---- the conversation ----


class Context:
    """What the parts of one run share."""

    def __init__(self, settings: Settings, assistant: Any) -> None:
        self.settings = settings
        self.assistant = assistant
        self.db = history.db_path(settings.data_dir)
        self.generation = current_generation(assistant)


def open_chat(chat_id: int | None) -> None:
    st.session_state.chat_id = chat_id
    if chat_id is None:
        st.query_params.pop("chat", None)
    else:
        st.query_params["chat"] = str(chat_id)


def delete_chat(db: Path, chat_id: int) -> None:
    history.delete_conversation(db, chat_id)
    if st.session_state.get("chat_id") == chat_id:
        open_chat(None)


def ask(question: str) -> None:
    st.session_state.pending = question


def current_chat(db: Path) -> int | None:
    """The open chat; a page reload reopens it from the ?chat= parameter."""
    if "chat_id" not in st.session_state:
        raw = st.query_params.get("chat", "")
        found = raw.isdigit() and history.get_conversation(db, int(raw)) is not None
        st.session_state.chat_id = int(raw) if found else None
    return st.session_state.chat_id


def stream_llm(
    ctx: Context, question: str, k: int, section: str | None, previous: list[str]
) -> Any:
    """Show the model's words as they arrive; return the verified Answer."""
    final: list[Any] = []

    def pieces() -> Iterator[str]:
        for item in ctx.assistant.ask_stream(question, k, section, previous):
            if isinstance(item, str):
                yield render.stream_escape(item)
            else:
                final.append(item)

    live = st.empty()
    try:
        with live.container():
            st.write_stream(pieces())
    finally:
        live.empty()  # the verified answer is drawn in its place
    return final[-1]


def answer_question(ctx: Context, question: str, chat_id: int | None, previous: list[str]) -> None:
    question = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not question:
        return
    if chat_id is None:
        chat_id = history.create_conversation(ctx.db, question)
        open_chat(chat_id)
    history.add_message(ctx.db, chat_id, "user", question)
    with st.chat_message("user"):
        st.markdown(escape(question))
    k = int(st.session_state.get("k", ctx.settings.top_k))
    chosen = st.session_state.get("section", ALL_SECTIONS)
    section = None if chosen == ALL_SECTIONS else chosen
    with st.chat_message("assistant"):
        started = time.perf_counter()
        try:
            if st.session_state.get("mode") == "llm" and ctx.settings.llm != "none":
                answer = stream_llm(ctx, question, k, section, previous)
            else:
                with st.spinner("Searching the knowledge base…"):
                    answer = ctx.assistant.ask(question, k, section, previous)
        except KBError as exc:
            st.error(str(exc))
            return
        stored = StoredAnswer.from_answer(
            answer, seconds=round(time.perf_counter() - started, 2), k=k, section=section or ""
        )
        message_id = history.add_message(ctx.db, chat_id, "assistant", answer.text, stored)
        show_answer(stored, message_id, ctx)


def chat_area(ctx: Context) -> None:
    st.title("Knowledge base assistant", anchor=False)
    st.caption(
        "Answers quote the team knowledge base and cite the file, heading and lines "
        "they come from. Click a [n] marker to open its source."
    )
    chat_id = current_chat(ctx.db)
    past = history.messages(ctx.db, chat_id) if chat_id is not None else []
    for message in past:
        with st.chat_message(message.role):
            if message.answer is not None:
                show_answer(message.answer, message.id, ctx)
            else:
                st.markdown(escape(message.content))
    typed = st.chat_input("Ask a question about the knowledge base")
    question = typed or st.session_state.pop("pending", None)
    if question:
        previous = [m.content for m in past if m.role == "user"]
        answer_question(ctx, question, chat_id, previous)
    elif not past:
        empty_chat(ctx)


def empty_chat(ctx: Context) -> None:
    if isinstance(ctx.generation, KBError):
        st.warning(
            f"{escape(str(ctx.generation))}. Press **Re-ingest** in the sidebar to build the index."
        )
        return
    documents = len({c.source for c in ctx.generation.chunks})
    st.markdown(
        f"Ask anything covered by the **{documents} documents** of the knowledge base, "
        "or start with one of these:"
    )
    for i, example in enumerate(example_questions(ctx.generation.chunks)):
        st.button(
            example,
            key=f"example-{i}",
            on_click=ask,
            args=(example,),
            width="stretch",
            icon=":material/chat_bubble:",
        )


# ---- sidebar ----


def chats_panel(ctx: Context) -> None:
    st.button("New chat", icon=":material/add:", on_click=open_chat, args=(None,), width="stretch")
    chat_id = st.session_state.get("chat_id")
    chats = history.list_conversations(ctx.db)
    if chat_id is not None:
        current = next((c for c in chats if c.id == chat_id), None)
        if current is not None:
            st.download_button(
                "Export chat as markdown",
                icon=":material/download:",
                width="stretch",
                on_click="ignore",
                data=render.export_markdown(current.title, history.messages(ctx.db, chat_id)),
                file_name=f"chat-{chat_id}.md",
                mime="text/markdown",
            )
    if not chats:
        return
    st.caption("Past chats")
    for chat in chats:
        left, right = st.columns([6, 1], vertical_alignment="center", gap="small")
        left.button(
            escape(chat.title),
            key=f"chat-{chat.id}",
            on_click=open_chat,
            args=(chat.id,),
            width="stretch",
            type="secondary" if chat.id == chat_id else "tertiary",
        )
        right.button(
            "",
            icon=":material/delete:",
            key=f"delete-{chat.id}",
            help="Delete this chat",
            on_click=delete_chat,
            args=(ctx.db, chat.id),
            type="tertiary",
        )


def settings_panel(ctx: Context) -> None:
    st.subheader("Settings", anchor=False)
    llm = ctx.settings.llm
    has_llm = llm != "none"
    labels = {
        "extractive": "Extractive (quotes)",
        "llm": f"LLM ({llm}: {ctx.settings.llm_model or 'default model'})" if has_llm else "LLM",
    }
    st.radio(
        "Answer mode",
        list(labels),
        key="mode",
        index=1 if has_llm else 0,
        format_func=labels.__getitem__,
        captions=[
            "Best sentences of the passages, each cited",
            "Streams a written answer with verified citations"
            if has_llm
            else "Set KB_LLM=ollama or KB_LLM=openai to enable",
        ],
        disabled=not has_llm,
    )
    st.slider(
        "Passages to retrieve (k)", 1, max(20, ctx.settings.top_k), ctx.settings.top_k, key="k"
    )
    choices = [ALL_SECTIONS]
    if not isinstance(ctx.generation, KBError):
        choices += sections(ctx.generation.chunks)
    st.selectbox("Section", choices, key="section")


def index_panel(ctx: Context) -> None:
    st.subheader("Index", anchor=False)
    generation = ctx.generation
    indexed: dict[str, str] = {}
    if isinstance(generation, KBError):
        st.error(str(generation))
    else:
        meta = generation.meta
        indexed = meta.get("files", {})
        left, right = st.columns(2)
        left.metric("Documents", len(indexed) or len({c.source for c in generation.chunks}))
        right.metric("Chunks", len(generation.chunks))
        st.caption(
            f"Last ingest: {escape(ago(meta.get('created_at', '')))}  \n"
            f"Embedding model: {escape(str(meta.get('model', 'unknown')))}"
        )
    try:
        changes = changed_files(ctx.settings.kb_dir, ctx.settings.max_file_bytes, indexed)
    except KBError as exc:
        st.warning(str(exc))
        changes = None
    if changes is not None:
        if changes.any:
            st.markdown(
                "**Changed since the last ingest**\n\n"
                + "\n".join(
                    f"- {kind} {escape(path)}"
                    for kind, paths in (
                        ("added", changes.added),
                        ("modified", changes.modified),
                        ("deleted", changes.deleted),
                    )
                    for path in paths
                )
            )
        else:
            st.caption(":material/check_circle: The index is up to date with the KB folder.")
        for problem in changes.unreadable:
            st.warning(f"Skipped: {escape(problem)}")
    changed = changes is not None and changes.any
    if st.button(
        "Re-ingest",
        icon=":material/sync:",
        width="stretch",
        type="primary" if changed or isinstance(generation, KBError) else "secondary",
    ):
        reingest(ctx)
    result = st.session_state.get("ingest_result")
    if result:
        st.success(escape(result[0]))
        for note in result[1]:
            st.warning(escape(note))


def reingest(ctx: Context) -> None:
    """Incremental ingest with a progress bar; readers switch when the pointer moves."""
    from ingest.sync import sync

    bar = st.progress(0.0, text="Reading the knowledge base…")

    def progress(done: int, total: int) -> None:
        bar.progress(
            min(done / total, 1.0) if total else 1.0,
            text=f"Embedding changed chunks: {done}/{total}",
        )

    try:
        report = sync(ctx.settings, embedder=ctx.assistant.embedder, progress=progress)
    except KBError as exc:
        bar.empty()
        st.error(str(exc))
        return
    bar.progress(1.0, text="Done")
    notes = [f"skipped {s.source}: {s.reason}" for s in report.skipped] + report.warnings
    st.session_state.ingest_result = (report.summary(), notes)
    st.rerun()


# ---- the page ----


def main() -> None:
    st.set_page_config(
        page_title="KB assistant", page_icon=":material/menu_book:", layout="centered"
    )
    prepare_process()
    try:
        settings = load_settings()
    except KBError as exc:
        st.error(str(exc))
        st.stop()
    assistant = load_assistant(settings)
    if st.query_params.get("source"):
        source_page(settings, assistant)
        return
    ctx = Context(settings, assistant)
    with st.sidebar:
        chats_box, settings_box, index_box = st.container(), st.container(), st.container()
    with settings_box:
        st.divider()
        settings_panel(ctx)
    chat_area(ctx)  # before the chat list, so a new chat is listed at once
    with chats_box:
        chats_panel(ctx)
    with index_box:
        st.divider()
        index_panel(ctx)


main()
