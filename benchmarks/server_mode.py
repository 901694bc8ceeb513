"""Server mode (KB_CHROMA_HOST) at N× the KB: full ingest, no-op, one-file edit, cold start,
warm answer, against a real `chroma run` on 127.0.0.1.

The N× KB is N verbatim copies of kb/ in folders v00/… (files, chunks and rows scale by N;
the text does not, see synth.py for why that is fine for everything but embedding). The
full ingest takes its vectors from the local index in data/index when it holds the same text
(run kb-ingest first), so it measures the server's writes, not the 2-core embedding floor;
the edit and no-op are timed as fresh `kb-ingest` processes with the real model.

example:
  python benchmarks/server_mode.py --scale 10      # writes data/bench/server-<UTC>.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import synth
from measure import ROOT, percentiles_ms, run, timed, warm_latencies

from ingest.edge import prepare_process
from ingest.embed import Embedder


class StoredVectors(Embedder):
    """The real model, asked only for texts the local index has no vector for."""

    def __init__(self, data: Path) -> None:
        super().__init__(onnx_dir=ROOT / "data" / "models")
        from ingest.store import LocalIndex

        stored = LocalIndex(data / "index").load(vectors=True)
        assert stored.vectors is not None
        self.stored = {c.embed_text: stored.vectors[i] for i, c in enumerate(stored.chunks)}
        self.reused = 0

    def embed(self, texts, progress=None):
        import numpy as np

        missing = [t for t in texts if t not in self.stored]
        if missing:
            self.stored.update(zip(missing, super().embed(missing), strict=True))
        self.reused += len(texts) - len(missing)
        if progress:
            progress(len(texts))
        return np.asarray([self.stored[t] for t in texts], dtype=np.float32)


def copies(kb: Path, out: Path, scale: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    for copy in range(scale):
        shutil.copytree(kb, out / f"v{copy:02d}")
    return out


def chroma_server(folder: Path) -> tuple[subprocess.Popen, int]:
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    binary = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen(
        [
            str(binary),
            "run",
            "--path",
            str(folder / "db"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).is_success:
                return server, port
        except httpx.TransportError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("bench: chroma run did not start")


def measure(scale: int, questions: list, reps: int) -> dict:
    from app.core.engine import Assistant
    from app.core.index import IndexReader
    from ingest.config import Settings
    from ingest.sync import sync

    with tempfile.TemporaryDirectory(prefix="kb-server-bench-") as work:
        work_dir = Path(work)
        kb = copies(ROOT / "kb", work_dir / "kb", scale)
        server, port = chroma_server(work_dir)
        try:
            settings = Settings(
                kb_dir=kb,
                data_dir=work_dir / "data",
                chroma_host="127.0.0.1",
                chroma_port=port,
                model_dir=ROOT / "data" / "models",
            )
            seeded = StoredVectors(ROOT / "data")
            started = time.perf_counter()
            full = sync(settings, embedder=seeded)
            full_s = time.perf_counter() - started
            env = {"KB_CHROMA_HOST": "127.0.0.1", "KB_CHROMA_PORT": str(port)}
            ingest = ("-m", "ingest", "--kb", kb, "--data", work_dir / "data")
            noop = run(*ingest, env=env)
            edited = synth.edit_one_paragraph(kb)
            edit = run(*ingest, env=env)
            cold = run("-m", "app.cli", "--data", work_dir / "data", questions[0].q, env=env)
            assistant = Assistant(settings, Embedder(onnx_dir=ROOT / "data" / "models"))
            ask = warm_latencies(lambda q: assistant.ask(q.q, 5), questions, reps)
            load_s = timed(lambda: IndexReader(settings).current())  # a reader's reload
        finally:
            server.terminate()
            server.wait(timeout=60)
    return {
        "scale": scale,
        "chunks": full.chunks,
        "files": full.files,
        "full_seeded_s": full_s,
        "full_embedded": full.embedded,
        "full_vectors_reused": seeded.reused,
        "noop_s": noop.seconds,
        "edit_s": edit.seconds,
        "edited_file": edited,
        "edit_summary": edit.stdout.strip(),
        "cold_s": cold.seconds,
        "reader_load_s": load_s,
        "peak_rss_mb": max(r.max_rss_mb for r in (noop, edit, cold)),
        "cpu_s": {"noop": noop.cpu_seconds, "edit": edit.cpu_seconds, "cold": cold.cpu_seconds},
        "load_average": os.getloadavg(),
        **{f"ask_{k}": v for k, v in percentiles_ms(ask).items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="copies of kb/ (default 10)")
    parser.add_argument("--questions", type=int, default=30, help="warm answers timed")
    args = parser.parse_args(argv)
    prepare_process()
    from app.core.evaluate import load_questions

    questions = load_questions(ROOT / "data/eval/questions.jsonl")[: args.questions]
    result = measure(args.scale, questions, reps=1)
    print(json.dumps(result, indent=2))
    path = ROOT / "data" / "bench" / time.strftime("server-%Y%m%dT%H%M%SZ.json", time.gmtime())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
