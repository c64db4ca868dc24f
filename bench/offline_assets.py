"""Make a published asv dashboard work with no network: local copies of the assets asv loads from CDNs.

asv 0.6's ``index.html`` loads jQuery, flot (and its time/selection/categories plugins), flot-orderbars,
stupidtable, blueimp-md5 and Bootstrap 3 (JavaScript and CSS) from CDNs; without them it shows the
"Can not determine continental origin of swallow" error page. ``bench/web/package.json`` pins the npm
packages of the same versions (``package-lock.json`` pins their hashes); :func:`install_assets` installs
them with ``npm ci`` under ``.asv/web-assets`` and :func:`make_offline` copies the files into
``<html_dir>/vendor/`` and points the HTML at them. jQuery, flot-orderbars, blueimp-md5 and Bootstrap are
byte-identical to the CDN files (their SRI hashes match); flot 0.8.3 comes unminified and stupidtable
as 1.1.3 (npm has no 1.0.1). An external asset with no local copy is an error, so a new asv release that
adds one fails here rather than in the browser.

Usage: ``python bench/offline_assets.py .asv/html`` (``bench/dashboard`` calls it after ``asv publish``).
This module is imported by asv's benchmark discovery, like every module in ``bench/``: it defines no
benchmark and does nothing on import.
"""

import base64
import hashlib
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent / "web"

# (pattern found in asv's CDN URL, file in node_modules, path under <html_dir>/vendor)
ASSETS = [
    (r"/jquery-3\.3\.1\.min\.js$", "jquery/dist/jquery.min.js", "jquery/jquery.min.js"),
    (r"/flot/0\.8\.3/jquery\.flot\.min\.js$", "flot/jquery.flot.js", "flot/jquery.flot.js"),
    (r"/flot/0\.8\.3/jquery\.flot\.time\.min\.js$", "flot/jquery.flot.time.js", "flot/jquery.flot.time.js"),
    (r"/flot/0\.8\.3/jquery\.flot\.selection\.min\.js$", "flot/jquery.flot.selection.js",
     "flot/jquery.flot.selection.js"),
    (r"/flot/0\.8\.3/jquery\.flot\.categories\.min\.js$", "flot/jquery.flot.categories.js",
     "flot/jquery.flot.categories.js"),
    (r"/flot-orderbars@1\.0\.0/js/jquery\.flot\.orderBars\.js$", "flot-orderbars/js/jquery.flot.orderBars.js",
     "flot-orderbars/jquery.flot.orderBars.js"),
    (r"/stupidtable/[0-9.]+/stupidtable\.min\.js$", "stupid-table-plugin/stupidtable.min.js",
     "stupidtable/stupidtable.min.js"),
    (r"/blueimp-md5/2\.19\.0/js/md5\.min\.js$", "blueimp-md5/js/md5.min.js", "blueimp-md5/md5.min.js"),
    (r"/bootstrap@3\.1\.1/dist/js/bootstrap\.min\.js$", "bootstrap/dist/js/bootstrap.min.js",
     "bootstrap/js/bootstrap.min.js"),
    (r"/bootstrap@3\.1\.1/dist/css/bootstrap\.min\.css$", "bootstrap/dist/css/bootstrap.min.css",
     "bootstrap/css/bootstrap.min.css"),
]
# Directories copied whole: Bootstrap's CSS loads its glyph font from ../fonts/.
ASSET_DIRS = [("bootstrap/dist/fonts", "bootstrap/fonts")]

# A tag that makes the browser fetch something: <script src>, <link href> (stylesheet, icon), <img src>.
_RESOURCE_TAG = re.compile(r"<(script|link|img)\b[^>]*>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = re.compile(r"""\s([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*')""")
_EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
_CSS_EXTERNAL = re.compile(r"""(url\(\s*['"]?|@import\s+['"])(https?:)?//""", re.IGNORECASE)


class OfflineAssetsError(RuntimeError):
    """The assets could not be installed, or the HTML still needs the network."""


def install_assets(cache_dir):
    """Install the pinned npm packages under ``cache_dir`` (``npm ci``, skipped when up to date).

    Returns the ``node_modules`` directory.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    lock = (WEB_DIR / "package-lock.json").read_bytes()
    modules = cache_dir / "node_modules"
    stamp = cache_dir / "installed-package-lock.json"
    if modules.is_dir() and stamp.is_file() and stamp.read_bytes() == lock:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineAssetsError(
            "npm is needed to install the dashboard's JavaScript/CSS (bench/web/package.json); "
            "install Node.js and npm (Debian: apt-get install npm)")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(WEB_DIR / name, cache_dir / name)
    command = [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    result = subprocess.run(command, cwd=cache_dir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OfflineAssetsError(f"{' '.join(command)} failed in {cache_dir}:\n{result.stdout}{result.stderr}")
    stamp.write_bytes(lock)
    return modules


def _attributes(tag):
    return {name.lower(): html.unescape(value[1:-1]) for name, value in _ATTRIBUTE.findall(tag)}


def _fetched_url(tag):
    """The URL that a resource tag makes the browser fetch, or None (e.g. <link rel="alternate">)."""
    kind = tag[1:].split(None, 1)[0].lower().rstrip(">")
    attributes = _attributes(tag)
    if kind == "link":
        rel = attributes.get("rel", "").lower().split()
        if not {"stylesheet", "icon", "preload", "modulepreload", "prefetch"} & set(rel):
            return None
        return attributes.get("href")
    return attributes.get("src")


def _sri_matches(integrity, data):
    for token in integrity.split():
        algorithm, _, expected = token.partition("-")
        if algorithm in ("sha256", "sha384", "sha512"):
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if actual == expected:
                return True
    return False


def _local_tag(tag, url, local):
    """``tag`` pointing at ``local`` instead of ``url``, without its CDN-only attributes."""
    tag = tag.replace(url, local)
    return re.sub(r"""\s(integrity|crossorigin|referrerpolicy)(\s*=\s*("[^"]*"|'[^']*'))?""", "", tag)


def external_resources(html_dir):
    """Every http(s) URL that the pages, scripts and stylesheets in ``html_dir`` would fetch.

    Links a person may click (``<a href>``) and feeds (``<link rel="alternate">``) are not fetched.
    """
    found = []
    html_dir = Path(html_dir)
    for path in sorted(html_dir.rglob("*.html")):
        for match in _RESOURCE_TAG.finditer(path.read_text(encoding="utf-8")):
            url = _fetched_url(match.group(0))
            if url and _EXTERNAL.match(url):
                found.append((str(path.relative_to(html_dir)), url))
    for path in sorted(html_dir.rglob("*.css")):
        for match in _CSS_EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found.append((str(path.relative_to(html_dir)), match.group(0)))
    return found


def make_offline(html_dir, node_modules):
    """Copy the assets into ``<html_dir>/vendor`` and point every page of ``html_dir`` at them.

    Returns ``{vendor path: True if byte-identical to the CDN file (SRI hash match), else False}``.
    Raises :class:`OfflineAssetsError` if a page still fetches an external resource afterwards.
    """
    html_dir, node_modules = Path(html_dir), Path(node_modules)
    vendor = html_dir / "vendor"
    for source, target in ASSET_DIRS:
        shutil.copytree(node_modules / source, vendor / target, dirs_exist_ok=True)
    identical = {}
    for page in sorted(html_dir.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in list(_RESOURCE_TAG.finditer(text)):
            tag = match.group(0)
            url = _fetched_url(tag)
            if not url or not _EXTERNAL.match(url):
                continue
            for pattern, source, target in ASSETS:  # noqa: B007 (source, target are read after the break)
                if re.search(pattern, url):
                    break
            else:
                raise OfflineAssetsError(f"{page.name} loads {url}, which has no local copy in {__file__}")
            data = (node_modules / source).read_bytes()
            (vendor / target).parent.mkdir(parents=True, exist_ok=True)
            (vendor / target).write_bytes(data)
            identical[target] = _sri_matches(_attributes(tag).get("integrity", ""), data)
            text = text.replace(tag, _local_tag(tag, url, f"vendor/{target}"))
        page.write_text(text, encoding="utf-8")
    remaining = external_resources(html_dir)
    if remaining:
        raise OfflineAssetsError("still external: " + ", ".join(f"{page}: {url}" for page, url in remaining))
    return identical


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python bench/offline_assets.py HTML_DIR (e.g. .asv/html, after asv publish)",
              file=sys.stderr)
        return 2
    html_dir = Path(argv[0])
    modules = install_assets(html_dir.resolve().parent / "web-assets")
    identical = make_offline(html_dir, modules)
    same = sum(identical.values())
    print(f"offline assets: {len(identical)} files in {html_dir / 'vendor'} ({same} byte-identical to the "
          f"CDN files asv names; {', '.join(t for t, s in identical.items() if not s) or 'none'} differ)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
