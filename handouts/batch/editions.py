"""Which rows get their packet in their own language: an edition is used only when it may be.

A row whose language lacks an edition of something it needs has already been
given English (`batch.fall_back`, with a note). The rows still in another
language need, for the packet opening, every document they ask for and, for
`send`, the email where it has an edition:

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

from ..load.languages import language_name, primary
from ..load.profile import sample_fields, stale_translation, translation_hint, untranslated
from ..load.project import Project
from ..load.roster import RosterRow, RowProblem
from ..load.signoff import SignOff, sign_off
from ..pipeline import OPENING


def usable_editions(project: Project, rows: list[RosterRow], default: str, selection
                    ) -> tuple[list[RosterRow], list[RowProblem], list[str]]:
    """(the rows, each in a language it may have; the rows refused; notes). `selection` says what is allowed
    (`allow_draft`, `fallback_to_english`) and which parts besides the opening count (`parts`)."""
    sample = bool(sample_fields(project.clinic))
    drafts_allowed = selection.allow_draft or sample
    signed: dict[tuple[str, str], SignOff] = {}
    out: list[RosterRow] = []
    problems: list[RowProblem] = []
    fell_back: dict[str, list[int]] = {}  # reason -> row numbers
    allowed: dict[str, list[int]] = {}  # a draft edition used because the profile is the sample -> row numbers
    for row in rows:
        if primary(row.language) == primary(default):
            out.append(row)
            continue
        code = primary(row.language)
        language = f"{language_name(row.language)} ({row.language})"
        reasons = []
        missing = untranslated(project.clinic, code)
        stale = stale_translation(project.clinic, code)
        if missing:
            keys = ", ".join(f"'{key}'" for key in missing)
            todo = f"add {'it' if len(missing) == 1 else 'them'} under 'translations: {code}:' in the clinic profile"
            reasons.append((f"the clinic profile has the clinic's own {keys} in English but not in {language}", todo))
        elif stale:
            reasons.append((f"the clinic profile's {language} sentences were not translated from its English ones "
                            "as they are now", translation_hint(code, stale) + " in the clinic profile"))
        needed = [OPENING, *row.documents,
                  *(part for part in selection.parts if project.content.has_edition(part, row.language))]
        for name in dict.fromkeys(needed):
            if (name, code) not in signed:
                signed[(name, code)] = sign_off(project.content, name, code)
            edition = signed[(name, code)]
            if edition.approved:
                continue
            if drafts_allowed:
                if sample and not selection.allow_draft:
                    allowed.setdefault(f"{edition.edition} {edition.reason}", []).append(row.number)
                continue
            reasons.append((f"{edition.edition} {edition.reason}", edition.hint))
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
             f"({_numbers(numbers)}; --fallback-to-english)" for reason, numbers in fell_back.items()]
    notes += [f"{reason}; used for {len(numbers)} row(s) because the clinic profile is the sample ({_numbers(numbers)})"
              for reason, numbers in allowed.items()]
    return out, problems, notes


def _numbers(numbers: list[int], most: int = 10) -> str:
    shown = ", ".join(str(n) for n in numbers[:most])
    return "rows " + shown + (f" and {len(numbers) - most} more" if len(numbers) > most else "")
