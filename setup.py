"""The package list for setuptools (the rest of the metadata is in pyproject.toml): the engine and the app,
plus ``resources/`` installed as the data package ``latent_explorer_resources``."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["trainer*", "explorer*"]), "latent_explorer_resources"],
      package_dir={"latent_explorer_resources": "resources"})
