"""The tag writer refuses to write a structure tree that breaks its invariants."""

import pytest
from conftest import DATA, REPO, run

from handouts.errors import InternalError
from handouts.render import _reportlab
from handouts.render.tagging import MarkedContent, StructElement, StructTree


def _draw(tagger, element):
    with tagger.marked(element):
        tagger._canv.drawString(72, 720, "text")


def _finish(tagger):
    tagger._canv.showPage()
    tagger.write()


def test_a_well_formed_tree_is_written(tagger, tree):
    with tree.element("L"):
        with tree.element("LI"):
            label = tree.leaf("Lbl")
            with tree.element("LBody") as body:
                pass
    _draw(tagger, label)
    _draw(tagger, body)
    _finish(tagger)
    assert [e.role for e in tree.root.elements()] == ["Document", "L", "LI", "Lbl", "LBody"]


@pytest.mark.parametrize("parent, role", [("P", "Lbl"), ("Document", "LI"), ("L", "P"), ("LI", "P"),
                                          ("Document", "LBody"), ("P", "H2"), ("Document", "Span")])
def test_elements_go_only_where_they_belong(parent, role):
    tree = StructTree()
    owner = tree.root if parent == "Document" else StructElement(parent, tree.root)
    with pytest.raises(InternalError, match="bug in handouts"):
        owner.child(role)


def test_an_element_left_open_is_refused(tagger, tree):
    opened = tree.element("L")  # kept, so that nothing closes it
    opened.__enter__()
    with pytest.raises(InternalError, match="never closed"):
        _finish(tagger)


def test_marked_content_left_open_is_refused(tagger, tree):
    drawing = tagger.marked(tree.leaf("P"))  # kept, so that nothing closes it
    drawing.__enter__()
    with pytest.raises(InternalError, match="never closed"):
        _finish(tagger)


def test_marked_content_cannot_nest(tagger, tree):
    paragraph = tree.leaf("P")
    with pytest.raises(InternalError, match="cannot nest"):
        with tagger.marked(paragraph):
            with tagger.artifact():
                pass


def test_an_mcid_owned_twice_is_refused(tagger, tree):
    first, second = tree.leaf("P"), tree.leaf("P")
    _draw(tagger, first)
    second.attach()
    second.kids.append(MarkedContent(0, 0))  # the same page and MCID as the first paragraph's
    with pytest.raises(InternalError, match="belongs to two elements"):
        _finish(tagger)


def test_content_on_a_page_that_does_not_exist_is_refused(tagger, tree):
    paragraph = tree.leaf("P")
    _draw(tagger, paragraph)
    paragraph.kids[0].page = 3
    with pytest.raises(InternalError, match="page 4 of 1"):
        _finish(tagger)


def test_a_list_must_hold_list_items(tagger, tree):
    with tree.element("L") as items:
        pass
    items.attach()  # an empty list in the tree
    with pytest.raises(InternalError, match="no list items"):
        _finish(tagger)


def test_containers_hold_no_content_of_their_own(tagger, tree):
    with tree.element("L") as items, pytest.raises(InternalError, match="holds elements"):
        with tagger.marked(items):
            pass


def _list_and_heading(tree):
    with tree.element("L"):
        with tree.element("LI"):
            label = tree.leaf("Lbl")
            with tree.element("LBody") as body:
                pass
    return tree.leaf("H1"), label, body


def test_owning_marked_content_in_one_call_is_owning_it_one_at_a_time(tagger, tree):
    """`Tagger.own_each` (a replayed run of boxes, render/sharing.py) gives the same MCIDs, kids, page owners,
    tree and record as `own` called for each element in turn, and refuses a container the same way."""
    from handouts.render.tagging import Tagger

    twin = StructTree()
    one, other = Tagger(tagger._canv, tree), Tagger(tagger._canv, twin)
    one.log, other.log = [], []
    mine, theirs = _list_and_heading(tree), _list_and_heading(twin)
    heading, label, body = mine
    assert [one.own(element) for element in (heading, label, body, label)] == [0, 1, 2, 3]
    assert other.own_each([theirs[0], theirs[1], theirs[2], theirs[1]]) == 3
    for made in (mine, theirs):
        assert [[(kid.page, kid.mcid) for kid in element.kids if isinstance(kid, MarkedContent)]
                for element in made] == [[(0, 0)], [(0, 1), (0, 3)], [(0, 2)]]
    assert [e.role for e in twin.root.elements()] == [e.role for e in tree.root.elements()] == \
        ["Document", "H1", "L", "LI", "Lbl", "LBody"]
    assert one._page_mcids == {0: [heading, label, body, label]}
    assert other._page_mcids == {0: [*theirs, theirs[1]]}
    assert [kind for kind, _ in other.log] == [kind for kind, _ in one.log] == ["mark"] * 4
    assert [element for _, element in other.log] == [*theirs, theirs[1]]
    with twin.element("L") as items, pytest.raises(InternalError, match="holds elements"):
        other.own_each([items])


def test_a_link_annotation_needs_a_link_element(tagger, tree):
    link = _reportlab.link_annotation(tagger._canv, (72, 700, 200, 720), "https://example.org", "example")
    with pytest.raises(InternalError, match="may not belong to a P element"):
        tagger.annotate(tree.leaf("P"), link)


def test_a_form_element_holds_one_widget(tagger, tree):
    from handouts.render.forms import FormFields

    canv = tagger._canv
    fields = FormFields(canv, "Helvetica")
    with tree.element("P") as paragraph:
        form = paragraph.child("Form")
    tagger.annotate(form, fields.text_field((72, 700, 200, 720), "Name", 12, "#000000")[0])
    tagger.annotate(form, fields.text_field((72, 650, 200, 670), "Other", 12, "#000000")[0])
    canv.showPage()
    with pytest.raises(InternalError, match="exactly its one widget"):
        tagger.check(1)


def test_a_broken_invariant_writes_no_file(capsys, tmp_path, monkeypatch):
    """Through the CLI: an internal error (exit 70), and nothing in the output folder."""
    from handouts.render import compose

    def broken_item(self, item, depth, marker):
        self.tree.leaf("Lbl")  # a label straight under the list, not inside a list item
        return []

    monkeypatch.setattr(compose.Composer, "list_item", broken_item)
    code, _, err = run(capsys, "build", "sample", "--out", str(tmp_path / "out"), "--content", str(DATA),
                       "--layouts", str(REPO / "layouts"))
    assert code == 70 and "internal error" in err
    assert not list(tmp_path.glob("out/**/*.pdf"))
