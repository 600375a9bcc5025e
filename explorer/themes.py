"""Colours for the light, dark and high-contrast themes: the Qt palettes and the ink of the pyqtgraph plots.

``Look`` is what a theme is made of: a palette (None: the system's own) and the plots' background, foreground
and line width. ``look(dark, high_contrast)`` picks one; ``style_plots(root, look, font)`` applies its ink to
every pyqtgraph view under ``root`` (the scatter, the decoded grid, the loss and noise-sweep plots), with the
axes' text in ``font`` (None: pyqtgraph's default), and calls a view's ``on_background(color)`` where it
has one; ``recolor_text`` makes the panels' grey hints and red
messages readable on a dark background.

Contrast (WCAG 2.1, https://www.w3.org/TR/WCAG21/#contrast-minimum and #non-text-contrast): every text
reaches ``TEXT_RATIO`` (4.5:1) against its background and every plotted mark (points, curves, rings, arrows)
``MARK_RATIO`` (3:1) against the plot; ``contrast(a, b)`` computes the ratio from the relative luminance.
Marks have a colour for light backgrounds and one for dark ones: ``on(background, light, dark)`` picks.
The controls' own marks (a check box's edge, the docks' float and close buttons) are drawn by the style
``explorer/clear_marks.py`` sets, at 3:1 in every palette here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette, QPen
from PySide6.QtWidgets import QStyleFactory, QWidget

R = QPalette.ColorRole
AXES = ("left", "bottom", "right", "top")
LEGEND_PT = "9pt"  # pyqtgraph's legend text
# text colours the panels write in their style sheets for a light background (a grey for hints, reds for
# errors and prompts), and the lighter ones that replace them on a dark background
ON_DARK = {"#555": "#b4b4b4", "#444": "#c4c4c4", "#b00": "#ff7b7b", "#b00020": "#ff7b7b",
           "#b34700": "#ffa54d", "#8a4b00": "#ffa54d"}
TEXT_COLOR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b")
LIGHT_SHEET = "light_style_sheet"  # a widget's own style sheet, kept while a dark one replaces it
TEXT_RATIO, MARK_RATIO = 4.5, 3.0  # WCAG 2.1 AA: text (SC 1.4.3) and graphical objects (SC 1.4.11)
LIGHT_HIGHLIGHT = "#1a5e96"  # Fusion's #308cc6 gives white selected text only 3.6:1; Fusion draws a progress
# bar's filled part as a gradient up to ~15 % lighter than the highlight: white text on it still reaches 5.3:1
LIGHT_INK = "#404040"  # axes and their text on a white plot (pyqtgraph's grey #969696 gives 3:1)


@dataclass(frozen=True)
class Look:
    palette: QPalette | None  # None: the style's and the system's own palette
    background: str  # the plots' background
    foreground: str  # axes, text and marks of the plots
    ink: str  # the scatter's highlight ring and cross-hair
    width: float  # axis line width


def luminance(color) -> float:
    """Relative luminance 0 (black) … 1 (white) of a colour (anything ``pg.mkColor`` takes), per WCAG 2.1's
    definition (sRGB linearised, weights 0.2126, 0.7152, 0.0722); alpha is ignored."""
    c = pg.mkColor(color)
    channels = [v / 255 for v in (c.red(), c.green(), c.blue())]
    r, g, b = (v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1 (the same) … 21 (black and white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def is_dark(color) -> bool:
    """Whether white text shows better on ``color`` than black text."""
    return contrast(color, "#ffffff") > contrast(color, "#000000")


def on(background, light, dark):
    """``light`` (the colour made for a light background) or ``dark`` (for a dark one), for ``background``."""
    return dark if is_dark(background) else light


def blend(color, background, alpha: float) -> QColor:
    """What ``color`` drawn with opacity ``alpha`` (0…1) over ``background`` looks like."""
    c, b = pg.mkColor(color), pg.mkColor(background)
    mix = [round(alpha * x + (1 - alpha) * y) for x, y in zip(c.getRgb()[:3], b.getRgb()[:3], strict=True)]
    return QColor(*mix)


def readable(color, background, ratio: float = MARK_RATIO) -> QColor:
    """``color`` (its hue and saturation kept) made just light enough on a dark ``background``, or dark
    enough on a light one, to reach ``ratio`` against it; ``color`` itself when it already does."""
    c = QColor(pg.mkColor(color))
    if contrast(c, background) >= ratio:
        return c
    h, s, lightness, a = c.getHslF()
    toward = 1.0 if is_dark(background) else 0.0
    for k in range(1, 101):  # 1 % steps of the way to white (or black), which reaches any ratio ≤ 4.5
        out = QColor.fromHslF(max(h, 0.0), s, lightness + (toward - lightness) * k / 100, a)
        if contrast(out, background) >= ratio:
            return out
    return QColor.fromHslF(max(h, 0.0), s, toward, a)


def text_color(color, widget: QWidget) -> str:
    """``color`` for text on ``widget``'s background in the palette in use (``readable`` at 4.5:1): a
    panel's own colour (Compare's pane titles) keeps its hue, lighter on a dark theme, darker on a light
    one."""
    return readable(color, widget.palette().color(widget.backgroundRole()), TEXT_RATIO).name()


def _palette(colors: dict[R, str], disabled: str) -> QPalette:
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (R.WindowText, R.Text, R.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled))
    return palette


def dark_palette() -> QPalette:
    return _palette({R.Window: "#353535", R.WindowText: "#e8e8e8", R.Base: "#242424",
                     R.AlternateBase: "#2e2e2e", R.ToolTipBase: "#454545", R.ToolTipText: "#f0f0f0",
                     R.Text: "#e8e8e8", R.Button: "#3c3c3c", R.ButtonText: "#e8e8e8", R.BrightText: "#ff6b6b",
                     R.Light: "#555555", R.Midlight: "#474747", R.Mid: "#2a2a2a", R.Dark: "#1e1e1e",
                     R.Shadow: "#141414", R.Highlight: LIGHT_HIGHLIGHT, R.HighlightedText: "#ffffff",
                     R.Link: "#6cb4ff", R.LinkVisited: "#c89cff", R.PlaceholderText: "#9a9a9a"}, "#808080")


def light_palette() -> QPalette:
    """Fusion's own light palette (for "Light" on a system that is dark), with a darker highlight that white
    selected text can be read on."""
    palette = QStyleFactory.create("Fusion").standardPalette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        palette.setColor(group, R.Highlight, QColor(LIGHT_HIGHLIGHT))
    return palette


def high_contrast_palette(dark: bool) -> QPalette:
    """White on black or black on white, with a highlight that stands out on a projector."""
    fg, bg = ("#ffffff", "#000000") if dark else ("#000000", "#ffffff")
    highlight, highlighted = ("#ffd400", "#000000") if dark else ("#0033aa", "#ffffff")
    colors = {role: bg for role in (R.Window, R.Base, R.AlternateBase, R.Button, R.ToolTipBase)}
    if dark:  # Fusion outlines a field or a button in a shade of the window's colour: none of black
        colors.update({R.Base: "#262626", R.AlternateBase: "#262626", R.Button: "#333333"})
    colors.update({role: fg for role in (R.WindowText, R.Text, R.ButtonText, R.ToolTipText, R.BrightText)})
    colors.update({R.Highlight: highlight, R.HighlightedText: highlighted, R.Light: fg, R.Midlight: fg,
                   R.Mid: "#808080", R.Dark: fg, R.Shadow: fg, R.Link: "#80c0ff" if dark else "#0033aa",
                   R.PlaceholderText: "#a0a0a0" if dark else "#505050"})
    return _palette(colors, "#a0a0a0" if dark else "#606060")


def look(theme: str, dark: bool, high_contrast: bool) -> Look:
    """The look of ``theme`` ("system", "light" or "dark"; ``dark``: whether it is dark in effect)."""
    if high_contrast:
        return Look(high_contrast_palette(dark), "k" if dark else "w", "w" if dark else "k",
                    "w" if dark else "k", 2.0)
    if dark:
        return Look(dark_palette(), "#1c1c1c", "#d0d0d0", "w", 1.0)
    return Look(light_palette() if theme == "light" else None, "w", LIGHT_INK, "k", 1.0)


def style_plots(root, look: Look, font: QFont | None, marks: bool = False) -> None:
    """The background of every pyqtgraph view under ``root`` (``root`` included) and the pens, text and font
    of its axes, its title and its legend; with ``marks``, also its curves, bars and lines (``fit_marks``:
    the studies' plots, drawn in colours made for white)."""
    views = root.findChildren(pg.GraphicsView)
    if isinstance(root, pg.GraphicsView):
        views.insert(0, root)
    for view in views:
        view.setBackground(look.background)
        item = getattr(view, "plotItem", None)
        if item is not None:
            _style_plot(item, look, font)
            if marks and not getattr(view, "own_marks", False):
                fit_marks(item, look.background)
        if callable(recolor := getattr(view, "on_background", None)):  # curves with a colour per background
            recolor(look.background)


def _style_plot(item: pg.PlotItem, look: Look, font: QFont | None) -> None:
    for name in AXES:
        axis = item.getAxis(name)
        axis.setPen(look.foreground, width=look.width)
        axis.setTextPen(look.foreground)
        axis.setTickFont(font)
        if font is None:
            axis.labelStyle.pop("font-size", None)
        else:
            axis.labelStyle["font-size"] = f"{font.pointSizeF():.3g}pt"
        axis.setLabel(axis.labelText, axis.labelUnits or None, axis.labelUnitPrefix or None)
    title = item.titleLabel
    if title.text:  # in the theme's ink and the text's size (a hidden title stays hidden)
        title.setText(title.text, color=look.foreground,
                      size=LEGEND_PT if font is None else f"{font.pointSizeF():.3g}pt")
    legend = getattr(item, "legend", None)
    if legend is not None:
        fill = QColor(pg.mkColor(look.background))
        fill.setAlpha(215)
        legend.setBrush(fill)  # its text in the ink of the theme, on the plot's own background
        legend.setPen(pg.mkPen("#787878"))
        legend.setLabelTextColor(look.foreground)
        legend.setLabelTextSize(LEGEND_PT if font is None else f"{font.pointSizeF():.3g}pt")
        for _sample, label in legend.items:
            label.setText(label.text)  # a new size shows on the next setText


def plot_background(plot_item: pg.PlotItem) -> QColor:
    """The background ``plot_item`` is drawn on (its view's; white before it is in a view)."""
    scene = plot_item.scene()
    views = scene.views() if scene is not None else []
    return views[0].backgroundBrush().color() if views else QColor("white")


def fit_marks(plot_item: pg.PlotItem, background=None) -> None:
    """Every opaque curve, symbol, bar and line of ``plot_item`` in a colour that reaches ``MARK_RATIO``
    against ``background`` (None: the plot's own, ``plot_background``): each colour is made lighter on a dark
    plot, darker on a light one, just enough (``readable``). The colour an item was given is kept and each
    call starts from it, so that light → dark → light brings the original colours back; a view that redraws
    its items calls this again after. Translucent colours (fills under a curve) are left as they are."""
    bg = plot_background(plot_item) if background is None else pg.mkColor(background)
    for item in plot_item.items:
        if isinstance(item, pg.PlotDataItem):
            _fit(item, "pen", bg, pg.PlotDataItem.setPen)
            if item.opts.get("symbol") is not None:
                _fit(item, "symbolBrush", bg, pg.PlotDataItem.setSymbolBrush)
        elif isinstance(item, pg.BarGraphItem):
            _fit(item, "pen", bg, lambda i, p: i.setOpts(pen=p))
            _fit(item, "brush", bg, lambda i, b: i.setOpts(brush=b))
            if item.opts.get("brushes") is not None:
                _fit_each(item, "brushes", bg)
        elif isinstance(item, pg.InfiniteLine):
            _fit(item, "pen", bg, pg.InfiniteLine.setPen, lambda i: i.pen)
            if getattr(item, "label", None) is not None:  # its words: 4.5:1, on a box of the background
                _fit(item.label, "color", bg, _set_text_color, lambda i: i.color, ratio=TEXT_RATIO)
                item.label.fill = pg.mkBrush(bg)  # (over bars: Quality's "mean" on the histogram)
                item.label.update()
        elif isinstance(item, pg.ScatterPlotItem):
            _fit(item, "brush", bg, pg.ScatterPlotItem.setBrush)


def _set_text_color(item: pg.TextItem, paint) -> None:
    item.setColor(paint.color() if isinstance(paint, QBrush) else paint)


def _fitted(paint, bg, brush: bool, ratio: float = MARK_RATIO):
    """A brush (``brush``) or pen like ``paint`` (anything mkBrush or mkPen take) in a colour readable on
    ``bg``, or None when it is none, translucent or already readable."""
    if paint is None:
        return None
    paint = (pg.mkBrush if brush else pg.mkPen)(paint)
    color = paint.color()
    if paint.style() in (Qt.PenStyle.NoPen, Qt.BrushStyle.NoBrush) or color.alpha() < 255:
        return None
    new = readable(color, bg, ratio)
    if new.rgb() == color.rgb():
        return None
    out = QPen(paint) if isinstance(paint, QPen) else QBrush(paint)
    out.setColor(new)
    return out


def _fit(item, key: str, bg, put, get=None, ratio: float = MARK_RATIO) -> None:
    """One pen or brush of ``item`` (``get``: how to read it; ``item.opts[key]`` by default): back to the
    colour the view gave it, then fitted to ``bg``."""
    get = get or (lambda i: i.opts[key])
    kept = item.__dict__.setdefault("_theme_given", {})
    current = get(item)
    given, applied = kept.get(key, (None, None))
    if given is None or applied is not current:  # the view set a new one since: that is the given one
        given = current
    fitted = _fitted(given, bg, brush=key != "pen", ratio=ratio)
    paint = given if fitted is None else fitted
    if paint is not current:
        put(item, paint)
    kept[key] = (given, get(item))


def _fit_each(item: pg.BarGraphItem, key: str, bg) -> None:
    kept = item.__dict__.setdefault("_theme_given", {})
    current = item.opts[key]
    given, applied = kept.get(key, (None, None))
    if given is None or applied is not current:
        given = current
    fitted = [_fitted(b, bg, brush=True) or b for b in given]
    item.setOpts(**{key: fitted})
    kept[key] = (given, item.opts[key])


_IN_USE: dict = {"look": None, "font": None}  # what Presentation applied last (None: not yet)


def use(look: Look, font: QFont | None) -> None:
    """Record the look (and the plots' font, None: pyqtgraph's) that the main window is in: windows and
    panes made later take it (``style_window``)."""
    _IN_USE.update(look=look, font=font)


def in_use() -> Look:
    """The look recorded by ``use`` (the system's light look before any)."""
    return _IN_USE["look"] or look("system", False, high_contrast=False)


def style_window(widget: QWidget) -> None:
    """A separate window with plots (a study), or a part made later in one (a Compare pane), in the look in
    use: its plots' background, axes, legends and marks (``style_plots`` with ``fit_marks``), its style
    sheets' text colours, and each widget's own ``on_look(look)`` where it has one (the scatter's points)."""
    current = in_use()
    style_plots(widget, current, _IN_USE["font"], marks=True)
    recolor_text(widget, is_dark(current.background))
    for w in [widget, *widget.findChildren(QWidget)]:
        if callable(hook := getattr(w, "on_look", None)):
            hook(current)


def recolor_for_palette(root: QWidget) -> None:
    """``recolor_text`` for the palette in use (a dialog made after the theme was applied calls it when it
    shows)."""
    recolor_text(root, is_dark(root.palette().color(R.Window)))


def recolor_text(root: QWidget, dark: bool) -> None:
    """Swap the light-background text colours of every style sheet under ``root`` (ON_DARK) for dark
    themes, and put the widgets' own style sheets back for light ones."""
    for widget in root.findChildren(QWidget):
        own = widget.property(LIGHT_SHEET)
        sheet = own if own is not None else widget.styleSheet()
        if not sheet or not any(m.group(1) in ON_DARK for m in TEXT_COLOR.finditer(sheet)):
            continue
        widget.setProperty(LIGHT_SHEET, sheet)
        if dark:
            sheet = TEXT_COLOR.sub(lambda m: f"color: {ON_DARK.get(m.group(1), m.group(1))}", sheet)
        if widget.styleSheet() != sheet:
            widget.setStyleSheet(sheet)
