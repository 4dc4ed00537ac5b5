import pytest
from conftest import LAYOUTS, REPO, raised

from handouts.errors import LayoutError
from handouts.pipeline import render_document
from handouts.load.layouts import LayoutLibrary, load_layout
from handouts.load.print_rules import contrast_ratio

GOOD = (REPO / "layouts" / "large-print.yaml").read_text()


def write(tmp_path, text: str):
    path = tmp_path / "custom.yaml"
    path.write_text(text)
    return path


def test_shipped_layouts_load_with_their_classes():
    library = LayoutLibrary(REPO / "layouts")
    assert library.names() == sorted(LAYOUTS)
    bodies = {name: library.load(name).body_size for name in LAYOUTS}
    assert bodies == {"standard": 14, "large-print": 18, "extra-large": 24}
    for name in ("large-print", "extra-large"):
        layout = library.load(name)
        assert layout.line_spacing >= 1.5 and layout.margins == (72, 72, 72, 72)


@pytest.mark.parametrize("change,expected", [
    ({"body_size": 16}, "body_size 16 pt is below 18 pt, the minimum for large-print (APH, RNIB)"),
    ({"footer_size": 12}, "footer_size 12 pt is below 18 pt"),
    ({"checkbox_size": 14}, "checkbox_size 14 pt is below 18 pt"),
    ({"heading_sizes": "{1: 30, 2: 16, 3: 21}"}, "heading_sizes.2 16 pt is smaller than body_size 18 pt"),
    ({"line_spacing": 1.2}, "line_spacing 1.2 is below 1.5"),
    ({"margins": 36}, "margins.top 36 pt is below 72 pt"),
    ({"text_colour": '"#777777"'}, "text_colour #777777 on background_colour #FFFFFF has contrast 4.5:1, below 7:1"),
])
def test_each_rule_refuses_a_bad_layout(tmp_path, change, expected):
    lines = [line for line in GOOD.splitlines() if line.split(":")[0] not in change]
    lines += [f"{key}: {value}" for key, value in change.items()]
    with pytest.raises(LayoutError) as info:
        load_layout(write(tmp_path, "\n".join(lines)))
    assert expected in info.value.message
    assert "custom.yaml" in info.value.message


def test_all_broken_rules_are_reported_at_once(tmp_path):
    text = GOOD.replace("body_size: 18", "body_size: 10").replace("line_spacing: 1.5", "line_spacing: 1.0")
    with pytest.raises(LayoutError) as info:
        load_layout(write(tmp_path, text))
    assert len(info.value.message.splitlines()) >= 2
    path = str(tmp_path / "custom.yaml")
    assert {(f.source, f.rule, f.key) for f in info.value.findings} >= {
        (path, "layout-rule", "body_size"), (path, "layout-rule", "line_spacing")}


@pytest.mark.parametrize("text,expected", [
    (GOOD.replace("class: large-print", "class: poster"), "'class' is 'poster'; choose one of"),
    (GOOD.replace("body_size: 18", "body_size: big"), "'body_size' must be a positive number"),
    (GOOD.replace("page_size: letter", "page_size: legal"), "'page_size' is 'legal'"),
    (GOOD.replace("typeface: atkinson-hyperlegible", "typeface: comic-sans"), "'typeface' is 'comic-sans'"),
    (GOOD.replace('text_colour: "#000000"', "text_colour: black"), "must be a colour like #000000"),
    ("- just\n- a list\n", "expected 'key: value' lines"),
    ("body_size: [\n", "fix the YAML syntax"),
    ("body_size: &x 18\nfooter_size: *x\n", "anchors and aliases"),
])
def test_malformed_layouts(tmp_path, text, expected):
    with pytest.raises(LayoutError, match=expected):
        load_layout(write(tmp_path, text))


def test_unknown_layout_name_lists_the_valid_ones():
    with pytest.raises(LayoutError, match="unknown layout 'huge'; choose one of: extra-large, large-print, standard"):
        LayoutLibrary(REPO / "layouts").load("huge")


@pytest.mark.parametrize("fg,bg,ratio", [("#000000", "#FFFFFF", 21.0), ("#FFFFFF", "#FFFFFF", 1.0),
                                         ("#767676", "#FFFFFF", 4.54)])
def test_contrast_ratio_matches_wcag(fg, bg, ratio):
    assert contrast_ratio(fg, bg) == pytest.approx(ratio, abs=0.01)


def edited(**changes) -> str:
    """The good layout with keys replaced (or added), one 'key: value' line each."""
    lines = [line for line in GOOD.splitlines() if line.split(":")[0] not in changes]
    return "\n".join(lines + [f"{key}: {value}" for key, value in changes.items()]) + "\n"


def line_of(text: str, key: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(f"{key}:"))


@pytest.mark.parametrize("key", ["body_size", "footer_size", "line_spacing", "paragraph_space", "list_indent",
                                 "checkbox_size", "callout_border_width", "margins"])
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_nan_and_infinity_are_refused_per_key(tmp_path, key, value):
    text = edited(**{key: value})
    error = raised(load_layout, write(tmp_path, text))
    assert isinstance(error, LayoutError)
    assert [(f.key, f.rule, f.line) for f in error.findings] == [(key, "layout-value", line_of(text, key))]
    assert value in error.finding.message


@pytest.mark.parametrize("changes,key,words", [
    ({"body_size": 10000}, "body_size", "'body_size' is 10000, more than any page can hold (at most 144)"),
    ({"line_spacing": "1.0e+9"}, "line_spacing", "'line_spacing' is 1000000000.0, more than any page can hold"),
    ({"line_spacing": "1e9"}, "line_spacing", "'line_spacing' is '1e9', which YAML reads as text"),
    ({"margins": 400}, "margins", "'margins' is 400, more than any page can hold"),
    ({"margins": "{top: 72, right: 72, bottom: .nan, left: 72}"}, "margins.bottom", "got .nan"),
    ({"heading_sizes": "{1: .inf, 2: 24, 3: 21}"}, "heading_sizes.1", "'heading_sizes.1' is .inf"),
    ({"heading_sizes": "{1: 30, 2: 24, 3: 21, 4: 18}"}, "heading_sizes", "heading_sizes has level 4"),
    ({"forms": "maybe"}, "forms", "'forms' must be true or false"),
    ({"text_colour": ".nan"}, "text_colour", "must be a colour like #000000, got .nan"),
    ({"body_sise": 18}, "body_sise", "unknown layout key 'body_sise'"),
])
def test_absurd_values_are_refused_with_a_plain_reason(tmp_path, changes, key, words):
    text = edited(**changes)
    error = raised(load_layout, write(tmp_path, text))
    assert isinstance(error, LayoutError)
    assert [f.key for f in error.findings] == [key]
    assert words in error.finding.message and error.finding.hint
    assert error.finding.line == line_of(text, key.split(".")[0])


def test_every_bad_value_is_reported_at_once(tmp_path):
    text = edited(body_size=".nan", line_spacing=".inf", text_colour="red")
    error = raised(load_layout, write(tmp_path, text))
    assert {(f.key, f.line) for f in error.findings} == {
        (key, line_of(text, key)) for key in ("body_size", "line_spacing", "text_colour")}


@pytest.mark.parametrize("changes,words", [
    # Margins that leave almost nothing: 612 - 2 × 288 = 36 pt for 18 pt text.
    ({"margins": "{top: 72, right: 288, bottom: 72, left: 288}"}, "the text area is 36 pt wide, too narrow"),
    ({"margins": "{top: 288, right: 72, bottom: 288, left: 72}", "line_spacing": 4},
     "the text area is 216 pt high, too low for 3 lines"),
    ({"list_indent": 5, "body_size": 48, "heading_sizes": "{1: 60, 2: 54, 3: 50}"}, "text beside a list 4 levels"),
    ({"body_size": 90, "heading_sizes": "{1: 144, 2: 144, 3: 144}", "list_indent": 0.1, "line_spacing": 1},
     "too narrow for 6 ems of the largest type (144 pt): it needs 864 pt"),
])
def test_a_text_area_with_no_room_is_refused(tmp_path, changes, words):
    text = edited(**changes)
    error = raised(load_layout, write(tmp_path, text))
    assert isinstance(error, LayoutError)
    assert {(f.key, f.rule) for f in error.findings} <= {("margins", "layout-no-room")}
    assert words in error.message
    assert error.finding.line == line_of(text, "margins")


@pytest.mark.parametrize("keys", ["1: x", "true: y", "null: z", "1: x\ntrue: y\nnull: z"])
def test_keys_that_are_not_names_are_refused(tmp_path, keys):
    text = GOOD + keys + "\n"
    finding = raised(load_layout, write(tmp_path, text)).finding
    assert (finding.rule, finding.line) == ("yaml-key", len(GOOD.splitlines()) + 1)


def test_the_largest_values_allowed_still_render(tmp_path, make_project):
    """What loading accepts, the renderer can lay out: bounds and room are checked together."""
    text = edited(**{"class": "standard", "body_size": 24, "heading_sizes": "{1: 60, 2: 48, 3: 36}",
                     "footer_size": 60, "checkbox_size": 60, "line_spacing": 2, "paragraph_space": 5,
                     "list_indent": 2.3, "callout_border_width": 24, "margins": 72})
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (layouts / "huge.yaml").write_text(text)
    body = ("## Deep\n\n- a\n  - b\n    - c\n      - d " + "word " * 30 + "\n\n> > - in\n> >   - two boxes\n"
            "> >     - deep\n> >       - deepest " + "x" * 80 + "\n")
    project = make_project(doc=f"---\ntitle: Title\n---\n{body}")
    assert render_document(project, "doc", load_layout(layouts / "huge.yaml")).startswith(b"%PDF")


def test_an_empty_layouts_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a layout")
    finding = raised(LayoutLibrary, tmp_path).finding
    assert (finding.source, finding.rule) == (str(tmp_path), "layouts-folder-empty")
    assert "no layouts" in finding.message and finding.hint


@pytest.mark.parametrize("line", ["alignment: left", "alignment: justify", "italic: false", "italic: true",
                                  "columns: 1", "columns: 2", "heading_bold: true"])
def test_keys_that_could_hold_only_one_value_are_refused_as_no_longer_needed(tmp_path, line):
    key = line.split(":")[0]
    text = GOOD + line + "\n"
    error = raised(load_layout, write(tmp_path, text))
    assert isinstance(error, LayoutError)
    assert [(f.key, f.rule, f.line) for f in error.findings] == [(key, "layout-key-retired", line_of(text, key))]
    assert f"layout key '{key}' is no longer needed" in error.finding.message
    assert error.finding.hint == f"remove the '{key}:' line"


def test_shipped_layouts_have_no_retired_key():
    from handouts.load.layouts import RETIRED_KEYS

    for name in LAYOUTS:
        text = (REPO / "layouts" / f"{name}.yaml").read_text()
        assert not [key for key in RETIRED_KEYS if f"\n{key}:" in f"\n{text}"]
