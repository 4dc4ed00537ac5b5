"""Our PDFs as real viewers read them: pdf.js (Firefox's viewer, under Node) and poppler's pdfinfo.

Both are test-only tools, set up by the tests themselves: pdf.js from npm into tests/.node (git-ignored),
poppler-utils from Debian when the tests run as root. Without Node or poppler the tests that need them
skip and say why; a failed install is a failure, with the installer's output.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PDFJS_VERSION = "6.5.438"
PDFJS_HOME = TESTS / ".node"
PDFJS_VIEW = TESTS / "tools" / "pdfjs_view.mjs"


def _locked(path: Path):
    """An exclusive lock on `path`: two test sessions never install at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


@lru_cache(maxsize=None)
def pdfjs_home() -> Path:
    """Where pdfjs-dist is installed (installing it the first time)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("Node.js and npm are needed to read PDFs with pdf.js (CI has both)")
    installed = PDFJS_HOME / "node_modules" / "pdfjs-dist" / "package.json"
    with _locked(PDFJS_HOME / ".install-lock"):
        if not installed.is_file() or json.loads(installed.read_text())["version"] != PDFJS_VERSION:
            result = subprocess.run(
                ["npm", "install", "--prefix", str(PDFJS_HOME), "--no-save", "--no-package-lock", "--no-audit",
                 "--no-fund", "--loglevel", "error", f"pdfjs-dist@{PDFJS_VERSION}"],
                capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(f"npm could not install pdfjs-dist {PDFJS_VERSION}:\n{result.stdout}\n{result.stderr}")
    return PDFJS_HOME


def pdfjs_view(pdf: Path | bytes, tmp_path: Path | None = None) -> dict:
    """What pdf.js reads of a PDF: per page its structure tree, annotations and text; its form fields
    (by name) and its outline."""
    home = pdfjs_home()
    if isinstance(pdf, (bytes, bytearray)):
        path = (tmp_path or Path(os.environ.get("TMPDIR", "/tmp"))) / "pdfjs-input.pdf"
        path.write_bytes(pdf)
        pdf = path
    result = subprocess.run(["node", str(PDFJS_VIEW), str(pdf)], capture_output=True, text=True,
                            env={**os.environ, "PDFJS_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- reading pdf.js's structure tree ---------------------------------------------------------------------

def nodes(tree: dict, role: str | None = None) -> list[dict]:
    """Every element node under `tree` (depth first, reading order), or those with `role`."""
    found = []
    for kid in tree.get("children", []):
        if "role" in kid:
            if role is None or kid["role"] == role:
                found.append(kid)
            found += nodes(kid, role)
    return found


def annotation_ids(node: dict) -> list[str]:
    """The ids of the annotations a node holds (as getAnnotations() gives them: '12R')."""
    ids = []
    for kid in node.get("children", []):
        if kid.get("type") == "annotation":
            ids.append(kid["id"].removeprefix("pdfjs_internal_id_"))
        elif "role" in kid:
            ids += annotation_ids(kid)
    return ids


def content_ids(node: dict) -> list[str]:
    """The marked-content ids a node holds, its kids' included."""
    ids = []
    for kid in node.get("children", []):
        if kid.get("type") == "content":
            ids.append(kid["id"])
        elif "role" in kid:
            ids += content_ids(kid)
    return ids


# -- poppler ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def pdfinfo() -> str:
    """The path of poppler's pdfinfo, installing Debian's poppler-utils when we may."""
    found = shutil.which("pdfinfo")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("poppler's pdfinfo is needed (Debian: apt-get install poppler-utils); CI installs it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "poppler-utils"]
    with _locked(TESTS / ".node" / ".apt-lock"):
        result = subprocess.run(install, capture_output=True, text=True, env=env)
        if result.returncode != 0:  # the package lists may be missing on a fresh machine
            subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env)
            result = subprocess.run(install, capture_output=True, text=True, env=env)
    if result.returncode != 0 or not shutil.which("pdfinfo"):
        pytest.fail(f"could not install poppler-utils:\n{result.stdout}\n{result.stderr}")
    return shutil.which("pdfinfo")


def pdfinfo_struct_text(pdf: Path) -> str:
    """`pdfinfo -struct-text`: the structure tree with each element's text, as poppler reads it."""
    result = subprocess.run([pdfinfo(), "-struct-text", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout
