import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import raised, render
from pdfread import text

from handouts.errors import ContentError, Finding
from handouts.load.content import Source
from handouts.text.fill import fill, tel_target

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
    from handouts.pipeline import load_document
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


@contextmanager
def within(seconds: float):
    """Fail, rather than hang, when the block takes longer than `seconds`."""

    def expired(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def source(body: str) -> Source:
    return Source("doc", Path("doc.md"), "T", "handout", "en-US", None, body, body_line=4)


CONTEXT = {"clinic": {"name": "Clinic", "phone": "(512) 555-0142", "long": "z" * 300_000},
           "patient": None, "appointment": None}


def fill_error(body: str) -> Finding:
    with within(1.0):
        return raised(fill, source(body), CONTEXT).finding


@pytest.mark.parametrize("tag,statement", [
    ("include", "{% include 'other.md' %}"),
    ("import", "{% import 'macros.md' as m %}"),
    ("extends", "{% extends 'base.md' %}"),
    ("from", "{% from 'macros.md' import x %}"),
    ("macro", "{% macro f() %}x{% endmacro %}"),
    ("call", "{% call range(1) %}x{% endcall %}"),
    ("filter", "{% filter upper %}x{% endfilter %}"),
    ("block", "{% block b %}x{% endblock %}"),
    ("set … endset", "{% set x %}x{% endset %}"),
    ("autoescape", "{% autoescape true %}x{% endautoescape %}"),
    ("for … recursive", "{% for x in [1] recursive %}{{ x }}{% endfor %}"),
])
def test_statements_a_handout_does_not_need_are_refused_with_file_and_line(make_project, tag, statement):
    project = make_project(doc=f"---\ntitle: T\n---\nFine.\n\n{statement}\n")
    error = raised(render, project, "doc")
    assert isinstance(error, ContentError)
    assert (error.finding.rule, error.finding.line) == ("template-not-allowed", 6)
    assert f"{{% {tag} %}} is not allowed in a handout template" in str(error)
    assert error.finding.source == str(project.content.folder / "doc.md")


@pytest.mark.parametrize("body,rule,words", [
    ("{% for i in range(10**9) %}x{% endfor %}", "template-too-big", "range() of 1,000,000,000 numbers"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "template-too-big",
     "more than 100,000 steps"),
    ("{% for a in '" + "x" * 2000 + "' %}{% for b in '" + "x" * 2000 + "' %}{% endfor %}{% endfor %}",
     "template-too-big", "more than 100,000 steps"),
    ("{{ 'x' * 10**9 }}", "template-too-big", "'*' makes a text or list longer than 256,000"),
    ("{{ [1] * 10**9 }}", "template-too-big", "'*' makes a text or list longer than 256,000"),
    ("{{ 10**10**10 }}", "template-too-big", "'**' makes a number larger than 2**64"),
    ("{{ 10.0**1000 }}", "template-too-big", "a number in '**' is too large"),
    ("{{ 'x'.center(10**9) }}", "template-not-allowed", "'center'"),
    ("{{ '{:>999999999}'.format('x') }}", "template-not-allowed", "'format'"),
    ("{{ 'x'['zfill'](10**9) }}", "template-not-allowed", "'zfill'"),
    ("{{ 'x'|center(999999999) }}", "template-not-allowed", "No filter named 'center'"),
    ("{{ '%999999999d' % 1 }}", "template-not-allowed", "formatting text with '%'"),
    ("{% for i in range(10000) %}" + "y" * 200 + "{% endfor %}", "template-too-big",
     "filled document is longer than 256,000 characters"),
    ("{% for i in range(10) %}{{ clinic.long }}{% endfor %}", "template-too-big",
     "placeholders hold more than 256,000"),
    # Lists whose text is far larger than their memory: 2**40 references to one long text.
    ("{% set a = ['" + "x" * 1000 + "'] %}" + "{% set a = [a, a] %}" * 40 + "{{ a }}",
     "template-error", "a placeholder takes one value"),
    ("{% set a = ['" + "x" * 1000 + "'] %}" + "{% set a = [a, a] %}" * 40
     + "{{ 'x' ~ a }}", "template-error", "'~' takes one value"),
    ("{% set a = ['" + "x" * 1000 + "'] %}" + "{% set a = [a, a] %}" * 40
     + "{{ a|upper }}", "template-error", "the filter 'upper' takes one value"),
    ("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}", "template-too-big", "nested too deeply"),
    ("{{ __handouts_values__ }}", "template-not-allowed", "the name '__handouts_values__'"),
    ("{{ 1 / 0 }}", "template-error", "division by zero"),
])
def test_templates_run_within_limits_and_never_hang(body, rule, words):
    finding = fill_error(f"First line.\n{body}\n")
    assert finding.rule == rule and words in finding.message
    assert finding.line in (5, None) and finding.source == "doc.md"
    assert finding.hint


def test_limits_leave_ordinary_templates_alone():
    body = ("{% for i in range(3) %}{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}\n"
            "{% set who = clinic.name ~ ' team' %}{{ who|upper }} {{ clinic.name.lower() }}\n"
            "{% for key, value in clinic.items() if key == 'phone' %}{{ value|tel }}{% endfor %}\n"
            "{{ ('-' * 3) ~ (2 ** 10) }} {{ [1, 2]|length }} {{ missing|default('none') }}\n")
    with within(1.0):
        filled = fill(source(body), CONTEXT)
    assert filled.restore(filled.text).splitlines() == [
        "1, 2, 3", "CLINIC TEAM clinic", "+15125550142", "---1024 2 none"]


def test_a_value_in_a_template_error_is_never_quoted():
    finding = fill_error("{{ clinic.name.encode('ascii') ~ clinic.name.index('é') }}\n")
    assert finding.rule == "template-error" and "Clinic" not in finding.message


@pytest.mark.parametrize("phone,target", [
    ("(512) 555-0142 x12", "+15125550142;ext=12"),
    ("(512) 555-0142 X 12", "+15125550142;ext=12"),
    ("512.555.0142 extension 204", "+15125550142;ext=204"),
    ("555-0100 ext. 3", "5550100;ext=3"),
    ("+44 20 7946 0000 ext 5", "+442079460000;ext=5"),
    ("+15125550142;ext=7", "+15125550142;ext=7"),
    ("1 (512) 555-0142", "+15125550142"),
])
def test_tel_target_keeps_the_extension_apart(phone, target):
    assert tel_target(phone) == target
