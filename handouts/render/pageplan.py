"""Page plans shared per process: where pages end is decided once for boxes that measure the same.

The keep rules (`paginate.keep_rules`) and the paginator decide from how the boxes measure, never from their
text: each box's kind, structure role, whether it has a label, a line to write on or a reserve, its spaces and
keeps, its line count at the width (and its reserve's), its line height and its height; a callout's inset and
its blocks, measured the same way; a timeline's height; and which boxes share a structure element. That is a
plan's key (`plan_key`), with the width and height of the frame: numbers, flags and structure roles, no text
at all. What they decided is the plan (`PagePlan`): each box's keeps after the keep rules, whether the document
was paginated for the patient's own text or in the room of the reserves, and what the paginator did with each
box it took (put, split with the room its first piece had, or moved to the next page). A packet whose boxes
measure the same replays the plan on its own freshly composed boxes (`paginate.replay`): the same calls to
place and split each box that a fresh run makes, so the same pages, and so the same bytes
(`tests/render/test_page_plan.py` compares packets made with a plan found and with no plan kept).

The patient's own text is measured as well as the reserves (whether the document is paginated for the patient
instead, `paginate.paginated`, depends on both): the rule is that a plan is reused only for boxes whose own line
counts, reserved or not, are the same, so the choice between the two paginations replayed is the one a fresh
run makes. A plan holds no text and no value of any patient: a count of lines says nothing of whose they are.

A document made by `pipeline.load_document` has a skeleton (model.Skeleton), and then its boxes are not measured
to find its plan: the key is the frame, one digest of the skeleton with everything the composer reads besides the
blocks (the whole layout, the languages: `_planned_as` in pdf.py), and the patient's own measures of the boxes that show
a patient value (`patient_measures`). The boxes are a deterministic function of the skeleton, the layout and the
patient's values, and the paginator reads nothing of a patient's text but those measures, so the same key means
boxes that measure the same. Anything the key missed would hand one document another's plan: the tests make each
packet warm and cold (`tests/render/test_skeleton.py`, `test_page_plan.py`, `tests/batch/test_sharing.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import InternalError
from ._reportlab import ContentMemo
from .boxes import Box, CalloutBox, PageBreakBox, TextBlock
from .compose import Composed
from .paginate import Page, drop_reserves, keep_rules, page_starts, paginated, replay, replay_page
from .timeline import TimelineBox

# Plans by their key (`plan_key`): how boxes measure, never their text. Bounded in bytes, kept for the run.
PLANS = ContentMemo(8 << 20)


@dataclass(frozen=True)
class PagePlan:
    keeps: tuple[tuple[bool, bool] | None, ...]  # each box's (keep_with_next, prefer_with_next) after keep_rules
    own: bool  # paginated for the patient's own text: the reserves dropped
    actions: tuple[tuple, ...]  # what the paginator did with each box it took (`_Paginator.actions`)
    count: int  # how many pages it made
    # Where the replay starts each page (`paginate.page_starts`: numbers only), so a page is placed without those
    # before it (`Planned.pages_at`).
    starts: tuple[tuple[int, int, tuple], ...] = ()

    @property
    def size(self) -> int:
        return 48 * (len(self.keeps) + len(self.actions)) + 64 * len(self.starts)


def paginate_planned(boxes: list[Box], width: float, height: float) -> list[Page]:
    """`keep_rules` and `paginate` on freshly composed boxes, by the plan of boxes that measured the same when
    there is one; else decided, and the plan kept."""
    return Planned(boxes, width).paginate(height)


class Planned:
    """Freshly composed boxes, measured once, paginated at a frame's height (again at another height, as when
    the footer needs more lines, each time from the boxes as they were composed: what pagination changes in
    them, their keeps and reserves, is put back first).

    With `skeleton`, the boxes were composed from a document with a skeleton (model.Skeleton) by a composer that
    read nothing else of it but its language (`skeleton` says which: a digest of the document's key with all the
    composer reads besides, `_planned_as` in pdf.py): the boxes are a deterministic function of that and of the
    patient's values, so a plan is keyed by it and by the only measures that vary between patients with the same
    skeleton, those of the boxes that show a patient value (`patient_measures`), instead of measuring every box.
    `key` is the plan's key at the last height paginated (render/sharing.py keys the pages by it).

    The boxes may be composed as they are asked for (`compose.Composed`): then only those up to the last that shows
    a patient value are composed for the key, and a plan replayed for its first pages composes only the boxes
    those pages reach (each box given the plan's keeps and reserves when it is final, as all of them are when
    composed at once); paginating without a plan composes them all."""

    def __init__(self, boxes: list[Box] | Composed, width: float, skeleton: str | None = None):
        self.composed = boxes if isinstance(boxes, Composed) else Composed.given(boxes)
        self.width = width
        self.composed_keeps: list[tuple[bool, bool] | None] = []  # each settled box's keeps, as composed
        self.reserves: list[tuple[TextBlock, tuple]] = []  # and its text blocks' reserves, as composed
        self._settled = 0  # boxes whose keeps and reserves as composed are recorded (final boxes, in order)
        self.measured = ("skeleton", skeleton, patient_measures(self.composed.through_values(), width)) \
            if skeleton is not None else _measures(self.boxes, width)
        self.paginated = False
        self.key: tuple | None = None

    @property
    def boxes(self) -> list[Box]:
        """Every box, composed."""
        boxes = self.composed.all()
        self._settle()
        return boxes

    def _settle(self) -> None:
        """Record the keeps and reserves of the boxes composed since, as composed (before any plan changes them)."""
        boxes = self.composed.boxes[self._settled:self.composed.final]
        self.composed_keeps += _keeps(boxes)
        self.reserves += [(block, block.reserve) for block in _text_blocks(boxes) if block.reserve is not None]
        self._settled = self.composed.final

    def count(self, height: float) -> int | None:
        """How many pages the plan for this height makes, when there is one (nothing is paginated)."""
        plan = PLANS.find((self.width, height, self.measured))
        return None if plan is None else plan.count

    def _as_composed(self, height: float) -> PagePlan | None:
        """The boxes as composed again when paginated before (their keeps and reserves); the plan at `height`."""
        if self.paginated:
            settled = self.composed.boxes[:self._settled]
            _set_keeps(settled, self.composed_keeps)
            for block, reserve in self.reserves:
                block.reserve = reserve
        self.paginated = True
        key = self.key = (self.width, height, self.measured)
        return PLANS.find(key)

    def pages_at(self, height: float, wanted: list[int]) -> dict[int, Page] | None:
        """The pages at `height` whose indexes are `wanted` (0-based), each placed alone from where the plan says it
        starts (`paginate.replay_page`): the pages between them are not placed; None without a plan that says.
        Each page is the page `paginate` gives: the same boxes, composed the same, given the same keeps and
        reserves, and the same actions done with them from the same place."""
        plan = self._as_composed(height)
        if plan is None or not wanted or max(wanted) >= min(plan.count, len(plan.starts)):
            return None
        return {index: replay_page(lambda at: self._box(plan, at), self.width, height, plan.actions,
                                   plan.starts[index], index + 1) for index in sorted(wanted)}

    def paginate(self, height: float, until: int | None = None) -> list[Page]:
        """The pages at `height`; with `until` and a plan, only the first `until` of them."""
        width = self.width
        key = (width, height, self.measured)
        plan = self._as_composed(height)
        if plan is None:
            boxes = self.boxes
            keep_rules(boxes, width, height)
            pages, own, actions = paginated(boxes, width, height)
            keeps = _keeps(boxes)
            plan = PagePlan(keeps, own, actions, len(pages),
                            page_starts(tuple([kept is None for kept in keeps]), actions))
            PLANS.put(key, plan, 16 * len(self.measured) + plan.size)
            return pages
        return replay(self._planned(plan), width, height, plan.actions, until)

    def _planned(self, plan: PagePlan) -> Iterator[Box]:
        """Each box, composed when the replay reaches it, with the plan's keeps (and, when the plan was made for
        the patient's own text, no reserve) once it is final: what `_set_keeps` and `drop_reserves` do to all the
        boxes before a replay, done to each before the replay sees it."""
        index = 0
        while (box := self._box(plan, index)) is not None:
            yield box
            index += 1

    def _box(self, plan: PagePlan, index: int) -> Box | None:
        """The box at `index`, composed (and those before it) and final, with the plan's keeps and reserves, as
        `_planned` gives it; None past the last."""
        if index >= self._settled:
            self._settle()  # the boxes final already (all of them, when they were composed at once)
            while index >= self._settled and self.composed.more():
                self._settle()
            if index >= self._settled:
                return None
        box = self.composed.boxes[index]
        if index >= len(plan.keeps):
            raise InternalError("a page plan ended before its boxes")
        kept = plan.keeps[index]
        if kept is not None:
            box.keep_with_next, box.prefer_with_next = kept
        if plan.own:
            drop_reserves([box])
        return box


def _keeps(boxes: list[Box]) -> tuple[tuple[bool, bool] | None, ...]:
    return tuple([None if isinstance(box, PageBreakBox) else (box.keep_with_next, box.prefer_with_next)
                  for box in boxes])


def _set_keeps(boxes: list[Box], keeps: tuple[tuple[bool, bool] | None, ...]) -> None:
    for box, kept in zip(boxes, keeps):
        if kept is not None:
            box.keep_with_next, box.prefer_with_next = kept


def _text_blocks(boxes: list[Box]):
    for box in boxes:
        if isinstance(box, CalloutBox):
            yield from _text_blocks(box.blocks)
        elif isinstance(box, TextBlock):
            yield box


def plan_key(boxes: list[Box], width: float, height: float) -> tuple:
    """Everything the keep rules and the paginator read of the boxes, as numbers, flags and roles (no text); a box
    of a kind the key does not know stops the render as a bug."""
    return width, height, _measures(boxes, width)


def patient_measures(boxes: list[Box], width: float) -> tuple:
    """What the keep rules and the paginator read of the patient's own text, for each box that shows a patient
    value (by its place among the boxes, a callout's inner boxes after it): a text block's own line count and
    drawn height (its lines and line to write on: the height it has with its reserve dropped, and its height on
    its page, `_close_up` in paginate.py; with the reserve, its height is the taller of that and the reserve's lines,
    which the skeleton decides) and a timeline's height. Whether a split leaves two lines on each side, whether a
    closing paragraph is short, how tall a section or a callout is: all read from these. Counts and heights,
    no text."""
    found: list[tuple] = []
    _patient_measures(boxes, width, found, [0])
    return tuple(found)


def _patient_measures(boxes: list[Box], width: float, found: list, index: list[int]) -> None:
    for box in boxes:
        index[0] += 1
        kind = type(box)
        if kind is TextBlock:
            if box.reserve is not None or any(span.reserve is not None for span in box.spans):
                found.append((index[0], len(box.lines(width)), box.drawn_height(width)))
        elif kind is CalloutBox:
            _patient_measures(box.blocks, box.inner_width(width), found, index)
        elif kind is TimelineBox:
            if any(span.reserve is not None for spans in (box.caption, *box.steps) for span in spans):
                found.append((index[0], box.height(width)))
        elif kind is not PageBreakBox:
            raise InternalError(f"a page plan does not know a {kind.__name__}")


def _measures(boxes: list[Box], width: float) -> tuple:
    elements: dict = {}
    return tuple([_measured(box, width, elements) for box in boxes])


def _measured(box: Box, width: float, elements: dict) -> tuple | str:
    kind = type(box)
    if kind is PageBreakBox:
        return "break"
    # Which box's element this is (split pieces share theirs; loosened keeps are remembered by element).
    element = elements.setdefault(box.element, len(elements))
    common = (element, box.space_before, box.space_after, box.keep_with_next, box.prefer_with_next,
              box.keep_together)
    if kind is TextBlock:
        if box.fixed_lines is not None:
            raise InternalError("a page plan is made of whole blocks")
        return ("text", *common, box.element.role, box.label is None, box.write_in, box.style.leading,
                len(box.lines(width)), box.reserve_lines(width) if box.reserve is not None else -1,
                box.height(width), box.drawn_height(width))
    if kind is CalloutBox:
        inner = box.inner_width(width)
        return ("callout", *common, box.inset, tuple([_measured(block, inner, elements) for block in box.blocks]))
    if kind is TimelineBox:
        return ("timeline", *common, box.height(width))
    raise InternalError(f"a page plan does not know a {kind.__name__}")
