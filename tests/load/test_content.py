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
    project = make_project()
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
