"""The bundle's entry point (PyInstaller runs this file): the same as the ``latent-explorer`` command."""

import multiprocessing
import sys

from explorer.app import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # scikit-learn/joblib may start worker processes from the frozen app
    sys.exit(main())
