"""The read path: retrieval, cited answers, the chat UI and the command line."""
