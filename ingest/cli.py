"""kb-ingest: sync the index with the knowledge-base folder."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from ingest.edge import load_settings, run_cli
from ingest.sync import Report, sync

DESCRIPTION = """Sync the search index with the markdown files of the knowledge base.

Only new or changed chunks are embedded; removed files disappear from the index.
Readers keep using the previous index until the new one is complete.

example:
  kb-ingest                 # sync kb/ into data/index/
  kb-ingest --dry-run       # show what would change, write nothing
  kb-ingest --kb notes --data /tmp/idx --full
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kb-ingest", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--kb", type=Path, help="knowledge-base folder (default: KB_DIR or kb)")
    parser.add_argument("--data", type=Path, help="data folder (default: KB_DATA_DIR or data)")
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.add_argument("--full", action="store_true", help="re-embed every chunk")
    parser.add_argument("--watch", action="store_true", help="re-ingest whenever files change")
    return parser


def print_report(report: Report, dry_run: bool = False) -> None:
    for item in report.skipped:
        kept = " (its previous chunks are kept)" if item.source in report.kept else ""
        print(f"skipped {item.source}: {item.reason}{kept}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if dry_run:
        for sign, chunks in (("+", report.added), ("~", report.updated), ("-", report.removed)):
            for chunk in chunks:
                print(
                    f"{sign} {chunk.source} › {chunk.heading_path} (lines "
                    f"{chunk.start_line}-{chunk.end_line})"
                )
        print("dry run: nothing written")
    elif report.changed or report.embedded:
        print(f"embedded {report.embedded} chunks; generation {report.generation}", file=sys.stderr)
    print(report.summary(), flush=True)


def progress_bar():
    """A callback drawing a tqdm bar on stderr while embedding (tqdm loads only then)."""
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def run() -> int:
        settings = load_settings()
        if args.kb:
            settings = replace(settings, kb_dir=args.kb)
        if args.data:
            settings = replace(settings, data_dir=args.data)
        if args.watch:
            from ingest.watch import watch

            return watch(settings, lambda: print_report(sync(settings, progress=progress_bar())))
        report = sync(settings, dry_run=args.dry_run, full=args.full, progress=progress_bar())
        print_report(report, args.dry_run)
        return 0

    return run_cli("kb-ingest", run)


if __name__ == "__main__":
    sys.exit(main())
