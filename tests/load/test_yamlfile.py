"""YAML as content, layouts and the profile use it: flat, small, safe, and errors at the right line."""

import pytest
from conftest import REPO, load_profile, raised

from handouts.errors import ContentError, LayoutError, ProfileError
from handouts.load.layouts import load_layout
from handouts.load.yamlfile import MAX_BYTES, parse_mapping, read_text

# "Billion laughs": nine aliases a level, nine levels: 387 million strings if expanded.
BOMB = "\n".join(['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
                  *(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi"))])


def test_an_alias_bomb_is_refused_at_its_first_anchor():
    error = raised(parse_mapping, "class: large-print\n" + BOMB + "\nbody_size: *i\n", "x.yaml", LayoutError)
    assert isinstance(error, LayoutError)
    assert (error.finding.rule, error.finding.line, error.finding.source) == ("yaml-alias", 2, "x.yaml")
    assert "anchors and aliases" in error.finding.message


@pytest.mark.parametrize("text,line", [
    ("a: &x 1\n", 1),  # an anchor alone is refused too: nothing here needs one
    ("a: 1\nb: *x\n", 2),  # an unknown alias, refused before PyYAML complains
    ("base: {x: 1}\nother:\n  <<: *base\n", 3),
])
def test_anchors_and_aliases_are_refused(text, line):
    finding = raised(parse_mapping, text, "x.yaml", LayoutError).finding
    assert (finding.rule, finding.line) == ("yaml-alias", line)


def test_an_alias_bomb_in_a_layout_file_names_file_and_line(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text((REPO / "layouts" / "large-print.yaml").read_text() + BOMB + "\n")
    finding = raised(load_layout, path).finding
    assert (finding.source, finding.rule) == (str(path), "yaml-alias")
    assert finding.line == len((REPO / "layouts" / "large-print.yaml").read_text().splitlines()) + 1


def test_an_alias_bomb_in_front_matter_names_file_and_line(make_project):
    project = make_project(doc="---\ntitle: T\n" + BOMB + "\n---\nBody.\n")
    error = raised(project.content.load, "doc")
    assert isinstance(error, ContentError)
    assert (error.finding.rule, error.finding.line) == ("yaml-alias", 3)


def test_deep_nesting_is_refused_without_recursion():
    finding = raised(parse_mapping, "a: " + "[" * 100_000 + "]" * 100_000 + "\n", "x.yaml", LayoutError).finding
    assert (finding.rule, finding.line) == ("yaml-too-deep", 1)


def test_large_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * MAX_BYTES + "\n")
    finding = raised(read_text, path, LayoutError, "layout file").finding
    assert (finding.source, finding.rule) == (str(path), "file-too-large")


def test_crlf_and_bom_read_like_plain_text(tmp_path):
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    assert read_text(path, LayoutError, "layout file") == "a: 1\nb: 2\n"


@pytest.mark.parametrize("text,line,shown", [
    ("title: T\n1: x\n", 2, "'1'"),
    ("title: T\ntrue: y\n", 2, "'true'"),
    ("title: T\nnull: z\n", 2, "'null'"),
    ("title: T\n~: z\n", 2, "'~'"),
    ("title: T\n? [a, b]\n: c\n", 2, "a list or mapping"),
])
def test_keys_must_be_names(text, line, shown):
    finding = raised(parse_mapping, text, "x.yaml", ContentError).finding
    assert (finding.rule, finding.line) == ("yaml-key", line)
    assert shown in finding.message


def test_a_key_given_twice_is_refused():
    finding = raised(parse_mapping, "title: A\nkind: handout\ntitle: B\n", "x.yaml", ContentError).finding
    assert (finding.rule, finding.line) == ("yaml-duplicate-key", 3)
    assert "first on line 1" in finding.message


@pytest.mark.parametrize("text,line", [
    ("a: 1\nday: 2026-02-30\n", 2),  # looks like a date, is not one
    ("a: 1\nn: " + "9" * 5000 + "\n", 2),  # longer than Python reads as a whole number
])
def test_values_yaml_cannot_build_are_a_finding(text, line):
    finding = raised(parse_mapping, text, "x.yaml", LayoutError).finding
    assert (finding.rule, finding.line) == ("yaml-value", line)


@pytest.mark.parametrize("text,line", [
    ("a: 1\nb: [\n", 2),  # left open at the end: the line it was opened on
    ("a: 1\nb: 'open\n\n", 2),
    ("a: 1\nb: c\n  d: e\n", 3),
    ("a: 1\n\tb: 2\n", 2),
])
def test_syntax_errors_point_at_their_line(text, line):
    finding = raised(parse_mapping, text, "x.yaml", LayoutError).finding
    assert (finding.rule, finding.line) == ("yaml-syntax", line)


def test_key_lines_are_known():
    data = parse_mapping("# comment\ntitle: T\n\nkind: handout\n", "x.yaml", ContentError, first_line=1)
    assert data == {"title": "T", "kind": "handout"}
    assert data.lines == {"title": 2, "kind": 4}


def test_profile_refuses_an_alias_bomb(tmp_path):
    path = tmp_path / "clinic.yaml"
    path.write_text("name: C\nphone: '1'\naddress: A\n" + BOMB + "\n")
    error = raised(load_profile, path)
    assert isinstance(error, ProfileError) and error.finding.rule == "yaml-alias"


def test_a_key_is_found_in_yaml_and_in_front_matter_only(tmp_path):
    from handouts.errors import Finding
    from handouts.load.yamlfile import at_key_line, key_line

    layout = tmp_path / "big.yaml"
    layout.write_text("name: big\nmargins:\n  top: 72\nbody_size: 9\n")
    assert key_line(layout, "margins.top") == 2 and key_line(layout, "body_size") == 4
    document = tmp_path / "doc.md"
    document.write_text("---\ntitle: A\nstatus: draft\n---\norder: not a key, body text\nstatus: body text too\n")
    assert key_line(document, "status") == 3 and key_line(document, "order") is None
    assert at_key_line(Finding("too small", str(layout), key="body_size")).line == 4
    assert at_key_line(Finding("too small", str(layout), key="body_size"), {"body_size": 9}).line == 9
    assert at_key_line(Finding("x", str(layout), line=1, key="body_size")).line == 1


def test_a_control_character_is_a_finding_at_its_place():
    """PyYAML refuses a control character before parsing: a finding at its line and column, not a crash."""
    finding = raised(parse_mapping, "title: A\nsummary: x\x07y\n", "x.md", LayoutError, 3).finding
    assert (finding.rule, finding.line, finding.column, finding.source) == ("yaml-character", 4, 11, "x.md")
    assert "U+0007" in finding.message


# --- libyaml's fast path gives what the checked Python loader gives ----------------------------------------------

_TRICKY = [
    "a: 1\nb: [1, 2]\nc: {d: e}\nf: 2026-12-03\ng: yes\nh: 12:30\ni: ~\nj: .5\nk: 1_000\n",
    "a: 2026-02-30\n", "a: 99999999999999999999999999\n", "a: 1\na: 2\n", "? [x]\n: 1\n", "- a\n- b\n", "",
    "a: b: c\n", "a: 'unterminated\n", "a: !!python/object:os.system x\n", "a: 1\n---\nb: 2\n", "a: 1\n  b: 2\n",
    "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g:\n              h:\n                i: 1\n",
    "a: &x 1\nb: *x\n", "a:\tb\n", "a: \x07\n", "a: x\u2028y\n", "ä: ü ¿qué?\n",
]


def _both(text: str, first_line: int):
    """What parse_mapping gives with libyaml's fast path and with the Python loader alone: value or finding."""
    import handouts.load.yamlfile as yamlfile

    def parsed():
        try:
            result = parse_mapping(text, "x.yaml", LayoutError, first_line)
        except LayoutError as exc:
            return exc.findings
        except Exception as exc:  # what the Python loader lets through, the fast path must let through too
            return type(exc), str(exc)
        return repr(dict(result)), result.lines, result.paths

    fast = parsed()
    saved, yamlfile._CLoader = yamlfile._CLoader, None
    try:
        return fast, parsed()
    finally:
        yamlfile._CLoader = saved


@pytest.mark.parametrize("text", _TRICKY)
def test_the_fast_path_gives_what_the_python_loader_gives(text):
    fast, slow = _both(text, 7)
    assert fast == slow


def test_shipped_yaml_takes_the_fast_path_with_the_same_values():
    """Where PyYAML has libyaml, the shipped profile, layouts, locales and front matter are read by it (else
    start-up loses the time again), to the same values and lines."""
    import handouts.load.yamlfile as yamlfile

    if yamlfile._CLoader is None:
        pytest.skip("PyYAML was built without libyaml here")
    paths = [*REPO.glob("layouts/*.yaml"), *REPO.glob("handouts/locales/*.yaml"), REPO / "content" / "clinic.yaml"]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    texts += [p.read_text(encoding="utf-8")[4:].split("\n---", 1)[0] for p in REPO.glob("content/**/*.md")]
    assert len(texts) > 10
    for text in texts:
        assert yamlfile._parsed_fast(text, 1) is not None
        fast, slow = _both(text, 1)
        assert fast == slow
