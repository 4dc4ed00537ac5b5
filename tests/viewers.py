"""Our PDFs as real viewers read them: pdf.js (Firefox's viewer, under Node) and poppler's pdfinfo; and the
browser the console's tests drive, Debian's Chromium, with axe-core.

All are test-only tools, set up by the tests themselves: npm packages (pdfjs-dist, axe-core) into tests/.node
(git-ignored), Debian packages (poppler-utils, chromium) when the tests run as root. Without them the tests
that need them skip and say why; a failed install is a failure, with the installer's output.
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
AXE_VERSION = "4.10.3"
NODE_HOME = PDFJS_HOME = TESTS / ".node"
PDFJS_VIEW = TESTS / "tools" / "pdfjs_view.mjs"


def _locked(path: Path):
    """An exclusive lock on `path`: two test sessions never install at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def npm_package(name: str, version: str, why: str, home: Path = NODE_HOME) -> Path:
    """Where npm package `name` at `version` is installed under `home` (installing it the first time). Each
    package has a home of its own: npm removes from a folder what it was not asked to install there."""
    if not shutil.which("npm"):
        pytest.skip(f"npm is needed for {name} ({why}); CI has it")
    installed = home / "node_modules" / name / "package.json"
    with _locked(NODE_HOME / ".install-lock"):
        if not installed.is_file() or json.loads(installed.read_text())["version"] != version:
            result = subprocess.run(
                ["npm", "install", "--prefix", str(home), "--no-save", "--no-package-lock", "--no-audit",
                 "--no-fund", "--loglevel", "error", f"{name}@{version}"],
                capture_output=True, text=True)
            if result.returncode != 0:
                pytest.fail(f"npm could not install {name} {version}:\n{result.stdout}\n{result.stderr}")
    return installed.parent


@lru_cache(maxsize=None)
def pdfjs_home() -> Path:
    """Where pdfjs-dist is installed (installing it the first time)."""
    if not shutil.which("node"):
        pytest.skip("Node.js and npm are needed to read PDFs with pdf.js (CI has both)")
    npm_package("pdfjs-dist", PDFJS_VERSION, "reading PDFs with pdf.js")
    return PDFJS_HOME


@lru_cache(maxsize=None)
def axe_script() -> Path:
    """axe-core's browser script (installing it the first time), to inject into a page."""
    return npm_package("axe-core", AXE_VERSION, "checking the console's pages for accessibility",
                       NODE_HOME / "axe") / "axe.min.js"


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

def debian_package(package: str, command: str, why: str) -> str:
    """The path of `command`, installing Debian's `package` for it when we may (root, apt-get)."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{command} is needed {why} (Debian: apt-get install {package}); CI installs it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", package]
    with _locked(TESTS / ".node" / ".apt-lock"):
        result = subprocess.run(install, capture_output=True, text=True, env=env)
        if result.returncode != 0:  # the package lists may be missing on a fresh machine
            subprocess.run(["apt-get", "update"], capture_output=True, text=True, env=env)
            result = subprocess.run(install, capture_output=True, text=True, env=env)
    if result.returncode != 0 or not shutil.which(command):
        pytest.fail(f"could not install {package}:\n{result.stdout}\n{result.stderr}")
    return shutil.which(command)


@lru_cache(maxsize=None)
def pdfinfo() -> str:
    """The path of poppler's pdfinfo, installing Debian's poppler-utils when we may."""
    return debian_package("poppler-utils", "pdfinfo", "to read PDFs as poppler does")


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@lru_cache(maxsize=None)
def chromium() -> str:
    """The path of the system's Chromium (Debian's `chromium`, installed when we may): the console's tests drive it
    with Playwright through `executable_path`, and never download a browser of their own."""
    for name in CHROMIUM_NAMES:
        if shutil.which(name):
            return shutil.which(name)
    return debian_package("chromium", "chromium", "to test the console in a browser")


def pdfinfo_struct_text(pdf: Path) -> str:
    """`pdfinfo -struct-text`: the structure tree with each element's text, as poppler reads it."""
    result = subprocess.run([pdfinfo(), "-struct-text", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def pdfjs_fill(pdf: bytes, values: dict, target: Path) -> Path:
    """`pdf` filled in pdf.js as a patient fills it (text typed, `True` ticks a box) and saved as the viewer saves
    it (`saveDocument()`), at `target`."""
    home = pdfjs_home()
    source = target.with_suffix(".blank.pdf")
    source.write_bytes(pdf)
    result = subprocess.run(["node", str(TESTS / "tools" / "pdfjs_fill.mjs"), str(source), str(target),
                             json.dumps(values)], capture_output=True, text=True,
                            env={**os.environ, "PDFJS_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    said = result.stdout + result.stderr
    assert "ignoring annotation data" not in said, said  # a value pdf.js skipped (its other warnings are Node's)
    return target


def poppler_pages(pdf: Path, dpi: int = 144) -> list:
    """Each page of `pdf` as poppler draws it (`pdftoppm`), a greyscale image (PIL)."""
    import tempfile

    from PIL import Image

    pdfinfo()  # poppler installed: pdftoppm comes with it
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(dpi), str(pdf), f"{folder}/page"], check=True,
                       capture_output=True)
        return [Image.open(path).convert("L") for path in sorted(Path(folder).glob("page-*.png"))]


def dark(image, page_height: float, points, dpi: int = 144, level: int = 128) -> list[bool]:
    """For each point (x, y) in PDF points from the page's bottom left: is the pixel there dark?"""
    scale = dpi / 72
    return [image.getpixel((int(x * scale), int((page_height - y) * scale))) < level for x, y in points]
