# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A self-contained launcher (module_utils/_launcher.py) in Chromium: written to a file, opened from file://, watched.

Shared by test_launcher_standalone.py (Xvnc's checkerboard) and test_launcher_displays.py (QEMU's VNC and SPICE
displays).
"""

from __future__ import annotations

import time

from ansible_collections.zstack.cloud.plugins.module_utils._launcher import render_launcher

from e2e_stack import OUTPUT_DIR

CANVAS = '#screen canvas'
# Runs in every document before its scripts: keeps every data-state the launcher goes through, and every
# Content-Security-Policy violation.
WATCH_JS = """(() => {
  window.__states = [];
  window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  new MutationObserver(() => {
    const state = document.documentElement.getAttribute('data-state');
    if (state && window.__states[window.__states.length - 1] !== state) { window.__states.push(state); }
  }).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-state']});
})();"""
# The whole canvas in numbers: its size, how many distinct colours (in steps of 16), and the share of bright pixels
# (text on a text-mode screen). Null while there is no canvas.
CANVAS_STATS_JS = '''(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width) { return null; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let bright = 0;
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] >> 4) << 8 | (data[i + 1] >> 4) << 4 | (data[i + 2] >> 4));
    if (data[i] + data[i + 1] + data[i + 2] > 300) { bright += 1; }
  }
  return {width: canvas.width, height: canvas.height, colours: colours.size, bright: bright / (data.length / 4)};
}'''


def write_launcher(directory, name, entry):
    path = directory / name
    path.write_text(render_launcher(entry), encoding='utf-8')
    return path


def open_launcher(browser, path, **options):
    """A page with ``path`` opened from file://, and the list its WebSockets' URLs are collected into."""
    page = browser.new_page(viewport={'width': 1024, 'height': 768}, **options)
    page.set_default_timeout(20000)
    sockets = []
    page.on('websocket', lambda ws: sockets.append(ws.url))
    page.add_init_script(WATCH_JS)
    page.goto(path.as_uri())
    return page, sockets


def wait_for_state(page, wanted):
    # A selector, not wait_for_function: the launcher's CSP forbids the eval that a JS predicate would need.
    page.wait_for_selector('html[data-state="%s"]' % wanted, state='attached')


def state(page):
    return page.evaluate("document.documentElement.getAttribute('data-state')")


def protocol(page):
    return page.evaluate("document.documentElement.getAttribute('data-protocol')")


def shoot(page, name):
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT_DIR / name))
    assert (OUTPUT_DIR / name).stat().st_size > 1000


def canvas_stats(page):
    return page.evaluate(CANVAS_STATS_JS, CANVAS)


def wait_for_picture(page, timeout=30.0):
    """CANVAS_STATS_JS of the canvas once it shows a picture - text on a background: more than one colour, some
    bright pixels but mostly not; AssertionError with the last figures if it does not within ``timeout``."""
    deadline = time.monotonic() + timeout
    stats = None
    while time.monotonic() < deadline:
        stats = canvas_stats(page)
        if stats and stats['colours'] >= 2 and 0.001 < stats['bright'] < 0.5:
            return stats
        time.sleep(0.25)
    raise AssertionError('the launcher drew no picture within %d s: %r' % (timeout, stats))
