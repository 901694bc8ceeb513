"""Warm tool-call latency of kb-mcp over stdio, beside the same call in-process.

A real kb-mcp subprocess is driven by the official SDK client (what an agent does); the
in-process side calls the same tool body on an Assistant in this process. Both have the model
loaded and each question is asked once, so every call embeds its query (no cache hit on either
side): the difference is what MCP and stdio add. Targets: search_kb p50 ≤ 50 ms over stdio,
within 20 ms of in-process.

examples:
  python benchmarks/mcp_latency.py --data data            # an existing index of kb/
  python benchmarks/mcp_latency.py                        # builds one in a temp folder first
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = Path(__file__).with_name("task_queries.jsonl")
sys.path.insert(0, str(ROOT))

from measure import child_env, percentiles_ms  # noqa: E402


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure_mcp(kb: Path, data: Path, questions: list[str], tasks: list[str]) -> dict:
    """p50/p95 of search_kb (questions and whole tasks) and ask_kb, over stdio and in-process."""
    from anyio.from_thread import start_blocking_portal
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from app.core.engine import Assistant
    from app.mcp.server import KBTools
    from ingest.config import Settings

    env = {**child_env(), "KB_DIR": str(kb), "KB_DATA_DIR": str(data)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "app.mcp.server"], env=env, cwd=ROOT
    )

    settings = Settings(kb_dir=kb, data_dir=data, model_dir=ROOT / "data" / "models")
    tools = KBTools(Assistant(settings))
    tools.search_kb("warm up in-process")
    in_process = {"search_kb": tools.search_kb, "ask_kb": tools.ask_kb}
    runs = [("search", "search_kb", questions), ("task", "search_kb", tasks)]
    runs.append(("ask", "ask_kb", questions))
    stdio: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    local: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    with start_blocking_portal() as portal, tempfile.TemporaryFile("w+") as errlog:
        with portal.wrap_async_context_manager(stdio_client(params, errlog=errlog)) as streams:
            with portal.wrap_async_context_manager(ClientSession(*streams)) as session:
                portal.call(session.initialize)

                def remote(tool: str, text: str) -> None:
                    argument = "query" if tool == "search_kb" else "question"
                    result = portal.call(session.call_tool, tool, {argument: text})
                    if result.is_error:
                        raise SystemExit(f"bench: {tool} failed: {result.content}")

                remote("search_kb", "warm up the server")
                # Alternate the two sides call by call, so load from other processes on the
                # machine falls on both alike.
                for name, tool, texts in runs:
                    for text in texts:
                        stdio[name].append(_timed(lambda: remote(tool, text)))  # noqa: B023
                        local[name].append(_timed(lambda: in_process[tool](text)))  # noqa: B023
    results: dict[str, float] = {}
    for name in stdio:
        for where, times in (("stdio", stdio[name]), ("inprocess", local[name])):
            for key, value in percentiles_ms(times).items():
                results[f"mcp_{name}_{where}_{key}"] = value
        results[f"mcp_{name}_overhead_p50_ms"] = (
            results[f"mcp_{name}_stdio_p50_ms"] - results[f"mcp_{name}_inprocess_p50_ms"]
        )
    return results


def report(values: dict) -> str:
    lines = [f"{'kb-mcp warm tool call':34s} {'stdio p50':>10s} {'p95':>8s} {'in-proc p50':>12s}"]
    for name, label in (
        ("search", "search_kb (one question)"),
        ("task", "search_kb (whole task)"),
        ("ask", "ask_kb (query embedded already)"),
    ):
        lines.append(
            f"{label:34s} {values[f'mcp_{name}_stdio_p50_ms']:8.1f}ms "
            f"{values[f'mcp_{name}_stdio_p95_ms']:6.1f}ms "
            f"{values[f'mcp_{name}_inprocess_p50_ms']:10.1f}ms"
        )
    p50, extra = values["mcp_search_stdio_p50_ms"], values["mcp_search_overhead_p50_ms"]
    met = "yes" if p50 <= 50 and extra <= 20 else "NO"
    lines.append(
        f"target search_kb p50 ≤ 50 ms over stdio, ≤ 20 ms over in-process: {p50:.1f} ms, "
        f"+{extra:.1f} ms -> {met}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("examples:")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kb", type=Path, default=ROOT / "kb")
    parser.add_argument("--data", type=Path, help="data folder holding an index of --kb")
    parser.add_argument("--questions", type=Path, default=ROOT / "data/eval/questions.jsonl")
    args = parser.parse_args(argv)
    from ingest.edge import prepare_process

    prepare_process()
    from app.core.evaluate import load_questions
    from ingest.config import Settings
    from ingest.sync import sync

    question_file = args.questions
    if not question_file.is_file():
        question_file = Path(__file__).with_name("questions.jsonl")
    questions = [q.q for q in load_questions(question_file)]
    tasks = [json.loads(line)["q"] for line in TASKS.read_text().splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="kb-mcp-bench-") as work:
        data = args.data or Path(work)
        if args.data is None:
            sync(Settings(kb_dir=args.kb, data_dir=data, model_dir=ROOT / "data" / "models"))
        values = measure_mcp(args.kb.resolve(), data.resolve(), questions, tasks)
    print(report(values))
    print(f"{len(questions)} questions, {len(tasks)} tasks, each asked once per side")
    return 0


if __name__ == "__main__":
    sys.exit(main())
