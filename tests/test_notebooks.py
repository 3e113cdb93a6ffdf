"""The facilitator's notebooks: committed without outputs, and run top to bottom with papermill on a demo copy."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from integkit.themes.coding import load_corrections
from integkit.workspace import Workspace

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FACILITATOR = ("explore", "codebook_review", "compare_meetings")


@pytest.fixture
def ws(demo_ws: Workspace) -> Workspace:
    return demo_ws


def _run(name: str, ws: Workspace, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / f"{name}.out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(out), parameters={"workspace": str(ws.root), **parameters},
        kernel_name="python3", cwd=str(ws.root), progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def _outputs(nb: nbformat.NotebookNode) -> str:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")) + str(output.get("text", "")))
            assert output.get("output_type") != "error", output
    return "\n".join(texts)


@pytest.mark.parametrize("name", FACILITATOR)
def test_committed_clean_with_parameters(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    parameters = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    source = parameters[0].source
    assert 'meeting_id = "demo-2026-11"' in source and "workspace" in source and "password" not in source.lower()
    if name != "compare_meetings":
        assert "show_personal_data = False" in source


def test_explore_runs(ws: Workspace, tmp_path: Path) -> None:
    text = _outputs(_run("explore", ws, tmp_path, query="Wohnung", theme="wohnen", municipality="Freising"))
    assert "Wohnungsmarkt" in text and "Wohnungen" in text  # the lemma- and compound-aware search
    assert "Wohnen · Freising: " in text and "<blockquote>" in text and "Personen je Thema und Gemeinde" in text
    assert "huber@example.org" not in text


def test_codebook_review_runs_saves_and_shows_kappa(ws: Workspace, tmp_path: Path) -> None:
    fix = [{"response_id": 1, "question_id": "q_gut", "themes": "arbeit;sprache"}]
    text = _outputs(_run("codebook_review", ws, tmp_path, corrections_to_save=fix, coder="AB"))
    assert "Aus den Parametern gespeichert: 1 Antwort." in text
    assert "kappa" in text and "Verglichen: 1 Antwort, die die Moderation kodiert hat" in text
    assert load_corrections(ws, "demo-2026-11")["themes"].tolist() == ["arbeit;sprache"]
    assert "ohne Thema" in text and "zweifelhaft" in text


def test_compare_meetings_runs(ws: Workspace, tmp_path: Path) -> None:
    text = _outputs(_run("compare_meetings", ws, tmp_path))
    assert "13.05.2026" in text and "18.11.2026" in text and "Landkreis gesamt" in text and "<img" in text
    assert "1 = sehr schlecht" in text and "Grafik als SVG" in text and "Freising: mittlere Bewertung" in text
