"""The engine must import, and run, with no Qt installed."""

import subprocess
import sys
import textwrap


def test_trainer_imports_without_pyside6():
    code = textwrap.dedent("""
        import sys
        for name in ("PySide6", "pyqtgraph", "superqt", "explorer"):
            sys.modules[name] = None  # any import of these now raises ImportError
        import importlib, pkgutil, trainer
        for mod in pkgutil.walk_packages(trainer.__path__, "trainer."):
            importlib.import_module(mod.name)
        loaded = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "superqt")
                  and sys.modules[m] is not None]
        assert not loaded, loaded
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")
