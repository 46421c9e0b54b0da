"""A real browser for the page tests: Debian's Chromium driven by Playwright, headless, with no
network of its own. Tests that use it are skipped when either is missing."""

from __future__ import annotations

from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def open_page(browser: Any, url: str, *, width: int = 1280) -> tuple[Any, list[str], list[str]]:
    """The page at `url`, with the errors it logs and every URL it requests."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_function("document.readyState === 'complete'")
    return page, errors, requests
