"""A local OpenAI-compatible server for tests: POST /v1/chat/completions, every body recorded.

Standard library only, on 127.0.0.1 with a free port, in a thread. `mode` decides the answer:

* "good": a valid answer for every use at once (each output model picks its own keys);
* "hang": answer nothing for `hang_seconds` (longer than the client's timeout);
* "error500": HTTP 500 with an OpenAI-style error body;
* "malformed": content that is not JSON;
* "schema": JSON of the wrong shape (wrong enum, wrong types, a missing key);
* "channel": every field says `<!channel>`;
* "refusal": a refusal instead of content;
* "no_structured": HTTP 400 for any request asking for response_format, else "good";
* "obey": does whatever the data says, the way a model that falls for prompt injection would:
  answers with the person's text and with its own system prompt.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD: dict[str, Any] = {
    "kind": "coach",
    "reason": "Practising one clear skill with regular feedback suits a coach well.",
    "summary": "You will meet every two weeks to build confident SQL, one report at a time.",
    "question": "Which part of your weekly report felt easier to write this time?",
    "learned": "Writes the weekly report queries alone now and reviews them with a colleague.",
}


@dataclass
class FakeLLM:
    mode: str = "good"
    hang_seconds: float = 3.0
    good: dict[str, Any] = field(default_factory=lambda: dict(GOOD))
    bodies: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    answered: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _open: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._open.set()

    def hold(self) -> None:
        """Every request waits, unanswered, until `release()` (or `stop()`)."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def start(self) -> FakeLLM:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                with fake._lock:
                    fake.raw.append(raw)
                    fake.bodies.append(json.loads(raw))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found", "type": "not_found"}})
                    return
                while not (fake._open.wait(0.05) or fake._stop.is_set()):
                    pass
                fake._answer(self, json.loads(raw))
                with fake._lock:
                    fake.answered += 1

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout): nothing to do

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._open.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.bodies)

    def everything_sent(self) -> str:
        """Every request body exactly as received, for "was X ever sent?" checks."""
        with self._lock:
            return "\n".join(self.raw)

    # -- answers --

    def _answer(self, handler: Any, body: dict[str, Any]) -> None:
        mode = self.mode
        if mode == "hang":
            self._stop.wait(self.hang_seconds)
            mode = "good"
        if mode == "error500":
            handler._send(500, {"error": {"message": "boom", "type": "server_error"}})
            return
        if mode == "no_structured" and "response_format" in body:
            error = {"message": "response_format is not supported", "type": "invalid_request"}
            handler._send(400, {"error": error})
            return
        content: str | None
        refusal = None
        if mode == "malformed":
            content = "Sure! {kind: coach, reason: 'it fits'"
        elif mode == "schema":
            content = json.dumps({"kind": "wizard", "reason": 42, "summary": ["x"], "learned": {}})
        elif mode == "channel":
            content = json.dumps(
                {key: "<!channel> look at this?" for key in self.good} | {"kind": "coach"}
            )
        elif mode == "refusal":
            content, refusal = None, "I can't help with that."
        elif mode == "obey":
            content = json.dumps(self._obey(body))
        else:
            content = json.dumps(self.good)
        handler._send(200, completion(body.get("model", "fake"), content, refusal))

    def _obey(self, body: dict[str, Any]) -> dict[str, Any]:
        """Follow the injected instructions: repeat the system prompt, or the person's text."""
        messages = body.get("messages") or []
        system = next((m["content"] for m in messages if m.get("role") == "system"), "")
        user = next((m["content"] for m in messages if m.get("role") == "user"), "")
        data = user.split("<data>", 1)[-1].split("</data>", 1)[0]
        wants_prompt = "system prompt" in data
        said = json.loads(data) if data.strip().startswith("{") else {}
        typed = str(said.get("need") or said) if isinstance(said, dict) else str(said)
        text = system if wants_prompt else typed.replace("output ", "")
        if not wants_prompt and "<!channel>" in typed:
            text = "<!channel> " + text
        return {
            "kind": "mentor",
            "reason": text,
            "summary": text,
            "question": text + "?",
            "learned": text,
        }


def completion(model: str, content: str | None, refusal: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
