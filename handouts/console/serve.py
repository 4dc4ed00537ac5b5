"""`handouts serve`: the console on 127.0.0.1 and a port of its own, until Ctrl-C.

The socket is bound here, before the app is built, so that the app knows its port (the Host check) and the
link printed is the one that works. Nothing binds anywhere but the loopback address. uvicorn writes no
access log (a line per request would hold query strings: a search for a patient's name); its own messages
(warnings and worse) go to standard error without a traceback, which could hold a patient's value.
"""

from __future__ import annotations

import logging
import socket
import webbrowser
from collections.abc import Callable

from ..errors import InputError
from .app import create_app
from .state import Console, ConsoleConfig

HOST = "127.0.0.1"  # the loopback address alone: there is no option to bind elsewhere


class NoTraceback(logging.Filter):
    """A log record keeps its message (uvicorn's own words) and the exception's type, never its text or
    traceback: an exception's message may hold a patient's value."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            kind = record.exc_info[0]
            record.msg = f"{record.getMessage()} ({kind.__module__}.{kind.__qualname__})" if kind else record.msg
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback": {"()": NoTraceback}},
    "formatters": {"plain": {"format": "console: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr",
                            "filters": ["no_traceback"]}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.error": {"level": "WARNING"},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "uvicorn.asgi": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 and `port` (0: one the system chooses)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {HOST} port {port} ({exc.strerror})", source="port",
                         rule="port-unavailable", hint="choose another port, or let the console take a free one"
                         ) from None
    return sock


def serve(config: ConsoleConfig, port: int = 0, open_browser: bool = True,
          announce: Callable[[str], None] = print) -> None:
    """Run the console until Ctrl-C; `announce` gets the one line with the link (its token works once)."""
    import uvicorn

    sock = bind(port)
    console = Console(config, sock.getsockname()[1])
    url = f"http://{HOST}:{console.port}/?token={console.token}"
    server = uvicorn.Server(uvicorn.Config(create_app(console), log_config=LOGGING, access_log=False,
                                          server_header=False, lifespan="on", timeout_graceful_shutdown=30))
    try:
        announce(f"Open {url}")
        if open_browser:
            webbrowser.open(url)
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it again: the console stopped as asked
        pass
    finally:
        sock.close()
        console.close()
