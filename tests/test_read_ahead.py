"""Start-up reads the data set it will show beside the window's construction (explorer.read_ahead), and the
model lane takes that copy once."""

from __future__ import annotations

import numpy as np
import pytest
from app_fixtures import *  # noqa: F403
from app_fixtures import LOAD_TIMEOUT_MS

from explorer import read_ahead
from trainer.errors import TrainerError


@pytest.fixture(autouse=True)
def nothing_pending():
    read_ahead._pending.clear()
    yield
    read_ahead._pending.clear()


def test_the_data_set_a_model_names_is_read_ahead_and_taken_once(model_file, digits):
    assert read_ahead.start(model_file) == "digits"  # the spec in the checkpoint's header
    early = read_ahead.take("digits")
    np.testing.assert_array_equal(early.images, digits.images)
    np.testing.assert_array_equal(early.labels, digits.labels)
    assert read_ahead.take("digits") is None  # once: a later open reads it again
    assert read_ahead.start(model_file, "shapes?n=40") == "shapes?n=40"  # a data set asked for wins
    assert len(read_ahead.take("shapes?n=40").images) == 40


def test_nothing_to_read_ahead_and_failures_come_back_to_the_taker(tmp_path, model_file):
    assert read_ahead.start(None) is None
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"not a checkpoint")
    assert read_ahead.start(bad) is None and read_ahead._pending == {}
    assert read_ahead.start(model_file, "no-such-data-set") == "no-such-data-set"
    with pytest.raises(TrainerError):
        read_ahead.take("no-such-data-set")


def test_the_model_lane_opens_with_the_copy_read_ahead(window, model_file, qtbot):
    read_ahead.start(model_file)
    early = read_ahead._pending["digits"].result(timeout=60)
    with qtbot.waitSignal(window.session.ready, timeout=LOAD_TIMEOUT_MS):
        window.session.open_model(model_file)
    assert window.session.dataset is early and read_ahead._pending == {}
