"""The guards every request passes, each a small ASGI middleware, outermost first:

1. `Headers`: every response says how a browser must treat it (a script only from the console itself, no
   framing by other sites, no referrer to other sites, no type sniffing, nothing cached).
2. `CatchAll`: an error is a page without a traceback; where it happened goes to a private log.
3. `LoopbackHost`: the Host header names the console itself (127.0.0.1 or localhost, its port): a page of
   another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
4. `OneTimeToken`: the link's token works once, for the first request, which gets the session cookie and is
   sent on to the same page without the token; every later request needs the cookie.
5. `SameOrigin`: a POST comes from the console's own pages (Sec-Fetch-Site, or else Origin).
The form token (CSRF) is checked where each form is read (`forms.read_form`).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers as RequestHeaders
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import internal_error_log
from .state import Console

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'",
    "referrer-policy": "same-origin",  # with no-referrer, browsers send Origin: null on the console's own posts
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "x-frame-options": "SAMEORIGIN",  # frame-ancestors, for browsers that predate it
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STATIC = "/static/"  # the style sheet and the script: no patient data, so no session needed

# How a refusal or an error is shown: (scope, status, reason) -> a response. Set by the app (templates).
Page = Callable[[Scope, int, str], Response]


class Headers:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {bytes(name).lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class CatchAll:
    """Any exception: a page saying where the log is (it holds no patient data), never a traceback; nothing is
    raised on to the server, whose own log would print the exception's message. (Inside the app, Starlette's
    error middleware shows the page first, with the app's handler, then raises the exception on to here.)"""

    def __init__(self, app: ASGIApp, page: Page):
        self.app, self.page = app, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:  # a bug: the page says where the log is (the app's own handler may have shown it)
            if not started:
                await self.page(scope, 500, internal_error_log())(scope, receive, send)


class LoopbackHost:
    def __init__(self, app: ASGIApp, port: int, page: Page):
        self.app, self.page = app, page
        self.allowed = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [value for name, value in scope["headers"] if name == b"host"]
            if len(hosts) != 1 or hosts[0].lower() not in self.allowed:
                return await self.page(scope, 403, "host")(scope, receive, send)
        await self.app(scope, receive, send)


class OneTimeToken:
    def __init__(self, app: ASGIApp, console: Console, page: Page):
        self.app, self.console, self.page = app, console, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC):
            return await self.app(scope, receive, send)
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        token = [value for name, value in query if name == "token"]
        signed_in = self._has_session(scope)
        if token:
            if not signed_in and not self._take(token[0]):
                return await self.page(scope, 403, "token-used")(scope, receive, send)
            return await self._without_token(scope, query)(scope, receive, send)
        if not signed_in:
            return await self.page(scope, 403, "no-session")(scope, receive, send)
        await self.app(scope, receive, send)

    def _take(self, token: str) -> bool:
        """The token, the first time: it is used up."""
        expected = self.console.token
        if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
            return False
        self.console.token = None
        return True

    def _has_session(self, scope: Scope) -> bool:
        cookie = SimpleCookie()
        try:
            cookie.load(RequestHeaders(scope=scope).get("cookie", ""))
        except Exception:  # a malformed cookie header is no session
            return False
        morsel = cookie.get(self.console.cookie)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.console.session.encode())

    def _without_token(self, scope: Scope, query: list[tuple[str, str]]) -> Response:
        rest = urlencode([(name, value) for name, value in query if name != "token"])
        response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(self.console.cookie, self.console.session, httponly=True, samesite="strict", path="/")
        return response


class SameOrigin:
    def __init__(self, app: ASGIApp, page: Page):
        self.app, self.page = app, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS and not same_origin(scope):
            return await self.page(scope, 403, "origin")(scope, receive, send)
        await self.app(scope, receive, send)


def same_origin(scope: Scope) -> bool:
    """Sec-Fetch-Site says same-origin; or, from a browser that sends none, Origin is the console's own."""
    headers = RequestHeaders(scope=scope)
    site = headers.getlist("sec-fetch-site")
    if site:
        return site == ["same-origin"]
    origin = headers.getlist("origin")
    return len(origin) == 1 and origin[0] == f"http://{headers.get('host', '')}"


def guarded(app: ASGIApp, console: Console, page: Page) -> ASGIApp:
    """`app` behind every guard, in order."""
    return Headers(CatchAll(LoopbackHost(OneTimeToken(SameOrigin(app, page), console, page), console.port, page),
                            page))
