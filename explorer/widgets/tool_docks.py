"""The latent tools as docks on the left, tabbed with the Training dock: Denoise, Attributes, Interpolate,
Sample, Draw; and the VAE's views as tabs beside the Inspector (right): Posterior (q(z|x) as ellipses), Holes
(the holes map). Eight tabs side by side do not fit one side of a 1280×720 screen (tab titles are never cut:
``explorer/window_fit.py``).

Each panel gets the session and the scatter (for its overlay and clicks); ``install``
returns the docks by name. A tool's marks show on the scatter only while its tab is in front, so the arrow,
paths and sample markers of the other tools do not pile up; a shift-click brings the Interpolate tab forward.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea

from explorer.widgets.attributes_panel import AttributesPanel
from explorer.widgets.denoise_panel import DenoisePanel
from explorer.widgets.draw_panel import DrawPanel
from explorer.widgets.holes_panel import HolesPanel
from explorer.widgets.interpolate_panel import InterpolatePanel
from explorer.widgets.posterior_panel import PosteriorPanel
from explorer.widgets.sampling_panel import SamplingPanel

PANELS = (("Denoise", DenoisePanel), ("Attributes", AttributesPanel), ("Interpolate", InterpolatePanel),
          ("Sample", SamplingPanel), ("Draw", DrawPanel), ("Posterior", PosteriorPanel),
          ("Holes", HolesPanel))
BESIDE_INSPECTOR = ("Posterior", "Holes")


def install(window, session, scatter, beside: QDockWidget) -> dict[str, QDockWidget]:
    """Make the tool docks, tab them with ``beside`` (the Training dock) or, BESIDE_INSPECTOR, with the
    window's ``inspector_dock``, and return {title: dock}."""
    docks = {}
    for title, panel_class in PANELS:
        panel = panel_class(session, scatter)
        dock = QDockWidget(title, window)
        dock.setObjectName(f"tool_{title.lower()}")
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(panel)
        dock.setWidget(scroll)
        dock.panel = panel
        if title in BESIDE_INSPECTOR:
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            window.tabifyDockWidget(window.inspector_dock, dock)
        else:
            window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
            window.tabifyDockWidget(beside, dock)
        overlay = getattr(panel, "overlay", None)
        if overlay is not None:
            dock.visibilityChanged.connect(overlay.set_visible)
        if hasattr(panel, "set_visible"):  # a panel that works only while in front (Posterior, Holes)
            dock.visibilityChanged.connect(panel.set_visible)
        docks[title] = dock
    scatter.shiftClicked.connect(lambda *_: docks["Interpolate"].raise_())
    docks["Holes"].panel.watch(docks["Interpolate"].panel.tool, docks["Sample"].panel.tool)  # the meter
    return docks
