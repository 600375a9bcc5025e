"""Example set-ups of each latent tool: what ``main.py --tool NAME`` shows (screenshots, a classroom demo).

``stage(window, name)`` brings the tool's tab forward and sets it up on the loaded model and data: it picks
test images of the first classes, so the same command always shows the same thing. ``idle(window)`` is True
once no worker has anything left to do (the screenshot waits for it).
"""

from __future__ import annotations

import numpy as np

from explorer.state import Projection
from explorer.tools.jobs import Jobs

TOOLS = ("denoise", "attributes", "interpolate", "sample", "draw")
VIEWS = ("axes", "pca", "tsne", "umap", "pixels-pca", "pixels-tsne", "pixels-umap")


def first_test_row(session, label: int) -> int:
    """The first test image of class ``label`` (any image of it if the test split has none; -1 if none)."""
    labels = np.asarray(session.dataset.labels)
    rows = np.flatnonzero(labels == label)
    test = rows[rows >= session.dataset.n_train]
    return int(test[0]) if len(test) else (int(rows[0]) if len(rows) else -1)


def stage(window, name: str) -> None:
    if name not in TOOLS:
        raise ValueError(f"unknown tool {name!r}: one of {', '.join(TOOLS)}")
    dock = window.tool_docks[name.capitalize()]
    dock.raise_()
    globals()[f"_{name}"](window.session, dock.panel.tool)


def set_view(window, kind: str) -> None:
    if kind not in VIEWS:
        raise ValueError(f"unknown view {kind!r}: one of {', '.join(VIEWS)}")
    if kind != "axes" or window.session.projection.kind != "axes":
        window.session.set_projection(Projection(kind))


def idle(window) -> bool:
    s = window.session
    return not s.busy and s.computing is None and not any(j.busy for j in window.findChildren(Jobs))


def _denoise(session, tool) -> None:
    session.select(first_test_row(session, 0))
    tool.set_kind("gaussian")
    tool.set_level(0.5)
    tool.run_sweep()


def _attributes(session, tool) -> None:
    if tool.attribute_names:
        tool.set_attribute(0)
        session.select(int(np.flatnonzero(~session.dataset.attributes[:, 0])[0]))
    else:
        tool.set_classes(0, 1)
        session.select(first_test_row(session, 0))
    tool.set_alpha(2.0)


def _interpolate(session, tool) -> None:
    a, b = first_test_row(session, 0), first_test_row(session, min(1, len(session.class_names) - 1))
    tool.shift_click(a, 0.0, 0.0)
    tool.shift_click(b, 0.0, 0.0)
    tool.set_method("slerp")


def _sample(session, tool) -> None:
    tool.refresh()


def _draw(session, tool) -> None:
    """A "0" drawn through the canvas's API: an oval in one stroke, as a hand would draw it."""
    canvas = tool.parent().canvas  # the Draw panel's
    canvas.clear()
    angles = np.linspace(0.0, 2 * np.pi, 41) + np.pi / 2
    canvas.add_stroke(zip(0.5 + 0.24 * np.cos(angles), 0.5 - 0.34 * np.sin(angles), strict=True))
