"""Charts of the facilitator's notebooks: the report's charts, drawn with one distinct colour per series.

`integkit.report.charts.trend` cycles through eight colours, so two of eleven themes share one;
here every series (up to twelve) gets its own colour and marker, and the chart is kept as PNG
(to show) and SVG (to download).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from integkit.report.charts import Chart

# Okabe–Ito's eight colour-blind-safe colours, then four of Paul Tol's that stay apart from them
SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#882255",
                  "#999933", "#332288", "#888888", "#F0E442"]


@dataclass(frozen=True)
class Picture:
    """A drawn chart: PNG and SVG bytes, the alt text, and the colour of each series."""

    png: bytes
    svg: bytes
    alt: str
    colours: dict[str, str]


def distinct(chart: "Chart") -> dict[str, str]:
    """Give every line of a chart (and its legend entry) its own colour; returns series → colour."""
    ax = chart.figure.axes[0]
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    legend = ax.get_legend()
    handles = legend.legend_handles if legend is not None else []
    colours = {}
    for i, line in enumerate(lines):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        line.set_color(colour)
        if i < len(handles):
            handles[i].set_color(colour)
        colours[line.get_label()] = colour
    return colours


def picture(chart: "Chart | None", dpi: int = 110) -> Picture | None:
    """Draw a chart to PNG and SVG (and close it)."""
    if chart is None:
        return None
    import matplotlib.pyplot as plt

    colours = distinct(chart)
    png, svg = io.BytesIO(), io.BytesIO()
    chart.figure.savefig(png, format="png", dpi=dpi, bbox_inches="tight")
    chart.figure.savefig(svg, format="svg", bbox_inches="tight")
    plt.close(chart.figure)
    return Picture(png.getvalue(), svg.getvalue(), chart.alt, colours)


def trend(frame: pd.DataFrame, kind: str = "themes") -> Picture | None:
    """Theme shares or rating means across meetings, one distinct colour per series."""
    from integkit.report import charts  # matplotlib and seaborn: imported when a chart is drawn

    return picture(charts.trend(frame, "de", kind))
