"""Open the built report pages in headless Chromium and measure what a reader gets.

No dependency beyond the standard library: Chromium is driven over the Chrome DevTools Protocol on
a pipe (``--remote-debugging-pipe``: the browser reads NUL-separated JSON commands on fd 3 and writes
its answers and events on fd 4), so neither selenium nor a websocket client nor a downloaded browser
build is needed; the system browser (Debian's ``chromium``) is enough.

Fonts: the machines have no CJK system font. Chromium gets a generated ``fonts.conf`` (through
``FONTCONFIG_FILE``) that includes the system configuration and adds the folder of the Noto Sans CJK
font that ``mplfonts`` ships (``analysis.present.charts.font_path()``); otherwise Chinese renders as boxes.

Used by the browser tests through one survey of the run's shared build (``survey_tree``, the ``browser_survey``
fixture of ``tests/conftest.py``: one tab per page and width, every check read from it) and by
``tests/test_build.py``'s screenshot test; also a command that keeps one screenshot per page and width, outside the
report tree (the build owns reports/ and writes nothing there it did not build)::

    python tests/browser.py reports/        # writes build/screenshots/<page>-<width>.png and survey.json

The command takes the survey in the tab of each screenshot (:meth:`Browser.survey`: the screenshot first, then
the measurements; the same PNG and the same survey as either alone) and keeps it in
``build/screenshots/survey.json``, one entry per page and width. An entry does not depend on where the tree lies
(image sources relative to the page; the tree's root URI in requested and linked URLs is the placeholder
:data:`TREE`, put back for the tree being checked when read) and records what it depends on: the page and every
file of the tree it requested or links to, and the tool (this module's bytes, the Chromium binary, the font
folder), with a digest of their bytes (:func:`survey_entry`). ``--changed`` (``make reports``) takes a page at a
width again only when its entry no longer holds for the tree (:func:`entry_valid`) or its PNG is missing; the
suite's ``browser_survey`` reuses the entries that hold for its shared build and surveys only the rest.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: viewport widths every page is checked at: a laptop and a phone
WIDTHS = (1280, 390)
#: the viewport height of a check (the screenshot covers the whole page whatever it is)
HEIGHT = 900
#: no text below this size (CSS px)
MIN_FONT_PX = 12.0
#: schemes a page may load from: itself and inline data; anything else would leave the machine
LOCAL_SCHEMES = ("file:", "data:")
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
    # nothing resolves: a page that asks for a remote URL is caught by the check without reaching out
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
)
TIMEOUT = 30.0
#: the CDP domains a checked tab enables (their events: requests, failed loads, script errors; fonts of the title)
DOMAINS = ("Page", "Network", "Runtime", "DOM", "CSS")
#: and a tab that is only photographed (load events, and the page's state while waiting for them)
SHOT_DOMAINS = ("Page", "Runtime")


def find_chromium() -> str | None:
    """Path of a Chromium (or Chrome) binary: $CHROMIUM first, then the usual names; None if none."""
    for name in ((os.environ.get("CHROMIUM"),) if os.environ.get("CHROMIUM") else ()) + CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def pages(out_dir: Path) -> list[tuple[str, Path]]:
    """(name, path) of every page of a built tree: per language folder (the top one first, then ``en/`` …, each
    holding an ``index.html``), the index, then each unit's page, sorted by name (``2023``, ``en/2023``)."""
    out_dir = Path(out_dir)
    roots = [("", out_dir)] + [
        (f"{d.name}/", d)
        for d in sorted(out_dir.iterdir())
        if d.is_dir() and not d.name.startswith(".") and (d / "index.html").exists()
    ]
    found = []
    for prefix, root in roots:
        if (root / "index.html").exists():
            found.append((f"{prefix}index", root / "index.html"))
        for unit in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            html = [unit / "report.html", unit / f"{unit.name}.html"]
            page = next((p for p in html if p.exists()), None)
            if page is not None:
                found.append((prefix + unit.name, page))
    return found


def font_dir() -> Path:
    """The folder of the fonts ``mplfonts`` ships (``analysis.present.charts.font_path()``'s), found without importing
    it: importing mplfonts or the charts module imports matplotlib, seconds that a browser start does not need."""
    import importlib.util

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.origin:
        raise FileNotFoundError("the mplfonts package (the CJK font of the pages) is not installed")
    return Path(spec.origin).parent / "fonts"


def fonts_conf(folder: Path) -> Path:
    """A fontconfig file: the system configuration plus the CJK font folder of mplfonts."""
    cache = folder / "fontcache"
    cache.mkdir(exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{font_dir()}</dir>\n  <cachedir>{cache}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return conf


class CDPError(RuntimeError):
    pass


@dataclass
class PageReport:
    """What one page gave at one width."""

    name: str
    width: int
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    failed_loads: list[str] = field(default_factory=list)  # Network.loadingFailed, with the reason
    scroll_width: int = 0
    inner_width: int = 0
    images: list[dict] = field(default_factory=list)  # {src, complete, naturalWidth}
    small_text: list[dict] = field(default_factory=list)  # {size, tag, text}
    main_points: int = 0
    cjk_fonts: list[str] = field(default_factory=list)  # fonts the title was drawn with
    console_errors: list[str] = field(default_factory=list)
    screenshot: bytes = b""

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    @property
    def broken_images(self) -> list[dict]:
        return [i for i in self.images if not i["complete"] or i["naturalWidth"] <= 0]

    @property
    def horizontal_overflow(self) -> int:
        """CSS px the page is wider than the window (0 when it fits, with 1 px of tolerance)."""
        return max(0, self.scroll_width - self.inner_width - 1)


#: run in the page after load: opens the folded methods, then measures everything in one go
MEASURE_JS = r"""
(async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  for (const d of document.querySelectorAll('details')) d.open = true;  // methods are text a reader opens
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const small = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\s+/g, ' ').trim();
    const el = n.parentElement;
    if (!text || !el || seen.has(el) || el.closest('script,style,noscript,template')) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    if (!range.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < %(min)s) {
      seen.add(el);
      const where = el.closest('section.main-points,.table-scroll,figure,details,footer,header,.card');
      small.push({size, tag: el.tagName.toLowerCase(), cls: el.className || '',
                  where: where ? where.tagName.toLowerCase() + (where.className ? '.' + where.className : '') : '',
                  text: text.slice(0, 60)});
    }
  }
  // src relative to the page's folder (a data: URI as it is), so that the survey does not depend on where the tree lies
  const folder = location.href.slice(0, location.href.lastIndexOf('/') + 1);
  const rel = u => u.startsWith(folder) ? u.slice(folder.length) : u;
  const images = [...document.images].map(i => ({src: rel(i.currentSrc || i.src).slice(0, 60), complete: i.complete,
                                                  naturalWidth: i.naturalWidth}));
  return {scrollWidth: document.documentElement.scrollWidth, bodyScrollWidth: document.body.scrollWidth,
          innerWidth: window.innerWidth, images, small,
          mainPoints: document.querySelectorAll('section.main-points').length};
})()
""".replace("%(min)s", repr(MIN_FONT_PX))


#: the page furniture (issue 21) a reader gets: its links (where they lead, whether they are on screen
#: without scrolling sideways) and its lines (release date, next figures, feedback), as shown
FURNITURE_JS = r"""
(async () => {
  await document.fonts.ready;
  for (const d of document.querySelectorAll('details')) d.open = true;  // methods are text a reader opens
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const shown = e => e && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const links = [...document.querySelectorAll('a.csv, a.lang, a.lang-card, a.metrics, nav.pager a, p.feedback a')].map(a => {
    const r = a.getBoundingClientRect();
    return {cls: a.className, href: a.href, text: a.textContent.trim(), shown: shown(a),
            left: r.left, right: r.right, width: r.width};
  });
  const line = sel => { const e = document.querySelector(sel); return shown(e) ? e.textContent.trim() : null; };
  return {links, innerWidth: window.innerWidth, release: line('.release-date'), next: line('.next-release'),
          feedback: line('p.feedback'), lang: document.documentElement.lang};
})()
"""


class Browser:
    """One headless Chromium process, one tab per page load; a context manager."""

    def __init__(self, binary: str | None = None, *, timeout: float = TIMEOUT):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise FileNotFoundError("no chromium binary (tried $CHROMIUM, " + ", ".join(CANDIDATES) + ")")
        self.timeout = timeout
        self._tmp = Path(tempfile.mkdtemp(prefix="report-browser-"))
        env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf(self._tmp))}
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # the child's ends go to fds >= 10 (close-on-exec) so that moving them to 3 and 4 clobbers nothing
        child_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def fds_3_and_4():  # dup2 leaves 3 and 4 inheritable; every other fd of ours is close-on-exec
            os.dup2(child_r, 3)
            os.dup2(child_w, 4)

        self._log = open(self._tmp / "chromium.log", "wb")
        try:
            self.proc = subprocess.Popen(
                [self.binary, *FLAGS, f"--user-data-dir={self._tmp / 'profile'}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                env=env,
                close_fds=False,
                preexec_fn=fds_3_and_4,
                start_new_session=True,
            )
        except OSError:
            self._log.close()
            for fd in (self._to_chrome, self._from_chrome):
                os.close(fd)
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        finally:
            os.close(child_r)
            os.close(child_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies: dict[int, dict] = {}
        self._events: list[dict] = []
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True, name="cdp-reader")
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion")
        except Exception:
            self.close()
            raise

    # ------------------------------------------------------------------------------------- protocol

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            *msgs, buf = buf.split(b"\0")
            with self._cond:
                for raw in msgs:
                    msg = json.loads(raw)
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float | None = None):
        with self._lock:
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if self._closed:
                    raise CDPError(f"{method}: chromium exited ({self._log_tail()})")
                if left <= 0:
                    raise CDPError(f"{method}: no answer in {timeout or self.timeout:.0f} s")
                self._cond.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}".strip())
        return reply.get("result", {})

    def wait_event(self, method: str, session: str | None = None, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._cond:
            while True:
                for i, ev in enumerate(self._events):
                    if ev["method"] == method and ev.get("sessionId") == session:
                        return self._events.pop(i)
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"no {method} in {timeout or self.timeout:.0f} s")
                self._cond.wait(left)

    def _take_events(self, session: str) -> list[dict]:
        with self._cond:
            mine = [e for e in self._events if e.get("sessionId") == session]
            self._events = [e for e in self._events if e.get("sessionId") != session]
        return mine

    def _log_tail(self) -> str:
        try:
            return (self._tmp / "chromium.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    # ------------------------------------------------------------------------------------- pages

    def screenshot(self, path: Path, width: int) -> bytes:
        """The PNG of ``path`` loaded in a fresh tab ``width`` CSS px wide, the page's whole height, as it first opens.

        The bytes :meth:`survey` gives with ``screenshot=True``, without its measurements (nor the events they read).
        """
        target, s = self._open_tab(path, width, domains=SHOT_DOMAINS)
        try:
            return self._screenshot(s, width, restore=False)
        finally:
            self._close_tab(target, s)

    def survey(self, path: Path, width: int, *, name: str | None = None, screenshot: bool = False) -> dict:
        """What a reader gets of ``path`` at ``width`` CSS px, in one fresh tab: the page's measurements
        (:data:`MEASURE_JS`, the requests and errors: :class:`PageReport`), its furniture (:data:`FURNITURE_JS`) and
        its tables and charts (:data:`TABLES_CHARTS_JS`).

        Each of the three scripts opens the folded methods and measures; nothing else changes the page, so one load
        serves them all.

        Parameters
        ----------
        path, width, name
            The page, the viewport's width (CSS px) and the page's name (its file's stem by default).
        screenshot
            Also the PNG, taken in the same tab first (the viewport made as tall as the page, captured, and
            restored before the measurements): the bytes :meth:`screenshot` gives, and the
            same measurements as a survey without it.

        Returns
        -------
        dict
            ``{"report": PageReport fields (no screenshot), "furniture": …, "tables_charts": …}``, and
            ``"screenshot"`` (bytes) when asked.
        """
        target, s = self._open_tab(path, width)
        try:
            rep = self._measure(s, path, width, name, screenshot)
            report = {k: v for k, v in asdict(rep).items() if k != "screenshot"}
            furniture = self._evaluate(s, FURNITURE_JS, f"the furniture of {path}")
            found = {
                "report": report,
                "furniture": furniture,
                "tables_charts": self._evaluate(s, TABLES_CHARTS_JS, path),
            }
            if screenshot:
                found["screenshot"] = rep.screenshot
            return found
        finally:
            self._close_tab(target, s)

    def _evaluate(self, s: str, expression: str, what) -> dict:
        """The value of a measuring script run in the tab of session ``s`` (CDPError naming ``what`` if it throws)."""
        res = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, session=s
        )
        if "exceptionDetails" in res:
            raise CDPError(f"measuring {what}: {res['exceptionDetails']}")
        return res["result"]["value"]

    def _measure(self, s: str, path: Path, width: int, name: str | None, screenshot: bool) -> PageReport:
        rep = PageReport(name or Path(path).stem, width)
        if screenshot:
            rep.screenshot = self._screenshot(s, width)
        m = self._evaluate(s, MEASURE_JS, path)
        rep.scroll_width = max(m["scrollWidth"], m["bodyScrollWidth"])
        rep.inner_width = m["innerWidth"]
        rep.images, rep.small_text, rep.main_points = m["images"], m["small"], m["mainPoints"]
        rep.cjk_fonts = self._title_fonts(s)
        for ev in self._take_events(s):
            p = ev.get("params", {})
            if ev["method"] == "Network.requestWillBeSent":
                url = p["request"]["url"]  # a file's whole (its tree's root is swapped for a placeholder), else cut
                rep.requests.append(url if url.startswith("file:") else url[:200])
            elif ev["method"] == "Network.loadingFailed" and not p.get("canceled"):
                rep.failed_loads.append(f"{p.get('type')}: {p.get('errorText')}")
            elif ev["method"] == "Runtime.exceptionThrown":
                rep.console_errors.append(str(p.get("exceptionDetails", {}).get("text")))
        return rep

    def _open_tab(self, path: Path, width: int, domains=DOMAINS) -> tuple[str, str]:
        """A new tab ``width`` CSS px wide with ``path`` loaded: (target id, session id); ``domains``: the CDP
        domains enabled (their events are what :meth:`survey` reads)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            for domain in domains:
                self.send(f"{domain}.enable", session=s)
            self._viewport(s, width, HEIGHT)
            self.send("Emulation.setScrollbarsHidden", {"hidden": True}, session=s)
            self._take_events(s)  # about:blank's
            nav = self.send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=s)
            if nav.get("errorText"):
                raise CDPError(f"{path}: {nav['errorText']}")
            self._wait_loaded(s)
        except BaseException:
            self._close_tab(target, s)
            raise
        return target, s

    def _close_tab(self, target: str, s: str) -> None:
        self.send("Target.closeTarget", {"targetId": target})
        self._take_events(s)

    def _wait_loaded(self, s: str) -> None:
        """Until the file page (not the tab's first about:blank, whose load event may come late) has loaded."""
        deadline = time.monotonic() + self.timeout
        while True:
            self.wait_event("Page.loadEventFired", session=s, timeout=max(0.1, deadline - time.monotonic()))
            state = self.send(
                "Runtime.evaluate",
                {"expression": "[location.protocol, document.readyState]", "returnByValue": True},
                session=s,
            )["result"]["value"]
            if state == ["file:", "complete"]:
                return

    def _screenshot(self, s: str, width: int, restore: bool = True) -> bytes:
        """The whole page as a PNG: the viewport made as tall as the page, then captured (the bytes
        ``captureBeyondViewport`` gives, a quarter faster); ``restore``: back to the check's viewport after."""
        size = self.send("Page.getLayoutMetrics", session=s)["cssContentSize"]
        height = max(1, int(size["height"] + 0.5))
        self._viewport(s, width, height)
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = self.send("Page.captureScreenshot", {"format": "png", "clip": clip}, session=s, timeout=60)
        if restore:
            self._viewport(s, width, HEIGHT)
        return base64.b64decode(shot["data"])

    def _viewport(self, s: str, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=s,
        )

    def _title_fonts(self, s: str) -> list[str]:
        """Fonts Chromium drew the page title (h1) with: Chinese drawn in a CJK font, not as boxes."""
        root = self.send("DOM.getDocument", {"depth": 0}, session=s)["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": "h1"}, session=s)["nodeId"]
        if not node:
            return []
        fonts = self.send("CSS.getPlatformFontsForNode", {"nodeId": node}, session=s)["fonts"]
        return [f["familyName"] for f in fonts if f.get("glyphCount")]

    # ------------------------------------------------------------------------------------- lifetime

    def close(self) -> None:
        if getattr(self, "proc", None) is not None and self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except CDPError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def problems(rep: PageReport, *, main_points: bool) -> list[str]:
    """Everything wrong with one page at one width, as sentences (empty when the page is fine)."""
    out = []
    where = f"{rep.name} at {rep.width} px"
    if rep.external_requests:
        out.append(f"{where}: requests leave the machine: {rep.external_requests}")
    if rep.failed_loads:
        out.append(f"{where}: loads failed: {rep.failed_loads}")
    if rep.horizontal_overflow:
        out.append(f"{where}: the page scrolls sideways: {rep.scroll_width} px wide in a {rep.inner_width} px window")
    if rep.broken_images:
        out.append(f"{where}: {len(rep.broken_images)} of {len(rep.images)} image(s) not loaded: {rep.broken_images}")
    if rep.small_text:
        lines = "; ".join(
            f"{t['size']:g}px <{t['tag']}> in {t['where'] or 'body'}: {t['text']!r}" for t in rep.small_text[:12]
        )
        more = f" (and {len(rep.small_text) - 12} more)" if len(rep.small_text) > 12 else ""
        out.append(f"{where}: {len(rep.small_text)} text element(s) below {MIN_FONT_PX:g} px: {lines}{more}")
    if main_points and rep.main_points != 1:
        out.append(f"{where}: {rep.main_points} section.main-points (want exactly 1)")
    if not main_points and rep.main_points:
        out.append(f"{where}: the index has a main-points box")
    if not any("CJK" in f for f in rep.cjk_fonts):
        out.append(
            f"{where}: the title was not drawn in Noto Sans CJK (drawn with {rep.cjk_fonts}): "
            "Chinese may show as boxes; is the mplfonts font in the generated fonts.conf?"
        )
    if rep.console_errors:
        out.append(f"{where}: script errors: {rep.console_errors}")
    return out


def furniture_problems(found: dict, page: Path, width: int) -> list[str]:
    """Everything wrong with one page's furniture at one width (the ``furniture`` of :meth:`Browser.survey`), as sentences.

    The release date, next figures and feedback lines are shown; every furniture link (CSV, metrics.json, the
    other language, previous/next, feedback) is on screen without scrolling sideways, and each link to a file
    leads to one that exists (offline, from ``file://``); a language link leads to the same page in another
    language (an index card's, to its report in another language).
    """
    from urllib.parse import unquote, urlparse

    where = f"{page} at {width} px"
    out = [f"{where}: no {k} line shown" for k in ("release", "next", "feedback") if not found.get(k)]
    for a in found["links"]:
        if not a["shown"] or a["width"] <= 0 or a["left"] < -1 or a["right"] > found["innerWidth"] + 1:
            out.append(f"{where}: the link {a['text']!r} ({a['cls']}) is not on screen: {a}")
        url = urlparse(a["href"])
        if url.scheme != "file":
            continue
        target = Path(unquote(url.path))
        if not target.is_file():
            out.append(f"{where}: the link {a['text']!r} leads nowhere: {target}")
        elif {"lang", "lang-card"} & set(a["cls"].split()):
            head = target.read_text(encoding="utf-8")[:200]
            if f'lang="{found["lang"]}"' in head or ("lang" in a["cls"].split() and target.name != page.name):
                out.append(f"{where}: the language link {a['text']!r} does not lead to this page in another language")
    return out


# --------------------------------------------------------------------------------------------- tables and charts
# (issue 21, item 3): at a phone's width the key columns of every table are in view without scrolling sideways,
# chart text is not too small where the page shows it, and an image's alt text is not the page's title or a caption

#: no chart text below this size where the page shows the chart (CSS px)
MIN_CHART_TEXT_PX = 10.0

#: run in the page after load: every table's key cells and every chart, measured
TABLES_CHARTS_JS = r"""
(async () => {
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? null : new Promise(r => { i.onload = i.onerror = r; })));
  for (const d of document.querySelectorAll('details')) d.open = true;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const tables = [];
  for (const t of document.querySelectorAll('table')) {
    const box = (t.closest('.table-scroll') || document.documentElement).getBoundingClientRect();
    const right = Math.min(box.right, window.innerWidth), left = Math.max(box.left, 0);
    const keyCols = new Set();
    for (const c of t.querySelectorAll('td.key, th.key'))
      for (const k of c.classList) if (/^col\d+$/.test(k)) keyCols.add(k);
    const cells = [...t.querySelectorAll('td.key, th.key')];
    for (const k of keyCols) cells.push(...t.querySelectorAll('thead th.' + k));
    const hidden = [];
    for (const c of cells) {
      const r = c.getBoundingClientRect();
      if (r.width && (r.right > right + 1 || r.left < left - 1))
        hidden.push({text: c.textContent.trim().slice(0, 30), left: Math.round(r.left), right: Math.round(r.right)});
    }
    const cap = t.querySelector('caption');
    const capBox = cap ? cap.getBoundingClientRect() : null;
    tables.push({id: t.id, keys: keyCols.size, caption: cap ? cap.textContent.trim() : '',
                 captionHidden: !!capBox && (capBox.right > right + 1 || capBox.left < left - 1),
                 hidden, right: Math.round(right)});
  }
  const charts = [];
  for (const f of document.querySelectorAll('figure.chart')) {
    const img = f.querySelector('img'), src = f.querySelector('source');
    if (!img) continue;
    const narrow = !!src && img.currentSrc === src.srcset;
    const cssWidth = parseFloat((narrow ? src : img).getAttribute('width'));
    const pt = parseFloat(f.dataset[narrow ? 'ptNarrow' : 'ptWide']);
    const shown = img.getBoundingClientRect().width;
    charts.push({alt: img.alt, caption: (f.querySelector('figcaption') || {}).textContent || '', narrow, hasNarrow: !!src,
                 shown, textPx: pt / 72 * parseFloat(f.dataset.dpi) * shown / cssWidth});
  }
  const h1 = document.querySelector('h1');
  return {tables, charts, title: document.title, h1: h1 ? h1.textContent.trim() : ''};
})()
"""


def table_chart_problems(found: dict, name: str, width: int) -> list[str]:
    """What is wrong with one page's tables and charts at one width (empty when they are fine)."""
    where = f"{name} at {width} px"
    out = []
    for t in found["tables"]:
        if not t["keys"]:
            out.append(f"{where}: table {t['id'] or '?'} marks no key column")
        if t["hidden"]:
            out.append(f"{where}: table {t['id']} hides key cells past {t['right']} px: {t['hidden'][:4]}")
        if not t["caption"]:
            out.append(f"{where}: table {t['id']} has no caption")
        elif t["captionHidden"]:
            out.append(f"{where}: the caption of table {t['id']} runs out of view")
    names = {found["title"].strip(), found["h1"]}
    for c in found["charts"]:
        if not c["alt"].strip():
            out.append(f"{where}: a chart has no alt text")
        elif c["alt"].strip() in names | {c["caption"].strip()}:
            out.append(f"{where}: a chart's alt text is the page's title or its caption: {c['alt']!r}")
        if c["textPx"] is None:
            out.append(f"{where}: a chart does not say its smallest type (data-pt-wide, data-pt-narrow, data-dpi)")
        elif c["textPx"] < MIN_CHART_TEXT_PX:
            out.append(
                f"{where}: chart text {c['textPx']:.1f} px (shown {c['shown']:.0f} px wide) is below "
                f"{MIN_CHART_TEXT_PX:g} px: {c['alt'][:40]!r}"
            )
    return out


# --------------------------------------------------------------------------------------------- the stored survey
# `make reports` surveys each page in the tab of its screenshot and keeps the entries in <shots>/survey.json; the
# suite reuses an entry for its own tree when every byte the entry depends on is the same there (digests recomputed)

#: the file of the survey beside the screenshots
SURVEY_FILE = "survey.json"
#: the form of that file (an older or newer one is not read)
SURVEY_VERSION = 1
#: what stands for the surveyed tree's root URI (``file:///…/reports``) in a stored entry's URLs
TREE = "{tree}"
#: the parts of a survey (:meth:`Browser.survey`) an entry keeps
SURVEYED = ("report", "furniture", "tables_charts")


def tool_key() -> dict:
    """What a survey depends on besides the tree's files.

    Returns
    -------
    dict
        ``{"browser.py": SHA-256 of this module's bytes (its scripts and thresholds), "chromium": [resolved path,
        size, mtime in ns] of the binary (None without one), "fonts": the CJK font folder (None without it)}``.
    """
    import hashlib

    binary = find_chromium()
    chromium = None
    if binary:
        real = Path(binary).resolve()
        st = real.stat()
        chromium = [str(real), st.st_size, st.st_mtime_ns]
    try:
        fonts = str(font_dir())
    except FileNotFoundError:
        fonts = None
    return {"browser.py": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(), "chromium": chromium, "fonts": fonts}


def _root_uri(tree: Path) -> str:
    """The URI prefix of every file of ``tree`` as Chromium names it (``file:///…/reports/``)."""
    return Path(tree).resolve().as_uri() + "/"


def _swap_root(found: dict, old: str, new: str) -> dict:
    """``found`` with the prefix ``old`` of its requests and furniture links replaced by ``new`` (a copy)."""

    def swap(url: str) -> str:
        return new + url[len(old) :] if url.startswith(old) else url

    report = {**found["report"], "requests": [swap(u) for u in found["report"]["requests"]]}
    links = [{**a, "href": swap(a["href"])} for a in found["furniture"]["links"]]
    return {**found, "report": report, "furniture": {**found["furniture"], "links": links}}


def portable(found: dict, tree) -> dict:
    """A survey (:meth:`Browser.survey`) of a page of ``tree`` with the tree's root URI replaced by :data:`TREE`.

    Parameters
    ----------
    found
        The survey, its URLs those of ``tree``.
    tree
        The surveyed tree's root folder.

    Returns
    -------
    dict
        A copy that does not depend on where the tree lies (image sources are already relative to the page).
    """
    return _swap_root(found, _root_uri(tree), TREE + "/")


def localized(found: dict, tree) -> dict:
    """A :func:`portable` survey read for ``tree``: :data:`TREE` replaced by that tree's root URI (a copy).

    Parameters
    ----------
    found
        A portable survey.
    tree
        The tree being checked.

    Returns
    -------
    dict
        The survey with that tree's URLs, as a survey taken there would give them.
    """
    return _swap_root(found, TREE + "/", _root_uri(tree))


def dependencies(found: dict, page: str) -> list[str]:
    """The files of the tree a :func:`portable` survey depends on: the page and every file of the tree it
    requested or links to.

    Parameters
    ----------
    found
        A portable survey of the page.
    page
        The page's path relative to the tree (POSIX).

    Returns
    -------
    list of str
        Relative paths, sorted, the page's among them.
    """
    from urllib.parse import unquote, urlsplit

    urls = found["report"]["requests"] + [a["href"] for a in found["furniture"]["links"]]
    inside = [unquote(urlsplit(u[len(TREE) + 1 :]).path) for u in urls if u.startswith(TREE + "/")]
    return sorted({page, *inside})


def dependency_digest(tree, deps, tool: dict, files: dict | None = None) -> str:
    """SHA-256 over (relative path, SHA-256 of its bytes or ``"missing"``) of ``deps`` in ``tree``, and ``tool``.

    Parameters
    ----------
    tree
        The tree's root folder.
    deps
        Relative paths (:func:`dependencies`).
    tool
        :func:`tool_key`.
    files
        A memo of the files' digests (relative path: digest) for one tree, shared by its entries.

    Returns
    -------
    str
        The hex digest: the same for two trees iff every one of those files has the same bytes (and the tool).
    """
    import hashlib

    files = {} if files is None else files
    h = hashlib.sha256()
    for rel in deps:
        if rel not in files:
            path = Path(tree) / rel
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
        h.update(json.dumps([rel, files[rel]]).encode())
    h.update(json.dumps(tool, sort_keys=True).encode())
    return h.hexdigest()


def survey_entry(found: dict, tree, name: str, path, width: int, tool: dict, files: dict | None = None) -> dict:
    """The stored form of a survey of the page ``path`` of ``tree``: portable, with what it depends on.

    Parameters
    ----------
    found
        :meth:`Browser.survey`'s result (without its screenshot).
    tree, name, path, width
        The tree, the page's name and file, the width it was surveyed at.
    tool, files
        :func:`tool_key` and a memo of file digests (:func:`dependency_digest`).

    Returns
    -------
    dict
        ``{"name", "width", "path" (relative), "deps", "digest", "report", "furniture", "tables_charts"}``.
    """
    entry = portable(found, tree)
    rel = Path(path).relative_to(tree).as_posix()
    deps = dependencies(entry, rel)
    return {
        "name": name,
        "width": width,
        "path": rel,
        "deps": deps,
        "digest": dependency_digest(tree, deps, tool, files),
        **{k: entry[k] for k in SURVEYED},
    }


def entry_valid(entry: dict, tree, path, tool: dict, files: dict | None = None) -> bool:
    """Whether a stored entry holds for the page ``path`` of ``tree``: the same page, and the digest of its
    dependencies recomputed on ``tree`` (with ``tool``) is the one it was stored with.

    Parameters
    ----------
    entry
        A :func:`survey_entry`.
    tree, path
        The tree being checked and the page's file in it.
    tool, files
        :func:`tool_key` and a memo of file digests (:func:`dependency_digest`).

    Returns
    -------
    bool
    """
    return entry["path"] == Path(path).relative_to(tree).as_posix() and entry["digest"] == dependency_digest(
        tree, entry["deps"], tool, files
    )


def read_survey(path) -> dict:
    """The entries of a stored survey, by (name, width); empty when the file is missing, unreadable or of
    another form (read only).

    Parameters
    ----------
    path
        ``<shots>/survey.json``.

    Returns
    -------
    dict
        ``{(name, width): entry}``.
    """
    keys = {"name", "width", "path", "deps", "digest", "report", "furniture", "tables_charts"}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != SURVEY_VERSION:
            return {}
        return {(e["name"], e["width"]): e for e in data["entries"] if keys <= set(e)}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def write_survey(path, entries) -> None:
    """Store survey entries (:func:`survey_entry`) at ``path`` atomically (a temporary file, then a rename).

    Parameters
    ----------
    path
        ``<shots>/survey.json``.
    entries
        The entries, in the order they are kept.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    data = {"version": SURVEY_VERSION, "entries": list(entries)}
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def survey_tree(
    out_dir: Path, widths=WIDTHS, browser: Browser | None = None, *, stored=None, reused: list | None = None
) -> list[dict]:
    """:meth:`Browser.survey` of every page of a built tree at every width, in one Chromium (one tab per page and
    width), reusing the stored entries that hold for this tree.

    Parameters
    ----------
    out_dir
        The built tree.
    widths
        The viewport widths (CSS px).
    browser
        A browser to use (else one of its own, started only when something is left to survey).
    stored
        A stored survey (``<shots>/survey.json``, :func:`screenshot_tree`'s), read only: an entry whose page and
        every file it depends on have the same bytes in ``out_dir`` (and the same :func:`tool_key`) is taken from it,
        its URLs made this tree's; the rest are surveyed. None: all are surveyed.
    reused
        A list that receives the (name, width) of the entries taken from ``stored``.

    Returns
    -------
    list of dict
        ``{"name", "path", "width", "report", "furniture", "tables_charts"}`` per page and width (JSON-ready),
        in the order of :func:`pages` and ``widths``.
    """
    out_dir = Path(out_dir)
    old = read_survey(stored) if stored is not None else {}
    tool, files = (tool_key(), {}) if old else (None, None)
    found, jobs = [], []
    for name, path in pages(out_dir):
        for w in widths:
            entry = old.get((name, w))
            if entry is not None and entry_valid(entry, out_dir, path, tool, files):
                here = localized(entry, out_dir)
                found.append({"name": name, "path": str(path), "width": w, **{k: here[k] for k in SURVEYED}})
                if reused is not None:
                    reused.append((name, w))
            else:
                jobs.append(len(found))
                found.append({"name": name, "path": str(path), "width": w})
    if not jobs:
        return found
    own = browser is None
    browser = browser or Browser()
    try:
        for i in jobs:
            found[i].update(browser.survey(Path(found[i]["path"]), found[i]["width"], name=found[i]["name"]))
    finally:
        if own:
            browser.close()
    return found


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG from its header; ValueError if it is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _shot(name: str, width: int) -> str:
    """A page's screenshot file: ``2023-390.png``, ``en-2023-390.png`` (one folder for every language)."""
    return f"{name.replace('/', '-')}-{width}.png"


def screenshot_tree(
    out_dir,
    shots,
    widths=WIDTHS,
    *,
    browser: Browser | None = None,
    reports: list | None = None,
    only_changed: bool = False,
    names=None,
    taken: list | None = None,
) -> list[Path]:
    """Write shots/<page>-<width>.png for every page of the built tree in out_dir, and the survey of each page at
    each width (:meth:`Browser.survey`, taken in the tab of its screenshot) in ``shots/survey.json``.

    A screenshot is the whole height of the page as it first opens (the methods folded). Screenshots and entries
    of pages no longer in the tree are removed. Each entry records the files of the tree it depends on and their
    digest (:func:`survey_entry`): the suite reuses it for its own tree when those bytes are the same there
    (:func:`survey_tree`). Files are written atomically, never into the tree.

    Parameters
    ----------
    out_dir, shots
        The built tree and the folder of the screenshots (outside the tree).
    widths
        The viewport widths (CSS px).
    browser
        A browser to use alone (else two of their own, taking the pages from one queue).
    reports
        A list that receives a PageReport (with its screenshot) of every page and width taken now.
    only_changed
        Take a page at a width only when its stored entry no longer holds for the tree (a byte of the page or of a
        file it uses changed, or the browser, its fonts or this module) or its PNG is missing; the rest are kept,
        so a no-op rebuild stays fast.
    names
        Only these pages (the others' screenshots and entries are left as they are).
    taken
        A list that receives the paths of the screenshots taken now.

    Returns
    -------
    list of Path
        The screenshots of the tree's pages.
    """
    out_dir, shots = Path(out_dir), Path(shots)
    if shots.resolve().is_relative_to(out_dir.resolve()):
        raise ValueError(f"the screenshots go outside the report tree, not in {shots}")
    shots.mkdir(parents=True, exist_ok=True)
    store = shots / SURVEY_FILE
    old = read_survey(store)
    tool, files = tool_key(), {}
    kept: dict = {}  # (name, width): entry, for every page and width of the tree with one
    written, jobs = [], []
    for name, path in pages(out_dir):
        for w in widths:
            dest, entry = shots / _shot(name, w), old.get((name, w))
            if names is not None and name not in names:
                written += [dest] if dest.exists() else []
                kept[name, w] = entry
            elif (
                only_changed and dest.exists() and entry is not None and entry_valid(entry, out_dir, path, tool, files)
            ):
                written.append(dest)
                kept[name, w] = entry
            else:
                jobs.append((name, path, w, dest))
                kept[name, w] = None

    # the pages are independent: the browsers take them from one queue, the biggest first (a screenshot's cost
    # grows with the page), so that they finish together
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][1].stat().st_size)
    done: list = [None] * len(jobs)
    lock = threading.Lock()

    def take(br: Browser) -> None:
        while True:
            with lock:
                if not order:
                    return
                i = order.pop(0)
            name, path, w, dest = jobs[i]
            found = br.survey(path, w, name=name, screenshot=True)  # one tab: the screenshot, then the survey
            png = found.pop("screenshot")
            tmp = dest.with_name(dest.name + ".tmp")
            tmp.write_bytes(png)
            os.replace(tmp, dest)
            done[i] = found, png

    def own_browser() -> None:
        with Browser() as br:
            take(br)

    # a browser of our own per core (a tab waits on loading and painting, so two browsers finish in about half
    # the time); a browser given by the caller is used alone
    workers = 1 if browser is not None else max(1, min(2, os.cpu_count() or 1, len(jobs) // 4))
    if browser is not None:
        take(browser)
    elif workers == 1:
        if jobs:
            own_browser()
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            for f in [pool.submit(own_browser) for _ in range(workers)]:
                f.result()
    for (name, path, w, _), (found, png) in zip(jobs, done, strict=True):
        kept[name, w] = survey_entry(found, out_dir, name, path, w, tool, files)
        if reports is not None:
            reports.append(PageReport(**found["report"], screenshot=png))
    if taken is not None:
        taken.extend(dest for *_, dest in jobs)
    written += [dest for *_, dest in jobs]
    for old_png in shots.glob("*.png"):
        if old_png not in written:
            old_png.unlink()
    entries = [e for e in kept.values() if e is not None]
    if entries != list(old.values()):
        write_survey(store, entries)
    (shots / ".stamp.json").unlink(missing_ok=True)  # the record of page digests the survey replaced
    return written


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python tests/browser.py",
        description="Write <shots>/<page>-<width>.png for every page of a built report tree.",
    )
    ap.add_argument("out_dir", nargs="?", default="reports", help="a built report tree (default: reports)")
    ap.add_argument(
        "--shots",
        metavar="DIR",
        default="build/screenshots",
        help="where the screenshots go, outside the report tree (default: build/screenshots)",
    )
    ap.add_argument("--check", action="store_true", help="also report what the browser tests would fail on (exit 1)")
    ap.add_argument(
        "--changed",
        action="store_true",
        help="only pages whose survey entry no longer holds (a byte of the page or a file it uses changed) or whose "
        "screenshot is missing",
    )
    args = ap.parse_args(argv)
    out = Path(args.out_dir)
    if not (out / "index.html").exists():
        print(
            f"{out}/index.html is missing: build the reports first (python -m analysis build --out {out})",
            file=sys.stderr,
        )
        return 2
    if find_chromium() is None:
        print("no chromium binary: install it (apt-get install chromium) or set $CHROMIUM", file=sys.stderr)
        return 2
    reports: list[PageReport] = []
    taken: list[Path] = []
    paths = screenshot_tree(
        out, args.shots, reports=reports if args.check else None, only_changed=args.changed, taken=taken
    )
    print(f"screenshots: {len(paths)} in {args.shots} ({len(taken)} taken now)", file=sys.stderr)
    bad = (
        [line for r in reports for line in problems(r, main_points=not r.name.endswith("index"))] if args.check else []
    )
    for line in bad:
        print(line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `analysis` from a checkout without install
    sys.exit(main())
