"""The `mentorbot` command: the one place that wires Slack, storage and the domain together."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from bot.config import ConfigError, Settings, load_settings
from bot.logs import FORMATS, configure_logging
from storage.db import DatabaseUnavailable

log = logging.getLogger("mentorbot")

# Long-running processes write JSON lines for a log collector; commands people run by hand
# write text.
JSON_LOG_COMMANDS = frozenset({"serve", "socket", "clock"})


class UsageError(Exception):
    """A mistake in how the command was called; printed as one line."""


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date and time") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-03-02T09:00:00+00:00")
    return moment.astimezone(UTC)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="Mentorbot: a Slack app for mentoring and coaching programs.",
    )
    parser.add_argument(
        "--log-level",
        default=os.environ.get("MENTORBOT_LOG_LEVEL", "INFO"),
        help="logging level (default INFO)",
    )
    parser.add_argument(
        "--log-format",
        choices=FORMATS,
        default=None,
        help="json lines or text (default $MENTORBOT_LOG_FORMAT, else json for serve, socket "
        "and clock, text for the other commands)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="run the HTTP endpoint (POST /slack/events)",
        description="Run HTTP mode on gunicorn: POST /slack/events, GET /healthz.",
    )
    serve.add_argument("--host", default="0.0.0.0", help="interface to bind (default 0.0.0.0)")
    serve.add_argument(
        "--port", type=_port, default=None, help="port to bind (default $PORT, else 3000)"
    )
    serve.add_argument("--workers", type=_positive, default=2, help="worker processes (default 2)")
    serve.add_argument(
        "--threads", type=_positive, default=8, help="threads per worker (default 8)"
    )

    sub.add_parser(
        "socket",
        help="run in Socket Mode (no public URL needed)",
        description="Connect to Slack over Socket Mode with SLACK_APP_TOKEN.",
    )
    clock = sub.add_parser(
        "clock",
        help="run the scheduler process (nudges, sweeps)",
        description="Run the clock: interval jobs that send what the database says is due.",
    )
    clock.add_argument(
        "--check",
        action="store_true",
        help="exit 0 if a running clock has ticked in the last 3 minutes (a readiness probe)",
    )

    db = sub.add_parser("db", help="database migrations", description="Manage the database schema.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser(
        "upgrade",
        help="apply every migration up to the newest",
        description="Apply Alembic migrations up to head.",
    )
    db_sub.add_parser(
        "current",
        help="print the schema's migration and the newest one",
        description="Print the current and the newest migration.",
    )

    sub.add_parser(
        "doctor",
        help="check the settings, the Slack token and scopes, the database and the channel",
        description="Check that this installation can run: settings, SLACK_BOT_TOKEN, its "
        "scopes against the manifest, the database and its migrations, and the coordinator "
        "channel. Prints one line per check; exits 0 when all pass, 1 otherwise.",
    )

    nudges = sub.add_parser(
        "nudges", help="run the clock's nudge sweep by hand", description="Nudge operations."
    )
    nudges_sub = nudges.add_subparsers(dest="nudges_command", metavar="ACTION", required=True)
    send_due = nudges_sub.add_parser(
        "send-due",
        help="plan and send every nudge due now (or at --now), then print what happened",
        description="One sweep of the clock: plan what the database says is owed, send what is "
        "due exactly once, and print a line per nudge.",
    )
    send_due.add_argument(
        "--now",
        type=_moment,
        default=None,
        help="act as if it were this ISO time (e.g. 2026-03-02T09:00:00+00:00); default now",
    )
    send_due.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; change nothing"
    )

    demo = sub.add_parser(
        "demo",
        help="run a scripted session against the built-in Slack emulator",
        description="Start the emulator and the app, drive a scripted session, "
        "and print what each person saw. No tokens, no network.",
    )
    demo.add_argument(
        "--database",
        default=None,
        help="SQLAlchemy URL to use (default: a fresh SQLite file in a temp folder)",
    )

    sandbox = sub.add_parser(
        "sandbox",
        help="try Mentorbot in your browser: the app, the emulator and a web page on localhost",
        description="Start the app, the built-in Slack emulator and a small web page on "
        "localhost (SQLite in a temp folder, no tokens, no network), print its URL, and serve "
        "until Ctrl+C. Act as any person of a fictional company, type slash commands, click "
        "buttons, fill in forms, and move the clock on to see nudges.",
    )
    sandbox.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1: only this machine can open the page)",
    )
    sandbox.add_argument(
        "--port",
        type=_sandbox_port,
        default=8025,
        help="port to bind (default 8025; 0 takes any free port)",
    )
    return parser


def _sandbox_port(value: str) -> int:
    return 0 if value.strip() == "0" else _port(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _configure_logging(args)
        return run(args)
    except (ConfigError, UsageError) as error:
        print(f"mentorbot: error: {error}", file=sys.stderr)
        return 2
    except (DatabaseUnavailable, OperationalError) as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"mentorbot: error: cannot use the database: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _configure_logging(args: argparse.Namespace) -> None:
    json_lines = log_format(args) == "json"
    try:
        configure_logging(str(args.log_level), json_lines=json_lines)
    except ValueError as error:
        raise UsageError(f"--log-level: {error}") from None


def log_format(args: argparse.Namespace) -> str:
    """--log-format, else $MENTORBOT_LOG_FORMAT, else what suits the command."""
    chosen = args.log_format or os.environ.get("MENTORBOT_LOG_FORMAT", "").strip().lower()
    if not chosen:
        return "json" if args.command in JSON_LOG_COMMANDS else "text"
    if chosen not in FORMATS:
        raise UsageError(f"MENTORBOT_LOG_FORMAT must be json or text, not {chosen!r}")
    return str(chosen)


def run(args: argparse.Namespace) -> int:
    from bot.cli.wiring import NotMigrated

    try:
        return _dispatch(args)
    except NotMigrated as error:
        raise UsageError(str(error)) from None


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.cli.demo import run_demo

        return run_demo(database_url=args.database)
    if args.command == "sandbox":
        from bot.cli.sandbox import PortBusy, run_sandbox

        try:
            return run_sandbox(host=args.host, port=args.port)
        except PortBusy as error:
            raise UsageError(str(error)) from None
    if args.command == "doctor":
        from bot.cli.doctor import run_doctor

        return run_doctor()
    settings = load_settings()
    if args.command == "serve":
        from bot.cli.serve import serve

        port = args.port or _env_port()
        serve(settings, host=args.host, port=port, workers=args.workers, threads=args.threads)
        return 0
    if args.command == "socket":
        from bot.cli.socket_mode import run_socket_mode

        run_socket_mode(settings)
        return 0
    if args.command == "clock":
        from bot.cli.clock import check_heartbeat, run_clock

        if args.check:
            return check_heartbeat(settings)
        run_clock(settings)
        return 0
    if args.command == "db":
        return _db(settings, args.db_command)
    if args.command == "nudges":
        from bot.cli.clock import run_sweep_once

        return run_sweep_once(settings, now=args.now, dry_run=args.dry_run)
    raise UsageError(f"unknown command {args.command}")


def _env_port() -> int:
    raw = os.environ.get("PORT")
    if not raw:
        return 3000
    try:
        return _port(raw)
    except argparse.ArgumentTypeError as error:
        raise ConfigError(f"invalid configuration: PORT {error}") from None


def _db(settings: Settings, action: str) -> int:
    from storage.db import Database, current_revision, head_revision, upgrade

    if action == "upgrade":
        upgrade(settings.database_url)
        print(f"database is at migration {head_revision(settings.database_url)}")
        return 0
    database = Database.from_url(settings.database_url)
    print(f"current: {current_revision(database.engine) or 'none'}")
    print(f"newest:  {head_revision(settings.database_url)}")
    return 0
