"""The chat UI, started by `kb-chat`.

This script holds the page and the conversation; app.ui.login asks for the password when one
is set, app.ui.answer draws answers and app.ui.sidebar the sidebar. KB and model text is always
escaped by app.core.render.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st

from app.core import history, render
from app.core.history import ChatGone, StoredAnswer
from app.core.llm import StopRequested
from app.core.render import escape
from app.core.status import example_questions
from app.ui.answer import Context, notify, show_answer, source_page
from app.ui.login import signed_in
from app.ui.sidebar import ALL_SECTIONS, chats_panel, index_panel, open_chat, settings_panel
from ingest.config import Settings
from ingest.edge import load_settings, prepare_process
from ingest.errors import KBError

MAX_QUESTION_CHARS = 2000
CHAT_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits only: "²".isdigit() is True
MAX_SQLITE_INTEGER = 2**63 - 1
SAVE_WAIT_S = 15.0  # how long a new run waits for an interrupted one to save its answer


# ---- loading, once per process and settings ----


@st.cache_resource(show_spinner=False)
def load_embedder(settings: Settings) -> Any:
    from app.core.engine import QUERY_THREADS
    from ingest.embed import embedder_for

    embedder = embedder_for(settings, threads=QUERY_THREADS)
    embedder.embed(["warm up"])  # load the weights now, not on the first question
    return embedder


@st.cache_resource(show_spinner="Loading the embedding model and the index (first start only)…")
def load_assistant(settings: Settings) -> Any:
    """One Assistant per settings: tests with different folders never share one."""
    from app.core.engine import Assistant

    return Assistant(settings, embedder=load_embedder(settings))


MORE = "Tell me more"


def ask(question: str) -> None:
    st.session_state.pending = question


# ---- which chat is open ----


def chat_from_link(ctx: Context) -> int | None:
    """The chat named by ?chat= (a page reload keeps it in the address), if it is the user's."""
    raw = st.query_params.get("chat", "")
    if not raw:
        return None
    number = int(raw) if CHAT_ID.fullmatch(raw) else None
    if number is not None and number <= MAX_SQLITE_INTEGER:
        if history.get_conversation(ctx.db, number, ctx.owner) is not None:
            return number
    st.query_params.pop("chat", None)
    notify("That chat link names no chat of yours; this is a new chat.")
    return None


def current_chat(ctx: Context) -> int | None:
    """The open chat, checked on every run: another tab may have deleted it meanwhile."""
    if "chat_id" not in st.session_state:
        st.session_state.chat_id = chat_from_link(ctx)
    chat_id = st.session_state.chat_id
    if chat_id is not None and history.get_conversation(ctx.db, chat_id, ctx.owner) is None:
        open_chat(None)
        notify("This chat was deleted (in another tab?); a new chat starts here.")
        return None
    return chat_id


def new_chat(ctx: Context, question: str) -> int:
    chat_id = history.create_conversation(ctx.db, question, ctx.owner)
    open_chat(chat_id)
    return chat_id


def save_message(
    ctx: Context, chat_id: int, question: str, stored: StoredAnswer | None = None
) -> tuple[int, int]:
    """Store the question (or, with `stored`, its answer) in the chat; if the chat was deleted
    meanwhile, in a new one that starts with the question. Returns (chat id, message id)."""
    role, content = ("assistant", stored.text) if stored else ("user", question)
    try:
        return chat_id, history.add_message(ctx.db, chat_id, role, content, stored, ctx.owner)
    except ChatGone:
        chat_id = new_chat(ctx, question)
        if stored is not None:
            history.add_message(ctx.db, chat_id, "user", question, owner=ctx.owner)
            notify("The chat was deleted in another tab while answering; it continues here.")
        return chat_id, history.add_message(ctx.db, chat_id, role, content, stored, ctx.owner)


# ---- answering ----


def stream_llm(
    ctx: Context,
    question: str,
    k: int,
    section: str | None,
    previous: list[str],
    keep_partial: Callable[[Any], None],
) -> Any:
    """Show the model's words as they arrive, with a Stop button; return the verified Answer.

    Stop (or any other click in this tab) ends this run: the answer so far is then verified
    and handed to `keep_partial`, and the next run shows it from the history.
    """
    source = ctx.assistant.ask_stream(question, k, section, previous)
    final: list[Any] = []

    def pieces() -> Iterator[str]:
        for item in source:
            if isinstance(item, str):
                yield render.stream_escape(item)
            else:
                final.append(item)

    stop = st.empty()
    stop.button("Stop", key="stop-answer", icon=":material/stop_circle:")
    live = st.empty()
    try:
        with live.container():
            st.write_stream(pieces())
    except Exception:
        raise
    except BaseException:  # Streamlit ends this run: Stop, another click, a closed tab
        if not final:
            try:
                partial = source.throw(StopRequested("you stopped it"))
            except (StopRequested, StopIteration):
                partial = None
            if partial is not None and not isinstance(partial, str):
                keep_partial(partial)
        raise
    stop.empty()
    live.empty()  # the verified answer is drawn in its place
    return final[-1]


def answer_question(ctx: Context, question: str, chat_id: int | None, previous: list[str]) -> None:
    question = " ".join(question.split())[:MAX_QUESTION_CHARS]
    if not question:
        return
    chat = new_chat(ctx, question) if chat_id is None else chat_id
    chat, _ = save_message(ctx, chat, question)
    with st.chat_message("user"):
        st.markdown(escape(question))
    # Stop starts the next run at once, while this one is still ending (Streamlit's fast
    # reruns): the next run waits for this event, so it shows the answer this one saves.
    saved = st.session_state.answering = threading.Event()
    try:
        answer_in_chat(ctx, question, chat, previous)
    finally:
        saved.set()


def answer_in_chat(ctx: Context, question: str, chat: int, previous: list[str]) -> None:
    k = int(st.session_state.get("k", ctx.settings.top_k))
    chosen = st.session_state.get("section", ALL_SECTIONS)
    section = None if chosen == ALL_SECTIONS else chosen
    with st.chat_message("assistant"):
        started = time.perf_counter()

        def stored(answer: Any) -> StoredAnswer:
            seconds = round(time.perf_counter() - started, 2)
            return StoredAnswer.from_answer(answer, seconds=seconds, k=k, section=section or "")

        def keep_partial(answer: Any) -> None:
            save_message(ctx, chat, question, stored(answer))

        try:
            if st.session_state.get("mode") == "llm" and ctx.settings.llm != "none":
                answer = stream_llm(ctx, question, k, section, previous, keep_partial)
            else:
                with st.spinner("Searching the knowledge base…"):
                    answer = ctx.assistant.ask(question, k, section, previous)
        except KBError as exc:
            st.error(str(exc))
            return
        final = stored(answer)
        _, message_id = save_message(ctx, chat, question, final)
        show_answer(final, message_id, ctx)
        if final.citations:
            more_button()


def more_button() -> None:
    """Under the last answer: its section goes on where it stopped (app/core/more.py)."""
    st.button(MORE, key="more", on_click=ask, args=(MORE,), icon=":material/add:")


def chat_area(ctx: Context) -> None:
    st.title("Knowledge base assistant", anchor=False)
    st.caption(
        "Answers quote the team knowledge base and cite the file, heading and lines "
        "they come from. Click a [n] marker to open its source."
    )
    answering = st.session_state.get("answering")
    if answering is not None:
        answering.wait(timeout=SAVE_WAIT_S)  # a stopped answer still being saved
    chat_id = current_chat(ctx)
    for notice in st.session_state.pop("notices", []):
        st.info(escape(notice), icon=":material/info:")
    past = history.messages(ctx.db, chat_id, ctx.owner) if chat_id is not None else []
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
    elif past[-1].answer is not None and past[-1].answer.citations:
        more_button()


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
    owner = signed_in(settings)  # the sign-in form, and nothing else, until it is passed
    if owner is None:
        return
    assistant = load_assistant(settings)
    if st.query_params.get("source"):
        source_page(settings, assistant)
        return
    ctx = Context(settings, assistant, owner)
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
