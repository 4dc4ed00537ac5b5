import pytest
from conftest import raised

from handouts.errors import ContentError
from handouts.load.content import ContentLibrary


@pytest.mark.parametrize("text,message", [
    ("no front matter\n", "missing front matter"),
    ("---\ntitle: T\nno end\n", "front matter is not closed"),
    ("---\ntitle: [unclosed\n---\nbody\n", "fix the YAML syntax"),
    ("---\nkind: handout\n---\nbody\n", "needs a 'title'"),
    ("---\ntitle: T\nkind: poster\n---\nbody\n", "kind 'poster' is not one of"),
    ("---\ntitle: T\nlanguage: english please\n---\nbody\n", "is not a language tag"),
    ("---\ntitle: T\ncolour: red\n---\nbody\n", "unknown front matter key 'colour'"),
    ("---\ntitle: T\nstatus: final\n---\nbody\n", "status 'final' is not one of: draft, approved"),
    ("---\ntitle: T\nstatus: approved\n---\nbody\n", "an approved document needs 'reviewed_by'"),
    ("---\ntitle: T\nstatus: approved\nreviewed_by: Dr. A\n---\nbody\n", "needs 'reviewed_on'"),
    ("---\ntitle: T\nreviewed_on: last week\n---\nbody\n", "is not a date"),
    ("---\ntitle: T\nreviewed_on: 2026-11-20 10:00:00\n---\nbody\n", "is not a date"),
    ("---\ntitle: T\nreviewed_by: 7\n---\nbody\n", "must be the reviewer's name"),
    ("---\ntitle: T\norder: first\n---\nbody\n", "is not a whole number"),
])
def test_bad_front_matter(make_project, text, message):
    project = make_project(doc=text)
    with pytest.raises(ContentError, match=message):
        project.content.load("doc")


@pytest.mark.parametrize("text,rule,line,key", [
    ("no front matter\n", "front-matter-missing", 1, None),
    ("---\ntitle: T\nno end\n", "front-matter-unclosed", 1, None),
    ("---\nkind: handout\n---\nbody\n", "front-matter-title-missing", None, "title"),
    ("---\ntitle: T\nkind: poster\n---\nbody\n", "front-matter-value", 3, "kind"),
    ("---\ntitle: T\n\ncolour: red\n---\nbody\n", "front-matter-unknown-key", 4, "colour"),
    ("---\ntitle: ok\nsummary: [x\nbad: ]\n---\nbody\n", "yaml-syntax", 4, None),
])
def test_front_matter_errors_carry_their_fields(make_project, text, rule, line, key):
    project = make_project(doc=text)
    finding = raised(project.content.load, "doc").finding
    assert (finding.source, finding.rule, finding.line, finding.key) == (
        str(project.content.folder / "doc.md"), rule, line, key)
    assert finding.hint and str(project.content.folder) not in finding.message  # where is a field, not text


def test_yaml_error_names_the_file_line(make_project):
    project = make_project(doc="---\ntitle: ok\nsummary: : :\n  bad: [\n---\nbody\n")
    with pytest.raises(ContentError, match=r"doc\.md:\d+:"):
        project.content.load("doc")


def test_not_utf8(make_project, tmp_path):
    project = make_project(doc="---\ntitle: T\n---\nText.\n")
    (project.content.folder / "latin.md").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("cp1252"))
    with pytest.raises(ContentError, match="not UTF-8 text"):
        project.content.load("latin")


def test_unknown_document_lists_valid_names(sample_project):
    with pytest.raises(ContentError, match="unknown document 'nope'; choose one of: sample"):
        sample_project.content.load("nope")


def test_missing_folder(tmp_path):
    with pytest.raises(ContentError, match="content folder not found"):
        ContentLibrary(tmp_path / "missing")


def test_front_matter_values(sample_project):
    source = sample_project.content.load("sample")
    assert (source.title, source.kind, source.language) == ("Sample handout for tests", "handout", "en-US")
    assert source.body.startswith("## First section")
    assert source.body_line == 7


@pytest.mark.parametrize("front,line,words", [
    ('title: "unclosed\nkind: handout\n', 2, "end of stream"),  # not the closing '---' below it
    ("title: T\nsummary: [x\n", 3, "expected ','"),
    ("title: T\n\tkind: handout\n", 3, "cannot start any token"),
    ("title: T\nkind: handout\n  lang: en\n", 4, "mapping values"),
])
def test_front_matter_yaml_errors_point_at_the_file_line(make_project, front, line, words):
    project = make_project(doc=f"---\n{front}---\nBody.\n")
    finding = raised(project.content.load, "doc").finding
    assert (finding.rule, finding.line) == ("yaml-syntax", line)
    assert words in finding.message


@pytest.mark.parametrize("keys", ["1: x", "true: y", "null: z", "1: x\ntrue: y\nnull: z"])
def test_front_matter_keys_that_are_not_names_are_refused(make_project, keys):
    project = make_project(doc=f"---\ntitle: T\n{keys}\n---\nBody.\n")
    finding = raised(project.content.load, "doc").finding
    assert (finding.rule, finding.line) == ("yaml-key", 3)


@pytest.mark.parametrize("front,key,words", [
    ("title: T\nlanguage: no\n", "language", 'put it in quotes, e.g. language: "no"'),
    ("title: T\nlanguage: .nan\n", "language", "language .nan is not a language tag"),
    ("title: T\nkind: .inf\n", "kind", "kind .inf is not one of"),
    ("title: .nan\n", "title", "needs a 'title' (text)"),
])
def test_front_matter_values_of_the_wrong_type_are_refused(make_project, front, key, words):
    project = make_project(doc=f"---\n{front}---\nBody.\n")
    error = raised(project.content.load, "doc")
    assert error.finding.key == key and words in str(error)


def test_title_line_is_known(make_project):
    project = make_project(doc="---\nsummary: S\n\ntitle: Here\n---\nBody.\n")
    assert project.content.load("doc").title_line == 4


@pytest.mark.parametrize("files", [{}, {"_packet.md": "---\ntitle: Part\n---\n", "notes.txt": "x"}])
def test_a_content_folder_without_documents_is_refused(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    finding = raised(ContentLibrary, tmp_path).finding
    assert (finding.source, finding.rule) == (str(tmp_path), "content-folder-empty")
    assert "no documents" in finding.message and finding.hint


def test_a_huge_content_file_is_refused(make_project):
    project = make_project(doc="---\ntitle: T\n---\n" + "word " * 250_000)
    assert raised(project.content.load, "doc").finding.rule == "file-too-large"


def test_sign_off_fields(make_project):
    from datetime import date

    from handouts.load.content import text_sha256

    digest = text_sha256("T", "Body.\n")
    project = make_project(doc="---\ntitle: T\nstatus: approved\nreviewed_by: Dr. Ana Test\n"
                               f"reviewed_on: 2026-11-20\napproved_sha256: \"{digest}\"\n---\nBody.\n",
                           other="---\ntitle: O\n---\nBody.\n",
                           unhashed="---\ntitle: U\nstatus: approved\nreviewed_by: Dr. Ana Test\n"
                                    "reviewed_on: 2026-11-20\n---\nBody.\n")
    signed = project.content.load("doc")
    assert (signed.status, signed.reviewed_by, signed.reviewed_on, signed.approved) == (
        "approved", "Dr. Ana Test", date(2026, 11, 20), True)
    assert signed.approved_sha256 == signed.text_sha256 == digest
    unsigned = project.content.load("other")
    assert (unsigned.status, unsigned.approved, unsigned.reviewed_on) == ("draft", False, None)
    # 'status: approved' written by hand, with no hash of the approved text: not approved.
    assert project.content.load("unhashed").approved is False


def test_documents_are_listed_in_their_declared_order(make_project):
    project = make_project(a="---\ntitle: A\norder: 2\n---\n", b="---\ntitle: B\norder: 1\n---\n",
                           c="---\ntitle: C\n---\n", d="no front matter, order: 0\n")
    assert project.content.names() == ["b", "a", "c", "d"]


def test_shipped_documents_say_their_sign_off_and_order(project):
    assert project.content.names() == ["infusion-day-checklist", "fibromyalgia-ketamine"]
    for name in ["_packet", *project.content.names()]:
        assert project.content.load(name).status in ("draft", "approved")
