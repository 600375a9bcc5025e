"""Readable in every theme: each text reaches 4.5:1 against its background and each plotted mark 3:1 (WCAG
2.1 AA, SC 1.4.3 and 1.4.11), in light and dark, normal and presentation mode, computed from the palettes
(``explorer/themes.py``) and the colours the plots draw with."""

from __future__ import annotations

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtGui import QPalette

from explorer import themes
from explorer.widgets import colour_bar, denoise_panel, loss_plot, overlays, scatter

R = QPalette.ColorRole
TEXT_ON = ((R.WindowText, R.Window), (R.Text, R.Base), (R.Text, R.AlternateBase), (R.ButtonText, R.Button),
           (R.HighlightedText, R.Highlight), (R.ToolTipText, R.ToolTipBase), (R.PlaceholderText, R.Base),
           (R.Link, R.Base), (R.Link, R.Window), (R.WindowText, R.Base))
# (name, theme, dark, presentation): the four looks a person can get (System is the system's own palette)
LOOKS = (("light", "light", False, False), ("dark", "dark", True, False),
         ("light presentation", "light", False, True), ("dark presentation", "dark", True, True))


def _look(theme: str, dark: bool, presentation: bool) -> themes.Look:
    return themes.look(theme, dark, high_contrast=presentation)


@pytest.fixture(autouse=True)
def _same_look_after(qapp):
    """The themes change the application's style, palette and font: put them back for the next tests."""
    style, palette, font = qapp.style().name(), qapp.palette(), qapp.font()
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setFont(font)


def test_the_ratio_is_wcags():
    assert themes.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert themes.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the well-known grey
    assert themes.contrast("#ffffff", "#ffffff") == 1.0
    assert themes.is_dark("#1c1c1c") and not themes.is_dark("w")


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_every_text_reaches_4_5_to_1(qapp, name, theme, dark, presentation):
    look = _look(theme, dark, presentation)
    palette = look.palette or themes.light_palette()
    low = {f"{fg.name} on {bg.name}": round(themes.contrast(palette.color(fg), palette.color(bg)), 2)
           for fg, bg in TEXT_ON}
    assert all(v >= themes.TEXT_RATIO for v in low.values()), (name, low)
    # the panels' own text colours (grey hints, red messages), swapped for lighter ones on a dark theme
    window = palette.color(R.Window)
    for light, on_dark in themes.ON_DARK.items():
        color = on_dark if dark else light
        assert themes.contrast(color, window) >= themes.TEXT_RATIO, (name, color)
    # the plots' axes and their text, and the scatter's legend (its fill is the plot's background)
    assert themes.contrast(look.foreground, look.background) >= themes.TEXT_RATIO, name
    assert themes.contrast(look.ink, look.background) >= themes.TEXT_RATIO, name


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
def test_every_plotted_mark_reaches_3_to_1(name, theme, dark, presentation):
    bg = _look(theme, dark, presentation).background
    classes = themes.on(bg, scatter.PALETTE, scatter.PALETTE_ON_DARK)
    curves = [themes.on(bg, light, on_dark) for _, _, light, on_dark in loss_plot.TERMS]
    marks = [*classes, *curves, overlays.ORANGE, overlays.RED, overlays.BLUE, *denoise_panel.CURVE_COLORS,
             _look(theme, dark, presentation).ink]
    low = {c: round(themes.contrast(c, bg), 2) for c in marks if themes.contrast(c, bg) < themes.MARK_RATIO}
    assert not low, (name, bg, low)


@pytest.mark.parametrize(("name", "theme", "dark", "presentation"), LOOKS)
@pytest.mark.parametrize("colormap", colour_bar.COLORMAPS)
def test_every_colormap_step_reaches_3_to_1(name, theme, dark, presentation, colormap):
    """Points coloured by a value (viridis' pale yellow end vanished on white, its deep purple on black):
    every step the scatter draws, and the run of the map it is taken from, shows on the theme's plot."""
    bg = _look(theme, dark, presentation).background
    lo, hi = colour_bar.ramp_range(colormap, bg)
    assert hi - lo >= 0.55, (name, lo, hi)  # most of the map stays: the ramp still spans dark to light
    colors = colour_bar.steps(colormap, len(scatter.PALETTE), bg)
    low = [c.name() for c in colors if themes.contrast(c, bg) < themes.MARK_RATIO]
    assert not low, (name, colormap, low)
    lum = [themes.luminance(c) for c in colors]
    assert lum == sorted(lum)  # low values dark, high values light


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("presentation", [False, True])
def test_the_window_draws_with_those_colours(loaded, theme, presentation):
    """What the window shows after a theme change: the points' colours, the legend's text (it stayed black
    on dark grey), the loss curves and their legend (the navy "total" vanished on dark)."""
    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    try:
        sc = loaded.scatter
        bg = sc.plot.backgroundBrush().color()
        for layer in sc.layers:
            assert themes.contrast(layer.opts["brush"].color(), bg) >= themes.MARK_RATIO
        for side in ("left", "bottom"):  # the axes' text (pyqtgraph's grey was 3:1 on white)
            axis = sc.plot.getAxis(side)
            assert themes.contrast(axis.textPen().color(), bg) >= themes.TEXT_RATIO
        fill = themes.blend(sc.legend.opts["brush"].color(), bg, sc.legend.opts["brush"].color().alphaF())
        for _sample, label in sc.legend.items:
            assert themes.contrast(label.opts["color"], fill) >= themes.TEXT_RATIO, label.text
        plots = loaded.findChildren(loss_plot.LossPlot)
        assert plots
        for lp in plots:
            curve_bg = lp.plot.backgroundBrush().color()
            for curve in lp._curves.values():
                assert themes.contrast(curve.opts["pen"].color(), curve_bg) >= themes.MARK_RATIO
            assert lp.legend.text() == loss_plot.legend_html(curve_bg)
            empty = lp.empty.label.styleSheet()  # "The loss curves appear here…" (it was #444 on dark grey)
            color = themes.TEXT_COLOR.search(empty).group(1)
            assert themes.contrast(color, curve_bg) >= themes.TEXT_RATIO, color
    finally:
        show.leave()
        show.set_theme("system")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("presentation", [False, True])
def test_points_coloured_by_a_value_show_in_every_theme(loaded, theme, presentation):
    """Colour by a value, then change the look (and the colormap): the points and the colour bar's steps
    keep 3:1 against the plot."""
    sc = loaded.scatter
    sc.color_by(np.linspace(0.0, 1.0, len(loaded.session.dataset.images)), "test value")
    show = loaded.presentation
    show.set_theme(theme)
    if presentation:
        show.enter(full_screen=False)
    try:
        for colormap in colour_bar.COLORMAPS:
            sc.set_colormap(colormap)
            bg = sc.plot.backgroundBrush().color()
            for layer in sc.layers:
                assert themes.contrast(layer.opts["brush"].color(), bg) >= themes.MARK_RATIO, colormap
            bar = sc.colour_bar.item.colorMap().getColors(mode="qcolor")
            assert all(themes.contrast(c, bg) >= themes.MARK_RATIO for c in bar), colormap
    finally:
        show.leave()
        show.set_theme("system")
