"""The baseline of bench/ack.py: a bare Bolt app that acks `/mentoring` and does no other work,
served by gunicorn with the settings `mentorbot serve` uses (gthread workers, the same timeouts,
keep-alive, no access log). `/healthz` answers 200 so the bench can wait for it to boot.

    SLACK_BOT_TOKEN=… SLACK_SIGNING_SECRET=… SLACK_API_URL=… \
        python bench/bare_bolt.py --port 3001 --workers 2 --threads 8

Not a bench itself: it has no `run()`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def build() -> WsgiApp:
    """The WSGI app: Bolt's own WSGI adapter around one listener that only acks."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    token = os.environ["SLACK_BOT_TOKEN"]
    app = App(
        token=token,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
    )

    @app.command("/mentoring")
    def ack_only(ack: Ack) -> None:
        ack(text="ok")

    handler = SlackRequestHandler(app)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            body = b'{"ok": true}'
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return handler(environ, start_response)

    return application


def options(*, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn settings as in bot/cli/serve.py's serve() (its log level aside)."""
    return {
        "bind": f"127.0.0.1:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "loglevel": "warning",
        "control_socket_disable": True,
    }


def main() -> None:
    from gunicorn.app.base import BaseApplication

    parser = argparse.ArgumentParser(description="A bare Bolt app that only acks /mentoring.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    class BareServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            chosen = options(port=args.port, workers=args.workers, threads=args.threads)
            for key, value in chosen.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WsgiApp:
            return build()  # in each worker, after fork, as mentorbot serve does

    BareServer().run()


if __name__ == "__main__":
    main()
