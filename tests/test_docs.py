"""The documentation (docs/): its Sphinx build passes with warnings as errors, its examples run, and every public
name has an API page. Needs the ``docs`` extra (``pip install '.[docs]'``); skipped without Sphinx."""

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.rst") if not {"_generated", "_templates", "_build"} & set(p.parts))
API_MODULES = ["codes", "fields", "sim", "analysis", "learn", "cluster", "errors"]


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    pytest.importorskip("sphinx", reason="the docs build needs Sphinx: pip install '.[docs]'")
    pytest.importorskip("numpydoc", reason="the docs build needs numpydoc: pip install '.[docs]'")
    out = tmp_path_factory.mktemp("html")
    build = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                            str(out)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"sphinx-build -W failed:\n{build.stderr[-5000:]}"
    return out


def test_build_writes_every_page(html: Path):
    for page in PAGES:
        assert (html / page.relative_to(DOCS).with_suffix(".html")).is_file(), page


def test_every_public_name_has_an_api_page(html: Path):
    for name in API_MODULES:
        module = importlib.import_module(f"codedml.{name}")
        for member in getattr(module, "__all__", []):
            if callable(getattr(module, member)):  # constants are listed on the module's page
                assert (html / "_generated" / f"codedml.{name}.{member}.html").is_file(), f"codedml.{name}.{member}"
    assert "codedml.warm_up" in (html / "api.html").read_text()


def test_pages_use_no_external_assets(html: Path):
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert 'src="http' not in text and 'rel="stylesheet" href="http' not in text, page


@pytest.mark.parametrize("page", [p for p in PAGES if ">>>" in p.read_text()], ids=lambda p: p.name)
def test_examples_run(page: Path):
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} of {result.attempted} examples fail"
