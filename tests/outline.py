"""The content's own block outline, and a comparison with a PDF's structure tree."""

from pdfread import normalized

from handouts.model import Callout, Heading, ListBlock, Paragraph, plain_text


WRITE_IN = [("Span", "", [])]  # a line to write on: a Span whose ActualText a screen reader says


def expected_tree(blocks) -> list:
    """The content's own block outline in structure-element terms: (role, text, kids)."""
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append((f"H{block.level}", plain_text(block.spans), []))
        elif isinstance(block, Paragraph):
            out.append(("P", plain_text(block.spans), WRITE_IN if block.write_in else []))
        elif isinstance(block, ListBlock):
            items = []
            for item in block.items:
                body = [("TEXT", plain_text(item.spans), []), *(WRITE_IN if item.write_in else []),
                        *expected_tree(item.children)]
                items.append(("LI", "", [("Lbl", "", []), ("LBody", "", body)]))
            out.append(("L", "", items))
        elif isinstance(block, Callout):
            out.append(("Div", "", expected_tree(block.blocks)))
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
        if role in ("P",) or role.startswith("H"):
            assert normalized(kid.all_text()) == normalized(txt)
        if role != "Lbl":
            compare(kid, sub)
