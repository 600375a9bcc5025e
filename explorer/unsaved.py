"""Work is never lost without the person saying so: Save / Discard / Cancel, like any document program.

Asked when the window closes (the close button, File → Quit, Ctrl+Q, the desktop logging out) and before
another model replaces the current one (File → Open model, Recent files, a lesson's *Show me*, dropping a
file, training a new model), whenever the app holds work that no file holds:

- a model trained in this session and not saved (``Session.unsaved``);
- a model still training (``TrainingController.is_running``): *Save* stops it between two steps and saves
  the model trained so far; *Discard* stops it and drops it.

``unsaved_work(window)`` lists that work as plain sentences and ``question(items, action)`` words the
question, both without Qt widgets; ``UnsavedGuard`` asks it (``ask`` and ``choose_path`` are attributes, so
tests answer without a dialog) and acts on the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from explorer.mnemonics import give_mnemonics

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
WAIT_LIMIT_MS = 120_000  # the longest a Save waits for training to stop and the file to be written


@dataclass(frozen=True)
class Question:
    title: str
    text: str  # what is not saved
    detail: str  # what the action does to it, and what each answer does


def unsaved_work(window) -> list[str]:
    """One sentence per piece of work that would be lost; [] when everything is in a file."""
    session, controller = window.session, window.training_dock.controller
    if controller.is_running():
        return [f"The model in training, {session.model_name()}, is not saved."]
    if session.unsaved and session.model is not None:
        return [f"The model you trained, {session.model_name()}, is not saved."]
    return []


def question(items: list[str], action: str) -> Question:
    """The question for ``items`` (from ``unsaved_work``) before ``action`` ("Closing the window")."""
    training = any("in training" in item for item in items)
    save = ("Save stops the training and saves the model trained so far" if training
            else "Save writes it to a file first")
    return Question("Save the model?", " ".join(items),
                    f"{action} discards it. {save}; Discard drops it; Cancel goes back.")


def message_box(parent, q: Question) -> QMessageBox:
    """The Save / Discard / Cancel box for ``q``: Enter saves, Escape cancels, Alt+S, Alt+D and Alt+C
    press their buttons (``explorer.mnemonics``)."""
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    box = QMessageBox(QMessageBox.Icon.Warning, q.title, q.text, buttons, parent)
    box.setInformativeText(q.detail)
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    give_mnemonics(box)
    return box


def ask_with_dialog(parent, q: Question) -> str:
    """SAVE, DISCARD or CANCEL from a modal message box (Escape and closing it mean Cancel)."""
    answer = message_box(parent, q).exec()
    return {QMessageBox.StandardButton.Save: SAVE, QMessageBox.StandardButton.Discard: DISCARD}.get(
        QMessageBox.StandardButton(answer), CANCEL)


class UnsavedGuard(QObject):
    """Asks before unsaved work is lost. An event filter on the window (installed after the training dock's
    ``StopOnClose``, so it sees the Close event first and can refuse it) and the session's
    ``confirm_replace``."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.ask: Callable[[object, Question], str] = ask_with_dialog
        self.choose_path: Callable[[], str] = self._choose_path
        self.asked: list[Question] = []  # every question asked (for tests and the log)
        window.installEventFilter(self)
        window.session.confirm_replace = self.confirm

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close and not self.confirm(
                "Closing the window"):
            event.ignore()
            return True
        return False

    def confirm(self, action: str) -> bool:
        """True when ``action`` may go on: nothing is unsaved, or it was saved, or the person discards it."""
        items = unsaved_work(self.window)
        if not items:
            return True
        q = question(items, action)
        self.asked.append(q)
        answer = self.ask(self.window, q)
        if answer == DISCARD:
            self.window.training_dock.controller.abandon()
            return True
        return answer == SAVE and self.save()

    def save(self) -> bool:
        """Stop training (if it runs) and wait for its model, then save it where the person chooses; True
        once the file is written."""
        controller, session = self.window.training_dock.controller, self.window.session
        if controller.is_running():
            ended: list[str] = []
            controller.ended.connect(ended.append)
            controller.stop()
            stopped = wait_until(lambda: bool(ended) and not session.adopting)
            controller.ended.disconnect(ended.append)
            if not stopped:
                return False
        path = self.choose_path()
        if not path or session.model is None:
            return False
        task = self.window.files.save_to(path if Path(path).suffix else path + ".safetensors")
        if task is None:
            return False
        written: list[bool] = []  # queued signals: connected before they can arrive
        task.done.connect(lambda _path: written.append(True))
        task.failed.connect(lambda _message: written.append(False))  # the error is shown by save_to's slot
        return wait_until(lambda: bool(written)) and written[0] and not session.unsaved

    def _choose_path(self) -> str:
        from explorer.file_menu import SAVE_FILTER, default_name

        start = str(Path(self.window.files.folder()) / default_name(self.window.session))
        path, _ = QFileDialog.getSaveFileName(self.window, "Save model as", start, SAVE_FILTER)
        return path


def wait_until(done: Callable[[], bool], limit_ms: int = WAIT_LIMIT_MS) -> bool:
    """Run the event loop (the window stays responsive) until ``done()`` or ``limit_ms``; ``done()``."""
    loop, timer = QEventLoop(), QTimer(interval=20)
    waited = [0]

    def poll() -> None:
        waited[0] += 20
        if done() or waited[0] >= limit_ms:
            loop.quit()

    timer.timeout.connect(poll)
    timer.start()
    if not done():
        loop.exec()
    timer.stop()
    return done()


def install(window) -> UnsavedGuard:
    return UnsavedGuard(window)
