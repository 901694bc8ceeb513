"""The sign-in form kb-chat shows before anything else when KB_CHAT_PASSWORD is set.

Without a password the chat is for whoever runs it on this machine (owner ""). Served beyond
loopback without one (e.g. `streamlit run` bypassing kb-chat), it refuses to show anything.
"""

from __future__ import annotations

import logging

import streamlit as st
from streamlit import runtime

from app.core.access import exposure_error, owner_name, password_matches
from app.core.render import escape
from ingest.config import Settings

log = logging.getLogger("kb-chat")


def served_address() -> str | None:
    """The address the Streamlit server listens on ("" or None: every interface); loopback
    when no browser is talking to a server (a session without HTTP headers, as in AppTest)."""
    if not runtime.exists() or not st.context.headers:
        return "127.0.0.1"
    return st.get_option("server.address")


def signed_in(settings: Settings) -> str | None:
    """The owner of this session's chats, or None while the sign-in form is showing."""
    password = settings.chat_password
    if password is None:
        problem = exposure_error(served_address(), None)
        if problem:
            st.error(f"This chat is not available: {problem}.")
            st.stop()
        return ""
    owner = st.session_state.get("owner")
    if owner is not None:
        with st.sidebar:
            st.caption(f"Signed in as **{escape(st.session_state.get('owner_label', owner))}**")
            st.button("Sign out", on_click=sign_out, icon=":material/logout:")
        return str(owner)
    sign_in_form(password)
    return None


def sign_in_form(password: str) -> None:
    st.title("Knowledge base assistant", anchor=False)
    with st.form("sign-in"):
        st.caption("Sign in to see your chats. Each name has its own chats and feedback.")
        name = st.text_input("Your name", max_chars=64)
        given = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    owner = owner_name(name)
    if not password_matches(given, password) or owner is None:
        log.warning("kb-chat: failed sign-in")
        st.error("Wrong password, or the name is empty (letters, digits, spaces, . @ + - only).")
        return
    st.session_state.owner = owner
    st.session_state.owner_label = " ".join(name.split())
    st.rerun()


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]
