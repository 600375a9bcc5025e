"""Data-parallel training: the shards of a batch, and torchrun with two CPU processes = one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from trainer.distributed import is_main_process, launched_size, shard_bounds, world

ROOT = Path(__file__).resolve().parents[1]


def _gloo_available() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_gloo_available()


needs_gloo = pytest.mark.skipif(not _gloo_available(),
                                reason="this torch build has no torch.distributed with the gloo backend")


@pytest.mark.parametrize(("n", "batch", "ranks"), [(1438, 64, 2), (10, 4, 3), (7, 7, 8), (129, 64, 2)])
def test_shards_use_every_index_once_in_the_single_process_order(n, batch, ranks):
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    for start in range(0, n, batch):
        whole = perm[start:start + batch]  # the batch one process takes at this step
        parts = [whole[slice(*shard_bounds(len(whole), r, ranks))] for r in range(ranks)]
        assert torch.equal(torch.cat(parts), whole)
        sizes = [len(p) for p in parts]
        assert max(sizes) - min(sizes) <= 1
    epoch = torch.cat([perm[s:s + batch][slice(*shard_bounds(len(perm[s:s + batch]), r, ranks))]
                       for s in range(0, n, batch) for r in range(ranks)])
    assert torch.equal(epoch, perm) and sorted(epoch.tolist()) == list(range(n))


def test_outside_torchrun_nothing_changes(monkeypatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert launched_size() == 1 and is_main_process()
    with world(torch.device("cpu")) as where:
        assert where is None
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    assert launched_size() == 2 and not is_main_process()


def _fit(out: Path, launcher: list[str]) -> dict:
    # fp32: bf16 autocast (the default on CPUs with native bf16) rounds each shard's gradient sums to bf16,
    # so the two runs would agree only to ~1e-2. --limit-train 1409 = 22×64 + 1 leaves a last batch of one
    # image: rank 1 gets an empty shard there, and unequal shards must still give the one-process gradient.
    cmd = [*launcher, "-m", "trainer", "fit", "--data", "digits", "--hidden", "32", "--device", "cpu",
           "--threads", "1", "--precision", "fp32", "--seed", "0", "--batch-size", "64", "--epochs", "2",
           "--limit-train", "1409", "--family", "denoising", "-q", "--out", str(out),
           "--metrics-json", str(out.with_suffix(".json"))]
    env = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.with_suffix(".json").read_text())


@needs_gloo
def test_two_cpu_processes_train_the_model_one_process_trains(tmp_path):
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    two = _fit(tmp_path / "A.safetensors", torchrun)
    one = _fit(tmp_path / "B.safetensors", [sys.executable])
    a, b = load_file(tmp_path / "A.safetensors"), load_file(tmp_path / "B.safetensors")
    assert a.keys() == b.keys()
    # Same data, noise, batches and initial weights: only the float32 summation order differs (each rank
    # sums its half of the batch, then the halves are averaged), which moves weights by ~1e-7.
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=0, atol=1e-5, err_msg=name)
    assert (two["processes"], one["processes"]) == (2, 1)
    assert two["train_images"] == one["train_images"] == 1409
    for key in ("loss_nats", "recon_nats", "kl_nats", "psnr_db"):
        assert two["test"][key] == pytest.approx(one["test"][key], rel=1e-5)
    for e2, e1 in zip(two.get("history", []), one.get("history", []), strict=True):
        for part in ("train", "val"):
            assert e2[part] == pytest.approx(e1[part], rel=1e-5)
