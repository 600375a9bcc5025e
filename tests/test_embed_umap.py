"""trainer.embed_umap: UMAP as progress steps (seeded and repeatable), the fit-on-a-sample rule above the cap,
a stop that ends the fit within an epoch, one message for unusable input; umap-learn, numba and ONNX Runtime
are never imported when the app starts."""

import subprocess
import sys
import time

import numpy as np
import pytest

from trainer.embed_umap import umap_steps
from trainer.errors import ConfigError


def blobs(n: int = 300, d: int = 5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs, and each point's blob."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    return (rng.normal(0, 0.3, (n, d)) + 6 * np.eye(3, d)[labels]).astype(np.float32), labels


def test_umap_keeps_the_blobs_apart_reports_epochs_and_repeats(tmp_path):
    x, labels = blobs()
    steps = list(umap_steps(x))
    xy = steps[-1].xy
    assert xy.shape == (300, 2) and xy.dtype == np.float32 and np.isfinite(xy).all()
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("epoch" in s.text for s in steps) and all(s.xy is None for s in steps[:-1])
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(5).fit(xy, labels)  # the layout keeps each blob together
    assert knn.score(xy, labels) > 0.97
    np.testing.assert_array_equal(list(umap_steps(x))[-1].xy, xy)


def test_above_the_cap_the_rest_is_placed_beside_its_nearest_fitted_points():
    x, labels = blobs(400)
    steps = list(umap_steps(x, cap=150))
    assert any("placing the other 250 points" in s.text for s in steps)
    xy = steps[-1].xy
    centres = np.stack([np.median(xy[labels == k], axis=0) for k in range(3)])
    nearest = np.argmin(((xy[:, None] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == labels).mean() > 0.97


def test_closing_the_generator_returns_at_once_and_progress_bars_still_work(capsys):
    x, _ = blobs(400)
    steps = umap_steps(x)
    for step in steps:
        if "epoch" in step.text:
            break
    start = time.monotonic()
    steps.close()  # what a lane does with a stale job: the fit finishes in the background, unused
    assert time.monotonic() - start < 5
    from tqdm import tqdm

    for _ in tqdm(range(3)):  # tqdm's global lock is free (an exception inside its refresh kept it held)
        pass


@pytest.mark.parametrize(("data", "message"), [(np.zeros((5, 3)), "at least 8 points"),
                                               (np.ones((20, 3)), "not all the same"),
                                               (np.full((20, 3), np.nan), "finite")])
def test_unusable_input_gets_one_message(data, message):
    with pytest.raises(ConfigError, match=message):
        list(umap_steps(data))


def test_the_app_starts_without_umap_numba_or_onnx_runtime():
    code = ("import sys, explorer.app, explorer.main_window, explorer.state, trainer.model_files; "
            "heavy = [m for m in ('umap', 'numba', 'pynndescent', 'onnxruntime', 'onnx') "
            "         if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
