"""Around the scatter: the Neighbours dock (latent and pixel neighbours with distances, a click selects),
the Find box (a class ringed, Enter steps through it, a number jumps, nothing found says so), and Colour by
(reconstruction error, KL per point, an attribute, a latent coordinate; a colour bar; cividis; Cancel)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS
from PySide6.QtCore import Qt

from trainer.latent import encode
from trainer.neighbours import neighbours
from trainer.point_values import kl_per_point
from trainer.quality import reconstruction_errors


def neighbours_panel(window, qtbot):
    dock = window.extras.neighbours
    dock.raise_()
    qtbot.waitUntil(lambda: dock.panel.active, timeout=5000)
    return dock.panel


def test_neighbours_of_the_selected_point_in_both_spaces(loaded, qtbot):
    s, panel = loaded.session, neighbours_panel(loaded, qtbot)
    s.select(40)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.row == 40, timeout=LOAD_TIMEOUT_MS)
    expected = neighbours(s.codes, s.dataset.images, 40, 8)
    assert panel.shown_rows("latent") == expected.latent_rows.tolist()
    assert panel.shown_rows("pixel") == expected.pixel_rows.tolist()
    first = panel.buttons["pixel"][0]
    assert f"{expected.pixel_dist[0]:.3g}" in first.text()
    np.testing.assert_allclose(panel.overlay.view_xy("latent"), s.xy[expected.latent_rows], atol=1e-5)
    qtbot.mouseClick(first, Qt.MouseButton.LeftButton)  # a click selects it, and its neighbours follow
    assert s.selected == expected.pixel_rows[0]
    qtbot.waitUntil(lambda: panel.result.row == expected.pixel_rows[0], timeout=LOAD_TIMEOUT_MS)
    panel.k_box.setValue(3)
    qtbot.waitUntil(lambda: len(panel.shown_rows("latent")) == 3, timeout=LOAD_TIMEOUT_MS)
    s.select(-1)
    assert panel.result is None and panel.shown_rows("latent") == []
    assert "Select a point" in panel.title.text()


def test_neighbours_are_only_searched_while_the_dock_is_in_front(loaded, qtbot):
    panel = loaded.extras.neighbours.panel
    loaded.training_dock.raise_()
    qtbot.waitUntil(lambda: not panel.active, timeout=5000)
    loaded.session.select(3)
    assert not panel.jobs.busy and panel.result is None
    loaded.extras.neighbours.raise_()
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.row == 3, timeout=LOAD_TIMEOUT_MS)


def test_find_rings_a_class_and_enter_steps_through_it(loaded, qtbot):
    s, find = loaded.session, loaded.extras.find
    qtbot.keyClicks(find.edit, "seven")  # no such class: said, nothing ringed
    qtbot.keyClick(find.edit, Qt.Key.Key_Return)
    assert find.result.text() == "none" and "nothing called 'seven'" in find.result.toolTip()
    assert len(find.dots.data) == 0
    find.edit.clear()
    qtbot.keyClicks(find.edit, "7")
    qtbot.keyClick(find.edit, Qt.Key.Key_Return)
    assert s.selected == 7  # a number jumps to that row (the class names of the digits are numbers too)
    find.edit.setText("class:7")
    qtbot.keyClick(find.edit, Qt.Key.Key_Return)
    sevens = np.flatnonzero(s.dataset.labels == 7)
    np.testing.assert_array_equal(find.rows_shown(), sevens)
    np.testing.assert_allclose(np.c_[find.dots.getData()], s.xy[sevens])
    np.testing.assert_allclose(np.c_[find.rings.getData()], s.xy[sevens])  # few enough to ring
    assert all(layer.opacity() == pytest.approx(0.2) for layer in loaded.scatter.layers)
    assert find.result.text() == f"{len(sevens)}"
    assert "of 1,797 points" in loaded.statusBar().currentMessage()
    qtbot.keyClick(find.edit, Qt.Key.Key_Return)
    qtbot.keyClick(find.edit, Qt.Key.Key_Return)
    assert s.selected == sevens[1] and find.result.text() == f"2/{len(sevens)}"
    assert f"2 of {len(sevens)} (#{sevens[1]})" in loaded.statusBar().currentMessage()
    (x0, x1), (y0, y1) = loaded.scatter.view.viewRange()
    assert x0 <= s.xy[sevens[1], 0] <= x1 and y0 <= s.xy[sevens[1], 1] <= y1
    find.edit.clear()
    assert len(find.dots.data) == len(find.rings.data) == 0
    assert all(layer.opacity() == 1.0 for layer in loaded.scatter.layers)


def test_view_find_puts_the_cursor_in_the_box(loaded, qtbot):
    loaded.activateWindow()
    loaded.extras.find_action.trigger()
    qtbot.waitUntil(lambda: loaded.extras.find.edit.hasFocus(), timeout=5000)


def test_colour_by_reconstruction_error_with_a_colour_bar(loaded, qtbot):
    s, scatter, colour = loaded.session, loaded.scatter, loaded.extras.colour
    labels = [colour.box.itemText(k) for k in range(colour.box.count())]
    assert labels == ["class", "reconstruction error (nats)", "reconstruction PSNR (dB)",
                      "KL per point (nats)", "latent z0", "latent z1"]
    with qtbot.waitSignal(scatter.coloursChanged, timeout=LOAD_TIMEOUT_MS):
        colour.choose("value:recon")
    expected = reconstruction_errors(s.model, s.dataset.images, codes=s.codes).bce_nats
    np.testing.assert_allclose(scatter.values, expected, rtol=1e-5)
    assert scatter.colour_bar.visible and scatter.colour_bar.label == "reconstruction error (nats)"
    assert not scatter.legend.isVisible() and colour.colormap.isVisible()
    viridis = [layer.opts["brush"].color().name() for layer in scatter.layers]
    colour.colormap.setCurrentText("cividis")
    assert scatter.colormap == "cividis" and scatter.values is not None
    assert [layer.opts["brush"].color().name() for layer in scatter.layers] != viridis
    colour.choose("class")
    assert scatter.values is None and not scatter.colour_bar.visible and scatter.legend.isVisible()
    colour.choose("value:recon")  # cached: at once
    assert scatter.values is not None and not colour.jobs.busy


def test_colour_by_kl_and_by_a_latent_coordinate(loaded, qtbot):
    s, scatter, colour = loaded.session, loaded.scatter, loaded.extras.colour
    with qtbot.waitSignal(scatter.coloursChanged, timeout=LOAD_TIMEOUT_MS):
        colour.choose("value:kl")
    mu, logvar = encode(s.model, s.dataset.images)
    np.testing.assert_allclose(scatter.values, kl_per_point(mu, logvar), rtol=1e-4)
    colour.choose("z:1")
    np.testing.assert_array_equal(scatter.values, s.codes[:, 1])
    assert scatter.colour_bar.label == "latent z1"


def test_cancel_keeps_the_colours_shown(loaded, qtbot, monkeypatch):
    from trainer import point_values

    monkeypatch.setattr(point_values, "CHUNK", 64)  # many steps: there is time to cancel
    colour = loaded.extras.colour
    colour.choose("value:psnr")
    assert colour.jobs.busy and colour.cancel_button.isVisible()
    colour.cancel_button.click()
    assert not colour.jobs.busy and not colour.cancel_button.isVisible()
    assert loaded.scatter.values is None and colour.current == "class"


@pytest.fixture(scope="module")
def shapes_model(tmp_path_factory):
    from app_fixtures import tiny_model_file

    return tiny_model_file(tmp_path_factory.mktemp("shapes") / "shapes.safetensors", "shapes?n=300",
                           family="ae")


def test_attributes_are_offered_and_an_autoencoder_has_no_kl(window, qtbot, shapes_model):
    s, colour = window.session, window.extras.colour
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        s.open_model(shapes_model)
    keys = [key for _, key in colour.choices]
    assert "value:kl" not in keys and "value:recon" in keys
    assert s.dataset.attribute_names[:2] == ["large", "rotated"]
    colour.choose("attr:1")
    np.testing.assert_array_equal(window.scatter.values, s.dataset.attributes[:, 1])
    assert window.scatter.colour_bar.label == "attribute: rotated"
    window.extras.find.search("not rotated")
    unrotated = np.flatnonzero(~s.dataset.attributes[:, 1])
    np.testing.assert_array_equal(window.extras.find.rows_shown(), unrotated)
