"""One chat user for tests/test_stress.py, in a process of its own: asks, rates, deletes chats
and presses Re-ingest through Streamlit's AppTest until the deadline, then reports in JSON.

(AppTest swaps a process-wide Runtime in and out on every run, so two of them cannot run at
once in one process; real sessions share one process, which the browser tests cover.)

usage: python tests/stress_session.py NUMBER START_FILE SECONDS REPORT_FILE
"""

from __future__ import annotations

import json
import re
import sys
import time
import traceback
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.core import history
from ingest.edge import load_settings

APP = str(Path(__file__).resolve().parent.parent / "app" / "ui" / "streamlit_app.py")
QUESTIONS = [
    "What does the rotation marker say about releases?",
    "Where should I open and close a database session in FastAPI?",
    "How should fixtures supply expensive resources to tests?",
    "What does the rotation marker say about rollbacks?",
]
VERSION = re.compile(r"rotation-v(\d+)")


def main() -> int:
    number, start_file, seconds, report_file = sys.argv[1:5]
    session = int(number)
    db = history.db_path(load_settings().data_dir)
    # chats: messages each kept chat must hold; feedback: the rated answers, by chat
    report: dict = {"exceptions": [], "chats": {}, "feedback": {}, "mixed": [], "asked": 0}
    at = AppTest.from_file(APP, default_timeout=180)

    def run(action) -> None:
        action.run()
        if at.exception:
            report["exceptions"].append([e.value for e in at.exception])

    try:
        at.run()
        Path(f"{start_file}.ready{session}").touch()
        while not Path(start_file).exists():
            time.sleep(0.2)
        deadline = time.monotonic() + float(seconds)
        step = 0
        while time.monotonic() < deadline:
            step += 1
            run(at.chat_input[0].set_value(QUESTIONS[(session + step) % len(QUESTIONS)]))
            chat = at.session_state["chat_id"]
            report["asked"] += 1
            report["chats"][str(chat)] = report["chats"].get(str(chat), 0) + 2
            answer = history.messages(db, chat)[-1]
            versions = {v for h in answer.answer.hits for v in VERSION.findall(h.passage.text)} | {
                v for c in answer.answer.citations for v in VERSION.findall(c.text)
            }
            if len(versions) > 1:
                report["mixed"].append(sorted(versions))
            if step % 2 == 0 and at.feedback:
                run(at.feedback[-1].set_value(1))
                report["feedback"].setdefault(str(chat), []).append(answer.id)
            if step % 3 == 0:
                run(next(b for b in at.sidebar.button if b.key == f"delete-{chat}").click())
                report["chats"].pop(str(chat))
                report["feedback"].pop(str(chat), None)
            if session < 2 and step % 4 == 0:
                run(next(b for b in at.sidebar.button if b.label == "Re-ingest").click())
    except Exception:
        report["exceptions"].append(traceback.format_exc())
    Path(report_file).write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
