"""The chat UI's sidebar: past chats, answer settings, and the index panel with Re-ingest."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.core import history, render
from app.core.documents import sections
from app.core.render import escape
from app.core.status import ago, kb_changes
from app.ui.answer import Context
from ingest.errors import KBError

ALL_SECTIONS = "All sections"
MAX_LISTED_CHANGES = 6


def open_chat(chat_id: int | None) -> None:
    st.session_state.chat_id = chat_id
    if chat_id is None:
        st.query_params.pop("chat", None)
    else:
        st.query_params["chat"] = str(chat_id)


def delete_chat(db: Path, chat_id: int, owner: str) -> None:
    history.delete_conversation(db, chat_id, owner)
    if st.session_state.get("chat_id") == chat_id:
        open_chat(None)


def chats_panel(ctx: Context) -> None:
    st.button("New chat", icon=":material/add:", on_click=open_chat, args=(None,), width="stretch")
    chat_id = st.session_state.get("chat_id")
    chats = history.list_conversations(ctx.db, ctx.owner)
    if chat_id is not None:
        current = next((c for c in chats if c.id == chat_id), None)
        if current is not None:
            st.download_button(
                "Export chat as markdown",
                icon=":material/download:",
                width="stretch",
                on_click="ignore",
                data=render.export_markdown(
                    current.title, history.messages(ctx.db, chat_id, ctx.owner)
                ),
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
            args=(ctx.db, chat.id, ctx.owner),
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
        name = None if isinstance(generation, KBError) else generation.name
        changes = kb_changes(ctx.settings.kb_dir, ctx.settings.max_file_bytes, indexed, name)
    except KBError as exc:
        st.warning(str(exc))
        changes = None
    if changes is not None:
        if changes.any:
            kinds = (
                ("added", changes.added),
                ("modified", changes.modified),
                ("deleted", changes.deleted),
            )
            listed = [f"- {kind} {escape(path)}" for kind, paths in kinds for path in paths]
            counts = ", ".join(f"{len(paths)} {kind}" for kind, paths in kinds if paths)
            more = len(listed) - MAX_LISTED_CHANGES
            st.markdown(f"**Changed since the last ingest:** {counts}")
            st.caption(
                "\n".join(listed[:MAX_LISTED_CHANGES])
                + (f"\n- … and {more} more" if more > 0 else "")
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
