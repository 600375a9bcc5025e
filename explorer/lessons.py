"""Help → Lessons: ``resources/lessons.md`` in a non-modal window, and the "Show me" links that set them up.

A link ``lesson:NAME`` names a ``Setup`` in ``SETUPS``: a bundled model (with a fallback when its data set is
not here: Fashion-MNIST lessons fall back to the digits), then, once the session is ready, the scatter's view,
the decoded manifold, the points' labels, and a latent tool staged with an example (``explorer.demo``). The
same Markdown file reads well on GitHub; there the ``lesson:`` links are plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextBlock, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

from explorer import demo, lesson_controls, uncertainty_lessons
from explorer.glyphs import safe_text
from trainer.resources import models_dir, resource_path

LESSONS_MD = resource_path("lessons.md")
MODELS_DIR = models_dir()


@dataclass(frozen=True)
class Setup:
    """What a "Show me" link opens: ``model`` (a file stem in resources/models) on its data set ``data`` (the
    ``fallback`` set-up instead when ``data`` is not found here), then a ``view``, the ``manifold`` and a
    ``tool`` (one of explorer.demo.TOOLS, or a dock name that is only brought forward). For the attributes
    tool, a direction from ``attribute`` (an image without it is selected) or from class ``classes[0]`` to
    ``classes[1]`` (an image of the first is selected). ``labels`` writes each point's class beside it (the
    glyphs: each dot is a character); ``ends`` names two classes whose first images the interpolate tool
    morphs between. ``select`` picks the image to morph instead: the first test image with every attribute
    named and without every one written ``-Name`` (faces: ``("Black_Hair", "-Wearing_Hat")``); ``alpha`` is
    where the morph strip ends. Lessons 8-10 (``explorer.uncertainty_lessons``): ``row_class`` selects the
    first test image of that class; ``crowd`` and ``samples`` set the Posterior tab, ``holes_map`` the Holes
    tab's map; ``study`` opens a study (``explorer.studies.STUDIES``), the probe with ``foreign`` data."""

    model: str
    data: str
    tool: str | None = None
    view: str = "axes"
    manifold: bool = False
    attribute: str | None = None
    classes: tuple[int, int] | None = None
    fallback: Setup | None = None
    labels: bool = False
    ends: tuple[str, str] | None = None
    select: tuple[str, ...] = ()
    alpha: float | None = None
    row_class: str = ""
    crowd: bool = False
    samples: int = 0
    holes_map: bool = False
    study: str = ""
    foreign: str = ""


FACE = ("Black_Hair", "No_Beard", "-Smiling", "-Eyeglasses", "-Wearing_Hat")  # the lesson's face
SETUPS: dict[str, Setup] = {
    "holes-ae": Setup("glyphs-ae", "glyphs", manifold=True),
    "holes-vae": Setup("glyphs-vae", "glyphs", manifold=True),
    "generate": Setup("fashion-mnist-vae", "fashion-mnist", tool="sample",
                      fallback=Setup("digits-vae", "digits", tool="sample")),
    "generate-ae": Setup("glyphs-ae", "glyphs", tool="sample"),
    "denoise": Setup("fashion-mnist-dae", "fashion-mnist", tool="denoise",
                     fallback=Setup("digits-dae", "digits", tool="denoise")),
    "attributes": Setup("fashion-mnist-vae", "fashion-mnist", tool="attributes", classes=(7, 9),  # to boots
                        fallback=Setup("digits-vae", "digits", tool="attributes", classes=(1, 7))),
    "attributes-shapes": Setup("shapes-vae", "shapes", view="pca", tool="attributes", attribute="large"),
    "faces-blond": Setup("faces-vae", "faces", tool="attributes", view="pca", attribute="Blond_Hair",
                         select=FACE, alpha=2.0),
    "faces-smiling": Setup("faces-vae", "faces", tool="attributes", view="pca", attribute="Smiling",
                           select=FACE, alpha=2.0),
    "faces-glasses": Setup("faces-vae", "faces", tool="attributes", view="pca", attribute="Eyeglasses",
                           select=FACE, alpha=2.0),
    "pixels-pca": Setup("digits-vae", "digits", view="pixels-pca"),
    "pixels-tsne": Setup("digits-vae", "digits", view="pixels-tsne"),
    "codes-tsne": Setup("digits-vae", "digits", view="tsne"),
    "glyphs": Setup("glyphs-vae", "glyphs", tool="sample", manifold=True, labels=True),
    "glyphs-morph": Setup("glyphs-vae", "glyphs", tool="interpolate", manifold=True, labels=True,
                          ends=("A", "Z")),
    "glyphs-draw": Setup("glyphs-vae", "glyphs", tool="draw", manifold=True, labels=True),
    "posterior": Setup("fashion-mnist-vae", "fashion-mnist", tool="posterior", row_class="Ankle boot",
                       crowd=True, samples=16,
                       fallback=Setup("digits-vae", "digits", tool="posterior", row_class="0", crowd=True,
                                      samples=16)),
    "posterior-ae": Setup("glyphs-ae", "glyphs", tool="posterior", row_class="A", labels=True),
    "dimensions": Setup("fashion-mnist-vae32", "fashion-mnist", view="pca", study="dimensions",
                        row_class="Ankle boot",
                        fallback=Setup("faces-vae", "faces", view="pca", study="dimensions")),
    "holes-map-ae": Setup("glyphs-ae", "glyphs", tool="holes", holes_map=True, labels=True),
    "holes-map-vae": Setup("fashion-mnist-vae", "fashion-mnist", tool="holes", holes_map=True,
                           fallback=Setup("digits-vae", "digits", tool="holes", holes_map=True)),
    "ood": Setup("fashion-mnist-vae", "fashion-mnist", study="ood", foreign="shapes",
                 fallback=Setup("digits-vae", "digits", study="ood", foreign="glyphs")),
}


def data_found(spec: str) -> bool:
    """Built-in data sets are always here; an IDX set (Fashion-MNIST, MNIST) only where its files are found
    or bundled (a cheap look, no checksum, never a download)."""
    from trainer.data.bundled import available_offline

    return available_offline(spec)


def resolve(setup: Setup, has_data=None) -> Setup:
    """The set-up to use here: ``setup``, or its fallback when its data set is not found."""
    has_data = has_data or data_found
    while setup.fallback is not None and not has_data(setup.data):
        setup = setup.fallback
    return setup


def model_file(setup: Setup) -> Path:
    return MODELS_DIR / f"{setup.model}.safetensors"


def first_row_with(dataset, conditions: tuple[str, ...]) -> int:
    """The first test image (else any image) with each attribute named in ``conditions`` and without each one
    written ``-Name``; -1 when none has them all or the data set lacks one of the attributes."""
    names = list(dataset.attribute_names)
    if dataset.attributes is None or any(c.lstrip("-") not in names for c in conditions):
        return -1
    keep = np.ones(len(dataset.attributes), dtype=bool)
    for c in conditions:
        column = dataset.attributes[:, names.index(c.lstrip("-"))].astype(bool)
        keep &= ~column if c.startswith("-") else column
    rows = np.flatnonzero(keep)
    test = rows[rows >= dataset.n_train]
    return int(test[0]) if len(test) else (int(rows[0]) if len(rows) else -1)


class LessonRunner(QObject):
    """Carries out a "Show me": opens the lesson's model, and once the session is ready sets up the view and
    the tool. ``staged(name)`` says a lesson is set up (emitted on the GUI thread)."""

    staged = Signal(str)

    def __init__(self, window, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.pending: tuple[str, Setup] | None = None  # (lesson, resolved set-up) waiting for session.ready
        window.session.ready.connect(self._on_ready)

    def show_me(self, name: str) -> None:
        if name not in SETUPS:
            self.window.show_error(f"There is no lesson set-up called {name!r}.")
            return
        setup = resolve(SETUPS[name])
        path = model_file(setup)
        if not path.is_file():
            self.window.show_error(f"The lesson needs {path}, which is missing: "
                                   "resources/models/train_all.sh trains the bundled models again.")
            return
        self.pending = (name, setup)
        self.window.statusBar().showMessage(f"Lesson: opening {path.name} on {setup.data}…")
        self.window.session.open_model(path, setup.data)

    def _on_ready(self) -> None:
        if self.pending is None:
            return
        name, setup = self.pending
        if self.window.session.model_path != model_file(setup):  # another model was opened in between
            return
        self.pending = None
        self.apply(setup)
        self.staged.emit(name)

    def apply(self, setup: Setup) -> None:
        """Set up the view, the decoded manifold and the tool on the loaded model."""
        window = self.window
        lesson_controls.reset(window, labels=True if setup.labels else None)  # nothing left from earlier use
        demo.set_view(window, setup.view)
        window.scatter.manifold_box.setChecked(setup.manifold)
        if setup.tool in demo.TOOLS:
            demo.stage(window, setup.tool)
        elif setup.tool:
            window.docks[setup.tool].show()
            window.docks[setup.tool].raise_()
        if setup.attribute or setup.classes:
            self._direction(setup)
        if setup.ends:
            self._ends(setup.ends)
        uncertainty_lessons.apply(window, setup)  # lessons 8-10; resets their controls for the others

    def _direction(self, setup: Setup) -> None:
        """The Attributes tool's direction from the set-up's attribute or classes, and an image to morph."""
        session, tool = self.window.session, self.window.docks["attributes"].panel.tool
        if setup.attribute:
            j = tool.attribute_names.index(setup.attribute)
            tool.set_attribute(j)
            row = first_row_with(session.dataset, setup.select) if setup.select else -1
            session.select(row if row >= 0 else int(np.flatnonzero(~session.dataset.attributes[:, j])[0]))
        else:
            tool.set_classes(*setup.classes)
            session.select(demo.first_test_row(session, setup.classes[0]))
        if setup.alpha is not None:
            tool.set_alpha(setup.alpha)

    def _ends(self, names: tuple[str, str]) -> None:
        """The interpolate tool's ends: the first images of the two named classes (skipped if not found)."""
        session, tool = self.window.session, self.window.tool_docks["Interpolate"].panel.tool
        known = session.class_names
        rows = [demo.first_test_row(session, known.index(n)) if n in known else -1 for n in names]
        if min(rows) < 0:
            return
        tool.set_method("lerp")  # a straight line, as the lesson says
        for which, name, row in zip("ab", names, rows, strict=True):
            tool.set_end(which, session.codes[row], f"#{row} · {name}", row=row)


class LessonsWindow(QTextBrowser):
    """The lessons as one rendered Markdown page in its own non-modal window. ``lessonClicked(name)`` for a
    ``lesson:NAME`` link; web links open in the browser."""

    lessonClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None, path: Path = LESSONS_MD):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowTitle("Lessons — Latent Explorer")
        self.setOpenLinks(False)
        self.document().setDocumentMargin(18)
        self.document().setMarkdown(safe_text(path.read_text(encoding="utf-8")))  # symbols all fonts have
        self._space_headings()
        self.anchorClicked.connect(self._on_link)
        self.resize(780, 900)

    def _space_headings(self) -> None:
        """Air above each heading (Qt's Markdown import sets none), so each lesson starts visibly."""
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel():
                fmt = block.blockFormat()
                fmt.setTopMargin(22 if fmt.headingLevel() == 2 else fmt.topMargin())
                fmt.setBottomMargin(6)
                QTextCursor(block).setBlockFormat(fmt)
            block = block.next()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.verticalScrollBar().setValue(0)

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "lesson":
            self.lessonClicked.emit(url.path())
        elif url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)

    def titles(self, level: int = 2) -> list[str]:
        """The headings of ``level`` as rendered (one per lesson at level 2)."""
        block: QTextBlock = self.document().begin()
        found = []
        while block.isValid():
            if block.blockFormat().headingLevel() == level:
                found.append(block.text())
            block = block.next()
        return found

    def links(self) -> list[str]:
        """Every link target in the rendered page (``lesson:holes-ae``, web addresses…)."""
        found = []
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fmt = it.fragment().charFormat()
                if fmt.isAnchor() and fmt.anchorHref() not in found:
                    found.append(fmt.anchorHref())
                it += 1
            block = block.next()
        return found


def main(argv: list[str] | None = None) -> int:
    """``python -m explorer.lessons [--screenshot PNG]``: the Lessons page alone (the README's screenshot)."""
    import argparse
    import sys

    from PySide6.QtWidgets import QApplication

    parser = argparse.ArgumentParser(prog="python -m explorer.lessons", description=main.__doc__)
    parser.add_argument("--screenshot", metavar="PNG", type=Path, help="render the page to PNG and exit")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    page = LessonsWindow()
    page.show()
    if args.screenshot is None:
        return app.exec()
    app.processEvents()
    return 0 if page.grab().save(str(args.screenshot)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
