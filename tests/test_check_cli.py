"""The `evidence check` command: exact output in every format, and its exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.cli import main

BASIC = Path(__file__).parent / "sites" / "basic"
C = "content/conditions/example-disease.yaml"
SPARE = "\n@misc{spare2022,\n  title = {Spare},\n  year = {2022},\n}\n"

E402 = "unknown grade 'lo'; did you mean 'low'?"
E404 = "unknown reference key 'roe2019cas' (claim 'example-web-claim'); did you mean 'roe2019case'?"
W301 = "reference 'spare2022' is not cited by any claim or page; cite it or remove it"


def copy_basic(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    shutil.copytree(BASIC, root)
    return root


def error_site(tmp_path: Path) -> Path:
    """Two errors in a topic file and one unused reference."""
    root = copy_basic(tmp_path)
    topic = root / C
    text = topic.read_text("utf-8").replace("grade: low", "grade: lo").replace("cite: [roe2019case]", "cite: [roe2019cas]")
    topic.write_text(text, "utf-8")
    with (root / "references.bib").open("a", encoding="utf-8") as f:
        f.write(SPARE)
    return root


def warning_site(tmp_path: Path) -> Path:
    root = copy_basic(tmp_path)
    with (root / "references.bib").open("a", encoding="utf-8") as f:
        f.write(SPARE)
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", str(copy_basic(tmp_path))) == (0, "0 errors, 0 warnings\n", "")


def test_clean_site_strict_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(copy_basic(tmp_path))
    assert run(capsys, "check", root, "--strict") == (0, "0 errors, 0 warnings\n", "")
    assert run(capsys, "check", root, "--format", "json") == (0, "[]\n", "")


def test_error_site_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(error_site(tmp_path)))
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        f"{C}:7:12: E402 {E402}",
        f"{C}:16:12: E404 {E404}",
        f"references.bib:32:1: W301 {W301}",
        "2 errors, 1 warning",
    ]


def test_error_site_github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(error_site(tmp_path)), "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        f"::error file={C},line=7,col=12,title=E402::{E402}",
        f"::error file={C},line=16,col=12,title=E404::{E404}",
        f"::warning file=references.bib,line=32,col=1,title=W301::{W301}",
    ]
    assert err == "2 errors, 1 warning\n"


def test_github_escapes_property_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_basic(tmp_path)
    (root / "content" / "conditions" / "a,b.yaml").write_text("title: X\nsummary: Y.\n", "utf-8")
    code, out, err = run(capsys, "check", str(root), "--format", "github")
    assert code == 1
    assert out == (
        "::error file=content/conditions/a%2Cb.yaml,line=1,col=1,title=E204::"
        "file name 'a,b' is not a valid topic slug: use lowercase letters, digits and single hyphens\n"
    )
    assert err == "1 error, 0 warnings\n"


def test_error_site_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(error_site(tmp_path)), "--format", "json")
    assert code == 1
    assert err == ""
    assert json.loads(out) == [
        {"code": "E402", "severity": "error", "path": C, "line": 7, "col": 12, "message": E402},
        {"code": "E404", "severity": "error", "path": C, "line": 16, "col": 12, "message": E404},
        {"code": "W301", "severity": "warning", "path": "references.bib", "line": 32, "col": 1, "message": W301},
    ]


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(warning_site(tmp_path))
    expected = f"references.bib:32:1: W301 {W301}\n0 errors, 1 warning\n"
    assert run(capsys, "check", root) == (0, expected, "")
    assert run(capsys, "check", root, "--strict") == (1, expected, "")


def test_whole_file_finding_has_no_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_basic(tmp_path)
    (root / "references.bib").unlink()
    code, out, _ = run(capsys, "check", str(root), "--format", "github", "--changed", "references.bib")
    assert code == 1
    assert out.splitlines()[0] == "::error file=references.bib,title=E107::no references.bib here"


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope"
    assert run(capsys, "check", str(missing)) == (2, "", f"evidence: {missing}: no such folder\n")


def test_folder_without_claims_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = f"evidence: {tmp_path}: no claims.yaml here; pass the folder that holds the review\n"
    assert run(capsys, "check", str(tmp_path)) == (2, "", expected)


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err.startswith("usage: evidence [-h] COMMAND ...")
    assert "check     validate claims, references and prose; report every problem" in err


def test_unknown_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(tmp_path), "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_default_path_is_the_current_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(error_site(tmp_path))
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert out.splitlines()[-1] == "2 errors, 1 warning"


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("evidence")
    command = str(script) if script.exists() else shutil.which("evidence")
    assert command, "the `evidence` console script is not installed (pip install -e .)"
    root = copy_basic(tmp_path)
    done = subprocess.run([command, "check"], cwd=root, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "0 errors, 0 warnings\n", "")
    done = subprocess.run([command, "check", str(error_site(tmp_path / "bad"))], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "2 errors, 1 warning"


def test_github_format_annotates_changed_files_first_and_summarises_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 findings: GitHub shows only 10 annotations, so the changed file's come first; the summary has all 60."""
    root = copy_basic(tmp_path)
    topics = root / "content" / "conditions"
    for n in range(6):
        claims = "".join(f"  - {{id: bulk-{n}-{i}, statement: s, grade: low, why: w, cite: [nosuch{n}x{i}]}}\n" for i in range(10))
        (topics / f"bulk-{n}.yaml").write_text(f"title: Bulk {n}\nsummary: s\nclaims:\n{claims}", "utf-8")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run(capsys, "check", str(root), "--format", "github", "--changed", "content/conditions/bulk-4.yaml")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 11
    assert all(line.startswith("::error file=content/conditions/bulk-4.yaml,") for line in lines[:10])
    assert lines[10] == "::notice title=evidence::50 more finding(s) are listed in the job summary"
    assert err == "60 errors, 0 warnings\n"
    table = summary.read_text("utf-8").splitlines()
    assert table[0] == "### evidence check: 60 errors, 0 warnings"
    rows = [r for r in table if r.startswith("| error |")]
    assert len(rows) == 60
    assert rows[0].startswith("| error | `content/conditions/bulk-4.yaml:4:")
