"""Interruptions as real processes see them: ``kill -9`` in the middle of a save, and Ctrl-C at the worst
moments of ``fit`` (during training, during the save, and after it, while Python shuts down)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from hostile import ROOT, assert_no_stray_files, environment, run_process


def test_kill_9_while_saving_leaves_a_temp_file_that_the_next_save_removes(tmp_path):
    writer = textwrap.dedent(f"""
        import sys, time
        from trainer.files import atomic_file
        with atomic_file({str(tmp_path / "model.safetensors")!r}) as f:
            f.write(bytes(4 << 20))
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", writer],
        cwd=ROOT,
        env=environment(tmp_path / "home"),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "writing"
        leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".lxtmp")]
        assert len(leftovers) == 1 and leftovers[0].stat().st_size == 4 << 20
    finally:
        proc.kill()  # SIGKILL: no finally block, no cleanup runs
        proc.wait()
    assert leftovers[0].exists()  # what kill -9 leaves behind
    from trainer.files import atomic_file

    with atomic_file(tmp_path / "model.safetensors") as f:  # the next save into the folder
        f.write(b"whole")
    assert_no_stray_files(tmp_path, ("model.safetensors", "home"))
    assert (tmp_path / "model.safetensors").read_bytes() == b"whole"


FIT = ["fit", "--data", "digits", "--hidden", "8", "--epochs", "2", "--limit-train", "300", "--quiet"]


def interrupted_fit(tmp_path, during_training: bool) -> subprocess.CompletedProcess:
    """``python -m trainer fit`` in a process that receives SIGINT (optionally once during training), again
    while the checkpoint is written, and again while Python shuts down (an atexit callback)."""
    script = textwrap.dedent(f"""
        import atexit, os, signal, sys, time
        import trainer.cli as cli
        import trainer.train as train

        def ctrl_c():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)  # the signal is delivered here

        real_fit, real_save = train.fit, cli.save_fit
        def fit(*args, **kwargs):
            for i, record in enumerate(real_fit(*args, **kwargs)):
                if i == 0 and {during_training}:
                    ctrl_c()
                yield record
        def save_fit(*args, **kwargs):
            ctrl_c()  # lands while the files are written
            real_save(*args, **kwargs)
        train.fit, cli.save_fit = fit, save_fit
        atexit.register(ctrl_c)  # lands after the save, while Python shuts down
        sys.argv = ["latent-trainer", *{[*FIT, "--out", str(tmp_path / "m.safetensors")]!r}]
        cli.entry()
    """)
    return run_process(["-c", script], tmp_path / "home")


def test_ctrl_c_in_training_then_while_saving_then_at_exit_saves_what_was_trained(tmp_path):
    """The first Ctrl-C stops training; the second lands while the checkpoint is written (held until it is
    whole); the third lands after the save, while Python shuts down (ignored: no "Exception ignored in atexit
    callback" traceback); the status is 130."""
    done = interrupted_fit(tmp_path, during_training=True)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "Ctrl-C noted, stopping once the files are written" in done.stderr
    assert "interrupted after" in done.stdout and "saved" in done.stdout
    from trainer.checkpoint import load_checkpoint

    _, info = load_checkpoint(tmp_path / "m.safetensors")
    assert info.metrics["interrupted"] is True
    assert_no_stray_files(tmp_path, ("m.safetensors", "home"))


def test_a_late_ctrl_c_never_turns_the_status_into_a_signal(tmp_path):
    """Python re-raises an uncaught KeyboardInterrupt as SIGINT (status -2); ``entry`` never lets one out."""
    script = textwrap.dedent("""
        import os, signal, sys, time
        import trainer.cli as cli
        cli.main = lambda argv=None: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.2), 0)[-1]
        cli.entry()
    """)
    done = run_process(["-c", script], tmp_path)
    assert done.returncode in (0, 130) and done.returncode != -signal.SIGINT, done.stderr
    assert "Traceback" not in done.stderr
