"""A small OpenAI-compatible chat server for tests: real HTTP on 127.0.0.1, canned replies."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    """Serves /v1/chat/completions; `reply` is what the 'model' says, `status` forces errors.

    A streamed reply is sent word by word, `delay` seconds apart and `repeat` times over;
    `sent` counts the words sent and `hung_up` tells whether the client left before the end.
    """

    def __init__(self) -> None:
        self.reply = "Nothing to say."
        self.status = 200
        self.delay = 0.0
        self.repeat = 1
        self.sent = 0
        self.hung_up = threading.Event()
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if server.status != 200:
                    self.send_response(server.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(
                        b'{"error": {"message": "model exploded", "type": "server_error"}}'
                    )
                    return
                if body.get("stream"):
                    self._stream(body)
                else:
                    self._complete(body)

            def _complete(self, body: dict) -> None:
                payload = {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "fake"),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": server.reply},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                words = (" ".join([server.reply] * server.repeat)).split(" ")
                try:
                    for i, word in enumerate(words):
                        piece = word + (" " if i < len(words) - 1 else "")
                        chunk = {
                            "id": "cmpl-1",
                            "object": "chat.completion.chunk",
                            "created": int(time.time()),
                            "model": body.get("model", "fake"),
                            "choices": [
                                {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                            ],
                        }
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        server.sent += 1
                        time.sleep(server.delay)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    server.hung_up.set()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
