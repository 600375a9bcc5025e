"""The controls a *Show me* link sets before it stages its lesson: every setting of every latent tool and of
the scatter, back to the values the lessons are written for, so that what was left from earlier use (a
temperature of 1.83, seed 1, a 2-step strip, a colouring by z1) never changes what a lesson shows.

``LESSON_VALUES`` names each value; ``reset(window, labels)`` applies them, and brings the neutral tabs
forward (``NEUTRAL_TABS``: Training on the left, the Inspector on the right), so that no tool's marks from an
earlier lesson stay on the scatter (the Attributes arrow over the posterior lesson's clouds): a tool's marks
show only while its tab is in front. A lesson's own staging (``explorer.demo``: its tool's tab, the denoise
level, the morph's α…) comes after and may set a control again.
"""

from __future__ import annotations

LESSON_VALUES = {
    # Sampling (lesson 2: "each decoded from a random code z ~ N(0, I)"; "the same seed always gives the same
    # grid"): an 8×8 grid at temperature 1, seed 0
    "sample.rows": 8, "sample.cols": 8, "sample.temperature": 1.0, "sample.seed": 0,
    # Attributes: a 9-image strip to α = 1, no A, B, C being picked
    "attributes.k": 9, "attributes.alpha": 1.0, "attributes.picking": False,
    # Interpolate: 9 steps on a straight line, not playing
    "interpolate.steps": 9, "interpolate.method": "lerp", "interpolate.playing": False,
    # Denoise (lesson 3 starts from a little Gaussian noise): Gaussian, 30 %, noise seed 0
    "denoise.kind": "gaussian", "denoise.level": 0.3, "denoise.seed": 0,
    # Draw: an empty canvas (the brush follows the image size)
    "draw.empty": True,
    # The scatter: coloured by class, a 15×15 decoded grid, no Find matches drawn over the points
    "colour": "class", "grid.n": 15, "find": "",
}


NEUTRAL_TABS = ("training", "inspector")  # one per side of the scatter; neither draws on it


def reset(window, labels: bool | None = None) -> None:
    """Set every tool's and the scatter's controls to ``LESSON_VALUES``; the Labels box to ``labels`` (None:
    the data set's default, on for a font's characters); the ``NEUTRAL_TABS`` in front."""
    for key in NEUTRAL_TABS:
        window.docks[key].show()
        window.docks[key].raise_()
    v = LESSON_VALUES
    docks = window.tool_docks
    sampler = docks["Sample"].panel.tool
    sampler.set_size(v["sample.rows"], v["sample.cols"])
    sampler.set_temperature(v["sample.temperature"])
    sampler.set_seed(v["sample.seed"])
    attributes = docks["Attributes"].panel.tool
    attributes.clear_analogy()
    attributes.set_k(v["attributes.k"])
    attributes.set_alpha(v["attributes.alpha"])
    interpolate = docks["Interpolate"].panel.tool
    interpolate.pause()
    interpolate.set_steps(v["interpolate.steps"])
    interpolate.set_method(v["interpolate.method"])
    denoise = docks["Denoise"].panel.tool
    denoise.set_kind(v["denoise.kind"])
    denoise.set_level(v["denoise.level"])
    denoise.set_seed(v["denoise.seed"])
    _reset_draw(docks["Draw"].panel)
    window.extras.colour.choose(v["colour"])
    window.extras.find.edit.setText(v["find"])
    window.extras.find.search(v["find"])
    window.grid.size_box.setValue(v["grid.n"])
    _reset_labels(window.scatter, labels)


def _reset_draw(panel) -> None:
    from explorer.widgets.canvas import default_brush

    panel.canvas.clear()
    panel.canvas.set_brush(default_brush(panel.canvas.shape))


def _reset_labels(scatter, labels: bool | None) -> None:
    from explorer.widgets.scatter import labels_by_default

    scatter.labels_box.setChecked(labels_by_default(scatter.session.dataset) if labels is None else labels)
