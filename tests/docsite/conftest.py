# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The built documentation site, served on loopback, and one crawl of it in headless Chromium for all the tests."""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

# One way to start the browser for every browser test: tests/e2e's.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'e2e'))

from e2e_stack import launch_chromium  # noqa: E402  pylint: disable=wrong-import-position

from docsite_crawl import crawl  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope='session')
def site_dir():
    """DOCSITE_HTML: the site `make docsite` built (tools/docsite.sh). Missing, the tests fail: nothing to test."""
    path = os.environ.get('DOCSITE_HTML')
    if not path or not (Path(path) / 'index.html').is_file():
        pytest.fail('DOCSITE_HTML must name a built documentation site (with index.html): run `make docsite`, '
                    'which builds it first (got %r)' % path)
    return Path(path).resolve()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


@pytest.fixture(scope='session')
def site_url(site_dir):
    """The site served over HTTP on 127.0.0.1, as a web server would serve it (a missing file is a 404)."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_QuietHandler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield 'http://127.0.0.1:%d/' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope='session')
def site(site_url):
    """Every page reachable from index.html, opened in Chromium (docsite_crawl.Site)."""
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return crawl(browser, site_url)
        finally:
            browser.close()
