"""The chat UI: `kb-chat`, or `streamlit run app/streamlit_app.py`.

This script holds the page and the conversation; app.ui_answer draws answers and
app.ui_sidebar the sidebar. KB and model text is always escaped by app.render.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

from app import history, render
from app.history import StoredAnswer
from app.render import escape
from app.status import example_questions
from app.ui_answer import Context, show_answer, source_page
from app.ui_sidebar import ALL_SECTIONS, chats_panel, index_panel, open_chat, settings_panel
from ingest.config import Settings
from ingest.edge import load_settings, prepare_process
from ingest.errors import KBError

MAX_QUESTION_CHARS = 2000


# ---- loading, once per process and settings ----


@st.cache_resource(show_spinner=False)
def load_embedder(settings: Settings) -> Any:
    from app.engine import QUERY_THREADS
    from ingest.embed import embedder_for

    embedder = embedder_for(settings, threads=QUERY_THREADS)
    embedder.embed(["warm up"])  # load the weights now, not on the first question
    return embedder


@st.cache_resource(show_spinner="Loading the embedding model and the index (first start only)…")
def load_assistant(settings: Settings) -> Any:
    """One Assistant per settings: tests with different folders never share one."""
    from app.engine import Assistant

    return Assistant(settings, embedder=load_embedder(settings))


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
            escape(example),  # labels are markdown too
            key=f"example-{i}",
            on_click=ask,
            args=(example,),
            width="stretch",
            icon=":material/chat_bubble:",
        )


# ---- the page ----


def main() -> None:
    st.set_page_config(
        page_title="KB assistant",
        page_icon="📖",  # an emoji is drawn locally; a :material/: favicon loads from Google
        layout="centered",
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
