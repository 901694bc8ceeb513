"""The Streamlit chat UI (kb-chat): the only modules that import streamlit."""
