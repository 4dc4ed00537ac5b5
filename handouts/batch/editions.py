"""Which rows get their packet in their own language, decided here and only here.

A row whose language lacks an edition of something it needs gets the whole
packet in English, with a note (`fall_back`): never a mix, since a packet is
tagged with one language. The rows still in another language need, for the
packet opening, every document they ask for and, for `send`, the email where
it has an edition (`usable_editions`):

- each edition approved, as the very text that was approved, against the
  English text as it is now (`load.signoff`): a draft, an edition changed
  since its approval, or one approved against an earlier English text is not
  used;
- the clinic's sentences (`safety_*`, `before_visit_*` in the profile)
  translated into that language, from the English sentences as they are now
  (`profile.untranslated`, `profile.stale_translation`): without them the
  packet would print an English step, or a translation of words the English
  packet no longer says.

Such a row is refused (a row problem naming the row, the language and the
document, never a patient's value) or, with `--fallback-to-english`, gets the
whole packet in English with a note. `--allow-draft` (or the shipped sample
profile, whose every page says SAMPLE) lets editions that are not approved be
used, as it does for the English documents; a missing translation of the
clinic's words is refused all the same.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import rows_text
from ..load.languages import language_name, primary
from ..load.profile import sample_fields, stale_translation, translation_hint, untranslated
from ..load.project import Project
from ..load.roster import RosterRow, RowProblem
from ..load.signoff import SignOff, sign_off
from ..pipeline import OPENING


def choose_languages(project: Project, rows: list[RosterRow], default: str, selection
                     ) -> tuple[list[RosterRow], list[RowProblem], list[str]]:
    """(the rows, each in the language its packet will be in; the rows refused for their language; notes)."""
    rows, missing = fall_back(project, rows, default)
    rows, refused, notes = usable_editions(project, rows, default, selection)
    return rows, refused, missing + notes


# The parts a packet (and its email) needs in the patient's language besides the chosen documents.
PACKET_PARTS = ("_packet",)


def fall_back(project: Project, rows: list[RosterRow], default: str) -> tuple[list[RosterRow], list[str]]:
    """Rows whose language lacks an edition of one of their documents (or of the packet opening) get the whole
    packet in `default` (English), with one note per language and document: never a silent mix, and never a
    mix at all, since a packet is tagged with one language."""
    missing: dict[tuple[str, str], list[int]] = {}
    out = []
    for row in rows:
        if primary(row.language) == primary(default):
            out.append(row)
            continue
        lacking = [name for name in (*PACKET_PARTS, *row.documents)
                   if not project.content.has_edition(name, row.language)]
        for name in lacking:
            missing.setdefault((row.language, name), []).append(row.number)
        out.append(replace(row, language=default) if lacking else row)
    notes = [f"no {language_name(language)} ({language}) edition of '{name}': {len(numbers)} row(s) get their "
             f"packet in {language_name(default)} instead ({rows_text(numbers)}); translate it into "
             f"{primary(language)}/{name}.md" for (language, name), numbers in missing.items()]
    return out, notes


def usable_editions(project: Project, rows: list[RosterRow], default: str, selection
                    ) -> tuple[list[RosterRow], list[RowProblem], list[str]]:
    """(the rows, each in a language it may have; the rows refused; notes). `selection` says what is allowed
    (`allow_draft`, `fallback_to_english`) and which parts besides the opening count (`parts`)."""
    check = _EditionCheck(project, selection)
    out: list[RosterRow] = []
    problems: list[RowProblem] = []
    fell_back: dict[str, list[int]] = {}  # reason -> row numbers
    for row in rows:
        if primary(row.language) == primary(default):
            out.append(row)
            continue
        language = f"{language_name(row.language)} ({row.language})"
        reasons = check.reasons(row, language)
        if not reasons:
            out.append(row)
        elif selection.fallback_to_english:
            out.append(replace(row, language=default))
            for reason, _ in reasons:
                fell_back.setdefault(reason, []).append(row.number)
        else:
            what = "; ".join(reason for reason, _ in reasons)
            todo = "; ".join(dict.fromkeys(hint for _, hint in reasons))
            problems.append(RowProblem(row.number, row.patient_id, "language",
                                       f"its {language} packet cannot be made: {what}. To fix it: {todo}; "
                                       f"or pass --fallback-to-english to give this row its packet in "
                                       f"{language_name(default)}"))
    notes = [f"{reason}: {len(numbers)} row(s) get their packet in {language_name(default)} instead "
             f"({rows_text(numbers)}; --fallback-to-english)" for reason, numbers in fell_back.items()]
    notes += [f"{reason}; used for {len(numbers)} row(s) because the clinic profile is the sample "
              f"({rows_text(numbers)})" for reason, numbers in check.allowed.items()]
    return out, problems, notes


class _EditionCheck:
    """Why a row's packet may not be made in its language: (reason, what to do) pairs, none when it may."""

    def __init__(self, project: Project, selection):
        self.project = project
        self.selection = selection
        self.sample = bool(sample_fields(project.clinic))
        self.signed: dict[tuple[str, str], SignOff] = {}
        self.allowed: dict[str, list[int]] = {}  # a draft edition used because the profile is the sample -> rows

    def reasons(self, row: RosterRow, language: str) -> list[tuple[str, str]]:
        code = primary(row.language)
        return self._clinic_words(code, language) + self._editions(row, code)

    def _clinic_words(self, code: str, language: str) -> list[tuple[str, str]]:
        """The clinic's own sentences: translated, and from the English ones as they are now."""
        clinic = self.project.clinic
        missing = untranslated(clinic, code)
        if missing:
            keys = ", ".join(f"'{key}'" for key in missing)
            todo = f"add {'it' if len(missing) == 1 else 'them'} under 'translations: {code}:' in the clinic profile"
            return [(f"the clinic profile has the clinic's own {keys} in English but not in {language}", todo)]
        stale = stale_translation(clinic, code)
        if stale:
            return [(f"the clinic profile's {language} sentences were not translated from its English ones "
                     "as they are now", translation_hint(code, stale) + " in the clinic profile")]
        return []

    def _editions(self, row: RosterRow, code: str) -> list[tuple[str, str]]:
        """Every edition the row's packet needs: approved, or a draft where drafts are allowed."""
        content, selection = self.project.content, self.selection
        needed = [OPENING, *row.documents,
                  *(part for part in selection.parts if content.has_edition(part, row.language))]
        reasons = []
        for name in dict.fromkeys(needed):
            if (name, code) not in self.signed:
                self.signed[(name, code)] = sign_off(content, name, code)
            edition = self.signed[(name, code)]
            if edition.approved:
                continue
            if selection.allow_draft or self.sample:
                if not selection.allow_draft:
                    self.allowed.setdefault(f"{edition.edition} {edition.reason}", []).append(row.number)
                continue
            reasons.append((f"{edition.edition} {edition.reason}", edition.hint))
        return reasons
