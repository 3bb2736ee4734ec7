#!/usr/bin/env python3
"""The HTML route map at scale: size of the page and its cost in a real browser.

    python bench/routemap.py PROJECT_DIR... [--generated 4] [--repeat 3]

For each project (a directory to scan; ``--generated N`` adds bench/run.py's generated
Django/DRF project of N x 25 apps, about 580 operations per N) it writes the map with
``routeguard routes --format html`` and prints the operations, the file size, the time
to write it (the scan included), and in headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright) the time to parse the page (domInteractive), from navigation to a ready page (its script has run
over every operation), a search that hides most operations, clearing it, and "Expand
all"; each the median of --repeat rounds. Needs the browser extra and chromium.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import APPS_PER_SIZE, generate  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def measure(browser, page_file: Path) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    t = time.perf_counter()
    page.goto(page_file.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=120000)
    ready = time.perf_counter() - t
    parsed = page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive") / 1000
    total = page.get_attribute("body", "data-total")

    def timed(action, selector):
        t = time.perf_counter()
        action()
        page.wait_for_selector(selector, state="attached", timeout=120000)
        page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")  # laid out and painted
        return time.perf_counter() - t

    search = timed(lambda: page.fill("#q", "delete"), f"body:not([data-shown='{total}'])")
    clear = timed(lambda: page.locator("#q").press("Escape"), f"body[data-shown='{total}']")
    expand = timed(lambda: page.click("#expand"), "body")
    page.close()
    return {"parsed": parsed, "ready": ready, "search": search, "clear": clear, "expand": expand}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="*", type=Path)
    ap.add_argument("--generated", type=int, action="append", default=[], help="generated project size (x25 apps)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    projects = [(p.name, p) for p in args.projects]
    projects += [(f"generated {n}x", generate(n * APPS_PER_SIZE)) for n in args.generated]
    print(f"{'project':<16} {'ops':>5} {'size KB':>8} {'write':>7} {'parsed':>7} {'ready':>7} {'search':>7} {'clear':>7} {'expand':>7}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, root in projects:
            out = Path(tmp) / f"{name.replace(' ', '-')}.html"
            t = time.perf_counter()
            subprocess.run(["routeguard", "routes", str(root), "--format", "html", "-o", str(out), "--no-cache"],
                           check=True, capture_output=True)
            write = time.perf_counter() - t
            ops = out.read_text(encoding="utf-8").count('<li class="op"')
            rounds = [measure(browser, out) for _ in range(args.repeat)]
            med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
            print(f"{name:<16} {ops:>5} {out.stat().st_size // 1024:>8} {write:>6.1f}s {med['parsed']:>6.2f}s {med['ready']:>6.2f}s "
                  f"{med['search']:>6.2f}s {med['clear']:>6.2f}s {med['expand']:>6.2f}s")
        browser.close()


if __name__ == "__main__":
    main()
