"""The live page's push channel: what the frame processor knows, sent to the browser the moment it
knows it, as server-sent events on the app's own server (same origin and port as the page).

Streamlit pages learn of news only when their script reruns, which the live page could only do by
polling (every 0.5 s, then the rerun itself: a count reached the page 0.9-1.2 s after the
movement). Here the processor's worker thread publishes each utterance and the counter as soon as
a frame is analysed, and the page's cue player (live_board.py) receives them within milliseconds.

Each browser session has its own channel, found by an unguessable token that only its page knows.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import weakref
from typing import Any, AsyncIterator

PATH_PREFIX = "/formcheck-live"
_KEEPALIVE_S = 15.0  # a comment line now and then keeps proxies from closing an idle stream
_QUEUE_LIMIT = 500  # a subscriber that stops reading loses old messages, never grows memory


class LiveChannel:
    """Thread-safe publish (from the frame worker), asynchronous subscribe (from the web server)."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(18)
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = []
        self._board: dict[str, Any] | None = None  # the newest board, for a page that (re)connects
        _channels[self.token] = self

    def publish(self, message: dict[str, Any]) -> None:
        with self._lock:
            if message.get("type") == "board":
                self._board = message
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(_offer, queue, message)
            except RuntimeError:  # that subscriber's loop has closed
                self._drop(queue)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def subscribe(self) -> "Subscription":
        """From the web server's event loop: a queue of every message published from now on, the
        newest board first."""
        subscription = Subscription(self, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.append((subscription.loop, subscription.queue))
            if self._board is not None:
                subscription.queue.put_nowait(self._board)
        return subscription

    def _drop(self, queue: asyncio.Queue) -> None:
        with self._lock:
            self._subscribers = [(lp, q) for lp, q in self._subscribers if q is not queue]


class Subscription:
    def __init__(self, channel: LiveChannel, loop: asyncio.AbstractEventLoop) -> None:
        self.channel = channel
        self.loop = loop
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=_QUEUE_LIMIT)

    async def next(self, timeout_s: float) -> dict[str, Any] | None:
        """The next message, or None when none came within `timeout_s`."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout_s)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self.channel._drop(self.queue)


def _offer(queue: asyncio.Queue, message: dict[str, Any]) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(message)


# token -> channel; a channel lives as long as its processor (the page's session state) keeps it.
_channels: "weakref.WeakValueDictionary[str, LiveChannel]" = weakref.WeakValueDictionary()
_served = False


def channel_url(channel: LiveChannel) -> str:
    return f"{PATH_PREFIX}/{channel.token}/events"


def is_served() -> bool:
    """Whether this process serves the channel's route (the app started through app.py)."""
    return _served


def live_routes() -> list:
    """The route to add to the app's server (app.py)."""
    from starlette.routing import Route

    global _served
    _served = True
    return [Route(PATH_PREFIX + "/{token}/events", _event_stream)]


async def _event_stream(request):
    from starlette.responses import PlainTextResponse, StreamingResponse

    channel = _channels.get(request.path_params["token"])
    if channel is None:
        return PlainTextResponse("no such live session", status_code=404)

    async def events() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"  # reconnect quickly after a dropped connection
        subscription = channel.subscribe()
        try:
            while True:
                message = await subscription.next(_KEEPALIVE_S)
                if message is None:
                    if await request.is_disconnected():
                        return
                    yield ": keep-alive\n\n"
                else:
                    yield f"data: {json.dumps(message, separators=(',', ':'))}\n\n"
        finally:
            subscription.close()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
