"""Property tests: any value or content either renders correctly or stops with a clear error."""


from conftest import APPOINTMENT, render
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfread import conformance_failures, squeeze, text

from handouts.errors import ContentError, InputError, UnsupportedCharacterError
from handouts.pipeline import load_document
from handouts.load.project import Patient
from handouts.load.values import clean_value
from handouts.model import plain_text, walk

LETTERS = (
    [chr(c) for c in range(0x41, 0x5B)] + [chr(c) for c in range(0x61, 0x7B)]
    + [chr(c) for c in range(0xC0, 0x180) if chr(c).isalpha()]             # Latin-1, Latin Extended-A
    + [chr(c) for c in range(0x1EA0, 0x1EFA)]                               # Vietnamese
    + [chr(c) for c in range(0x391, 0x3CA) if chr(c).isalpha()]             # Greek
    + [chr(c) for c in range(0x410, 0x450)]                                 # Cyrillic
)
MARKUP = list("*_#[]()<>&{}%`|~!-=+.:;,'\"\\/") + ["{{", "}}", "{%", "%}", "<b>", "</para>", "&amp;", "](x)"]
UNDRAWABLE = ["王", "🙂", "\u0e01", "\u05d0"]  # CJK, emoji, Thai, Hebrew: no bundled face has them

values = st.lists(st.sampled_from(LETTERS) | st.sampled_from(MARKUP) | st.just(" ")
                  | st.sampled_from(["\u200b", "\n", "\x07", "e\u0301"]), min_size=1, max_size=60).map("".join)
long_values = st.builds(lambda v, n: (v * n)[:300], values, st.integers(1, 30))
risky_values = st.builds(lambda v, bad: v + bad, values, st.sampled_from(UNDRAWABLE))

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])




@FAST
@given(value=values | long_values | risky_values)
def test_any_patient_value_prints_exactly_or_is_refused(sample_project, tmp_path, value):
    try:
        pdf = render(sample_project, "sample", "large-print", patient=Patient.from_values(value),
                     appointment=APPOINTMENT)
    except (UnsupportedCharacterError, InputError) as exc:
        assert exc.message and "\n" not in exc.message
        assert any(ch in value for ch in UNDRAWABLE) or not clean_value(value).strip()
        return
    assert not any(ch in value for ch in UNDRAWABLE)
    assert conformance_failures(pdf) == []
    assert squeeze(clean_value(value)) in squeeze(text(pdf))


words = st.lists(st.sampled_from(LETTERS), min_size=1, max_size=12).map("".join)
sentence = st.lists(words, min_size=1, max_size=12).map(" ".join)
inline = st.one_of(
    sentence,
    st.builds(lambda a, b: f"{a} **{b}** end", sentence, sentence),
    st.builds(lambda a, b: f"{a} [{b}](https://clinic.example/{len(b)})", sentence, words),
    st.builds(lambda a, m: f"{a} {m} tail", sentence, st.sampled_from(MARKUP)),
)
block = st.one_of(
    st.builds(lambda t: f"## {t}", sentence),
    st.builds(lambda t: f"### {t}", sentence),
    inline,
    st.lists(inline, min_size=1, max_size=4).map(lambda items: "\n".join(f"- {i}" for i in items)),
    st.lists(inline, min_size=1, max_size=4).map(lambda items: "\n".join(f"- [ ] {i}" for i in items)),
    st.lists(inline, min_size=1, max_size=3).map(lambda items: "\n".join(f"{n}. {i}" for n, i in enumerate(items, 1))),
    st.builds(lambda t: f"> **Important:** {t}", sentence),
    st.builds(lambda t: f"{t}: ___", sentence),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(block, min_size=1, max_size=8))
def test_any_content_renders_in_order_or_is_refused(make_project, tmp_path, blocks):
    body = "\n\n".join(blocks) + "\n"
    project = make_project(doc=f"---\ntitle: Generated\n---\n{body}")
    try:
        document = load_document(project, "doc")
        pdf = render(project, "doc", "standard")
    except (ContentError, UnsupportedCharacterError) as exc:
        assert exc.message.count("\n") == 0 and "doc.md" in exc.message
        return
    assert conformance_failures(pdf) == []
    flat = squeeze(text(pdf))
    position = 0
    for node in walk(document.blocks):
        spans = getattr(node, "spans", None)
        if spans:
            found = flat.find(squeeze(plain_text(spans)), position)
            assert found >= 0
            position = found
