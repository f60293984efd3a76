# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A crawl of the documentation site in a real browser: what each page shows, links to and loads.

Starting at index.html, every HTML page of the site that a link reaches is opened in Chromium (Playwright) and
rendered; for each the crawl keeps the HTTP status, its title and first heading, every `<a href>` (as the browser
resolves it), every asset it loads (stylesheets, scripts, images, fonts), the ids an anchor can point at, JavaScript
errors, and whether the theme's stylesheet applied. Nothing outside the site is fetched: any request that leaves it is
aborted and recorded (a page must not need one); links out of the site are only collected.
"""

from __future__ import annotations

import dataclasses
import urllib.parse

# What a rendered page holds, read in the page once it has loaded.
PAGE_FACTS_JS = '''() => {
  const attr = (selector, name) => Array.from(document.querySelectorAll(selector)).map(e => e[name]);
  let rules = 0;
  for (const sheet of document.styleSheets) { try { rules += sheet.cssRules.length; } catch (e) { rules = -1; break; } }
  const main = document.querySelector('[role="main"]');
  const h1 = document.querySelector('h1');
  return {
    title: document.title,
    h1: h1 ? h1.textContent.trim() : '',
    main_text: main ? main.innerText : '',
    main_height: main ? main.getBoundingClientRect().height : 0,
    links: attr('a[href]', 'href'),
    assets: attr('link[href]', 'href').concat(attr('script[src]', 'src'), attr('img[src]', 'src')),
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)
         .concat(Array.from(document.querySelectorAll('a[name]')).map(e => e.name)),
    css_rules: rules,
    // The theme's stylesheet lays out the navigation as a fixed sidebar: proof that it loaded and applied.
    sidebar_fixed: !!document.querySelector('.wy-nav-side')
                   && getComputedStyle(document.querySelector('.wy-nav-side')).position === 'fixed',
  };
}'''


@dataclasses.dataclass
class Page:
    url: str
    status: int
    title: str = ''
    h1: str = ''
    main_text: str = ''
    main_height: float = 0.0
    links: list = dataclasses.field(default_factory=list)
    assets: list = dataclasses.field(default_factory=list)
    ids: set = dataclasses.field(default_factory=set)
    css_rules: int = 0
    sidebar_fixed: bool = False
    errors: list = dataclasses.field(default_factory=list)  # JavaScript errors, failed or refused requests


@dataclasses.dataclass
class Site:
    base: str
    pages: dict  # URL without fragment -> Page, for every HTML page reached
    resources: dict  # URL without fragment -> HTTP status, for every other file of the site linked or loaded
    external_requests: list  # (page, URL) of requests that left the site (aborted)

    def path(self, url):
        """The site-relative path of one of its URLs ('' for the start page)."""
        return urllib.parse.urlsplit(url).path[len(urllib.parse.urlsplit(self.base).path):]

    def internal(self, url):
        return url.startswith(self.base)

    def links(self):
        """(page URL, link URL) of every <a href> on every page."""
        return [(page.url, link) for page in self.pages.values() for link in page.links]


def is_page(url):
    path = urllib.parse.urlsplit(url).path
    return path.endswith('/') or path.endswith('.html')


def crawl(browser, base, limit=500):
    """The Site reached from base + 'index.html', each page rendered in its own tab of browser."""
    pages, resources, external = {}, {}, []
    queue = [base + 'index.html']
    context = browser.new_context()
    try:
        while queue:
            url = queue.pop(0)
            if url in pages:
                continue
            if len(pages) >= limit:
                raise AssertionError('more than %d pages reached from %sindex.html: a link loop?' % (limit, base))
            page = _open(context, base, url, external)
            pages[url] = page
            for link in page.links + page.assets:
                target = urllib.parse.urldefrag(link)[0]
                if not target.startswith(base) or target in pages:
                    continue
                if is_page(target) and link in page.links:
                    queue.append(target)
                elif target not in resources:
                    resources[target] = _status(context, target)
    finally:
        context.close()
    return Site(base=base, pages=pages, resources=resources, external_requests=external)


def _status(context, url):
    return context.request.get(url, timeout=30000, fail_on_status_code=False, max_redirects=0).status


def _open(context, base, url, external):
    tab = context.new_page()
    errors = []

    def route(request_route):
        request = request_route.request
        if request.url.startswith(base) or request.url.startswith('data:'):
            request_route.continue_()
        else:
            external.append((url, request.url))
            request_route.abort()

    tab.route('**/*', route)
    tab.on('pageerror', lambda error: errors.append('JavaScript error: %s' % error))
    tab.on('requestfailed', lambda request: errors.append('request failed: %s (%s)' % (request.url, request.failure)))
    tab.on('response', lambda response: response.status >= 400 and errors.append(
        'HTTP %d for %s' % (response.status, response.url)))
    try:
        response = tab.goto(url, wait_until='load', timeout=30000)
        status = response.status if response else 0
        if status != 200:
            return Page(url=url, status=status, errors=errors)
        facts = tab.evaluate(PAGE_FACTS_JS)
        return Page(url=url, status=status, title=facts['title'], h1=facts['h1'], main_text=facts['main_text'],
                    main_height=facts['main_height'], links=facts['links'], assets=facts['assets'],
                    ids=set(facts['ids']), css_rules=facts['css_rules'], sidebar_fixed=facts['sidebar_fixed'],
                    errors=errors)
    finally:
        tab.close()
