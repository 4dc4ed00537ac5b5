"""The clinic folder through the CLI: `handouts init`, and how every command finds the folder (--home,
HANDOUTS_HOME, the current folder or its nearest parent holding clinic.yaml), with explicit options winning."""

import json
import shutil
import subprocess

import pytest
from conftest import DATA, REPO, run

SHIPPED = sorted(p.relative_to(REPO).as_posix() for folder in ("content", "layouts")
                 for p in (REPO / folder).rglob("*") if p.is_file() and p.suffix in (".md", ".yaml"))
PATIENT_FILES = ("output/packets/P001_2026-12-03.pdf", "output/send-ledger.sqlite3",
                 "output/send-ledger.sqlite3-journal", "output/outbox/P001_2026-12-03.eml", "roster.csv",
                 "exports/Appointments 2026-12-03.csv", "print-today.pdf", "P001.eml", "ledger-copy.sqlite3")


def files_in(folder):
    return sorted(path for path in (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
                  if not path.startswith(".git/"))


def init(capsys, folder):
    code, out, err = run(capsys, "init", str(folder))
    assert code == 0, err
    return folder


def ledger_path(capsys, *args):
    """Where `send --status` looks for the ledger: the cheapest way to see which clinic folder a command chose."""
    code, _, err = run(capsys, *args, "send", "--status")
    assert code == 2 and "there is no ledger here yet" in err, err
    return err.removeprefix("error: ").split(": there is no ledger")[0]


def test_init_writes_a_clinic_folder_with_the_shipped_content(capsys, tmp_path):
    folder = tmp_path / "clinic"
    code, out, err = run(capsys, "init", str(folder))
    assert code == 0 and err == "" and "Wrote the clinic folder" in out and "README.txt" in out
    expected = [".gitignore", "README.txt", "clinic.yaml",
                *(path for path in SHIPPED if path != "content/clinic.yaml")]
    assert files_in(folder) == sorted(expected)
    assert (folder / "output").is_dir() and not any((folder / "output").iterdir())
    assert (folder / "clinic.yaml").read_bytes() == (REPO / "content" / "clinic.yaml").read_bytes()
    assert "sample: true" in (folder / "clinic.yaml").read_text(encoding="utf-8")
    for path in SHIPPED:  # byte for byte: an approval's hash would still hold
        if path != "content/clinic.yaml":
            assert (folder / path).read_bytes() == (REPO / path).read_bytes(), path
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert all(step in readme for step in ("clinic.yaml", "handouts approve", "handouts serve", "handouts lint"))


def test_the_gitignore_keeps_patient_files_out_and_the_clinic_files_in(capsys, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = init(capsys, tmp_path / "clinic")
    lines = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"output/", "*.sqlite3", "*.csv", "*.eml", "*.pdf"} <= set(lines)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    for name in PATIENT_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")

    def ignored(names):
        found = subprocess.run(["git", "-C", str(folder), "check-ignore", "--no-index", *names],
                               capture_output=True, text=True)
        return found.stdout.splitlines()

    assert sorted(ignored(PATIENT_FILES)) == sorted(PATIENT_FILES)
    kept = [path for path in files_in(folder) if path not in PATIENT_FILES]
    assert "clinic.yaml" in kept and ignored(kept) == []


@pytest.mark.parametrize("existing", ["a file in it", "a file", "a link to an empty folder"])
def test_init_never_writes_over_anything(capsys, tmp_path, existing):
    folder = tmp_path / "clinic"
    if existing == "a file in it":
        folder.mkdir()
        (folder / "notes.txt").write_text("ours")
    elif existing == "a file":
        folder.write_text("ours")
    else:
        (tmp_path / "empty").mkdir()
        folder.symlink_to(tmp_path / "empty")
    before = files_in(tmp_path)
    code, out, err = run(capsys, "init", str(folder))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: {folder}: ") and "not an empty folder" in err
    assert files_in(tmp_path) == before and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert existing != "a file in it" or (folder / "notes.txt").read_text() == "ours"


def test_init_fills_an_empty_folder_and_makes_missing_parents(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    init(capsys, tmp_path / "empty")
    init(capsys, tmp_path / "new" / "clinics" / "lakeside")
    assert (tmp_path / "empty" / "clinic.yaml").is_file()
    assert (tmp_path / "new" / "clinics" / "lakeside" / "clinic.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "new"]  # no staging folder left behind


def test_a_clinic_folder_builds_and_lints_with_no_options(capsys, tmp_path, monkeypatch):
    folder = init(capsys, tmp_path / "clinic")
    monkeypatch.chdir(folder)
    code, out, err = run(capsys, "build")
    assert code == 0, err
    documents = sorted(p.stem for p in (REPO / "content").glob("*.md") if not p.stem.startswith("_"))
    assert sorted(p.relative_to(folder / "output").as_posix() for p in (folder / "output").rglob("*.pdf")) == sorted(
        f"{layout}/{doc}.pdf" for layout in ("extra-large", "large-print", "standard") for doc in documents)
    assert "SAMPLE" in err  # the profile found is the folder's own sample
    code, out, _ = run(capsys, "lint", "--json")
    findings = json.loads(out)
    assert code == 1 and {f["rule"] for f in findings} == {"profile-sample"}
    assert {f["source"] for f in findings} == {"clinic.yaml"} and all(f["line"] for f in findings)
    code, out, _ = run(capsys, "list")
    assert code == 0 and "infusion-day-checklist" in out and "extra-large" in out


def test_packets_from_a_subfolder_find_the_clinic_folder(capsys, tmp_path, monkeypatch, write_roster):
    folder = init(capsys, tmp_path / "clinic")
    inside = folder / "rosters" / "december"
    inside.mkdir(parents=True)
    roster = write_roster([["P001", "Jack Smith", "2026-12-03 09:30", "Jack", "large-print", ""]])
    shutil.copy(roster, inside / "roster.csv")
    monkeypatch.chdir(inside)
    code, out, err = run(capsys, "packets", "roster.csv", "--jobs", "1", "--quiet")
    assert code == 0, err
    assert "Wrote 1 packet(s) to ../../output/packets" in out
    assert sorted(p.name for p in (folder / "output" / "packets").iterdir()) == ["P001_2026-12-03.pdf",
                                                                                  "manifest.csv"]
    assert not (inside / "output").exists()


def test_home_then_handouts_home_then_the_folder_found(capsys, tmp_path, monkeypatch):
    named, environment, found = (init(capsys, tmp_path / name) for name in ("named", "environment", "found"))
    (found / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(found / "deep" / "er")
    assert ledger_path(capsys) == "../../output/send-ledger.sqlite3"
    monkeypatch.setenv("HANDOUTS_HOME", str(environment))
    assert ledger_path(capsys) == str(environment / "output" / "send-ledger.sqlite3")
    assert ledger_path(capsys, "--home", str(named)) == str(named / "output" / "send-ledger.sqlite3")
    monkeypatch.delenv("HANDOUTS_HOME")
    monkeypatch.chdir(found)
    assert ledger_path(capsys) == "output/send-ledger.sqlite3"
    monkeypatch.chdir(tmp_path)  # no clinic folder here or above: the current folder, as in the repository
    assert ledger_path(capsys) == "output/send-ledger.sqlite3"


@pytest.mark.parametrize("how", ["--home", "HANDOUTS_HOME"])
@pytest.mark.parametrize("where", ["missing", "not a clinic folder"])
def test_a_folder_named_that_is_no_clinic_folder_is_one_line(capsys, tmp_path, monkeypatch, how, where):
    folder = tmp_path / "somewhere"
    if where != "missing":
        folder.mkdir()
        (folder / "notes.txt").write_text("x")
    args = ["--home", str(folder)] if how == "--home" else []
    if how == "HANDOUTS_HOME":
        monkeypatch.setenv("HANDOUTS_HOME", str(folder))
    code, out, err = run(capsys, *args, "list")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert str(folder) in err and ("HANDOUTS_HOME=" in err) == (how == "HANDOUTS_HOME")
    assert "--home DIR" in err and "handouts init" in err
    # A command that needs no clinic folder never looks for one.
    code, out, _ = run(capsys, *args, "check", str(tmp_path / "missing.pdf"))
    assert code == 1 and "missing.pdf" in out


def test_explicit_options_win_over_the_clinic_folder(capsys, tmp_path, monkeypatch):
    folder = init(capsys, tmp_path / "clinic")
    content = tmp_path / "other-content"
    shutil.copytree(REPO / "content", content)
    (content / "extra-handout.md").write_text("---\ntitle: An extra handout\n---\nHello.\n", encoding="utf-8")
    layouts = tmp_path / "other-layouts"
    layouts.mkdir()
    shutil.copy(REPO / "layouts" / "standard.yaml", layouts / "standard.yaml")
    monkeypatch.chdir(folder)
    code, out, err = run(capsys, "list", "--content", str(content), "--layouts", str(layouts))
    assert code == 0, err
    assert "An extra handout" in out and "standard" in out and "large-print" not in out
    code, out, _ = run(capsys, "lint", "--json")
    assert code == 1 and {f["rule"] for f in json.loads(out)} == {"profile-sample"}
    code, out, err = run(capsys, "lint", "--clinic", str(DATA / "clinic_send.yaml"))  # a filled-in profile
    assert code == 0 and "0 finding(s)" in out, out + err
    code, out, err = run(capsys, "build", "infusion-day-checklist", "--layout", "standard", "--out",
                         str(tmp_path / "printouts"))
    assert code == 0 and (tmp_path / "printouts" / "standard" / "infusion-day-checklist.pdf").is_file(), err
    assert not (folder / "output" / "standard").exists()


def test_the_repository_works_as_before_and_as_a_named_folder(capsys, tmp_path, monkeypatch):
    """The repository has content/clinic.yaml and no clinic.yaml: from its root, the current folder's content,
    layouts and output; named with --home, the same folders there."""
    monkeypatch.chdir(REPO)
    code, out, _ = run(capsys, "list")
    assert code == 0 and "fibromyalgia-ketamine" in out
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--home", str(REPO), "list")
    assert code == 0 and "fibromyalgia-ketamine" in out, err
    assert ledger_path(capsys, "--home", str(REPO)) == str(REPO / "output" / "send-ledger.sqlite3")


def test_every_shipped_file_is_package_data_of_the_wheel(monkeypatch):
    """setup.py maps content/ and layouts/ into the package as handouts/sample/; pyproject.toml's package data
    must name every file init copies, or a wheel installed elsewhere would write an incomplete clinic folder.
    (The wheel itself is built and read by hand: see the habits in docs/architecture.md.)"""
    import fnmatch
    import runpy

    import setuptools

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    captured = {}
    monkeypatch.setattr(setuptools, "setup", lambda **options: captured.update(options))
    runpy.run_path(str(REPO / "setup.py"))
    mapped = captured["package_dir"]
    assert {"content", "layouts"} <= set(mapped.values()) and set(mapped) <= set(captured["packages"])
    patterns = {package: [*data.get(package, []), *captured.get("package_data", {}).get(package, [])]
                for package in mapped}
    missing = []
    for path in SHIPPED:  # each file belongs to the package of its own folder (content/es/ is one of its own)
        folder, _, inside = path.rpartition("/")
        package = next((name for name, mapped_folder in mapped.items() if mapped_folder == folder), None)
        if package is None or not any(fnmatch.fnmatchcase(inside, pattern) for pattern in patterns[package]):
            missing.append(path)
    assert not missing, f"not package data, so not in the wheel: {missing}"


def test_an_installed_wheel_takes_the_sample_from_the_package(tmp_path, monkeypatch):
    from handouts.load import home

    assert home.shipped_sample() == (REPO / "content", REPO / "layouts")  # a checkout: the repository's own
    package = tmp_path / "site-packages" / "handouts"
    (package / "sample" / "content").mkdir(parents=True)
    (package / "sample" / "layouts").mkdir()
    (package / "sample" / "content" / "clinic.yaml").write_text("name: x\n")
    monkeypatch.setattr(home, "_PACKAGE", package)
    assert home.shipped_sample() == (package / "sample" / "content", package / "sample" / "layouts")
    (package / "sample" / "content" / "clinic.yaml").unlink()
    with pytest.raises(Exception, match="missing from this installation"):
        home.shipped_sample()
