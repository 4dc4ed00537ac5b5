"""`handouts serve` as a process, as the front desk starts it: one line with the link, the guards over the
network, no patient value in what it prints, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import html
import re
import socket

import httpx
import pytest
from consolekit import ADDRESSES, NAMES, clinic, roster_text, serve  # noqa: F401 (fixtures)


def session(served) -> httpx.Client:
    """A client that used the link: it holds the session cookie."""
    http = httpx.Client(base_url=served.base, follow_redirects=False, timeout=60)
    first = http.get(f"/?token={served.token}")
    assert first.status_code == 303 and first.headers["location"] == "/"
    return http


def csrf(http) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', http.get("/").text).group(1)


def test_one_line_on_127_0_0_1_and_the_guards_over_the_network(clinic, serve):
    served = serve(clinic)
    assert served.base.startswith("http://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", served.port)):
        pass
    stranger = httpx.Client(base_url=served.base, follow_redirects=False, timeout=60)
    assert stranger.get("/").status_code == 403  # no token, no cookie
    assert stranger.get("/roster").status_code == 403
    assert stranger.get("/", headers={"host": f"attacker.example:{served.port}"}).status_code == 403
    http = session(served)
    assert http.get("/").status_code == 200
    assert http.get("/", headers={"host": f"localhost:{served.port}"}).status_code == 200
    assert http.get("/", headers={"host": f"rebound.example:{served.port}"}).status_code == 403
    assert stranger.get(f"/?token={served.token}").status_code == 403  # the token works once
    token = csrf(http)
    origin = {"origin": served.base}
    upload = {"roster": ("roster.csv", roster_text().encode(), "text/csv")}
    assert http.post("/roster", files=upload, data={}, headers=origin).status_code == 403  # no form token
    assert http.post("/roster", files=upload, data={"csrf": token},
                     headers={"origin": "http://evil.example"}).status_code == 403
    assert http.post("/roster", files=upload, data={"csrf": token},
                     headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert http.post("/roster", files=upload, data={"csrf": token}, headers=origin).status_code == 303
    page = http.get("/roster").text
    assert all(html.escape(name) in page for name in NAMES[:3])
    found = http.get("/sent", params={"q": NAMES[1]})  # a name in a query string
    assert found.status_code == 200
    assert served.stop() == 0
    assert served.stdout == served.first_line  # exactly one line on standard output
    printed = served.stdout + served.stderr
    leaked = [value for value in NAMES + ADDRESSES + [value.split()[0] for value in NAMES] if value in printed]
    assert not leaked and "Traceback" not in printed and "GET " not in printed and "POST " not in printed


def test_ctrl_c_stops_it_and_removes_the_uploaded_roster(clinic, serve):
    import glob

    before = set(glob.glob("/tmp/handouts-console-*"))
    served = serve(clinic)
    http = session(served)
    http.post("/roster", files={"roster": ("roster.csv", roster_text().encode(), "text/csv")},
              data={"csrf": csrf(http)}, headers={"origin": served.base})
    held = set(glob.glob("/tmp/handouts-console-*")) - before
    assert len(held) == 1
    assert served.stop() == 0
    assert not (set(glob.glob("/tmp/handouts-console-*")) - before)
    assert "Traceback" not in served.stderr


def test_a_port_in_use_is_one_line(clinic):
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "handouts", "serve", "--no-browser", "--port", str(port)],
                              cwd=clinic, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("port", ["-1", "65536", "x"])
def test_the_port_is_checked(port, capsys):
    from conftest import run

    code, _, err = run(capsys, "serve", "--no-browser", "--port", port)
    assert code == 2 and "--port" in err
