"""The linter: content and layout rules checked without rendering, each at file:line."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA, REPO, render

from handouts.errors import Finding, HandoutsError
from handouts.load import print_rules as layout_rules
from handouts.load.project import Project
from handouts.quality import lint
from handouts.quality.lint import LintRun, lint_document, lint_layouts, lint_project, lint_warnings
from handouts.text.fill import fill
from handouts.text.markdown import parse_document

LINT = DATA / "lint"
# bad.md holds one of each problem; these are its rules and file lines.
BAD_FINDINGS = {
    ("reading-level", None),
    ("all-caps-heading", 2),  # the title, in the front matter
    ("skipped-heading", 5),  # '#' in the body
    ("skipped-heading", 7),  # '####' straight after the title
    ("all-caps-heading", 9),
    ("long-sentence", 11),
    ("italics", 13),  # *rest*
    ("italics", 14),  # _easy_, on the paragraph's second line
    ("all-caps-words", 16),
    ("broken-link", 18),  # [..] (..)
    ("broken-link", 20),  # no closing ')'
    ("broken-link", 22),  # (..)[..]
}


def fixture(name: str) -> str:
    return (LINT / f"{name}.md").read_text(encoding="utf-8")


def found(findings: list[Finding]) -> set[tuple[str, int | None]]:
    return {(f.rule, f.line) for f in findings}


@pytest.fixture
def layouts_dir(tmp_path):
    """A layouts folder holding one good layout; tests add bad ones."""
    folder = tmp_path / "layouts"
    folder.mkdir()
    shutil.copy(REPO / "layouts" / "large-print.yaml", folder / "good.yaml")
    return folder


def bad_layout_text() -> str:
    text = (REPO / "layouts" / "large-print.yaml").read_text(encoding="utf-8")
    assert "body_size: 18\n" in text
    assert "line_spacing: 1.5\n" in text and 'text_colour: "#000000"\n' in text
    return (text.replace("body_size: 18\n", "body_size: 12\n").replace("line_spacing: 1.5\n", "line_spacing: 1.2\n")
            .replace('text_colour: "#000000"\n', 'text_colour: "#777777"\n'))


def test_shipped_content_and_layouts_lint_clean(project):
    # Only the sample clinic profile fails: documents, editions and layouts are clean, the editorial rules too.
    assert {f.rule for f in lint_project(project)} == {"profile-sample"}
    assert all(f.source.endswith("clinic.yaml") for f in lint_project(project))
    assert lint_warnings(project) == []


@pytest.mark.parametrize("word,plain", [("utilize", "use"), ("physicians", "doctor"), ("administered", "give"),
                                        ("adverse", "bad or harmful"), ("subside", "go away"),
                                        ("cognitive", "thinking"), ("musculoskeletal", "muscles, bones and joints")])
def test_words_to_avoid_are_found_at_their_line_with_a_plain_alternative(make_project, word, plain):
    project = make_project(doc=f"---\ntitle: Test\n---\n## Visit\n\nWe rest.\nThe {word} part is here.\n")
    findings = lint_document(project, "doc", max_grade=99)
    assert [(f.rule, f.line) for f in findings] == [("avoid-word", 7)]
    assert f"'{word}'" in findings[0].message and plain in findings[0].hint


def test_bad_document_gives_each_finding_at_its_line(make_project):
    findings = lint_document(make_project(bad=fixture("bad")), "bad")
    assert found(findings) == BAD_FINDINGS
    assert len(findings) == len(BAD_FINDINGS)
    assert all(f.source.endswith("bad.md") for f in findings)


def test_messages_say_what_to_do(make_project):
    by_rule = {}
    for f in lint_document(make_project(bad=fixture("bad")), "bad"):
        assert f.hint  # what to do, apart from what is wrong
        by_rule.setdefault(f.rule, []).append(str(f))
    assert "grade 7.3 (target 6 or lower)" in by_rule["reading-level"][0]
    assert "words per sentence (target 15 or fewer)" in by_rule["reading-level"][0]
    assert "35 words" in by_rule["long-sentence"][0]
    assert "'WHAT TO EXPECT'" in by_rule["all-caps-heading"][0]
    assert "'NEVER EVER'" in by_rule["all-caps-words"][0]
    assert "bad.md:13: *rest* prints bold" in by_rule["italics"][0]
    assert "use **bold** for emphasis; large print never uses italics" in by_rule["italics"][0]
    assert "only the title is level 1" in by_rule["skipped-heading"][0]
    assert "never skip a level" in by_rule["skipped-heading"][1]
    assert "space between ']' and '('" in by_rule["broken-link"][0]


def test_near_misses_are_clean(make_project):
    # Acronyms, one capital word, bare addresses, write-in lines, "[ ] (optional)", valid links,
    # and a link-like note inside a Jinja comment (never printed).
    assert lint_document(make_project(clean=fixture("clean")), "clean") == []


def test_findings_are_in_line_order(make_project):
    lines = [f.line or 0 for f in lint_document(make_project(bad=fixture("bad")), "bad")]
    assert lines == sorted(lines)


def test_each_rule_alone(make_project):
    """Each problem on its own gives exactly its own finding."""
    head = "---\ntitle: Test\n---\n"
    cases = {
        "## Visit\n\nRest *well* today.\n": ("italics", 6),
        "## Visit\n\n#### Deep\n": ("skipped-heading", 6),
        "### Too deep\n": ("skipped-heading", 4),
        "## WHAT TO DO\n": ("all-caps-heading", 4),
        "## Visit\n\nPlease READ THIS now.\n": ("all-caps-words", 6),
        "Call [us] (tel:911) now.\n": ("broken-link", 4),
    }
    for body, expected in cases.items():
        # Tiny texts score oddly on reading level, which is tested on its own below.
        findings = lint_document(make_project(doc=head + body), "doc", max_grade=99)
        assert found(findings) == {expected}, body


def test_reading_level_honours_max_grade(make_project):
    project = make_project(doc="---\ntitle: Your visit\n---\nCome in at nine. Rest after your infusion.\n")
    assert lint_document(project, "doc") == []
    assert found(lint_document(project, "doc", max_grade=1.0)) == {("reading-level", None)}


def test_reading_level_catches_long_average_sentences(make_project):
    # Every sentence is under the 25-word limit, but with the title they average 16.4 words.
    sentence = "You can ask us about your care and we will help you with the plan that is right for you."
    project = make_project(doc=f"---\ntitle: Your care\n---\n{' '.join([sentence] * 4)}\n")
    findings = lint_document(project, "doc", max_grade=99)
    assert found(findings) == {("reading-level", None)}
    assert "16.4 words per sentence" in findings[0].message


@pytest.mark.parametrize("clinic_name", ["ACME PAIN CLINIC", "Physician Partners"])
def test_values_are_not_the_authors_words(make_project, clinic_name):
    """The clinic's name is data: in capitals or with a word to avoid, it never gives a finding."""
    project = make_project(doc="---\ntitle: A\n---\nWelcome to {{ clinic.name }}.\n")
    clinic = project.content.folder / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("Test Clinic", clinic_name))
    project = Project.open(project.content.folder, REPO / "layouts")
    assert lint_document(project, "doc", max_grade=99) == []


def test_placeholders_are_filled_with_a_sample_patient(make_project):
    body = "Hello {{ patient.preferred_name }}. Your visit is {{ appointment }}.\n"
    assert lint_document(make_project(doc="---\ntitle: A\n---\n" + body), "doc") == []


@pytest.mark.parametrize("body,rule,line,words", [
    ("Hello {{ nobody }}.\n", "placeholder-empty", 4, "placeholder has no value"),
    ("## Steps\n\n```\ncode\n```\n", "unsupported-markdown", 6, "a code block is not supported"),
    ("{% if %}\n", "template-syntax", 4, "fix the template syntax"),
])
def test_content_errors_become_one_finding(make_project, body, rule, line, words):
    findings = lint_document(make_project(doc="---\ntitle: A\n---\n" + body), "doc")
    assert len(findings) == 1
    assert (findings[0].rule, findings[0].line) == (rule, line)
    assert words in str(findings[0])
    assert findings[0].source.endswith("doc.md") and "doc.md" not in findings[0].message  # not repeated


def test_broken_front_matter_is_a_finding(make_project):
    findings = lint_document(make_project(doc="no front matter\n"), "doc")
    assert [(f.rule, f.line) for f in findings] == [("front-matter-missing", 1)]
    assert "missing front matter" in findings[0].message


def test_bad_layout_gives_one_finding_per_rule(layouts_dir):
    (layouts_dir / "bad.yaml").write_text(bad_layout_text(), encoding="utf-8")
    project = Project.open(REPO / "content", layouts_dir)
    findings = lint_layouts(project)
    assert [f.source for f in findings] == [str(layouts_dir / "bad.yaml")] * 3
    # Each finding points at its key's line in the file.
    lines = bad_layout_text().splitlines()
    expected = {n for n, line in enumerate(lines, 1)
                if line.startswith(("body_size:", "line_spacing:", "text_colour:"))}
    assert {f.line for f in findings} == expected
    assert {(f.rule, f.key) for f in findings} == {("layout-rule", "body_size"), ("layout-rule", "line_spacing"),
                                                  ("layout-rule", "text_colour")}
    messages = " | ".join(f.message for f in findings)
    for words in ("body_size 12 pt is below 18 pt", "line_spacing 1.2 is below 1.5", "text_colour #777777"):
        assert words in messages
    assert str(layouts_dir) not in messages  # the path is in the finding, not repeated


def test_layout_rules_are_found_even_when_loading_does_not_check(layouts_dir, monkeypatch):
    # If loading stops enforcing the rules, the linter still reports each one.
    monkeypatch.setattr(layout_rules, "check_layout", lambda layout: None)
    (layouts_dir / "bad.yaml").write_text(bad_layout_text(), encoding="utf-8")
    findings = lint_layouts(Project.open(REPO / "content", layouts_dir))
    assert len(findings) == 3
    assert {f.source for f in findings} == {str(layouts_dir / "bad.yaml")}
    assert all(f.line for f in findings)


@pytest.mark.parametrize("edit,rule,line,words", [
    # PyYAML reports the end of the text; the finding points at the line left open instead.
    (lambda good: "class: large-print\nbody_size: [\n", "yaml-syntax", 2, "fix the YAML syntax"),
    (lambda good: good.replace("body_size: 18\n", ""), "layout-key-missing", None, "missing 'body_size'"),
    (lambda good: good.replace("body_size: 18\n", "body_size: big\n"), "layout-value", 6, "positive number"),
])
def test_layout_that_cannot_load_is_a_finding(layouts_dir, edit, rule, line, words):
    good = (REPO / "layouts" / "large-print.yaml").read_text(encoding="utf-8")
    (layouts_dir / "broken.yaml").write_text(edit(good), encoding="utf-8")
    findings = lint_layouts(Project.open(REPO / "content", layouts_dir))
    assert len(findings) == 1
    assert (findings[0].source, findings[0].rule, findings[0].line) == (str(layouts_dir / "broken.yaml"), rule, line)
    assert words in str(findings[0])


def test_project_lints_documents_and_layouts(make_project, layouts_dir):
    (layouts_dir / "bad.yaml").write_text(bad_layout_text(), encoding="utf-8")
    content = make_project(bad=fixture("bad"), clean=fixture("clean")).content.folder
    findings = [f for f in lint_project(Project.open(content, layouts_dir)) if f.rule != "profile-sample"]
    paths = {f.source for f in findings}
    assert paths == {str(content / "bad.md"), str(layouts_dir / "bad.yaml")}
    assert len(findings) == len(BAD_FINDINGS) + 3


# refused.md holds one of each thing `build` refuses; lint lists every one at its line.
REFUSED_FINDINGS = [
    ("unsupported-markdown", 7, "a table"),
    ("unsupported-markdown", 11, "raw HTML"),
    ("unsupported-markdown", 13, "an HTML comment"),
    ("unsupported-markdown", 15, "raw HTML"),
    ("broken-link", 21, "space between ']' and '('"),
    ("link-target", 23, "link target 'clinic.example'"),
    ("nesting-too-deep", 31, "more than 4 levels"),
    ("nesting-too-deep", 33, "more than 2 deep"),
    ("unsupported-character", 37, "U+1F642 SLIGHTLY SMILING FACE"),
    ("image", 39, "images are not supported"),
    ("unsupported-markdown", 41, "a code block"),
]


def test_lint_lists_everything_build_refuses_at_its_line(make_project):
    findings = lint_document(make_project(refused=fixture("refused")), "refused", max_grade=99)
    assert [(f.rule, f.line) for f in findings] == [(rule, line) for rule, line, _ in REFUSED_FINDINGS]
    for finding, (_, _, words) in zip(findings, REFUSED_FINDINGS):
        assert words in finding.message and finding.hint and finding.source.endswith("refused.md")


@pytest.mark.parametrize("body", [
    "Fine text.\n",
    "| a | b |\n|---|---|\n",
    "Intro\n| a | b | c |\n|---|---|\n",
    "Some <b>bold</b>.\n",
    "<!-- note -->\n",
    "Text <!-- note --> text.\n",
    "Less than <3 hours; a | b.\n",
    "Call [us] (tel:911) now.\n",
    "Read [more](https://clinic.example\n",
    "See (https://clinic.example)[here].\n",
    "[A link](clinic.example)\n",
    "[{{ clinic.name }}] ({{ clinic.website }})\n",
    "[Call]({{ clinic.phone }})\n",
    "[Call](tel:{{ clinic.phone | tel }})\n",
    "- a\n  - b\n    - c\n      - d\n        - e\n",
    "> > > deep\n",
    "Emoji 🙂.\n",
    "漢字 text.\n",
    "Ĉu vi? Xin chào. Привет. Γειά.\n",
    "## Fine\n\n#### Skipped\n",
    "# Second title\n",
    "![a picture](pic.png)\n",
    "Text.\n\n---\n\nMore.\n",
    "    indented code\n",
    "```timeline\ncaption: Day\n- Arrive\n- Go home\n```\n",
    "```timeline\n- Arrive\n- Go home\n```\n",
    "```timeline\ncaption: Day\n```\n",
    "```timeline\ncaption: Day\n- Arrive\nthen\n- Go home\n```\n",
])
def test_lint_and_build_agree(make_project, body):
    """Build refuses a document exactly when lint reports a finding that build would refuse, at that line."""
    project = make_project(doc=f"---\ntitle: Title\n---\nIntro.\n\n{body}")
    findings = [f for f in lint_document(project, "doc", max_grade=99) if f.rule not in STYLE_RULES]
    try:
        render(project, "doc")
    except HandoutsError as exc:
        assert (exc.finding.rule, exc.finding.line) == (findings[0].rule, findings[0].line)
    else:
        assert findings == []


STYLE_RULES = {"reading-level", "long-sentence", "italics", "all-caps-heading", "all-caps-words",
               "avoid-word"}  # lint only


def test_a_timeline_with_no_caption_or_no_steps_is_a_finding_at_its_line(make_project):
    body = "---\ntitle: Title\n---\nIntro.\n\n```timeline\n\n```\n\nText.\n\n```timeline\ncaption: Day\n- Go\n```\n"
    findings = lint_document(make_project(doc=body), "doc", max_grade=99)
    assert [(f.rule, f.line, f.message) for f in findings] == [
        ("timeline", 6, "a timeline has no caption"),
        ("timeline", 6, "a timeline has no steps (it needs 2 or more)"),
        ("timeline", 12, "a timeline has 1 step (it needs 2 or more)"),
    ]
    assert all(f.source.endswith("doc.md") and "- " in f.hint for f in findings[1:])
    assert "caption:" in findings[0].hint


def test_a_timeline_is_read_for_its_reading_level_and_characters(make_project):
    body = ("---\ntitle: Title\n---\nIntro.\n\n```timeline\ncaption: Day 🙂\n- Arrive\n"
            "- Notwithstanding multidisciplinary institutional considerations, administration proceeds\n```\n")
    findings = lint_document(make_project(doc=body), "doc")
    assert ("unsupported-character", 6) in [(f.rule, f.line) for f in findings]  # the caption: the block's line
    assert "reading-level" in [f.rule for f in findings]


def test_characters_are_checked_with_the_layouts_fonts(make_project):
    findings = lint_document(make_project(doc="---\ntitle: T\n---\nOk.\n\nA 漢 and 🙂.\n"), "doc", max_grade=99)
    assert [(f.rule, f.line) for f in findings] == [("unsupported-character", 6)]
    assert "U+6F22" in findings[0].message and "U+1F642" in findings[0].message


def test_an_emoji_in_the_title_is_found_at_its_line(make_project):
    findings = lint_document(make_project(doc="---\nsummary: S\ntitle: Hi 🙂\n---\nOk.\n"), "doc", max_grade=99)
    assert [(f.rule, f.line) for f in findings] == [("unsupported-character", 3)]


def test_a_hundred_thousand_nested_brackets_are_one_finding_within_a_second(make_project):
    import time

    project = make_project(doc="---\ntitle: Test\n---\nSome words.\n\n" + "[" * 100_000 + "x\n")
    started = time.process_time()  # CPU time: other processes on a busy machine do not count
    findings = lint_document(project, "doc")
    assert time.process_time() - started < 1.0  # about 0.4 s here; markdown-it alone took 46 s before
    deep = [f for f in findings if f.rule == "nesting-too-deep"]
    assert [(f.line, f.message) for f in deep] == [(6, "'[' is nested more than 32 deep")]
    with pytest.raises(HandoutsError) as info:  # build refuses it by the same rule
        render(project, "doc")
    assert info.value.findings[0].rule == "nesting-too-deep"


def test_brackets_nested_within_the_limit_still_make_links(make_project):
    project = make_project(doc="---\ntitle: Test\n---\n" + "[" * 31 + "[Call us](tel:911)" + "]" * 31 + "\n")
    assert not [f for f in lint_document(project, "doc", max_grade=99) if f.rule in ("nesting-too-deep", "broken-link")]


class _Afresh(LintRun):
    """A run that keeps nothing: each rule's document filled and parsed, and its context made, afresh."""

    def context(self, language):
        return lint._sample_context(self.project, language)

    def filled(self, source):
        return fill(source, self.context(source.language))

    def document(self, source):
        return parse_document(source, self.filled(source), check=False)


def test_a_run_that_fills_and_parses_each_document_once_changes_no_finding(tmp_path):
    """LintRun shares each document filled and parsed, and the sample context, among the rules of one run: every
    finding and warning is the one each rule gives with its own, on the shipped content with one of each problem
    (bad.md) and a Spanish edition whose shape no longer matches its English source."""
    content, layouts = tmp_path / "content", tmp_path / "layouts"
    shutil.copytree(REPO / "content", content)
    shutil.copytree(REPO / "layouts", layouts)
    shutil.copy(LINT / "bad.md", content / "bad.md")
    edition = content / "es" / "infusion-day-checklist.md"
    edition.write_text(edition.read_text(encoding="utf-8").replace("\n## ", "\n### ", 1), encoding="utf-8")
    project = Project.open(content, layouts, None)

    shared = LintRun(project)
    together = [*lint_project(project, 6.0, shared), *lint_warnings(project, run=shared)]
    afresh = Project.open(content, layouts, None)
    alone = [*lint_project(afresh, 6.0, _Afresh(afresh)), *lint_warnings(afresh, run=_Afresh(afresh))]
    assert together == alone
    assert {"edition-structure", "long-sentence", "italics", "profile-sample"} <= {f.rule for f in together}
    source = project.content.load("infusion-day-checklist", "es")
    assert shared.document(source) is shared.document(source)  # kept: filled and parsed once
    for language in ("en-US", source.language):  # each language its own sample context
        assert shared.context(language) == lint._sample_context(project, language)
