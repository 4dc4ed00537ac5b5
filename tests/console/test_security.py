"""The console's guards, in-process (TestClient): the one-time token, the session cookie, the Host check,
same-origin POSTs with the form token, the security headers, and errors without a traceback."""

from __future__ import annotations

import html
import re

import pytest
from consolekit import ORIGIN, PATIENTS, PORT, client, clinic, make_client  # noqa: F401 (fixtures)
from starlette.applications import Starlette

from handouts.console.security import SECURITY_HEADERS

GET_PAGES = ["/", "/roster", "/sent", "/settings", "/packets", "/send", "/send/progress", "/progress.json",
             "/preview/2", "/preview/2/page-1.png", "/preview/2/packet.pdf", "/packets/print-job", "/resend?id=P001"]


def post_paths(client) -> list[str]:
    """Every path the app takes a POST on, found in its routes (a new form is covered without listing it)."""
    app = client.http.app
    while not isinstance(app, Starlette):
        app = app.app
    return sorted({route.path for route in app.routes if "POST" in (getattr(route, "methods", None) or ())})


def test_the_token_works_once_and_leaves_the_url(clinic, make_client):
    first = make_client(clinic, signed_in=False)
    token = first.console.token
    response = first.get(f"/sent?q=x&token={token}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sent?q=x"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"handouts_console_{PORT}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie and "Path=/" in cookie
    assert first.get("/sent?q=x").status_code == 200  # the cookie is the session now
    again = make_client(clinic, signed_in=False)
    again.console.token, again.console.session = None, first.console.session  # the same console, used token
    refused = again.get(f"/?token={token}", follow_redirects=False)
    assert refused.status_code == 403 and "This link was already used" in refused.text
    assert "set-cookie" not in refused.headers


def test_a_used_token_is_refused_by_the_same_console(clinic, make_client):
    client = make_client(clinic, signed_in=False)
    token = client.console.token
    assert client.get(f"/?token={token}", follow_redirects=False).status_code == 303
    client.http.cookies.clear()  # another browser, or another account's, with the link from the history
    assert client.get(f"/?token={token}", follow_redirects=False).status_code == 403
    assert client.get("/?token=guess", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("path", GET_PAGES)
def test_no_cookie_no_page(clinic, make_client, path):
    client = make_client(clinic, signed_in=False)
    refused = client.get(path, follow_redirects=False)
    assert refused.status_code == 403 and "Open the console with its link" in refused.text


def test_a_wrong_cookie_is_no_session(client):
    client.http.cookies.set(client.console.cookie, "x" * 43)
    assert client.get("/").status_code == 403


@pytest.mark.parametrize("host", ["evil.example:8765", f"127.0.0.1:{PORT + 1}", "localhost", "127.0.0.1",
                                  f"attacker.test:{PORT}", f"127.0.0.2:{PORT}"])
def test_a_foreign_host_is_refused(client, host):
    refused = client.get("/", headers={"host": host})
    assert refused.status_code == 403 and "Not the console's address" in html.unescape(refused.text)


def test_localhost_is_the_console_too(client):
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


def test_every_post_needs_the_same_origin_and_the_form_token(client):
    paths = post_paths(client)
    assert paths == ["/packets", "/roster", "/send", "/send/choose", "/settings"]
    client.upload()
    for path in paths:
        no_token = client.post(path, {"generation": "1"}, csrf=False)
        assert no_token.status_code == 403 and "form token" in no_token.text, path
        wrong = client.post(path, {"generation": "1", "csrf": "not-the-token"})
        assert wrong.status_code == 403, path
        for headers in ({"origin": "http://evil.example"}, {"origin": "null"},
                        {"origin": ORIGIN, "sec-fetch-site": "cross-site"},
                        {"origin": ORIGIN, "sec-fetch-site": "same-site"},
                        {"origin": "http://evil.example", "sec-fetch-site": "none"}):
            refused = client.post(path, {"generation": "1"}, headers=headers)
            assert refused.status_code == 403 and "the form came from elsewhere" in refused.text, (path, headers)
    no_origin = client.http.post("/settings", data={"csrf": client.console.csrf}, follow_redirects=False)
    assert no_origin.status_code == 403  # neither Sec-Fetch-Site nor Origin
    same_site = client.http.post("/settings", data={"csrf": client.console.csrf, "server": "", "user": "",
                                                    "sender": "", "rate": "", "ca_file": ""},
                                 headers={"sec-fetch-site": "same-origin"}, follow_redirects=False)
    assert same_site.status_code == 303  # a browser that sends Sec-Fetch-Site needs no Origin


def assert_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy and "unsafe-inline" not in policy


def test_every_response_has_the_security_headers(clinic, make_client, monkeypatch):
    outside = make_client(clinic, signed_in=False)
    assert_headers(outside.get("/"))  # 403
    assert_headers(outside.get("/", headers={"host": "evil.example"}))
    assert_headers(outside.get(f"/?token={outside.console.token}", follow_redirects=False))  # 303
    client = make_client(clinic)
    client.upload()
    for path in [*GET_PAGES, "/static/console.css", "/static/console.js", "/nowhere"]:
        assert_headers(client.get(path, follow_redirects=False))
    assert_headers(client.post("/settings", {}, csrf=False))


def test_pages_have_no_inline_script_or_style(client):
    client.upload()
    for path in ["/", "/roster", "/sent", "/settings", "/send", "/preview/2"]:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html), path


def test_a_bug_is_a_page_without_traceback_or_value(client, monkeypatch):
    from handouts.console import app as console_app

    name, address = PATIENTS[0][1], PATIENTS[0][3]

    def broken(project):
        raise RuntimeError(f"{name} <{address}> broke it")  # as a value in a message would

    monkeypatch.setattr(console_app, "blocking", broken)
    page = client.get("/")
    assert page.status_code == 500 and "Something went wrong inside handouts" in page.text
    assert "Traceback" not in page.text and "Jack Smith" not in page.text and "RuntimeError" not in page.text
    log = re.search(r"(/\S+handouts-error-\S+\.log)", page.text).group(1)
    written = open(log).read()
    assert "RuntimeError" in written and "Jack Smith" not in written and "jack.smith" not in written
    assert_headers(page)
