import pytest
from conftest import render
from pdfread import text

from handouts.errors import ContentError
from handouts.text.fill import tel_target

DOC = """---
title: Fill test
---
## Hello

Name: {{ patient.name }}.
"""


@pytest.mark.parametrize("value", [
    "Ana <b>Bold</b> & Sons",
    "{{ clinic.phone }}",
    "**not bold** _nor this_",
    "[click](https://evil.example)",
    "# not a heading",
    "<para><font size=40>x</font></para>",
    "`code` and \\escaped",
])
def test_values_print_exactly_as_typed(make_project, value):
    project = make_project(doc=DOC)
    from handouts.load.project import Patient

    pdf = render(project, "doc", patient=Patient.from_values(value))
    extracted = text(pdf)
    assert f"Name: {value}." in extracted
    assert "\ue000" not in extracted


def test_value_cannot_create_link_or_heading(make_project):
    from handouts.jobs.build import load_document
    from handouts.load.project import Patient
    from handouts.model import Heading, walk

    project = make_project(doc=DOC)
    document = load_document(project, "doc", Patient.from_values("[x](https://evil.example)"))
    spans = [s for node in walk(document.blocks) for s in getattr(node, "spans", [])]
    assert all(s.href is None for s in spans)
    assert sum(isinstance(b, Heading) for b in document.blocks) == 2


def test_missing_placeholder_names_file_and_line(make_project):
    project = make_project(doc=DOC)
    with pytest.raises(ContentError) as info:
        render(project, "doc")
    assert "doc.md:6" in info.value.message
    assert "no value" in info.value.message


def test_unknown_clinic_field_is_reported(make_project):
    project = make_project(doc="---\ntitle: T\n---\nCall {{ clinic.fax }}\n")
    with pytest.raises(ContentError, match=r"doc\.md:4: placeholder has no value"):
        render(project, "doc")


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ clinic.__class__.__init__.__globals__ }}",
])
def test_sandbox_blocks_python_internals(make_project, template):
    project = make_project(doc=f"---\ntitle: T\n---\n{template}\n")
    with pytest.raises(ContentError):
        render(project, "doc")


def test_template_syntax_error_names_line(make_project):
    project = make_project(doc="---\ntitle: T\n---\nline one\n\n{% if x %}\n")
    with pytest.raises(ContentError, match=r"doc\.md:\d+"):
        render(project, "doc")


@pytest.mark.parametrize("phone,target", [
    ("(512) 555-0142", "+15125550142"),
    ("+44 20 7946 0000", "+442079460000"),
    ("911", "911"),
])
def test_tel_target(phone, target):
    assert tel_target(phone) == target
