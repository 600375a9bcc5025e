"""File → Export in the window: codes as CSV, panels as PNG at a resolution, strips as PNG and GIF, the model,
and a failed write (one message, no temp file)."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from PIL import Image, ImageSequence

from explorer import export_menu
from explorer.tools.interpolate import FRAME_MS  # the morph's GIF uses the same frame time
from trainer.export import read_codes_csv, tile, to_uint8


def test_codes_csv_from_the_window_reads_back_equal(loaded, tmp_path):
    s = loaded.session
    path = loaded.exports.export_codes(tmp_path / "codes.csv")
    back = read_codes_csv(path)
    np.testing.assert_array_equal(back.codes, s.codes[:s.n_encoded])
    np.testing.assert_array_equal(back.xy, s.xy)
    np.testing.assert_array_equal(back.labels, s.dataset.labels)
    assert back.class_names == [s.class_names[k] for k in s.dataset.labels]
    assert back.n_train == s.dataset.n_train and len(back.splits) == len(s.dataset.labels)
    assert not list(tmp_path.glob(".*.part"))
    assert str(path) in loaded.statusBar().currentMessage()


def test_codes_shortcut_writes_where_the_dialog_says(loaded, qtbot, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(export_menu, "ask_path", lambda *args: asked.append(args) or str(tmp_path / "c.csv"))
    loaded.exports.codes_action.trigger()
    assert asked and asked[0][3] == "csv" and asked[0][2].endswith("digits-2d-codes.csv")
    assert len(read_codes_csv(tmp_path / "c.csv").codes) == loaded.session.n_encoded


@pytest.mark.parametrize("name", ["scatter", "inspector", "grid", "interpolate", "window"])
def test_panel_png_at_2x_has_twice_the_size_on_screen(loaded, tmp_path, name):
    w = loaded
    w.docks["interpolate"].raise_()  # a tab behind another keeps the size it had when last shown
    on_screen = {"scatter": w.scatter.plot.viewport().size(), "inspector": w.inspector.size(),
                 "grid": w.grid.canvas.viewport().size(), "interpolate": w.docks["interpolate"].panel.size(),
                 "window": w.size()}[name]
    path = w.exports.export_panel(name, tmp_path / f"{name}.png", scale=2)
    with Image.open(path) as png:
        assert png.format == "PNG"
        assert png.size == (2 * on_screen.width(), 2 * on_screen.height())
        colours = len(np.unique(np.asarray(png.convert("RGB")).reshape(-1, 3), axis=0))
    assert colours > 20  # something was drawn, not an empty image


def test_scatter_png_draws_every_class_colour_at_the_chosen_width(loaded, tmp_path):
    from explorer.widgets.scatter import PALETTE

    path = loaded.exports.export_panel("scatter", tmp_path / "s.png", width=1500)
    with Image.open(path) as png:
        size, pixels = png.size, np.asarray(png.convert("RGB")).reshape(-1, 3)
    on_screen = loaded.scatter.plot.viewport().size()
    assert size[0] == 1500 and abs(size[1] - 1500 * on_screen.height() / on_screen.width()) <= 1
    found = {tuple(p) for p in np.unique(pixels, axis=0)}
    for colour in PALETTE:
        assert tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5)) in found


def test_panel_dialog_offers_every_panel_and_sizes(loaded, qtbot):
    dialog = export_menu.PanelDialog(loaded.exports.panels(), loaded)
    qtbot.addWidget(dialog)
    names = [dialog.panel_box.itemData(k) for k in range(dialog.panel_box.count())]
    assert {"scatter", "grid", "inspector", "training", "denoise", "attributes", "interpolate", "sample",
            "draw", "window"} <= set(names)
    dialog.panel_box.setCurrentIndex(names.index("inspector"))
    dialog.scale_box.setCurrentIndex(2)  # 3×
    assert dialog.choice() == ("inspector", 3 * loaded.inspector.width())
    dialog.width_box.setValue(777)
    assert dialog.scale_box.currentText() == "Custom width" and dialog.choice() == ("inspector", 777)


def test_panel_shortcut_path_goes_through_dialog_and_file(loaded, tmp_path, monkeypatch):
    monkeypatch.setattr(export_menu.PanelDialog, "exec", lambda self: 1)
    monkeypatch.setattr(export_menu, "ask_path", lambda *args: str(tmp_path / "p.png"))
    loaded.exports.panel_action.trigger()
    with Image.open(tmp_path / "p.png") as png:  # the dialog's default: the scatter at 2×
        assert png.size[0] == 2 * loaded.scatter.plot.viewport().width()


def interpolation(window, qtbot):
    tool = window.docks["interpolate"].panel.tool
    codes = window.session.codes
    tool.set_end("a", codes[0], "#0")
    tool.set_end("b", codes[1], "#1")
    qtbot.waitUntil(lambda: tool.strip is not None and len(tool.strip.images) == tool.steps, timeout=30_000)
    return tool


def check_gif(path, images: np.ndarray, scale: int) -> None:
    """The GIF plays the images forward then back (2N−2 frames; pillow merges equal neighbours, adding up
    their durations), each pixel scale×scale."""
    with Image.open(path) as gif:
        frames = [(np.asarray(f.convert("L")), f.info["duration"]) for f in ImageSequence.Iterator(gif)]
    n = len(images)
    order = list(range(n)) + list(range(n - 2, 0, -1))
    expected = [images[k, 0] for k in order]
    merged = [e for k, e in enumerate(expected) if k == 0 or not np.array_equal(e, expected[k - 1])]
    assert len(frames) == len(merged)
    for (frame, _), image in zip(frames, merged, strict=True):
        np.testing.assert_array_equal(frame[::scale, ::scale], image)
    assert sum(d for _, d in frames) == len(order) * FRAME_MS


def test_interpolation_gif_and_png_from_the_menu_methods(loaded, qtbot, tmp_path):
    ex = loaded.exports
    assert not ex.interpolation_gif_action.isEnabled()
    tool = interpolation(loaded, qtbot)
    assert ex.interpolation_gif_action.isEnabled() and ex.interpolation_png_action.isEnabled()
    images = to_uint8(tool.strip.images)
    check_gif(ex.export_strip("interpolation", tmp_path / "i.gif", "gif", scale=3), images, 3)
    png = ex.export_strip("interpolation", tmp_path / "i.png", "png")  # the panel's own pixel scale (4×)
    with Image.open(png) as p:
        np.testing.assert_array_equal(np.asarray(p)[::4, ::4], tile(images))


def test_morph_strip_png_and_gif(loaded, qtbot, tmp_path):
    tool = loaded.docks["attributes"].panel.tool
    loaded.session.select(3)
    tool.set_classes(0, 1)
    qtbot.waitUntil(lambda: tool.morph is not None and tool.base is not None, timeout=30_000)
    assert loaded.exports.morph_png_action.isEnabled()
    images = to_uint8(tool.morph.images)
    png = loaded.exports.export_strip("morph", tmp_path / "m.png", "png", scale=2)
    with Image.open(png) as p:
        np.testing.assert_array_equal(np.asarray(p)[::2, ::2], tile(images))
    check_gif(loaded.exports.export_strip("morph", tmp_path / "m.gif", "gif", scale=1), images, 1)


def test_morph_without_a_strip_says_so_once(loaded, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr(loaded, "show_error", messages.append)
    loaded.docks["attributes"].panel.tool.set_source("selection")  # no group drawn: no direction, no morph
    assert loaded.exports.export_strip("morph", tmp_path / "m.png", "png") is None
    assert len(messages) == 1 and "no morph strip" in messages[0]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_gives_one_message_and_leaves_no_temp_file(loaded, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr(loaded, "show_error", messages.append)
    (tmp_path / "a-file").write_text("not a folder")
    unwritable = tmp_path / "a-file" / "codes.csv"  # its folder cannot be made (tests may run as root)
    assert loaded.exports.export_codes(unwritable) is None
    assert len(messages) == 1 and str(unwritable) in messages[0] and "Could not export" in messages[0]
    (tmp_path / "a-folder").mkdir()  # the temp file is written, then cannot replace a folder
    assert loaded.exports.export_panel("inspector", tmp_path / "a-folder", scale=2) is None
    assert len(messages) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder"]
    assert list((tmp_path / "a-folder").iterdir()) == []


def test_a_failed_write_shows_the_window_message(loaded, tmp_path):
    (tmp_path / "x").write_text("")
    loaded.exports.export_codes(tmp_path / "x" / "c.csv")
    assert loaded._message is not None and loaded._message.isVisible()
    assert "Could not export the latent codes" in loaded._message.text()


def test_model_export_saves_the_model(loaded, qtbot, tmp_path, monkeypatch):
    from explorer import file_menu

    path = tmp_path / "copy.safetensors"
    monkeypatch.setattr(file_menu.QFileDialog, "getSaveFileName", lambda *args: (str(path), ""))
    loaded.exports.model_action.trigger()
    qtbot.waitUntil(lambda: loaded.session.model_path == path, timeout=30_000)
    task = loaded.files.save_task
    qtbot.waitUntil(lambda: not task.isRunning())
    from trainer.checkpoint import load_checkpoint

    model, _info = load_checkpoint(path)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), loaded.session.model.state_dict()[name].numpy())
