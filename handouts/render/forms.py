"""Fillable fields: AcroForm check boxes and text fields, each with its own appearance.

Every field carries its appearance streams (ticked and not ticked; an empty
text box), so it prints as drawn and shows in viewers that make none of their
own; PDF/A forbids asking the viewer to make them. Text a viewer types goes in
the body face's embedded subset that holds all of printable ASCII, named the
same in every file, so a form filled and saved stays PDF/A.
"""

from __future__ import annotations

import re
import unicodedata

from ..load.typefaces import FORM_CHARACTERS, TICK_MARK
from . import _reportlab
from ._reportlab import pdf_array, pdf_dictionary, pdf_name, pdf_string

MULTILINE = 1 << 12  # a text field's /Ff bit 13: typing wraps onto the next line
FONT_RESOURCE = "HandoutsForm"  # the typing font's name in /DR and in every /DA
# The tick's three points, in parts of the box's side from its bottom left: printed and on-screen boxes match.
TICK = ((0.2, 0.47), (0.45, 0.17), (0.85, 0.87))


class FormFields:
    """The fields of one document, made while its pages are drawn; `write` adds the AcroForm."""

    def __init__(self, canv, face: str):
        self._canv = canv
        self._face = face
        self._fields: list = []  # the fields' dictionaries, in the order they were made
        self._names: set[str] = set()
        self._tooltips: set[str] = set()
        self._checkboxes = 0
        self._appearances: dict[tuple, tuple] = {}  # identical checkboxes share their appearance streams

    def checkbox(self, rect, side: float, line_width: float, colour: str, name: str, checked: bool):
        """A check box whose square (`side` points, drawn inside `rect`) ticks on and off: (its dictionary, what a
        screen reader says for it)."""
        on, off = self._checkbox_appearances(side, line_width, colour)
        state = pdf_name("Yes" if checked else "Off")
        self._checkboxes += 1
        return self._field(rect, "Btn", f"checkbox-{self._checkboxes}", name, {
            "V": state, "AS": state,
            "AP": pdf_dictionary({"N": pdf_dictionary({"Yes": on, "Off": off})}),
            # For a viewer that draws its own appearance instead: the box's border (colour, width) and the
            # tick as a caption in the embedded form font (size 0: fitted to the box), never ZapfDingbats.
            "MK": pdf_dictionary({"BC": pdf_array([_reportlab.number(v) for v in _reportlab.rgb(colour)]),
                                  "CA": pdf_string(TICK_MARK)}),
            "BS": pdf_dictionary({"W": _reportlab.number(line_width), "S": pdf_name("S")}),
            "DA": pdf_string(_default_appearance(0, colour)),
        })

    def text_field(self, rect, name: str, size: float, colour: str, multiline: bool = False):
        """A text box over a line (or lines) to write on, typed in at the body's type size; `multiline` wraps a
        long value onto the next line. (Its dictionary, what a screen reader says for it.)"""
        width, height = rect[2] - rect[0], rect[3] - rect[1]
        # An empty field's appearance is empty: the printed line under it is page content.
        empty = self._form_xobject(width, height, "/Tx BMC EMC")
        return self._field(rect, "Tx", _slug(name) or "write-in", name, {
            "DA": pdf_string(_default_appearance(size, colour)), "Q": 0,
            **({"Ff": MULTILINE} if multiline else {}),
            "AP": pdf_dictionary({"N": empty}),
        })

    def spoken(self, kind: str, args: tuple) -> str:
        """What a screen reader says for the field `checkbox(*args)` or `text_field(*args)` (`kind`) would make,
        counted as made (the next field's names follow it) but not made: its page is written from a kept file."""
        if kind == "checkbox":
            self._checkboxes += 1
            stem, name = f"checkbox-{self._checkboxes}", args[4]
        else:
            stem, name = _slug(args[1]) or "write-in", args[1]
        _unique(stem, self._names, "{}-{}")
        return _unique(name, self._tooltips, "{} ({})")

    def write(self) -> None:
        """Add the AcroForm to the catalog, if the document has fields."""
        if not self._fields:
            return
        canv = self._canv
        form = pdf_dictionary({
            "Fields": pdf_array([_reportlab.register(canv, field) for field in self._fields]),
            "DA": pdf_string(_default_appearance(12, "#000000")),
            "DR": pdf_dictionary({"Font": pdf_dictionary(
                {FONT_RESOURCE: _reportlab.form_font(canv, self._face, FORM_CHARACTERS)})}),
        })
        _reportlab.set_catalog_entry(canv, "AcroForm", form)

    # -- parts -------------------------------------------------------------
    def _field(self, rect, field_type: str, stem: str, tooltip: str, entries: dict) -> tuple:
        """The field's dictionary and what a screen reader says for it (its /TU)."""
        spoken = _unique(tooltip, self._tooltips, "{} ({})")
        field = pdf_dictionary({
            "Type": pdf_name("Annot"), "Subtype": pdf_name("Widget"), "FT": pdf_name(field_type),
            # Names are told apart ("question-2" after "question"), and so is what a screen reader says ("Yes (2)"
            # after "Yes"): two fields that sound the same cannot be found by name.
            "T": pdf_string(_unique(stem, self._names, "{}-{}")),
            "TU": pdf_string(spoken),
            "F": 4,  # printed; never hidden
            "Rect": pdf_array([round(v, 3) for v in rect]),
            **entries,
        })
        self._fields.append(field)
        return field, spoken

    def _checkbox_appearances(self, side: float, line_width: float, colour: str) -> tuple:
        key = (side, line_width, colour)
        if key not in self._appearances:
            size = side + line_width
            half = line_width / 2
            number = _reportlab.number
            box = (f"q {_stroke_operator(colour)} {number(line_width)} w "
                   f"{number(half)} {number(half)} {number(side)} {number(side)} re S")
            tick = " ".join(f"{number(half + side * x)} {number(half + side * y)} {op}"
                            for (x, y), op in zip(TICK, ("m", "l", "l")))
            self._appearances[key] = (self._form_xobject(size, size, f"{box} {tick} S Q"),
                                      self._form_xobject(size, size, f"{box} Q"))
        return self._appearances[key]

    def _form_xobject(self, width: float, height: float, content: str):
        stream = _reportlab.pdf_stream({"Type": pdf_name("XObject"), "Subtype": pdf_name("Form"),
                                        "BBox": pdf_array([0, 0, round(width, 3), round(height, 3)])},
                                       content.encode("ascii"))
        return _reportlab.register(self._canv, stream)


def _unique(text: str, taken: set[str], numbered: str) -> str:
    """`text`, or `numbered` with the next free number, recorded in `taken`."""
    chosen, number = text, 1
    while chosen in taken:
        number += 1
        chosen = numbered.format(text, number)
    taken.add(chosen)
    return chosen


def _default_appearance(size: float, colour: str) -> str:
    number = _reportlab.number
    return f"/{FONT_RESOURCE} {number(size)} Tf {' '.join(number(v) for v in _reportlab.rgb(colour))} rg"


def _stroke_operator(colour: str) -> str:
    return " ".join(_reportlab.number(v) for v in _reportlab.rgb(colour)) + " RG"


def _slug(text: str, limit: int = 40) -> str:
    """A field name from its words: ASCII, lower case, hyphens ("drivers-name-and-phone")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    return words[:limit].rstrip("-")
