"""Work is never lost without the person saying so: Save / Discard / Cancel for an unsaved trained model."""

from __future__ import annotations

import pytest

from explorer import training
from explorer.unsaved import CANCEL, DISCARD, SAVE, question, unsaved_work
from tests.app_fixtures import *  # noqa: F403
from tests.app_fixtures import LOAD_TIMEOUT_MS

TRAIN_TIMEOUT_MS = 120_000


@pytest.fixture(autouse=True)
def no_training_threads_left():
    yield
    assert training.running_threads() == [], "a training, saving or loading thread is still running"


class Answers:
    """Stands in for the message box: records each question and gives ``answer``."""

    def __init__(self, window, answer: str, path=None):
        self.questions, self.answer = [], answer
        window.unsaved.ask = self.ask
        window.unsaved.choose_path = lambda: str(path) if path else ""

    def ask(self, _parent, q):
        self.questions.append(q)
        return self.answer


def train(window, digits, qtbot, epochs: int = 1) -> None:
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    dock.arch.setCurrentText("mlp-512")
    dock.epochs.setValue(epochs)
    dock.batch.setValue(256)
    dock.device.setCurrentIndex(0)
    with qtbot.waitSignal(s.ready, timeout=TRAIN_TIMEOUT_MS):
        assert dock.start()


def test_the_question_names_what_is_lost_and_each_answer():
    q = question(["The model you trained, untitled model, is not saved."], "Closing the window")
    assert "untitled model" in q.text and q.detail.startswith("Closing the window discards it")
    assert all(word in q.detail for word in ("Save", "Discard", "Cancel"))
    q = question(["The model in training, untitled (training, epoch 3/20), is not saved."], "Opening a.st")
    assert "stops the training" in q.detail and "epoch 3/20" in q.text


def test_cancel_keeps_the_window_and_the_trained_model(window, digits, qtbot):
    train(window, digits, qtbot)
    model = window.session.model
    answers = Answers(window, CANCEL)
    assert not window.close()
    assert window.isVisible() and window.session.model is model and window.session.unsaved
    assert len(answers.questions) == 1 and "untitled model" in answers.questions[0].text
    window.unsaved.ask = lambda *_: DISCARD  # let the fixture close it


def test_discard_closes_and_ctrl_q_asks_too(window, digits, qtbot):
    train(window, digits, qtbot)
    answers = Answers(window, CANCEL)
    window.quit_action.trigger()  # File → Quit (Ctrl+Q)
    assert window.isVisible() and len(answers.questions) == 1
    answers.answer = DISCARD
    window.quit_action.trigger()
    assert not window.isVisible() and len(answers.questions) == 2


def test_save_writes_the_model_with_its_history_before_closing(window, digits, qtbot, tmp_path):
    from trainer.checkpoint import read_checkpoint_info

    train(window, digits, qtbot, epochs=2)
    path = tmp_path / "mine.safetensors"
    answers = Answers(window, SAVE, path)
    assert window.close()
    assert len(answers.questions) == 1 and path.exists() and not window.isVisible()
    info = read_checkpoint_info(path)
    assert [h["epoch"] for h in info.metrics["history"]] == [1, 2] and info.train_config["epochs"] == 2


def test_save_with_no_file_chosen_keeps_the_window_open(window, digits, qtbot):
    train(window, digits, qtbot)
    Answers(window, SAVE, path=None)  # the file dialog was cancelled
    assert not window.close() and window.isVisible() and window.session.unsaved
    window.unsaved.ask = lambda *_: DISCARD


def test_opening_another_model_over_an_unsaved_one_asks(window, digits, qtbot, model_file):
    train(window, digits, qtbot)
    s, trained = window.session, window.session.model
    answers = Answers(window, CANCEL)
    assert not s.open_model(model_file)
    assert s.model is trained and s.busy == "" and "Opening" in answers.questions[0].detail
    answers.answer = DISCARD
    with qtbot.waitSignal(s.ready, timeout=LOAD_TIMEOUT_MS):
        assert s.open_model(model_file)
    assert s.model_path == model_file and not s.unsaved
    assert unsaved_work(window) == [] and window.close()  # nothing unsaved: no question
    assert len(answers.questions) == 2


def test_training_a_new_model_over_an_unsaved_one_asks(window, digits, qtbot):
    train(window, digits, qtbot)
    trained, dock = window.session.model, window.training_dock
    answers = Answers(window, CANCEL)
    assert not dock.start() and not dock.controller.is_running() and window.session.model is trained
    assert "Training a new model" in answers.questions[0].detail
    answers.answer = DISCARD


def _training(window, digits, qtbot):
    """Start a training that will not end by itself (100,000 epochs on digits) and wait for its first
    snapshot; the Training dock."""
    s, dock = window.session, window.training_dock
    s.set_dataset(digits)
    dock.epochs.setValue(100_000)
    dock.batch.setValue(256)
    dock.device.setCurrentIndex(0)
    with qtbot.waitSignal(s.modelUpdated, timeout=TRAIN_TIMEOUT_MS):
        assert dock.start()
    return dock


def test_closing_during_training_saves_the_model_trained_so_far(window, digits, qtbot, tmp_path):
    dock = _training(window, digits, qtbot)
    path = tmp_path / "stopped.safetensors"
    answers = Answers(window, SAVE, path)
    assert window.close()
    assert "in training" in answers.questions[0].text and path.exists()
    assert not dock.controller.is_running()


def test_discarding_during_training_drops_the_model(window, digits, qtbot):
    dock = _training(window, digits, qtbot)
    Answers(window, DISCARD)
    assert window.close() and not dock.controller.is_running()


@pytest.mark.parametrize("key, answer", [("S", "Save"), ("D", "Discard"), ("C", "Cancel")])
def test_alt_and_a_letter_answers_the_question(qtbot, key, answer):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from explorer.unsaved import message_box

    box = message_box(None, question(["The model you trained, untitled model, is not saved."], "Quitting"))
    qtbot.addWidget(box)
    with qtbot.waitActive(box):
        box.show()
    texts = {box.standardButton(b).name: b.text() for b in box.buttons()}
    assert texts == {"Save": "&Save", "Discard": "&Discard", "Cancel": "&Cancel"}  # the letter underlined
    qtbot.keyClick(box, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)
    pressed = box.button(getattr(QMessageBox.StandardButton, answer))
    qtbot.waitUntil(lambda: box.clickedButton() is pressed, timeout=2000)  # a shortcut clicks after 0.1 s
