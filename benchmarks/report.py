"""The one comparison table: each measure for ours and plain, its target, and whether it is met."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Check = Callable[[dict, dict], bool]


@dataclass(frozen=True)
class Row:
    label: str
    key: str
    digits: int  # decimals shown
    target: str = ""
    check: Check | None = None


ROWS = [
    Row("chunks embedded by a full ingest", "chunks", 0),
    Row(
        "full ingest (s)",
        "full_s",
        1,
        "≤ 1.25× embedding",
        lambda o, p: o["full_s"] <= 1.25 * o["embed_s"],
    ),
    Row("  pure embedding, same texts (s; 1x: mean of F I F I F)", "embed_s", 1),
    Row(
        "no-op re-ingest (s)",
        "noop_s",
        2,
        "≤ 1.5 s, no model",
        lambda o, p: o["noop_s"] <= 1.5 and not o["noop_loaded_model"],
    ),
    Row(
        "one-file edit re-ingest (s)",
        "edit_s",
        2,
        "≤ 15% of full",
        lambda o, p: o["edit_s"] <= 0.15 * o["full_s"],
    ),
    Row(
        "warm retrieval p50 (ms)",
        "retrieve_p50_ms",
        1,
        "≤ 1.5× plain",
        lambda o, p: o["retrieve_p50_ms"] <= 1.5 * p["retrieve_p50_ms"],
    ),
    Row("warm retrieval p95 (ms)", "retrieve_p95_ms", 1),
    Row(
        "warm retrieval + answer p50 (ms)",
        "ask_p50_ms",
        1,
        "≤ 100 ms",
        lambda o, p: o["ask_p50_ms"] <= 100,
    ),
    Row("warm retrieval + answer p95 (ms)", "ask_p95_ms", 1),
    Row("cold start to first answer (s)", "cold_s", 1, "≤ 10 s", lambda o, p: o["cold_s"] <= 10),
    Row(
        "peak RSS of a subprocess (MB)",
        "peak_rss_mb",
        0,
        "≤ 1536 MB",
        lambda o, p: o["peak_rss_mb"] <= 1536,
    ),
    Row(
        "kb-mcp search_kb over stdio p50 (ms)",
        "mcp_search_stdio_p50_ms",
        1,
        "≤ 50 ms",
        lambda o, p: o["mcp_search_stdio_p50_ms"] <= 50,
    ),
    Row(
        "  over stdio minus in-process p50 (ms)",
        "mcp_search_overhead_p50_ms",
        1,
        "≤ 20 ms",
        lambda o, p: o["mcp_search_overhead_p50_ms"] <= 20,
    ),
    Row("  search_kb on a whole task, stdio p50 (ms)", "mcp_task_stdio_p50_ms", 1),
    Row("hit@5 (covered questions)", "hit@5", 3, "> plain", lambda o, p: o["hit@5"] > p["hit@5"]),
    Row("MRR (covered questions)", "mrr", 3, "> plain", lambda o, p: o["mrr"] > p["mrr"]),
]
REBUILD_NOTE = (
    "* plain has no incremental sync: every re-ingest is a full rebuild (its full-ingest time)"
)


def cell(values: dict, row: Row) -> str:
    value = values.get(row.key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = f"{value:,.{row.digits}f}"
    return text + "*" if row.key in values.get("rebuilt", ()) else text


def verdict(row: Row, ours: dict, plain: dict) -> str:
    if row.check is None:
        return ""
    try:
        return "yes" if row.check(ours, plain) else "NO"
    except (KeyError, TypeError):
        return "n/a"


def table(results: dict[str, dict]) -> str:
    """`results` maps a KB label to {"ours": {...}, "plain": {...}}."""
    header = ["measure", "target"]
    for label in results:
        header += [f"ours [{label}]", f"plain [{label}]", "met"]
    rows = [header]
    for row in ROWS:
        line = [row.label, row.target]
        for result in results.values():
            ours, plain = result["ours"], result["plain"]
            line += [cell(ours, row), cell(plain, row), verdict(row, ours, plain)]
        rows.append(line)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]

    def fmt(r: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    rule = "-" * len(fmt(header))
    return "\n".join([fmt(header), rule, *map(fmt, rows[1:]), rule, REBUILD_NOTE])


# Issue 14's targets per scale (KB copies), and what the bench measured before that work.
@dataclass(frozen=True)
class Target:
    label: str
    value: Callable[[dict], float | None]
    limits: dict[int, float]  # scale -> the most the measure may be
    digits: int


def _ratio(numerator: str, denominator: str) -> Callable[[dict], float | None]:
    def value(ours: dict) -> float | None:
        top, bottom = ours.get(numerator), ours.get(denominator)
        return top / bottom if top is not None and bottom else None

    return value


TARGETS = [
    Target("one-file edit re-ingest (s)", lambda o: o.get("edit_s"), {1: 2, 10: 3, 100: 6}, 2),
    Target("no-op re-ingest (s)", lambda o: o.get("noop_s"), {1: 0.3, 10: 0.4, 100: 1}, 2),
    Target(
        "warm retrieve + answer p50 (ms)",
        lambda o: o.get("ask_p50_ms"),
        {1: 150, 10: 150, 100: 200},
        1,
    ),
    Target("cold start to first answer (s)", lambda o: o.get("cold_s"), {1: 3, 10: 4, 100: 8}, 1),
    Target(
        "peak RSS, ingest and serving (MB)",
        lambda o: o.get("peak_rss_mb"),
        {1: 600, 10: 800, 100: 1536},
        0,
    ),
    Target("full ingest / fp32 pure embedding", _ratio("full_s", "embed_s"), {1: 1.1, 10: 1.1}, 2),
    Target(
        "int8 full ingest / fp32 pure embedding",
        _ratio("full_int8_s", "embed_s"),
        {1: 0.55, 10: 0.55},
        2,
    ),
]
# Before issue 14: the 10x numbers the issue reports for this bench on these 2 cores.
BEFORE: dict[int, dict[str, float]] = {
    10: {
        "one-file edit re-ingest (s)": 13.2,
        "no-op re-ingest (s)": 0.93,
        "full ingest / fp32 pure embedding": 1.0,
    },
}


def scale_of(label: str) -> int:
    """`kb` is the real KB (1 copy); `10x` a synthetic one of 10 copies."""
    return int(label.removesuffix("x")) if label.endswith("x") else 1


def targets_table(results: dict[str, dict]) -> str:
    """Each target beside the measured value (and the one before issue 14, where known)."""
    header = ["issue 14 target"]
    for label in results:
        header += [f"target [{label}]", f"before [{label}]", f"now [{label}]", "met"]
    rows = [header]
    for target in TARGETS:
        line = [target.label]
        for label, result in results.items():
            scale = scale_of(label)
            limit = target.limits.get(scale)
            value = target.value(result["ours"])
            before = BEFORE.get(scale, {}).get(target.label)
            line += [
                f"≤ {limit:g}" if limit is not None else "—",
                f"{before:,.{target.digits}f}" if before is not None else "",
                f"{value:,.{target.digits}f}" if value is not None else "n/a",
                "" if limit is None or value is None else ("yes" if value <= limit else "NO"),
            ]
        rows.append(line)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])
