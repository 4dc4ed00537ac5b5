import pytest
from conftest import LAYOUTS, REPO

from handouts.errors import LayoutError
from handouts.load.layouts import LayoutLibrary, load_layout
from handouts.quality.print_rules import contrast_ratio

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
    ({"heading_bold": "false"}, "headings are bold"),
    ({"line_spacing": 1.2}, "line_spacing 1.2 is below 1.5"),
    ({"margins": 36}, "margins.top 36 pt is below 72 pt"),
    ({"alignment": "justify"}, "alignment 'justify' is not allowed"),
    ({"italic": "true"}, "never uses italic"),
    ({"columns": 2}, "use one column"),
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
