"""bench/dashboard's published asv dashboard renders offline in headless Chromium (issue 15).

One quick benchmark of the real suite (its module alone) is run in this Python
(``asv run --python=same --set-commit-hash``, which stores results; without the hash asv stores nothing),
published with ``bench/dashboard --no-run``
into a temporary folder, served on 127.0.0.1 and opened in Debian's ``chromium`` with every other host
unresolvable. The checks: the benchmark list and a flot graph are in the DOM after the scripts ran, the
page never fell back to asv's error page, and Chromium's network log holds no request outside 127.0.0.1.
"""

import functools
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium); "
    "the offline dashboard is checked by rendering it in headless Chromium")

# Fast (milliseconds, five parameter values, so the graph has a line) and in the suite since the start.
BENCHMARK = "bench_repetition.DecodingVector.time_decoding_vector"
BENCHMARK_FILES = ["__init__.py", "timing.py", "bench_repetition.py"]
SELECTION = r"bench_repetition\.DecodingVector\.time_decoding_vector\('fractional'"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no host but this one resolves
    "--virtual-time-budget=20000", "--window-size=1280,900",
]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A dashboard published from one stored quick benchmark of HEAD: its html folder."""
    assert importlib.util.find_spec("asv"), "asv is not installed: pip install '.[bench]' (or asv>=0.6)"
    folder = tmp_path_factory.mktemp("dashboard")
    # asv imports every module of the benchmark folder; this test copies only the one it runs, so that
    # it checks the dashboard, not every benchmark module's imports.
    suite = folder / "bench"
    suite.mkdir()
    for name in BENCHMARK_FILES:
        shutil.copyfile(ROOT / "bench" / name, suite / name)
    config = json.loads((ROOT / "asv.conf.json").read_text())
    config.update(repo=str(ROOT), benchmark_dir=str(suite), env_dir=str(folder / "env"),
                  results_dir=str(folder / "results"), html_dir=str(folder / "html"))
    config_path = folder / "asv.conf.json"
    config_path.write_text(json.dumps(config))
    env = dict(os.environ, HOME=str(folder))  # asv's machine file goes here, not in the user's home
    asv = [sys.executable, "-m", "asv"]
    run([*asv, "machine", "--yes", "--config", str(config_path)], cwd=ROOT, env=env)
    head = run(["git", "rev-parse", "HEAD"], cwd=ROOT).strip()
    run([*asv, "run", "--config", str(config_path), "--python=same", "--set-commit-hash", head, "--quick",
         "--show-stderr", "--bench", SELECTION], cwd=ROOT, env=env)
    assert list((folder / "results").glob(f"*/{head[:8]}-*.json")), "asv stored no result"
    run([sys.executable, str(ROOT / "bench" / "dashboard"), "--no-run", "--config", str(config_path)],
        cwd=ROOT, env=env)
    return folder / "html"


@pytest.fixture(scope="module")
def server(published):
    handler = functools.partial(QuietHandler, directory=str(published))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def render(url, tmp_path):
    """The DOM of ``url`` after its scripts ran, and the URLs the page requested meanwhile.

    A request is the page's when Chromium's network log gives it an origin as initiator, or it is the
    main frame; the browser's own background requests ("not an origin": update checks, autofill) are
    not the dashboard's, and the resolver rules keep them on the machine anyway.
    """
    net_log = tmp_path / "net-log.json"
    dom = run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--log-net-log={net_log}",
               "--dump-dom", url])
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = set()
    for event in log.get("events", []):
        params = event.get("params") or {}
        if event["type"] == start_job and "url" in params and (
                params.get("initiator", "not an origin") != "not an origin"
                or params.get("request_type") == "main frame"):
            requested.add(params["url"])
    return dom, requested


def assert_offline(dom, requested):
    assert "continental origin of swallow" not in dom, "asv's error page: a script did not load"
    outside = sorted(url for url in requested if urlsplit(url).hostname != "127.0.0.1")
    assert not outside, f"the page requested URLs outside 127.0.0.1: {outside}"
    assert any(urlsplit(url).path.endswith("/vendor/jquery/jquery.min.js") for url in requested)


def test_published_dashboard_fetches_nothing_external(published):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import offline_assets
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert offline_assets.external_resources(published) == []
    assert (published / "vendor" / "bootstrap" / "fonts").is_dir()


def test_benchmark_list_renders(server, tmp_path):
    dom, requested = render(f"{server}/index.html#/summarylist", tmp_path)
    assert_offline(dom, requested)
    assert BENCHMARK in dom, "the benchmark list does not show the stored benchmark"


def test_graph_renders(server, tmp_path):
    dom, requested = render(f"{server}/index.html#{BENCHMARK}", tmp_path)
    assert_offline(dom, requested)
    assert 'class="flot-base"' in dom, "no flot canvas: the graph was not drawn"
    assert "flot-tick-label" in dom, "the graph has no axis labels"
