"""Sphinx configuration of the sklearn-hnn documentation.

Build: ``python -m sphinx -b html docs docs/_build/html -W``. The gallery
(``examples/plot_*.py``) is executed during the build; other example scripts
are shown, not run. So is ``plot_real_pendulum.py`` when the measurements it
reads are nowhere to be found (see ``examples/README.md``).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform

import sklearn_hnn
from sklearn_hnn.datasets.real import DATA_ENV, REAL_PENDULUM_FILE, find_data_file

project = "sklearn-hnn"
author = "sklearn-hnn developers"
copyright = "2026, sklearn-hnn developers"
version = release = sklearn_hnn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "results/**",
    "auto_examples/*.ipynb",
    "sg_execution_times.rst",
    "auto_examples/sg_execution_times.rst",
]

# Markdown pages (MyST): headings become link targets, as on GitHub.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# API reference: one page per public object, from its numpydoc docstring.
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

default_role = "literal"  # `name` in docstrings is code, as in scikit-learn
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-hnn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []

# The real pendulum's measurements are not in the repository: unless
# SKLEARN_HNN_DATA says where they are, they are looked for in ../shared/data
# beside the checkout. Where they are nowhere, the one example that reads them
# is shown without being run.
_shared_data = Path(__file__).resolve().parents[2] / "shared" / "data"
if not os.environ.get(DATA_ENV) and (_shared_data / REAL_PENDULUM_FILE).is_file():
    os.environ[DATA_ENV] = str(_shared_data)
try:
    find_data_file(REAL_PENDULUM_FILE)
    _executed = r"/plot_"
except FileNotFoundError:
    _executed = r"/plot_(?!real_pendulum\.py)"

# The gallery: every examples/plot_*.py runs and its figures go in the pages.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": _executed,
    "ignore_pattern": r"__init__\.py",
    "doc_module": ("sklearn_hnn",),
    "reference_url": {"sklearn_hnn": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "download_all_examples": False,
    "matplotlib_animations": False,
    "min_reported_time": 5,
}

# Headless figures, and no training noise in the pages.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", category=UserWarning, message=".*non-interactive.*")


# Links from the pages to committed outputs (``results/...``: tables, logs,
# benchmark figures) are not pages: they point at the files themselves,
# copied next to the HTML.
class _ResultsLinks(SphinxPostTransform):
    default_priority = 8  # before MyST resolves its references (9)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(pending_xref)):
            if node.get("reftype") != "myst":
                continue
            target = node["reftarget"]
            if not target.startswith("results"):
                continue
            if node.get("refdomain") == "doc":
                target += ".md"
            link = nodes.reference("", "", refuri=target, internal=False)
            link += node.children[0].deepcopy()
            node.replace_self(link)


def _copy_results(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        source = Path(app.srcdir) / "results"
        shutil.copytree(source, Path(app.outdir) / "results", dirs_exist_ok=True)


def setup(app):
    app.add_post_transform(_ResultsLinks)
    app.connect("build-finished", _copy_results)
