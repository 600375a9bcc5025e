"""``python -m trainer``: the same command line as ``latent-trainer`` (see trainer/cli.py)."""

from trainer.cli import entry

if __name__ == "__main__":
    entry()
