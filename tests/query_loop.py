"""Ask one question over and over, printing what each answer came from (used by the tests)."""

from __future__ import annotations

import json
import sys
import time

from ingest.edge import load_settings, prepare_process

prepare_process()

from app.core.engine import Assistant  # noqa: E402  (after the offline environment is set)


def main() -> None:
    question, seconds = sys.argv[1], float(sys.argv[2])
    assistant = Assistant(load_settings())
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            # The generation current before and after the answer: an ingest may publish while
            # it runs, and the answer then comes wholly from one of the two.
            before = assistant.reader.current()
            answer = assistant.ask(question)
            after = assistant.reader.current()
            record = {
                "t": time.time(),
                "generation": after.name,
                "ids": [h.chunk.id for h in answer.hits],
                "known": any(
                    all(h.chunk.id in g.position for h in answer.hits) for g in (before, after)
                ),
                "answer": answer.text,
                "ok": True,
            }
        except Exception as exc:  # the test wants to see any failure, whatever its type
            record = {"t": time.time(), "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(record), flush=True)
        time.sleep(0.05)


if __name__ == "__main__":
    main()
