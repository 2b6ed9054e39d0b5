"""One helper for the tests that drive Debian's Chromium with Playwright (never a downloaded browser): the launch
flags, a page that records console errors and page errors, login and logout through the forms, axe-core's
accessibility check (node_modules/axe-core, pinned in package-lock.json, installed by `npm ci`) and the
horizontal-overflow probe of tables."""
from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@contextmanager
def chromium():
    """Playwright's Chromium driver on Debian's chromium binary; yields the browser, closes it on exit."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (make test installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()  # closing twice is harmless


def watched(page, errors: list[str], console: bool = False):
    """PAGE with its uncaught errors (and, with CONSOLE, console errors) appended to ERRORS; returns PAGE."""
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    if console:
        page.on("console", lambda m: errors.append(f"{page.url}: console {m.text}") if m.type == "error" else None)
    return page


def login(page, url: str, user: str, password: str, lang: str = "en") -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/login?lang={lang}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    expect(page.locator("#who")).to_contain_text(user)


def logout(page) -> None:
    from playwright.sync_api import expect

    page.click("#logout")
    expect(page.locator("#login")).to_be_visible()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core run on PAGE (WCAG 2.0/2.1 A and AA rules): its violations of IMPACTS, each with the nodes' targets."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci` at the repository root (make install does)"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in impacts]


def overflowing(page) -> list[str]:
    """What overflows horizontally: the page itself, and each table wider than the box it sits in (a table in a
    scrolling box that needs to scroll counts: at a desktop width no table should)."""
    return page.evaluate("""() => {
        const out = [];
        const doc = document.documentElement;
        if (doc.scrollWidth > doc.clientWidth + 1) out.push(`page ${doc.scrollWidth} > ${doc.clientWidth}`);
        for (const t of document.querySelectorAll('table')) {
            const box = t.parentElement;
            const width = Math.min(box.clientWidth, doc.clientWidth);
            if (t.offsetWidth > width + 1) out.push(`table#${t.id || '?'} ${t.offsetWidth} > ${width}`);
        }
        return out;
    }""")


def describe(violations) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def wider_than_the_page(page, limit: int = 5) -> list[str]:
    """The outermost elements that reach past the page's right edge (what makes a phone scroll sideways)."""
    return page.evaluate("""(limit) => {
        const w = document.documentElement.clientWidth, out = [];
        for (const el of document.body.querySelectorAll('*')) {
            if (el.getBoundingClientRect().right <= w + 1) continue;
            let p = el.parentElement, inside = false;
            while (p && p !== document.body) {
                if (p.getBoundingClientRect().right > w + 1 || getComputedStyle(p).overflowX !== 'visible') { inside = true; break; }
                p = p.parentElement;
            }
            const cls = el.className && el.className.baseVal === undefined ? '.' + el.className : '';
            if (!inside) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls} ${Math.round(el.getBoundingClientRect().right)}px`);
            if (out.length >= limit) break;
        }
        return out;
    }""", limit)
