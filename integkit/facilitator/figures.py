"""Charts of the facilitator's notebooks: the report's charts, kept as PNG (to show) and SVG (to download)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from typing import TYPE_CHECKING

import pandas as pd

from integkit.analysis.tables import meeting_labels

if TYPE_CHECKING:
    from integkit.analysis.meeting import Analysis
    from integkit.report.charts import Chart

@dataclass(frozen=True)
class Picture:
    """A drawn chart: PNG and SVG bytes, the alt text, and the colour of each series."""

    png: bytes
    svg: bytes
    alt: str
    colours: dict[str, str]


def picture(chart: "Chart | None", dpi: int = 110) -> Picture | None:
    """Draw a chart to PNG and SVG (and close it)."""
    if chart is None:
        return None
    import matplotlib.pyplot as plt

    ax = chart.figure.axes[0]
    colours = {" ".join(line.get_label().split()): line.get_color() for line in ax.get_lines() if not line.get_label().startswith("_")}
    png, svg = io.BytesIO(), io.BytesIO()
    chart.figure.savefig(png, format="png", dpi=dpi, bbox_inches="tight")
    chart.figure.savefig(svg, format="svg", bbox_inches="tight")
    plt.close(chart.figure)
    return Picture(png.getvalue(), svg.getvalue(), chart.alt, colours)


def trend(frame: pd.DataFrame, kind: str = "themes", analysis: "Analysis | None" = None) -> Picture | None:
    """Theme shares or rating means across meetings, one distinct colour per series (labels and dates from ``analysis``)."""
    from integkit.report import charts  # matplotlib and seaborn: imported when a chart is drawn

    labels = {x: analysis.theme_label(x) for x in analysis.theme_order()} if analysis is not None else None
    meetings = meeting_labels(analysis) if analysis is not None else None
    return picture(charts.trend(frame, "de", kind, labels, meetings))
