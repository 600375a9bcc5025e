"""Help for students: What am I looking at? on every panel (toggle, F1, Shift+F1) and Help → Lessons."""

import re

import pytest
from app_fixtures import *  # noqa: F403
from PySide6.QtCore import QEvent, QPoint, QUrl
from PySide6.QtGui import QCursor, QHelpEvent
from PySide6.QtWidgets import QApplication, QScrollArea, QWhatsThis

from explorer import demo, lessons
from explorer.help_texts import PANELS
from explorer.lessons import LESSONS_MD, SETUPS

LOAD_MS = 60_000
LESSON_TITLES = ("holes", "generating", "denois", "attribute", "pca and t-sne", "glyph", "black hair blond",
                 "a point is a cloud", "where the holes are", "never seen")


def panels(window):
    return {"scatter": window.scatter, **window.docks}


def test_every_panel_has_an_explanation_that_toggles(window, qtbot):
    assert set(window.help.boxes) == set(panels(window)) == set(PANELS)
    for name, target in panels(window).items():
        text = PANELS[name]
        assert len(re.sub("<[^>]+>", "", text).split()) >= 20, name
        assert target.whatsThis() == text  # Shift+F1, then a click on the panel
        box = window.help.boxes[name]
        assert box.text.text() == text and box.isVisibleTo(target)
        assert box.text.isHidden()
        box.button.click()
        assert not box.text.isHidden() and box.is_open()
        box.button.click()
        assert box.text.isHidden()


def test_whats_this_on_any_child_shows_the_panels_text(window, qtbot):
    """Shift+F1 then a click sends a WhatsThis help event to the clicked child; it reaches its panel."""
    for child in (window.inspector.left, window.scatter.plot.viewport(), window.training_dock.epochs):
        event = QHelpEvent(QEvent.Type.WhatsThis, QPoint(5, 5), child.mapToGlobal(QPoint(5, 5)))
        QApplication.sendEvent(child, event)
        assert event.isAccepted()
        qtbot.waitUntil(lambda: any(w.metaObject().className() == "QWhatsThat" and w.isVisible()
                                    for w in QApplication.topLevelWidgets()))
        QWhatsThis.hideText()


def test_docks_keep_their_panels(window):
    """The explanation sits at the top of each panel: tool panels are still reachable and shown."""
    for name in ("denoise", "attributes", "interpolate", "sample", "draw"):
        dock = window.docks[name]
        outer = dock.widget()
        scroll = outer if isinstance(outer, QScrollArea) else outer.findChild(QScrollArea)
        assert scroll.widget() is dock.panel and not scroll.isHidden()
        assert window.help.boxes[name].parent() is dock.panel
        assert window.help.panel_of(dock.panel) == name
    assert window.help.panel_of(window.training_dock.start_button) == "training"
    assert window.help.panel_of(window.scatter.plot.viewport()) == "scatter"
    assert window.help.panel_of(window.menuBar()) is None


@pytest.mark.parametrize("name", ["inspector", "grid", "scatter"])
def test_f1_explains_the_panel_under_the_mouse(window, qtbot, name):
    target = panels(window)[name]
    QCursor.setPos(target.mapToGlobal(QPoint(target.width() // 2, target.height() - 20)))
    if window.help.panel_of(window.childAt(window.mapFromGlobal(QCursor.pos()))) != name:
        pytest.skip("this platform cannot move the mouse pointer")
    window.help.explain_action.trigger()
    opened = {n for n, box in window.help.boxes.items() if box.is_open()}
    assert opened == {name}


def test_f1_falls_back_to_the_focused_panel(window, qtbot):
    QCursor.setPos(window.mapToGlobal(QPoint(-50, -50)))  # outside the window
    window.activateWindow()
    window.docks["training"].raise_()
    field = window.training_dock.epochs
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    assert window.help.explain_here() == "training"
    assert window.help.boxes["training"].is_open()


def test_f1_raises_a_hidden_tab(window, qtbot):
    window.docks["training"].raise_()
    window.help.explain("sample")
    qtbot.waitUntil(lambda: not window.docks["sample"].visibleRegion().isEmpty())
    assert not window.help.boxes["sample"].text.isHidden()


def test_help_menu_has_the_entries(window):
    texts = [a.text().replace("&", "") for a in window.help_menu.actions()]
    assert "What am I looking at?" in texts and "Lessons" in texts
    assert window.help.explain_action.shortcut().toString() == "F1"
    assert window.help.whats_this_action.shortcut().toString() == "Shift+F1"


def test_lessons_window_lists_every_lesson(window, qtbot):
    browser = window.help.open_lessons()
    qtbot.waitExposed(browser)
    assert browser.isWindow() and not browser.isModal() and browser.isVisible()
    titles = browser.titles()
    assert len(titles) == len(LESSON_TITLES)
    for title, words in zip(titles, LESSON_TITLES, strict=True):
        assert words in title.lower()
    assert window.help.open_lessons() is browser  # one window, raised again


def lesson_links() -> list[str]:
    return re.findall(r"\]\(lesson:([\w-]+)\)", LESSONS_MD.read_text(encoding="utf-8"))


def test_every_lesson_link_is_handled_and_its_model_exists(window):
    browser = window.help.open_lessons()
    in_markdown = lesson_links()
    assert len(in_markdown) >= 6
    rendered = [u.removeprefix("lesson:") for u in browser.links() if u.startswith("lesson:")]
    assert rendered == in_markdown  # Qt's Markdown renders each as a link
    for name in in_markdown:
        setup = SETUPS[name]
        while setup is not None:
            assert lessons.model_file(setup).is_file(), name
            assert setup.tool in (None, *demo.TOOLS) or setup.tool in window.docks
            assert setup.view in demo.VIEWS
            setup = setup.fallback
    assert set(SETUPS) == set(in_markdown)  # no set-up that no link uses


def test_setups_name_each_models_own_data_set():
    from trainer.checkpoint import read_checkpoint_info

    setups = list(SETUPS.values()) + [s.fallback for s in SETUPS.values() if s.fallback]
    for setup in setups:
        assert read_checkpoint_info(lessons.model_file(setup)).dataset_spec == setup.data


def test_fashion_lessons_fall_back_to_the_digits():
    setup = lessons.resolve(SETUPS["denoise"], has_data=lambda spec: False)
    assert (setup.model, setup.data, setup.tool) == ("digits-dae", "digits", "denoise")
    assert lessons.resolve(SETUPS["denoise"], has_data=lambda spec: True) is SETUPS["denoise"]
    assert lessons.resolve(SETUPS["holes-ae"], has_data=lambda spec: False) is SETUPS["holes-ae"]


def click_lesson(window, name):
    window.help.open_lessons().anchorClicked.emit(QUrl(f"lesson:{name}"))


def test_show_me_opens_the_model_and_stages_the_tool(loaded, qtbot, monkeypatch):
    monkeypatch.setattr(lessons, "data_found", lambda spec: spec != "fashion-mnist")
    window, session = loaded, loaded.session
    click_lesson(window, "attributes")  # Fashion-MNIST "missing": the digits VAE, from 1 to 7
    want = lessons.MODELS_DIR / "digits-vae.safetensors"
    tool = window.docks["attributes"].panel.tool
    qtbot.waitUntil(lambda: session.model_path == want and session.is_ready and tool.classes == (1, 7),
                    timeout=LOAD_MS)
    assert session.dataset.spec == "digits"
    assert session.selected == demo.first_test_row(session, 1)
    assert session.dataset.labels[session.selected] == 1
    assert tool.source == "classes" and tool.alpha == 2.0
    qtbot.waitUntil(lambda: not window.docks["attributes"].visibleRegion().isEmpty())
    qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_MS)


def test_show_me_sets_the_view_and_the_manifold(loaded, qtbot):
    window, session = loaded, loaded.session
    window.scatter.manifold_box.setChecked(True)
    click_lesson(window, "pixels-pca")
    qtbot.waitUntil(lambda: session.projection.kind == "pixels-pca", timeout=LOAD_MS)
    assert session.model_path == lessons.MODELS_DIR / "digits-vae.safetensors"
    assert not window.scatter.manifold_box.isChecked()
    qtbot.waitUntil(lambda: demo.idle(window), timeout=LOAD_MS)


def test_show_me_for_an_unknown_lesson_says_so(window, monkeypatch):
    shown = []
    monkeypatch.setattr(window, "show_error", shown.append)
    click_lesson(window, "no-such-lesson")
    assert shown and "no-such-lesson" in shown[0]
    assert window.help.runner.pending is None and window.session.model is None
