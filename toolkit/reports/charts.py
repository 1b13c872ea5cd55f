"""Static charts for reports: matplotlib figures embedded as PNG, each with a text
alternative (alt text and the figures it plots), so they survive PDF and screen readers.

No pyplot: figures are made directly, so a batch worker never holds global plot state.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.reports.html import escape, table


@dataclass
class Chart:
    """A static chart with its text alternative (alt text and the plotted figures)."""

    png: bytes
    alt: str
    data: pd.DataFrame
    title: str

    def _repr_html_(self) -> str:
        src = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        return (
            f'<figure class="chart keep-together"><img src="{src}" alt="{escape(self.alt)}"/>'
            f"<figcaption>{escape(self.title)}. {escape(self.alt)}</figcaption></figure>"
            + str(table(self.data, caption=f"Figures in the chart: {self.title}"))
        )


def figure(width: float = 6.5, height: float = 2.6) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
