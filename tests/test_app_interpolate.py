"""The Interpolation tool: ends from shift-clicks and buttons, lerp/slerp strips decoded in a worker, the path
on the scatter, the back-and-forth animation, PNG and GIF export, and clearing while a model trains."""

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, empty_spot, isolated_point, view_to_widget
from PIL import Image, ImageSequence
from PySide6.QtCore import Qt

from explorer.widgets.interpolate_panel import InterpolatePanel
from trainer.export import tile, to_uint8
from trainer.latent import decode, lerp, slerp


@pytest.fixture
def panel(scene, qtbot):
    panel = InterpolatePanel(scene.session, scene.scatter)
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    yield panel
    panel.tool.pause()


def two_rows(session) -> tuple[int, int]:
    """The two rows whose 2-D codes are furthest apart in angle (seen from the origin)."""
    codes = session.codes.astype(np.float64)
    m = codes.mean(axis=0) / np.linalg.norm(codes.mean(axis=0))
    angle = np.arctan2(m[0] * codes[:, 1] - m[1] * codes[:, 0], codes @ m)
    a, b = int(np.argmin(angle)), int(np.argmax(angle))
    assert angle[b] - angle[a] > 0.5, "the test needs two codes that are not parallel"
    return a, b


def wait_strip(qtbot, tool, method: str, steps: int):
    qtbot.waitUntil(lambda: tool.strip is not None and tool.strip.method == method
                    and len(tool.strip.codes) == steps, timeout=LOAD_TIMEOUT_MS)
    return tool.strip


def choose(qtbot, panel, method="lerp", steps=9):
    s, tool = panel.session, panel.tool
    a, b = two_rows(s)
    tool.set_method(method)
    tool.set_steps(steps)
    tool.set_end("a", s.codes[a], "first", row=a)
    tool.set_end("b", s.codes[b], "second", row=b)
    return a, b, wait_strip(qtbot, tool, method, steps)


@pytest.mark.parametrize("method, path", [("lerp", lerp), ("slerp", slerp)])
def test_strip_ends_are_the_chosen_codes_and_their_decodings(panel, qtbot, method, path):
    s = panel.session
    a, b, strip = choose(qtbot, panel, method, 9)
    np.testing.assert_array_equal(strip.codes[0], s.codes[a])
    np.testing.assert_array_equal(strip.codes[-1], s.codes[b])
    np.testing.assert_allclose(strip.codes, path(s.codes[a], s.codes[b], 9), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(strip.images, decode(s.model, strip.codes), atol=1e-6)
    np.testing.assert_allclose(strip.images[0], decode(s.model, s.codes[a:a + 1])[0], atol=1e-6)
    np.testing.assert_allclose(strip.images[-1], decode(s.model, s.codes[b:b + 1])[0], atol=1e-6)
    assert panel.strip.images is strip.images
    np.testing.assert_allclose(panel.overlay.view_xy("path"), s.to_view(strip.codes), atol=1e-6)
    np.testing.assert_allclose(panel.overlay.view_xy("ends"), s.xy[[a, b]], atol=1e-6)
    assert panel.overlay.marks["ends"].labels == ["A", "B"]
    np.testing.assert_array_equal(panel.tool.a.image, strip.images[0])
    assert "first" in panel.end_a.label.text() and "second" in panel.end_b.label.text()


def test_slerp_midpoint_is_longer_than_lerp_by_one_over_cos_half_angle(panel, qtbot):
    s = panel.session
    a, b, lin = choose(qtbot, panel, "lerp", 9)
    panel.methods.button(1).click()  # the "Spherical (slerp)" radio
    sph = wait_strip(qtbot, panel.tool, "slerp", 9)
    za, zb = s.codes[a].astype(np.float64), s.codes[b].astype(np.float64)
    omega = np.arccos(za @ zb / np.linalg.norm(za) / np.linalg.norm(zb))
    ratio = np.linalg.norm(sph.codes[4]) / np.linalg.norm(lin.codes[4])
    assert ratio > 1.02 and ratio == pytest.approx(1 / np.cos(omega / 2), rel=1e-4)


def test_steps_spin_changes_the_strip_length(panel, qtbot):
    choose(qtbot, panel, "lerp", 9)
    panel.steps_box.setValue(5)
    strip = wait_strip(qtbot, panel.tool, "lerp", 5)
    assert panel.strip.images.shape[0] == 5 and len(panel.overlay.marks["path"].codes) == 5
    assert strip.images.shape[1:] == (1, 8, 8)




def shift_click(qtbot, scene, x, y) -> None:
    qtbot.mouseClick(scene.scatter.plot.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, pos=view_to_widget(scene, x, y))


def test_shift_clicks_set_a_then_b_then_a_again(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    i = isolated_point(scene)
    shift_click(qtbot, scene, *s.xy[i])
    assert tool.a is not None and tool.a.row == i and tool.b is None
    np.testing.assert_array_equal(tool.a.code, s.codes[i])
    assert tool.a.label == f"#{i} · {s.class_names[s.dataset.labels[i]]}"
    assert s.selected == -1  # a shift-click does not select
    qtbot.waitUntil(lambda: tool.a.image is not None, timeout=LOAD_TIMEOUT_MS)  # A's thumbnail
    np.testing.assert_allclose(tool.a.image, decode(s.model, s.codes[i:i + 1])[0], atol=1e-6)

    x, y = empty_spot(scene)
    shift_click(qtbot, scene, x, y)
    assert tool.b is not None and tool.b.row == -1 and tool.a.row == i
    vx, vy = scene.scatter.view.viewPixelSize()
    np.testing.assert_allclose(tool.b.code, s.plane.to_latent([[x, y]])[0], atol=2 * max(vx, vy))
    strip = wait_strip(qtbot, tool, "lerp", 9)
    np.testing.assert_array_equal(strip.codes[-1], tool.b.code)

    j = int(np.argmin(np.linalg.norm(s.xy - s.xy[i], axis=1) + (np.arange(len(s.xy)) == i) * 1e9))
    k = scene.scatter.pick(*s.xy[j])
    shift_click(qtbot, scene, *s.xy[j])
    assert tool.a.row == k and tool.b.row == -1  # the third click starts again at A


def test_buttons_take_the_current_point(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    assert not panel.end_a.button.isEnabled()  # nothing selected or decoded yet
    s.select(3)
    assert panel.end_a.button.isEnabled()
    panel.end_b.button.click()
    assert tool.b.row == 3 and tool.b.label == f"#3 · {s.class_names[s.dataset.labels[3]]}"
    assert tool.a is None
    s.select(10)
    panel.end_a.button.click()
    strip = wait_strip(qtbot, tool, "lerp", 9)
    np.testing.assert_array_equal(strip.codes[0], s.codes[10])
    np.testing.assert_array_equal(strip.codes[-1], s.codes[3])


def test_animation_goes_back_and_forth_and_marks_the_frame(panel, qtbot):
    s, tool = panel.session, panel.tool
    _, _, strip = choose(qtbot, panel, "lerp", 4)
    panel.play_button.click()
    assert tool.playing and panel.play_button.text() == "Pause" and tool.frame == 0
    frames = [tool.frame]
    for _ in range(7):
        tool.advance()
        frames.append(tool.frame)
        assert panel.strip.highlight == tool.frame
        np.testing.assert_array_equal(panel.movie.array, strip.images[tool.frame])
        np.testing.assert_allclose(panel.overlay.view_xy("frame"), s.to_view(strip.codes[tool.frame]),
                                   atol=1e-6)
    assert frames == [0, 1, 2, 3, 2, 1, 0, 1]
    assert panel.frame_label.text() == "Frame 2 of 4"
    panel.play_button.click()
    assert not tool.playing and not tool.timer.isActive() and panel.play_button.text() == "Play"


def test_timer_plays_frames(panel, qtbot):
    tool = panel.tool
    choose(qtbot, panel, "lerp", 3)
    seen = set()
    tool.frameChanged.connect(seen.add)
    tool.play()
    qtbot.waitUntil(lambda: seen >= {0, 1, 2}, timeout=10_000)
    tool.pause()
    assert not tool.timer.isActive()


def test_export_png_strip_and_bouncing_gif(panel, qtbot, tmp_path):
    _, _, strip = choose(qtbot, panel, "slerp", 7)
    h, w = strip.images.shape[2:]
    png = panel.tool.export_png(tmp_path / "strip.png", scale=3)
    with Image.open(png) as image:
        assert image.size == ((7 * w + 6) * 3, h * 3)
        np.testing.assert_array_equal(np.asarray(image)[::3, ::3], tile(strip.images, gap=1))
    gif = panel.tool.export_gif(tmp_path / "morph.gif", scale=5)
    with Image.open(gif) as image:
        frames = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(image)]
        assert image.size == (w * 5, h * 5) and image.info["loop"] == 0
    assert len(frames) == 2 * 7 - 2
    order = [*range(7), *range(5, 0, -1)]
    for frame, k in zip(frames, order, strict=True):
        np.testing.assert_array_equal(frame[::5, ::5], to_uint8(strip.images[k, 0]))


def test_export_without_a_strip_is_a_clear_error(panel, tmp_path):
    from trainer.errors import ConfigError

    assert not panel.png_button.isEnabled() and not panel.gif_button.isEnabled()
    with pytest.raises(ConfigError, match="no strip"):
        panel.tool.export_gif(tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()


def test_clears_while_the_model_is_away_and_comes_back_on_ready(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    a, b, strip = choose(qtbot, panel, "lerp", 9)
    model = s.model
    tool.play()
    s.show_codes(s.codes.copy())  # what a training run does: the model goes away, the points move
    assert s.model is None and tool.strip is None and not tool.playing
    assert panel.strip.images is None and "path" not in panel.overlay.marks
    assert tool.a.row == a and tool.b.row == b  # the rows stay chosen
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        s.set_model(model)
    again = wait_strip(qtbot, tool, "lerp", 9)
    np.testing.assert_allclose(again.images, strip.images, atol=1e-6)


def test_a_free_point_end_is_dropped_with_the_model(scene, panel, qtbot):
    s, tool = scene.session, panel.tool
    tool.set_end("a", np.array([0.1, 0.2]), "point")
    tool.set_end("b", s.codes[5], "row", row=5)
    wait_strip(qtbot, tool, "lerp", 9)
    s.show_codes(s.codes.copy())
    assert tool.a is not None and tool.a.row == 5 and tool.b is None  # B's row became A
    assert "B</b>: —" in panel.end_b.label.text()
