import pytest

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
