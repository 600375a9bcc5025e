"""The latent tools as docks on the left, tabbed with the Training dock:
Denoise, Attributes, Interpolate, Sample.

Each panel gets the session and the scatter (for its overlay and clicks); ``install``
returns the docks by name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea

from explorer.widgets.attributes_panel import AttributesPanel
from explorer.widgets.denoise_panel import DenoisePanel
from explorer.widgets.interpolate_panel import InterpolatePanel
from explorer.widgets.sampling_panel import SamplingPanel

PANELS = (("Denoise", DenoisePanel), ("Attributes", AttributesPanel), ("Interpolate", InterpolatePanel),
          ("Sample", SamplingPanel))


def install(window, session, scatter, beside: QDockWidget) -> dict[str, QDockWidget]:
    """Make the tool docks, tab them with ``beside`` (the Training dock) and return {title: dock}."""
    docks = {}
    for title, panel_class in PANELS:
        panel = panel_class(session, scatter)
        dock = QDockWidget(title, window)
        dock.setObjectName(f"tool_{title.lower()}")
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(panel)
        dock.setWidget(scroll)
        dock.panel = panel
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        window.tabifyDockWidget(beside, dock)
        docks[title] = dock
    return docks
