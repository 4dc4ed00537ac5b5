"""The content's own block outline, and a comparison with a PDF's structure tree."""

from pdfread import normalized

from handouts.model import Callout, Heading, ListBlock, Paragraph, Timeline, plain_text


def expected_tree(blocks, forms: bool = True) -> list:
    """The content's own block outline in structure-element terms: (role, text, kids).

    A line to write on is a Form element (its text field) or, printed, a Span whose ActualText a screen
    reader says; a checkbox's label holds a Form element (its check box) or, printed, a Figure; a timeline is a
    Div of its Caption and its Figure."""
    write_in = [("Form" if forms else "Span", "", [])]
    checkbox = [("Form" if forms else "Figure", "", [])]
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append((f"H{block.level}", plain_text(block.spans), []))
        elif isinstance(block, Paragraph):
            out.append(("P", plain_text(block.spans), write_in if block.write_in else []))
        elif isinstance(block, ListBlock):
            items = []
            for item in block.items:
                body = [("TEXT", plain_text(item.spans), []), *(write_in if item.write_in else []),
                        *expected_tree(item.children, forms)]
                label = checkbox if item.task is not None else []
                items.append(("LI", "", [("Lbl", "", label), ("LBody", "", body)]))
            out.append(("L", "", items))
        elif isinstance(block, Callout):
            out.append(("Div", "", expected_tree(block.blocks, forms)))
        elif isinstance(block, Timeline):  # the caption, then the picture (its words are the Figure's own)
            out.append(("Div", "", [("Caption", plain_text(block.spans), []), ("Figure", "", [])]))
    return out


def compare(element, expected) -> None:
    """Check roles, order, nesting and each element's own text."""
    kids = [k for k in element.kids if k.role != "Link"]
    if expected and expected[0][0] == "TEXT":  # an LBody's own text comes before its nested blocks
        own = "".join(p if isinstance(p, str) else p.all_text() for p in element.parts
                      if isinstance(p, str) or p.role == "Link")
        assert normalized(own) == normalized(expected[0][1])
        expected = expected[1:]
    assert [k.role for k in kids] == [e[0] for e in expected]
    for kid, (role, txt, sub) in zip(kids, expected):
        if role in ("P", "Caption") or role.startswith("H"):
            assert normalized(kid.all_text()) == normalized(txt)
        compare(kid, sub)
