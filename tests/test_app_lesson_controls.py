"""Every *Show me* link in resources/lessons.md sets every control its lesson relies on: whatever was left
from earlier use (temperature 1.83, seed 1, a 2-step strip, a colouring by z1, picking A, B, C…) is gone,
and each control is at the value the lesson's text is written for."""

import re
from dataclasses import replace

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QUrl

from explorer import lessons
from explorer.lessons import LESSONS_MD, SETUPS

LOAD_MS = 120_000
LINKS = re.findall(r"\(lesson:([\w-]+)\)", LESSONS_MD.read_text(encoding="utf-8"))
SMALLER = {"shapes": "shapes:600", "faces": "faces:600"}  # the same model and code path, faster


def disturb(window) -> None:
    """Every control moved away from where a lesson starts, as a class's earlier use leaves them."""
    d = window.tool_docks
    sampler = d["Sample"].panel.tool
    sampler.set_size(3, 5)
    sampler.set_temperature(1.83)
    sampler.set_seed(1)
    attributes = d["Attributes"].panel.tool
    attributes.set_k(2)
    attributes.set_alpha(-2.5)
    attributes.start_analogy()
    interpolate = d["Interpolate"].panel.tool
    interpolate.set_steps(3)
    interpolate.set_method("slerp" if interpolate.method == "lerp" else "lerp")
    denoise = d["Denoise"].panel.tool
    denoise.set_kind("mask")
    denoise.set_level(0.95)
    denoise.set_seed(7)
    d["Draw"].panel.canvas.set_brush(9.0)
    window.extras.colour.choose("z:1")
    window.grid.size_box.setValue(4)
    window.scatter.labels_box.setChecked(not window.scatter.labels_box.isChecked())


def controls(window) -> dict:
    d = window.tool_docks
    sampler, attributes = d["Sample"].panel.tool, d["Attributes"].panel.tool
    interpolate, denoise = d["Interpolate"].panel.tool, d["Denoise"].panel.tool
    canvas = d["Draw"].panel.canvas
    from explorer.widgets.canvas import default_brush

    return {"sample": (sampler.rows, sampler.cols, sampler.temperature, sampler.seed),
            "attributes": (attributes.k, attributes.picking), "alpha": attributes.alpha,
            "interpolate steps": interpolate.steps, "playing": interpolate.timer.isActive(),
            "denoise": (denoise.kind, denoise.seed), "level": denoise.level,
            "brush": canvas.brush == default_brush(canvas.shape), "colour": window.extras.colour.current,
            "grid": window.grid.size_box.value()}


def test_every_show_me_link_has_a_set_up():
    assert len(LINKS) >= 16 and set(LINKS) <= set(SETUPS)


@pytest.mark.parametrize("name", sorted(set(LINKS)))
def test_show_me_sets_every_control_its_lesson_relies_on(name, window, qtbot, monkeypatch):
    monkeypatch.setattr(lessons, "data_found", lambda spec: spec != "fashion-mnist")  # the digits fall-back
    for key, setup in SETUPS.items():  # smaller data, and no t-SNE (minutes): the controls are the same
        view = "axes" if "tsne" in setup.view else setup.view
        monkeypatch.setitem(SETUPS, key, replace(setup, data=SMALLER.get(setup.data, setup.data), view=view))
    setup = lessons.resolve(SETUPS[name])
    with qtbot.waitSignal(window.session.ready, timeout=LOAD_MS):
        window.session.open_model(lessons.model_file(setup), setup.data)
    disturb(window)
    with qtbot.waitSignal(window.help.runner.staged, timeout=LOAD_MS):
        window.help.open_lessons().anchorClicked.emit(QUrl(f"lesson:{name}"))
    got = controls(window)
    # lesson 2: "each decoded from a random code z ~ N(0, I)", "the same seed always gives the same grid"
    assert got["sample"] == (8, 8, 1.0, 0)
    assert got["attributes"] == (9, False)
    assert got["alpha"] == (setup.alpha or 2.0 if setup.tool == "attributes" else 1.0)
    assert got["interpolate steps"] == 9 and not got["playing"]
    assert got["denoise"] == ("gaussian", 0) and got["level"] == (0.5 if setup.tool == "denoise" else 0.3)
    assert got["brush"] and got["colour"] == "class" and got["grid"] == 15
    labels = window.scatter.labels_box
    assert labels.isChecked() == (setup.labels or setup.data.startswith("glyphs"))


def marks_shown(window) -> set[str]:
    """The names of the overlays (one per tool, and Find's matches) with a mark in view on the scatter."""
    shown = {name for name, overlay in window.scatter.overlays.items() if hasattr(overlay, "marks")
             and any(item.isVisible() for mark in overlay.marks.values() for item in mark.items)}
    find = window.extras.find
    return shown | ({"find"} if len(find.rows_shown()) and find.dots.isVisible() else set())


def test_a_lesson_leaves_on_the_scatter_only_the_marks_it_relies_on(window, qtbot, monkeypatch):
    """After lesson 4 (Attributes) its red arrow and morph path stayed over the posterior's clouds, the
    holes map and the pixels' PCA: the Attributes tab stayed in front on the left."""
    monkeypatch.setattr(lessons, "data_found", lambda spec: spec != "fashion-mnist")  # the digits fall-back
    page = window.help.open_lessons()
    holes = window.docks["holes"].panel
    for name, own in (("attributes", {"attributes"}), ("posterior", {"posterior"}),
                      ("attributes", {"attributes"}), ("holes-map-vae", set()), ("pixels-pca", set())):
        with qtbot.waitSignal(window.help.runner.staged, timeout=LOAD_MS):
            page.anchorClicked.emit(QUrl(f"lesson:{name}"))
        qtbot.waitUntil(lambda own=own: own <= marks_shown(window), timeout=LOAD_MS)
        assert marks_shown(window) == own, name
        if name == "holes-map-vae":
            qtbot.waitUntil(lambda: holes.image.isVisible(), timeout=LOAD_MS)
        else:
            assert not holes.image.isVisible(), name
        # a search left for the next lesson: its matches over the points
        window.extras.find.search(f"class:{window.session.class_names[3]}")
        assert "find" in marks_shown(window)
