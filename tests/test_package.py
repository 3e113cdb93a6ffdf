"""The built wheel works on its own: everything a command needs ships inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import CSV_SHORT, LSS_482931

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    """The project built as a wheel (pip wheel) and unpacked: what `pip install` puts in site-packages."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = out.glob("integkit-*.whl")
    target = out / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-m", "integkit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_the_wheel_holds_templates_questionnaire_demo_data_and_codebook(unpacked_wheel: Path) -> None:
    package = unpacked_wheel / "integkit"
    for name in (
        "report/templates/meeting_report.ipynb", "report/templates/municipality_report.ipynb",
        "report/templates/page.html.j2", "report/templates/report.css", "data/vernetzungstreffen.lss",
        "data/demo/meetings.yaml", "data/demo/demo-2026-11/export.csv", "themes/default_codebook.yaml",
    ):
        assert (package / name).is_file(), name


def test_an_installed_wheel_imports_and_reports_outside_the_checkout(unpacked_wheel: Path, tmp_path: Path) -> None:
    where = run(unpacked_wheel, tmp_path, "--help")
    assert where.returncode == 0, where.stderr
    check = subprocess.run([sys.executable, "-c", "import integkit; print(integkit.__file__)"], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(unpacked_wheel)}, capture_output=True, text=True)
    assert check.stdout.strip().startswith(str(unpacked_wheel))  # not the checkout
    assert run(unpacked_wheel, tmp_path, "init", "ws").returncode == 0
    assert (tmp_path / "ws" / "surveys" / "vernetzungstreffen.lss").is_file()
    imported = run(unpacked_wheel, tmp_path, "import", "vt-2026-10", str(CSV_SHORT), "--structure", str(LSS_482931), "-w", "ws")
    assert imported.returncode == 0, imported.stderr
    reported = run(unpacked_wheel, tmp_path, "report", "vt-2026-10", "--jobs", "1", "-w", "ws")
    assert reported.returncode == 0, reported.stderr
    assert (tmp_path / "ws" / "reports" / "vt-2026-10" / "vt-2026-10_bericht.html").is_file()
    assert "WARNING" not in reported.stderr  # no kernel transport notice
