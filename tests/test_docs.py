"""The documentation keeps up with the code: the command reference is generated, links resolve, and the
README's test command is the one CI runs."""

import importlib.util
import os
import re
import shlex
import subprocess
import sys

from conftest import REPO

DOCS = [REPO / "README.md", REPO / "benchmarks" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
README_MAX_LINES = 150

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]\\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _generator():
    spec = importlib.util.spec_from_file_location("cli_reference", REPO / "tools" / "cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_reference_is_what_the_commands_say_now():
    generator = _generator()
    written = generator.TARGET.read_text(encoding="utf-8") if generator.TARGET.exists() else ""
    assert written == generator.reference(), (
        "docs/cli.md differs from the commands in handouts/cli.py: run `python tools/cli_reference.py` "
        "and commit docs/cli.md")


def test_the_command_reference_does_not_depend_on_the_terminal_or_the_cpus(tmp_path):
    """Made in a fresh process that sees a narrow terminal, 97 CPUs and another working folder: the same text."""
    script = (
        "import os, sys\n"
        "os.cpu_count = lambda: 97\n"
        "os.sched_getaffinity = lambda pid: set(range(97))\n"
        f"sys.path.insert(0, {str(REPO / 'tools')!r})\n"
        "import cli_reference\n"
        "sys.stdout.write(cli_reference.reference())\n"
    )
    env = {**os.environ, "COLUMNS": "40", "LINES": "10"}
    made = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=True).stdout
    assert made == _generator().reference()
    assert "97" not in made


def _prose(text: str) -> str:
    """The Markdown without code blocks and code spans: links there are examples, not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def _slug(heading: str) -> str:
    """The anchor a heading gets on the usual Markdown hosts: lower case, punctuation gone, spaces as '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            slug = _slug(match[1])
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def _links(path) -> list[str]:
    return [target for _, target in _LINK.findall(_prose(path.read_text(encoding="utf-8")))]


def test_every_relative_link_points_to_a_file_that_exists():
    broken = []
    for doc in DOCS:
        for target in _links(doc):
            if _SCHEME.match(target):
                continue  # https:, mailto:, tel: …
            file, _, anchor = target.partition("#")
            resolved = (doc.parent / file).resolve() if file else doc
            if not resolved.exists():
                broken.append(f"{doc.relative_to(REPO)}: {target} (no such file)")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{doc.relative_to(REPO)}: {target} (no heading '{anchor}' there)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_link_check_sees_links_and_skips_code():
    assert _slug("1. Export the roster") == "1-export-the-roster"
    assert _slug("`handouts send`") == "handouts-send"
    text = "[a](x.md) `[b](y.md)` \\[c\\](z.md)\n```\n[d](w.md)\n```\n[e](https://example.org)"
    assert [target for _, target in _LINK.findall(_prose(text))] == ["x.md", "https://example.org"]


def _readme_test_command() -> list[str]:
    """The README's test command, as its steps (split at '&&')."""
    blocks = re.findall(r"^```sh\n(.*?)^```", (REPO / "README.md").read_text(encoding="utf-8"), re.M | re.S)
    commands = [line for block in blocks for line in block.splitlines() if "pytest" in line]
    assert len(commands) == 1, f"the README should show one test command, not {commands}"
    return [step.strip() for step in commands[0].split("&&")]


def _ci_steps() -> list[str]:
    """What .ci/run runs after its set-up of system packages, as steps (lines, split at '&&')."""
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("python3 -m venv"))
    return [step.strip() for line in lines[start:] if line.strip() and not line.lstrip().startswith("#")
            for step in line.split("&&")]


def test_the_readme_test_command_is_what_ci_runs():
    readme, ci = _readme_test_command(), _ci_steps()
    steps = iter(ci)
    missing = [step for step in readme if not any(shlex.split(step) == shlex.split(other) for other in steps)]
    assert not missing, f"the README's test command {readme} is not what .ci/run runs ({ci}): {missing}"
    assert shlex.split(ci[-1]) == shlex.split(readme[-1]), "CI must end with the README's test run"


def test_the_readme_stays_short():
    lines = len((REPO / "README.md").read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, (f"README.md has {lines} lines (at most {README_MAX_LINES}): "
                                       "move the detail into the right document in docs/")
