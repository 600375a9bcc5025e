"""The tools' marks on the scatter (overlays), the image strip, the tool docks and ``main.py --tool``."""

from __future__ import annotations

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS

from explorer.state import Projection


def _drawn(item) -> np.ndarray:
    x, y = item.getData() if hasattr(item, "getData") else (item.data["x"], item.data["y"])
    return np.c_[x, y]


def test_a_path_is_drawn_through_the_view_and_follows_a_change_of_view(scene):
    s = scene.session
    overlay = scene.scatter.overlay("test")
    codes = s.codes[:5]
    overlay.path("p", codes)
    line = overlay.marks["p"].items[0]
    np.testing.assert_allclose(_drawn(line), s.to_view(codes), atol=1e-5)
    s.set_projection(Projection("pca"))
    np.testing.assert_allclose(_drawn(line), s.plane.from_latent(codes), atol=1e-5)
    np.testing.assert_allclose(overlay.view_xy("p"), s.xy[:5], atol=1e-4)


def test_the_arrow_head_points_along_the_arrow_on_screen(scene):
    s = scene.session
    overlay = scene.scatter.overlay("test")
    (x0, x1), (y0, y1) = scene.scatter.view.viewRange()
    mid = np.array([(x0 + x1) / 2, (y0 + y1) / 2], np.float32)
    for direction, angle in (((1, 0), 180.0), ((-1, 0), 0.0), ((0, 1), 90.0)):  # right, left, up on screen
        end = mid + 0.2 * np.array(direction, np.float32)
        overlay.arrow("a", s.plane.to_latent(mid[None])[0], s.plane.to_latent(end[None])[0])
        head = overlay.marks["a"].items[1]
        assert head.opts["angle"] % 360 == pytest.approx(angle % 360, abs=1.0)
        assert (head.pos().x(), head.pos().y()) == pytest.approx(tuple(end), abs=1e-4)


def test_setting_a_mark_again_moves_its_items_and_a_new_look_makes_new_ones(scene):
    """A tool that sets its mark at every epoch of a training (Attributes' arrow, Interpolate's path) moves
    the items it has: making, removing and adding them took ~30 ms of GUI time each time."""
    s = scene.session
    overlay = scene.scatter.overlay("test")
    graphics = scene.scatter.plot.scene()
    overlay.arrow("a", s.codes[0], s.codes[1])
    overlay.path("p", s.codes[:3])
    overlay.points("m", s.codes[:2], labels=["A", "B"])
    kept = {key: list(mark.items) for key, mark in overlay.marks.items()}
    count = len(graphics.items())
    overlay.arrow("a", s.codes[2], s.codes[3])
    overlay.path("p", s.codes[4:8])
    overlay.points("m", s.codes[5:7], labels=["A", "B"])
    assert {key: list(mark.items) for key, mark in overlay.marks.items()} == kept
    assert len(graphics.items()) == count
    np.testing.assert_allclose(_drawn(kept["a"][0]), s.xy[2:4], atol=1e-5)
    np.testing.assert_allclose(_drawn(kept["p"][0]), s.xy[4:8], atol=1e-5)
    np.testing.assert_allclose(_drawn(kept["m"][0]), s.xy[5:7], atol=1e-5)
    assert (kept["a"][1].pos().x(), kept["a"][1].pos().y()) == pytest.approx(tuple(s.xy[3]), abs=1e-4)
    overlay.arrow("a", s.codes[2], s.codes[3], width=5.0)  # another look: new items, the old ones gone
    assert overlay.marks["a"].items[0] is not kept["a"][0] and kept["a"][0].scene() is None
    overlay.points("m", s.codes[5:8], labels=["A", "B", "C"])  # other labels: made again
    assert overlay.marks["m"].items[0] is not kept["m"][0]
    overlay.set_look(scale=1.5)
    assert all(item.scene() is None for item in kept["p"])
    assert overlay.marks["p"].items[0].opts["pen"].widthF() == pytest.approx(2.5 * 1.5)


def test_moves_during_a_drag_are_drawn_at_most_every_interval_and_the_last_one_always(scene, qtbot):
    from explorer.widgets.overlays import MOVE_EVERY_MS

    s = scene.session
    overlay = scene.scatter.overlay("test")
    overlay.points("m", s.codes[:1])
    item = overlay.marks["m"].items[0]
    assert overlay.move("m", s.codes[1:2])  # the first move is drawn at once
    np.testing.assert_allclose(_drawn(item), s.xy[1:2], atol=1e-5)
    for row in range(2, 6):  # a quick drag: held back while the interval runs
        assert overlay.move("m", s.codes[row:row + 1])
    np.testing.assert_allclose(_drawn(item), s.xy[1:2], atol=1e-5)
    qtbot.waitUntil(lambda: np.allclose(_drawn(item), s.xy[5:6], atol=1e-5), timeout=20 * MOVE_EVERY_MS)
    assert not overlay.move("nothing", s.codes[:1])  # no such mark: the caller makes one


def test_hidden_marks_stay_hidden_and_come_back(scene):
    overlay = scene.scatter.overlay("test")
    overlay.path("p", scene.session.codes[:3])
    line = overlay.marks["p"].items[0]
    overlay.set_visible(False)
    assert not line.isVisible()
    overlay.path("q", scene.session.codes[3:6])  # made while hidden: hidden too
    assert not overlay.marks["q"].items[0].isVisible()
    overlay.set_visible(True)
    assert line.isVisible() and overlay.marks["q"].items[0].isVisible()


def _shown(overlay, key) -> list[bool]:
    return [item.isVisible() for item in overlay.marks[key].items]


def test_lines_and_arrows_are_not_drawn_in_a_view_that_is_not_invertible(scene, qtbot):
    """In the pixels' PCA (or t-SNE, UMAP) a code is drawn at its nearest encoded code: a point still has a
    place there, but a latent direction or a straight latent path has none (the Attributes arrow was drawn
    between two nearest points). Back in an invertible view they are drawn again."""
    s = scene.session
    overlay = scene.scatter.overlay("test")
    overlay.arrow("a", s.codes[0], s.codes[1])
    overlay.path("p", s.codes[:4])
    overlay.points("m", s.codes[:2], labels=["A", "B"])
    assert all(_shown(overlay, "a") + _shown(overlay, "p") + _shown(overlay, "m"))
    for view in (Projection("pixels-pca"), Projection("pca")):
        s.set_projection(view)
        qtbot.waitUntil(lambda v=view: s.projection == v and s.computing is None, timeout=LOAD_TIMEOUT_MS)
        overlay.arrow("b", s.codes[2], s.codes[3])  # made in this view
        lines = _shown(overlay, "a") + _shown(overlay, "p") + _shown(overlay, "b")
        assert all(lines) if view.invertible else not any(lines), view
        assert all(_shown(overlay, "m"))
        np.testing.assert_allclose(_drawn(overlay.marks["m"].items[0]), s.xy[:2], atol=1e-5)


def test_the_attributes_arrow_is_not_drawn_over_the_pixels_pca(loaded, qtbot):
    from explorer import demo

    s = loaded.session
    demo.stage(loaded, "attributes")
    overlay = loaded.scatter.overlays["attributes"]
    qtbot.waitUntil(lambda: "direction" in overlay.marks and overlay.visible, timeout=LOAD_TIMEOUT_MS)
    assert all(_shown(overlay, "direction"))
    s.set_projection(Projection("pixels-pca"))
    qtbot.waitUntil(lambda: s.projection.kind == "pixels-pca", timeout=LOAD_TIMEOUT_MS)
    assert "direction" in overlay.marks and not any(_shown(overlay, "direction"))
    assert not any(any(_shown(overlay, key)) for key, mark in overlay.marks.items() if mark.kind != "points")


def test_only_the_tool_in_front_shows_its_marks(loaded, qtbot):
    docks = loaded.tool_docks
    sampling = loaded.scatter.overlays["sampling"]
    docks["Sample"].raise_()
    qtbot.waitUntil(lambda: "samples" in sampling.marks and sampling.visible, timeout=LOAD_TIMEOUT_MS)
    assert sampling.marks["samples"].items[0].isVisible()
    docks["Denoise"].raise_()
    qtbot.waitUntil(lambda: not sampling.visible)
    assert not sampling.marks["samples"].items[0].isVisible()


def test_a_shift_click_brings_the_interpolate_tab_forward(loaded, qtbot):
    from app_fixtures import view_to_widget
    from PySide6.QtCore import Qt

    s = loaded.session
    loaded.tool_docks["Sample"].raise_()
    x, y = s.xy[0]
    qtbot.mouseClick(loaded.scatter.plot.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, view_to_widget(loaded, x, y))
    panel = loaded.tool_docks["Interpolate"].panel
    qtbot.waitUntil(lambda: panel.isVisible())
    assert panel.tool.a is not None and panel.tool.a.row == 0


@pytest.mark.parametrize(("w", "h", "width", "height", "scale"), [
    (100, 10, 450, 300, 4.0),  # room for 4.5×: a whole 4× keeps every pixel the same size
    (300, 30, 450, 300, 1.5),  # under 2×: a fraction, so that the strip fills the panel
    (900, 30, 450, 300, 0.5),  # wider than the panel: shrunk to fit
])
def test_strips_fill_their_panel(w, h, width, height, scale):
    from explorer.widgets.strip import fit_scale

    assert fit_scale(w, h, width, height) == pytest.approx(scale)


def test_an_image_strip_shows_its_images_and_a_placeholder(qtbot):
    from explorer.widgets.strip import ImageStrip

    strip = ImageStrip("nothing yet")
    qtbot.addWidget(strip)
    strip.resize(400, 100)
    strip.show_images(np.zeros((5, 1, 8, 8), np.float32), highlight=2)
    assert strip.pixmap().width() > 0 and strip.images.shape == (5, 1, 8, 8)
    strip.show_images(None)
    assert strip.images is None and strip.text() == "nothing yet"


SHOWN = {"denoise": lambda t: t.result is not None and t.level == 0.5,
         "attributes": lambda t: t.morph is not None and t.alpha == 2.0,
         "interpolate": lambda t: t.strip is not None and t.method == "slerp",
         "sample": lambda t: t.samples is not None}


@pytest.mark.parametrize("tool", list(SHOWN))
def test_each_tool_has_an_example_set_up(loaded, qtbot, tool):
    from explorer import demo

    demo.stage(loaded, tool)
    panel = loaded.tool_docks[tool.capitalize()].panel
    qtbot.waitUntil(lambda: demo.idle(loaded) and SHOWN[tool](panel.tool), timeout=LOAD_TIMEOUT_MS)
    assert panel.isVisible()


def test_main_tool_and_view_render_a_screenshot(model_file, tmp_path):
    import subprocess
    import sys

    from PIL import Image

    png = tmp_path / "shot.png"
    args = [str(model_file), "--tool", "interpolate", "--view", "pca", "--screenshot", str(png),
            "--size", "1280x720"]
    out = subprocess.run([sys.executable, "main.py", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    with Image.open(png) as image:
        assert image.size == (1280, 720)
