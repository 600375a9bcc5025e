"""Hostile and odd input in the window: every failure is one message, the window goes on, nothing is lost.

Uncaught errors in Qt slots and threads (one message that names the log file, the traceback in it); a model
whose codes are NaN (one message, no empty plot without a word); a latent size of 1 (shown against the class
and decoded along it); a damaged sweep folder in the Runs study; *Save model as* onto a device, into a
read-only folder, and onto a disk that fills up; a window size beyond what a screen can be.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS, tiny_model_file
from PySide6.QtCore import QTimer


@pytest.fixture
def logs_dir(tmp_path, monkeypatch):
    from trainer import logs

    monkeypatch.setenv(logs.LOGS_ENV, str(tmp_path / "logs"))
    return tmp_path / "logs"


@pytest.fixture
def reporter(window, logs_dir):
    from explorer import crash

    reporter = crash.install(window)
    yield reporter
    reporter.uninstall()


def _shown(window) -> str:
    return window._message.text() if window._message is not None and window._message.isVisible() else ""


def test_an_error_in_a_qt_slot_is_one_message_naming_the_log(window, reporter, logs_dir, qtbot):
    def broken_slot():
        raise ValueError("a bug in a slot")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: "a bug in a slot" in _shown(window), timeout=5000)
    log = logs_dir / "latent-explorer.log"
    assert str(log) in _shown(window) and "goes on working" in _shown(window)
    text = log.read_text()
    assert "Traceback" in text and "ValueError: a bug in a slot" in text and "broken_slot" in text
    assert window.isVisible()


def test_an_error_in_a_thread_is_shown_in_the_window_too(window, reporter, logs_dir, qtbot):
    def job():
        raise KeyError("from a thread")

    thread = threading.Thread(target=job, name="helper")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "from a thread" in _shown(window), timeout=5000)
    assert "in thread helper" in (logs_dir / "latent-explorer.log").read_text()


def test_repeated_errors_keep_one_message_and_a_bounded_log(window, reporter, logs_dir, qtbot):
    from explorer import crash

    for _ in range(crash.MAX_REPORTS + 5):
        reporter.report(RuntimeError("again"))
    qtbot.waitUntil(lambda: f"this happened {crash.MAX_REPORTS + 5} times" in _shown(window), timeout=5000)
    assert (logs_dir / "latent-explorer.log").read_text().count("RuntimeError: again") == crash.MAX_REPORTS


def test_a_worker_bug_names_the_log_file(logs_dir, qtbot):
    from explorer.workers import Lane

    lane = Lane("explorer-test")
    with qtbot.waitSignal(lane.failed, timeout=5000) as blocker:
        lane.submit(lambda: {}["missing"])
    lane.stop()
    assert "KeyError" in blocker.args[1] and str(logs_dir / "latent-explorer.log") in blocker.args[1]


# ---- models whose codes are NaN, and codes of one dimension ----------------------------------------------


@pytest.fixture(scope="module")
def nan_model(tmp_path_factory):
    import torch

    from trainer.checkpoint import load_checkpoint, save_checkpoint

    folder = tmp_path_factory.mktemp("nan")
    model, _ = load_checkpoint(tiny_model_file(folder / "ok.safetensors", latent_dim=3))
    with torch.no_grad():
        for p in model.encoder.parameters():
            p.fill_(3e38)  # finite, but every code overflows
    return save_checkpoint(folder / "nan.safetensors", model, dataset={"spec": "digits"})


def test_a_model_whose_codes_are_nan_says_so_once(window, nan_model, qtbot):
    messages = []
    window.session.error.connect(messages.append)
    with qtbot.waitSignal(window.session.ready, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(nan_model)
    qtbot.wait(50)
    assert len(messages) == 1 and "None of the 1,797 images has a finite latent code" in messages[0]
    assert window.scatter.count.text() == "0 points"
    window.session.set_projection(window.session.projection)  # redrawing raises nothing


@pytest.fixture(scope="module")
def one_d_model(tmp_path_factory):
    return tiny_model_file(tmp_path_factory.mktemp("one") / "one-d.safetensors", latent_dim=1)


def test_a_1d_code_is_shown_against_the_class_and_decoded_along_it(window, one_d_model, qtbot):
    from explorer.state import Projection, projection_choices

    s = window.session
    messages = []
    s.error.connect(messages.append)
    with qtbot.waitSignal(window.settled, timeout=LOAD_TIMEOUT_MS):
        s.open_model(one_d_model)
    assert not messages and s.projection == Projection("line")
    assert [p.kind for p in projection_choices(1)] == ["line", "pixels-pca", "pixels-tsne", "pixels-umap"]
    np.testing.assert_allclose(s.xy[:, 0], s.codes[:, 0], rtol=1e-6)
    assert np.abs(s.xy[:, 1] - s.dataset.labels).max() <= 0.31  # each class is a band at its index
    assert window.scatter.count.text() == "1,797 points"
    assert s.grid is not None and s.grid.images.shape[:2] == (s.grid.n, s.grid.n)
    with qtbot.waitSignal(s.decodedChanged, timeout=LOAD_TIMEOUT_MS):
        s.decode_at(0.25, 3.0)
    assert s.decoded.z.shape == (1,) and s.decoded.z[0] == pytest.approx(0.25)


# ---- the Runs study on a damaged sweep folder ----------------------------------------------------------


@pytest.fixture
def runs(qtbot):
    from explorer.state import Session
    from explorer.studies.runs import RunsWindow

    session = Session()
    view = RunsWindow(session)
    qtbot.addWidget(view)
    view.show()
    yield view
    session.shutdown()


@pytest.mark.parametrize(
    "results, problem",
    [
        (b"\xff\xfe\x00 not text", "not UTF-8"),
        (b"label,lr\nadam,0.1\n", "no id column"),
        (b'id,label,status\n"unclosed,x\n', ""),
    ],
)
def test_the_runs_study_says_why_a_results_table_cannot_be_read(runs, tmp_path, results, problem):
    (tmp_path / "results.csv").write_bytes(results)
    runs.tool.set_folder(tmp_path)
    assert runs.table.rowCount() == 0 or not problem
    assert runs.problem_label.isVisibleTo(runs) == bool(problem) and problem in runs.problem_label.text()


def test_the_runs_study_draws_damaged_curves_without_raising(runs, tmp_path):
    run = tmp_path / "0000abcd"
    run.mkdir()
    (run / "run.json").write_text(
        '{"curves": [5, {"epoch": "x", "train": {"loss": "NaN"}}, '
        '{"epoch": 2, "train": {"loss": 1.5}, "val": 7}], "test": [1]}'
    )
    (tmp_path / "results.csv").write_text("id,label,status\n0000abcd,adam,done\n")
    runs.tool.set_folder(tmp_path)
    runs.select_runs(["0000abcd"])
    assert len(runs.curves) == 2 and list(runs.curves[0].getData()[1]) == [1.5]


# ---- saving the model ----------------------------------------------------------------------------------


def _save_error(loaded, qtbot, path) -> str:
    messages = []
    loaded.session.error.connect(messages.append)
    task = loaded.files.save_to(path)
    if task is not None:
        qtbot.waitUntil(lambda: bool(messages) or not task.isRunning(), timeout=LOAD_TIMEOUT_MS)
        qtbot.waitUntil(lambda: not task.isRunning(), timeout=LOAD_TIMEOUT_MS)
        qtbot.waitUntil(lambda: bool(messages), timeout=LOAD_TIMEOUT_MS)
    return messages[0] if messages else ""


def test_save_model_as_onto_a_device_is_refused_and_the_device_stays(loaded, qtbot, tmp_path):
    from hostile import device

    node = device(tmp_path, "null")  # as root a mknod copy: never risk the machine's /dev/null
    if node is None:
        pytest.skip("no device node can be made here")
    assert "is a device, not a file" in _save_error(loaded, qtbot, node)
    assert node.is_char_device()


def test_save_model_as_into_a_folder_that_cannot_be_written(loaded, qtbot, tmp_path):
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    else:
        folder = Path("/sys/kernel")
    assert "cannot write there" in _save_error(loaded, qtbot, folder / "m.safetensors")


def test_a_save_that_fails_at_the_end_keeps_the_model_and_says_where(loaded, qtbot, tmp_path, monkeypatch):
    import errno

    import trainer.files as files

    real = os.replace

    def full_disk(src, dst):
        if str(dst).startswith(str(tmp_path / "full")):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    (tmp_path / "full").mkdir()
    monkeypatch.setattr(files.os, "replace", full_disk)
    message = _save_error(loaded, qtbot, tmp_path / "full" / "m.safetensors")
    assert "No space left on device" in message and "the model is kept in" in message
    kept = Path(message.split("the model is kept in ")[1].split()[0])
    assert kept.is_file() and kept.parent.name == "recovered"
    assert os.listdir(tmp_path / "full") == []


def test_recent_files_know_paths_with_question_marks(tmp_path):
    from explorer.file_menu import data_entry, entry_path

    folder = tmp_path / "a?b"
    folder.mkdir()
    (folder / "set.npz").write_bytes(b"")
    spec = f"npz:{folder / 'set.npz'}"
    assert entry_path(f"data:{spec}") == folder / "set.npz"
    assert data_entry(spec) == f"data:{spec}" and data_entry("shapes?n=10") is None


@pytest.mark.parametrize("size", ["100000x100000", "0x0", "10x10"])
def test_the_window_size_flag_is_bounded(size):
    from explorer.app import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--size", size])


def test_a_fatal_crash_leaves_every_threads_stack_in_the_log(tmp_path):
    """A segmentation fault ends the process with no Python exception: faulthandler writes the stacks to
    the log file (the app double-clicked has no terminal)."""
    import os
    import subprocess
    import sys

    logs_dir = tmp_path / "logs"
    code = ("from explorer import crash\n"
            "print(crash.watch_fatal_errors(), flush=True)\n"
            "import faulthandler\n"
            "faulthandler._sigsegv()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LATENT_EXPLORER_LOGS": str(logs_dir)})
    assert out.returncode != 0
    log = logs_dir / "latent-explorer.log"
    assert out.stdout.strip() == str(log)
    text = log.read_text()
    assert "Segmentation fault" in text and "most recent call first" in text
