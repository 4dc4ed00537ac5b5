"""`handouts init`: a new clinic folder, written whole or not at all, never over anything.

The folder is made in a hidden staging folder beside it and renamed into place: a run that fails or is cut off
leaves the place as it was (at most a `.NAME.init-*` folder beside it). The target must not exist, or be an
empty folder; renaming onto a folder that gained a file meanwhile fails, so nothing is ever replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError, OutputError

PROFILE = "clinic.yaml"
SAMPLE_SUFFIXES = (".md", ".yaml")  # what the shipped content and layouts are made of: nothing else is copied

# Patient data never goes into version control: the packets, the print job, the drafts, the ledger (and SQLite's
# journal beside it) and the roster exports. The clinic's profile, content and layouts are what to keep there.
GITIGNORE = """\
# Patient data: never in version control (handouts writes it; the roster comes from the scheduling system).
output/
*.pdf
*.eml
*.csv
*.sqlite3
*.sqlite3-*
"""

README = """\
This is a clinic folder for handouts: the clinic's own profile, documents and
print sizes, apart from the program. Run handouts in this folder (or any folder
inside it), or from anywhere with --home DIR or HANDOUTS_HOME=DIR.

  clinic.yaml   the clinic profile: a SAMPLE until you fill it in
  content/      the documents (Markdown); their Spanish editions in content/es/
  layouts/      the print sizes: standard, large-print, extra-large
  output/       what handouts writes: handouts, packets, email drafts, the send
                ledger. It holds patient data: .gitignore keeps it, rosters
                (*.csv), print jobs (*.pdf), drafts (*.eml) and ledgers
                (*.sqlite3) out of version control. Back up the ledger with
                the clinic's records.

Next steps

1. Fill in clinic.yaml: the clinic's name, phone numbers and address, its own
   instructions before a visit and their Spanish translations; then delete
   the line 'sample: true'. To email packets through the clinic's mail
   server, fill in its 'mail:' section. Never write a password there: handouts
   takes it from HANDOUTS_SMTP_PASSWORD, the system keyring (service
   "handouts"), or asks.
2. Check the content:        handouts lint
3. Have a clinician review each document, then record the sign-off:
       handouts approve --all --by "Dr. A. Reviewer"
       handouts approve --all --language es --by "Dra. B. Revisora"
4. Each morning, open the front desk's console:   handouts serve
   The same steps at the command line, for scripts:
       handouts packets roster.csv --print-job output/print-today.pdf
       handouts send roster.csv

Every command explains itself: handouts --help, handouts COMMAND --help.
"""


def _copy_sample(source: Path, target: Path, skip: tuple[str, ...] = ()) -> None:
    """The shipped files of `source` (and its subfolders: the editions) into `target`."""
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if not path.is_file() or path.suffix not in SAMPLE_SUFFIXES or relative.as_posix() in skip:
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)  # the bytes as shipped: an approval's hash still holds


def _refuse_unless_empty(target: Path) -> None:
    if target.is_dir() and not target.is_symlink() and not any(target.iterdir()):
        return
    if target.exists() or target.is_symlink():  # a link is refused even to an empty folder: it would be replaced
        raise InputError("is already there and not an empty folder: nothing was written", source=str(target),
                         rule="init-not-empty", hint="name a new folder; init never writes over anything")


def write_clinic_folder(target: Path, content: Path, layouts: Path) -> None:
    """Write a clinic folder at `target` from the shipped `content` (whose clinic.yaml becomes the folder's
    profile) and `layouts`: clinic.yaml, content/, layouts/, output/, .gitignore and README.txt."""
    target = Path(target)
    _refuse_unless_empty(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write here ({exc.strerror})", source=str(target), rule="init-unwritable",
                          hint="choose a folder you may write in") from None
    try:
        shutil.copyfile(content / PROFILE, staging / PROFILE)
        _copy_sample(content, staging / "content", skip=(PROFILE,))
        _copy_sample(layouts, staging / "layouts")
        (staging / "output").mkdir()
        (staging / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (staging / "README.txt").write_text(README, encoding="utf-8")
        mask = os.umask(0)
        os.umask(mask)
        staging.chmod(0o777 & ~mask)  # as a folder made here gets it, not the staging folder's owner-only mode
        _place(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write the clinic folder ({exc.strerror}); nothing was written",
                          source=str(target), rule="init-unwritable", hint="choose a folder you may write in") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone once renamed; what is left of a failure


def _place(staging: Path, target: Path) -> None:
    """Rename the finished folder into place. POSIX replaces an empty folder and refuses one with anything in it;
    where the system refuses an existing folder outright (Windows), an empty one is removed first."""
    try:
        os.rename(staging, target)
    except OSError:
        _refuse_unless_empty(target)
        if not target.is_dir():
            raise
        target.rmdir()
        os.rename(staging, target)
