"""The Web API client every process uses, with slack_sdk's own retry handlers.

Retries sleep in the calling thread, so Web API calls belong after `ack()`, never before it.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator

from bot.config import Settings

WEB_API_TIMEOUT_SECONDS = 10


def web_client(settings: Settings, *, token: str | None = None, retries: int = 6) -> WebClient:
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=retries),
            # 0.25 s doubling: six tries within about 16 s when Slack has a bad minute.
            ServerErrorRetryHandler(
                max_retry_count=retries,
                interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=0.25),
            ),
        ],
    )


def outbox_client(settings: Settings, *, token: str | None = None, retries: int = 4) -> WebClient:
    """For messages that must be posted exactly once (nudges). Only 429s are retried here, as
    Slack did not act on them; a 5xx or a dropped connection may have posted the message, so
    the caller checks the conversation before it tries again."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT_SECONDS,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=retries)],
    )
