"""Sphinx configuration of codedml's documentation (``pip install '.[docs]'``; built with warnings as errors:
``sphinx-build -W --keep-going -b html docs docs/_build/html``)."""

import codedml

project = "codedml"
author = "the codedml authors"
copyright = "codedml authors, MIT licence"
version = release = codedml.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

# the API pages are generated at build time from the package's ``__all__`` lists (never committed)
autosummary_generate = True
autosummary_ignore_module_all = False
autosummary_imported_members = False
templates_path = ["_templates"]
exclude_patterns = ["_build", "_generated/*.rst.txt", "**/.ipynb_checkpoints"]

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False  # autosummary's class template lists the members instead
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# offline: no intersphinx, no MathJax, no CDN asset (math is written in code spans); furo bundles its assets
html_theme = "furo" if __import__("importlib.util").util.find_spec("furo") else "alabaster"
html_title = f"codedml {release}"
html_static_path = []
html_show_sourcelink = False
