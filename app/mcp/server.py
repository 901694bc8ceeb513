"""kb-mcp: the knowledge base as tools, resources and a prompt for coding agents (MCP).

A thin adapter over the Assistant, like the CLI and the chat UI: every tool call reads the
index generation that is current when it starts and uses only that one.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from app.core.documents import numbered, sections
from app.mcp.models import (
    AskResult,
    DocumentEntry,
    DocumentList,
    HeadingInfo,
    IngestResult,
    Passage,
    SearchResult,
    SectionResult,
)
from ingest.errors import BadRequest, KBError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from app.core.engine import Assistant

MAX_QUERY_CHARS = 8000  # a long ticket is ~1,000; a 100 kB paste is a mistake, not a task
MAX_K = 20

INSTRUCTIONS = """\
The team's knowledge base for Python backend work and for delegating to and mentoring junior
developers. Consult it before relying on memory: call search_kb with the whole task (it
searches each request in it separately and labels every passage with the request it serves),
read_section for the full text around a passage, list_documents to browse. Cite what you use
as `source#anchor (lines a-b)`; the line numbers point at the exact text in kb/."""

CONSULT_PROMPT = """\
Before you start on the task below, consult the team knowledge base (the kb tools):

1. Call search_kb with the whole task. Read the passages for every aspect it lists, and
   call read_section on a passage's source and anchor when you need the full section.
2. Follow what the knowledge base says over habits or memory. Where it does not cover part
   of the task, say so and mark that advice as your own.
3. Cite each passage you relied on as `source#anchor (lines a-b)`, next to the point it
   supports, and list them under "Sources" at the end.

Task:
{task}"""


PROMPT_DESCRIPTION = """Wrap a task in the team's rule: consult the knowledge base first
(search_kb with the whole task, read_section for detail), then cite what you used."""


def _check_text(name: str, value: str) -> str:
    if not value.strip():
        raise BadRequest(f"{name} is empty")
    if len(value) > MAX_QUERY_CHARS:
        raise BadRequest(
            f"{name} is {len(value):,} characters; at most {MAX_QUERY_CHARS:,} "
            "(send the task, not whole files)"
        )
    return value


class KBTools:
    """The tools' bodies, over one Assistant; bad input raises BadRequest (or another KBError)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def search_kb(self, query: str, k: int = 5, section: str | None = None) -> SearchResult:
        _check_text("query", query)
        if not 1 <= k <= MAX_K:
            raise BadRequest(f"k must be between 1 and {MAX_K}, got {k}")
        generation, aspects, hits = self.assistant.search(query, k, section)
        return SearchResult(
            aspects=aspects,
            generation=generation,
            passages=[
                Passage(
                    rank=h.rank,
                    aspect=h.aspect,
                    source=h.hit.chunk.source,
                    anchor=h.hit.chunk.anchor,
                    heading_path=h.hit.chunk.heading_path,
                    start_line=h.hit.chunk.start_line,
                    end_line=h.hit.chunk.end_line,
                    score=round(h.hit.fused, 6),
                    dense=round(h.hit.dense, 4),
                    keyword=round(h.hit.keyword, 4),
                    text=h.hit.chunk.text,
                )
                for h in hits
            ],
        )

    def ask_kb(self, question: str) -> AskResult:
        _check_text("question", question)
        return AskResult.model_validate(self.assistant.ask(question).to_json())

    def read_section(
        self,
        source: str,
        anchor: str | None = None,
        start_line: int | None = None,
        end_line: int | None = None,
    ) -> SectionResult:
        section, text = self.assistant.read_section(source, anchor, start_line, end_line)
        return SectionResult(
            source=section.source,
            title=section.title,
            heading_path=section.heading_path,
            anchor=section.anchor,
            start_line=section.start_line,
            end_line=section.end_line,
            text=text.text,
            numbered=numbered(text.text, text.start_line),
            notice=text.notice,
        )

    def list_documents(self, section: str | None = None) -> DocumentList:
        with self.assistant.reader.pinned() as generation:
            docs = self.assistant.documents(section)
            return DocumentList(
                sections=sections(generation.chunks),
                documents=[
                    DocumentEntry(
                        source=d.source,
                        uri=f"kb://{d.source}",
                        title=d.title,
                        section=d.section,
                        headings=[HeadingInfo(**vars(h)) for h in d.headings],
                    )
                    for d in docs
                ],
            )

    def document_text(self, source: str) -> str:
        """A whole document, however long, as the kb://<source> resource shows it."""
        return self.assistant.read_section(source, max_lines=None)[1].text

    def reingest(self) -> IngestResult:
        from ingest.sync import sync

        report = sync(self.assistant.settings, embedder=self.assistant.embedder)
        return IngestResult(
            summary=report.summary(),
            skipped=[f"{s.source}: {s.reason}" for s in report.skipped] + report.warnings,
            generation=self.assistant.reader.current().name,
        )


def build_server(assistant: Assistant, allow_ingest: bool = False) -> MCPServer:
    """The MCP server: four read-only tools (five with `allow_ingest`), a resource per
    document and the consult-kb prompt."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
    from mcp.types import Resource, ToolAnnotations

    tools = KBTools(assistant)
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    class KBServer(MCPServer):
        async def list_resources(self) -> list[Resource]:
            """The documents of the generation that is current now (it follows re-ingests)."""
            import anyio

            try:
                listing = await anyio.to_thread.run_sync(tools.list_documents)
            except KBError:
                return []
            return [
                Resource(
                    uri=d.uri,
                    name=d.source,
                    title=d.title,
                    description=f"{d.title} ({len(d.headings)} sections)",
                    mime_type="text/markdown",
                )
                for d in listing.documents
            ]

    server = KBServer(
        "kb-assistant", instructions=INSTRUCTIONS, version=_version(), log_level="WARNING"
    )

    def tool(annotations: ToolAnnotations):
        """Register a tool; its docstring, on one line, is the description agents read."""

        def register(fn):
            return server.tool(
                description=" ".join((fn.__doc__ or "").split()), annotations=annotations
            )(fn)

        return register

    def guarded(fn):
        """Our errors become a tool error (isError) with their one-line message; the SDK
        reports anything else without its text, so nothing unexpected leaks."""

        def call(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except KBError as exc:
                raise ToolError(str(exc)) from None

        return call

    @tool(read_only)
    def search_kb(
        query: Annotated[
            str,
            Field(
                description="a question or a whole task (up to 8,000 characters); each request "
                "in it (sentences, clauses starting with a verb) is searched separately"
            ),
        ],
        k: Annotated[
            int, Field(description="passages to return, 1-20; never fewer than one per aspect")
        ] = 5,
        section: Annotated[
            str | None,
            Field(description="only search one top-level KB folder, e.g. task-delegation"),
        ] = None,
    ) -> SearchResult:
        """Search the team knowledge base (Python backend practice, frameworks, testing, task
        delegation, mentoring). Send the whole task: it is split into aspects, each searched
        (dense + BM25), and merged round-robin so every aspect gets passages; each passage says
        which aspect it serves, with source, anchor, heading path, exact line range and text."""
        return guarded(tools.search_kb)(query, k, section)

    @tool(read_only)
    def ask_kb(
        question: Annotated[str, Field(description="one question, up to 8,000 characters")],
    ) -> AskResult:
        """Answer one question from the knowledge base with quoted, cited sentences: exactly
        what `kb-ask --json` prints. `refused` is true (and the answer says so) when the KB
        does not cover the question; each citation's text is the file's lines, exactly."""
        return guarded(tools.ask_kb)(question)

    @tool(read_only)
    def read_section(
        source: Annotated[str, Field(description="document path as returned, e.g. web/api.md")],
        anchor: Annotated[
            str | None, Field(description="a heading's anchor: returns its whole section")
        ] = None,
        start_line: Annotated[int | None, Field(description="first line (1-based)")] = None,
        end_line: Annotated[int | None, Field(description="last line (inclusive)")] = None,
    ) -> SectionResult:
        """The exact text of a knowledge-base document with its line numbers: the section
        under a heading (anchor), a line range, or (neither) the whole document. Use it to
        read around a search_kb passage before citing it."""
        return guarded(tools.read_section)(source, anchor, start_line, end_line)

    @tool(read_only)
    def list_documents(
        section: Annotated[
            str | None, Field(description="only one top-level folder, e.g. mentoring")
        ] = None,
    ) -> DocumentList:
        """Every document in the knowledge base with its title, section, resource URI and
        headings (anchor and line range of each), for browsing or picking what to read."""
        return guarded(tools.list_documents)(section)

    if allow_ingest:

        @tool(ToolAnnotations(read_only_hint=False, idempotent_hint=True))
        def reingest() -> IngestResult:
            """Re-index the KB folder now (only changed chunks are embedded). Later calls use
            the new index; a call already running finishes on the old one."""
            return guarded(tools.reingest)()

    @server.resource("kb://{+source}", mime_type="text/markdown", name="kb-document")
    def document(source: str) -> str:
        """A knowledge-base document, exactly as indexed (kb://<path inside the KB>)."""
        try:
            return tools.document_text(source)
        except KBError as exc:
            raise ResourceNotFoundError(str(exc)) from None

    @server.prompt("consult-kb", description=" ".join(PROMPT_DESCRIPTION.split()))
    def consult_kb(
        task: Annotated[str, Field(description="the task to carry out")],
    ) -> str:
        return CONSULT_PROMPT.format(task=task)

    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kb-assistant")
    except PackageNotFoundError:
        return ""


if __name__ == "__main__":
    from app.mcp.cli import main

    sys.exit(main())
