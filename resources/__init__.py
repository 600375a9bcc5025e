"""The bundled files, installed as the package ``latent_explorer_resources``: pretrained models
(``models/*.safetensors``), icons, the lessons (``lessons.md``), the desktop entry, and Fashion-MNIST's test
split (``data/fashion-mnist/``, MIT-licensed: see its LICENSE) for a first start without the full set.

Read them through :mod:`trainer.resources` (``resource_path``, ``models_dir``), which finds this folder in an
installed wheel, an editable install, a PyInstaller bundle or a plain source checkout.
"""
