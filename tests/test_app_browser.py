"""The planning app as a person uses it: Voilà serves notebooks/plan.ipynb, Debian's Chromium clicks through it.

At a phone's width (390 px) and a desktop's (1280 px): nothing scrolls sideways, no status button is
cut, the criterion's wording opens with a tap, the charts carry alt text, nothing is fetched from
anywhere but the app. Plans are downloaded and uploaded back through the browser. Crafted widget
messages leave no traceback or server path on the page. Beyond the cap on kernels a visitor gets the
busy page, and the kernel of a page closed without saying goodbye is culled. Screenshots go to a
temporary folder, or to $WWC_SCREENSHOTS to keep them.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from wwc_analysis.app.server import HOST, serve, voila_available
from wwc_analysis.reports.pdf import QUIET_FLAGS, find_chromium

pytestmark = [
    pytest.mark.skipif(not voila_available(), reason="the app needs voila and ipywidgets: pip install -e '.[app]'"),
    pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed: apt-get install -y chromium"),
]

WIDTHS = {"phone": 390, "desktop": 1280}
LOAD_MS = 120_000
SERVER_TRACES = ("Traceback", 'File "', "site-packages", "/tmp/", "wwc-upload", str(Path(__file__).parents[1]))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Screenshots, downloads and the server's log."""
    keep = os.environ.get("WWC_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("app")


@pytest.fixture(scope="module")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=find_chromium(), args=list(QUIET_FLAGS), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def app(folder) -> str:
    with serve(timeout=120, log=folder / "voila.log") as url:
        yield url


class Visit:
    """One visitor's page, every request outside the app refused and recorded."""

    def __init__(self, chromium, url: str, width: int, wait: bool = True):
        self.context = chromium.new_context(viewport={"width": width, "height": 860}, accept_downloads=True)
        self.outside: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.response = self.page.goto(url, timeout=LOAD_MS, wait_until="commit")
        if wait:
            self.starting = self.page.locator("#loading").inner_text(timeout=LOAD_MS)
            self.page.locator(".wwc-status-DM1 button").first.wait_for(timeout=LOAD_MS)
            self.wait_for_charts()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or url.split("/")[2].split(":")[0] == HOST:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def wait_for_charts(self) -> None:
        self.page.locator(".wwc-results img").nth(1).wait_for(timeout=30_000)

    def headline(self) -> str:
        return self.page.locator(".wwc-headline").inner_text()

    def wait_text(self, selector: str, text: str, timeout: int = 30_000) -> None:
        self.page.wait_for_function(
            "([s, t]) => [...document.querySelectorAll(s)].some(e => e.innerText.includes(t))",
            arg=[selector, text],
            timeout=timeout,
        )

    def upload(self, path: Path) -> None:
        """Choose a file with the FileUpload button, as a person does (its file input is not in the page)."""
        with self.page.expect_file_chooser() as chooser:
            self.page.locator(".widget-upload").click()
        chooser.value.set_files(str(path))

    def click_status(self, code: str, label: str) -> None:
        self.page.locator(f".wwc-status-{code} button", has_text=label).first.click()

    def kernel_id(self) -> str:
        return self.page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")

    def body_text(self) -> str:
        return self.page.evaluate("document.body.innerText")

    def close(self, goodbye: bool = False) -> None:
        """Close the page; without `goodbye` it leaves as a lost connection does (no beforeunload shutdown)."""
        self.page.close(run_before_unload=goodbye)
        self.context.close()


def no_server_traces(text: str) -> list[str]:
    return [trace for trace in SERVER_TRACES if trace in text]


@pytest.mark.parametrize("device", WIDTHS)
def test_the_page_fits_the_screen_and_fetches_nothing_outside(chromium, app, folder, device):
    width = WIDTHS[device]
    visit = Visit(chromium, app, width)
    page = visit.page
    try:
        page.screenshot(path=str(folder / f"app-{device}.png"))
        overflow = page.evaluate(
            """(w) => [...document.querySelectorAll('.wwc-panel *')].filter(e => {
                   const r = e.getBoundingClientRect();
                   return r.width > 0 && (r.right > w + 1 || r.left < -1);
               }).map(e => e.className + ' ' + (e.innerText || '').slice(0, 30))""",
            width,
        )
        assert overflow == []
        sideways = page.evaluate(
            "[document.documentElement.scrollWidth, document.getElementById('rendered_cells').scrollWidth]"
        )
        assert max(sideways) <= width
        cut = page.evaluate(
            """() => [...document.querySelectorAll('.wwc-status button')].filter(
                   b => b.scrollWidth > b.clientWidth + 1).map(b => b.innerText)"""
        )
        assert cut == []
        labels = page.locator(".wwc-status-DM8 button").all_inner_texts()
        assert [t.strip() for t in labels] == ["Yes", "In Progress", "No", "unknown"]
        menu = page.locator(".wwc-choice select").nth(2)
        box = menu.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        peers = [p.replace("\xa0", " ") for p in menu.locator("option").all_inner_texts()]
        assert peers[0] == "all applicant cities (published shares)" and not any(":" in p for p in peers)
        summary = page.locator(".wwc-row summary", has_text="DM8").first
        assert "Disaggregated Data" in summary.inner_text()
        wording = page.locator(".wwc-row details", has_text="DM8").first.locator("p")
        assert not wording.is_visible()
        summary.click()
        assert wording.is_visible() and len(wording.inner_text()) > 40
        alts = page.locator(".wwc-results img").evaluate_all("imgs => imgs.map(i => i.alt)")
        assert alts[0].startswith("Tier gauge: Scottsdale meets 31 of 43 criteria")
        assert alts[1].startswith("Bar chart of criteria met per practice") and "Data Management 89%" in alts[1]
        if device == "phone":
            page.evaluate("document.getElementById('rendered_cells').scrollTop = 3000")
            top = page.locator(".wwc-headline").bounding_box()["y"]
            assert abs(top) <= 1, "the headline stays at the top while the criteria scroll"
            page.screenshot(path=str(folder / "app-scrolled-phone.png"))
        assert visit.outside == []
    finally:
        visit.close(goodbye=True)


def test_the_page_says_it_is_starting_and_keeps_its_own_template(app):
    with urllib.request.urlopen(app + "?template=classic&theme=dark", timeout=120) as reply:
        policy = reply.headers["Content-Security-Policy"]
        page = reply.read().decode("utf-8")
    assert "Starting the planning app" in page and "theme-light" in page
    assert "cdn." not in page and "https://" not in page.split("</head>")[0]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    for path in ("voila/files/plan.ipynb", "voila/files/../README.md", "voila/files/plan.png"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(app + path, timeout=30)
        assert refused.value.code in (403, 404)


def test_a_tap_opens_the_wording_on_a_phone(chromium, app):
    context = chromium.new_context(viewport={"width": 390, "height": 860}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(app, timeout=LOAD_MS)
        summary = page.locator(".wwc-row summary", has_text="RDC5").first
        summary.wait_for(timeout=LOAD_MS)
        summary.tap()
        assert page.locator(".wwc-row details", has_text="RDC5").first.get_attribute("open") is not None
    finally:
        page.close(run_before_unload=True)
        context.close()


def test_clicks_reach_platinum_and_reset_goes_back(chromium, app, folder):
    visit = Visit(chromium, app, WIDTHS["phone"])
    try:
        assert "Starting the planning app" in visit.starting
        assert "Gold (published)" in visit.headline() and "31 of 43" in visit.headline()
        visit.click_status("DM8", "Yes")
        visit.wait_text(".wwc-headline", "32 of 43")
        visit.wait_text(".wwc-row.wwc-changed", "changed (recorded: In Progress)")
        visit.page.locator(".wwc-apply-platinum").click()
        visit.wait_text(".wwc-headline", "Platinum")
        assert "37 of 43" in visit.headline()
        visit.page.wait_for_function(
            "document.querySelector('.wwc-results img').alt.includes('meets 37 of 43')", timeout=30_000
        )
        visit.page.screenshot(path=str(folder / "app-platinum-phone.png"))
        visit.page.locator(".wwc-reset").click()
        visit.wait_text(".wwc-headline", "Gold (published)")
        assert "31 of 43" in visit.headline()
        # The rows' marks are widget updates of their own, which may reach the page after the headline's.
        visit.page.wait_for_function("document.querySelectorAll('.wwc-row.wwc-changed').length === 0", timeout=30_000)
    finally:
        visit.close(goodbye=True)


def test_a_plan_downloads_and_uploads_back(chromium, app, folder):
    visit = Visit(chromium, app, WIDTHS["desktop"])
    page = visit.page
    try:
        page.locator(".wwc-apply-platinum").click()
        visit.wait_text(".wwc-headline", "Platinum")
        page.locator(".wwc-save").click()
        links = page.locator(".wwc-downloads a")
        links.first.wait_for(timeout=30_000)
        assert links.all_inner_texts() == ["plan-scottsdale-2023.csv", "plan-scottsdale-2023.xlsx"]
        with page.expect_download() as info:
            links.first.click()
        saved = folder / info.value.suggested_filename
        info.value.save_as(saved)
        assert saved.name == "plan-scottsdale-2023.csv"
        text = saved.read_text(encoding="utf-8")
        assert text.splitlines()[0].startswith("city,year,criterion,status") and "Scottsdale,2023,DM8,Yes" in text

        page.locator(".wwc-reset").click()
        visit.wait_text(".wwc-headline", "Gold (published)")
        visit.upload(saved)
        visit.wait_text(".wwc-message", "Loaded 7 changes from plan-scottsdale-2023.csv")
        visit.wait_text(".wwc-headline", "Platinum")

        other = folder / "plan-tempe-2023.csv"
        other.write_text(text.replace("Scottsdale,2023", "Tempe,2023"), encoding="utf-8")
        page.locator(".wwc-reset").click()
        visit.wait_text(".wwc-headline", "Gold (published)")
        visit.upload(other)
        visit.wait_text(".wwc-message", "plan-tempe-2023.csv: ")
        assert "Tempe" in page.locator(".wwc-message").inner_text() and "Gold" in visit.headline()
        page.locator(".wwc-confirm").click()
        visit.wait_text(".wwc-headline", "Platinum")

        bad = folder / "bad.csv"
        bad.write_text("criterion,status\nZZ1,Yes\n", encoding="utf-8")
        visit.upload(bad)
        visit.wait_text(".wwc-message", "bad.csv: row 2")
        assert no_server_traces(visit.body_text()) == []
    finally:
        visit.close(goodbye=True)


CRAFT = """async ([kernel, states]) => {
  const ws = new WebSocket(`ws://${location.host}/api/kernels/${kernel}/channels?session_id=crafted`);
  await new Promise((ok, no) => { ws.onopen = ok; ws.onerror = no; });
  let n = 0;
  const send = (type, content) => ws.send(JSON.stringify({
    header: {msg_id: `crafted-${n++}`, msg_type: type, session: 'crafted', username: '', version: '5.3',
             date: new Date().toISOString()},
    parent_header: {}, metadata: {}, content, channel: 'shell', buffers: []}));
  const comms = await new Promise(ok => {
    ws.onmessage = e => { const m = JSON.parse(e.data);
      if (m.header.msg_type === 'comm_info_reply') ok(Object.keys(m.content.comms)); };
    send('comm_info_request', {target_name: 'jupyter.widget'});
  });
  for (const id of comms) for (const state of states)
    send('comm_msg', {comm_id: id, data: {method: 'update', state, buffer_paths: []}});
  send('execute_request', {code: 'import os; print(os.getcwd())', silent: false});
  await new Promise(ok => setTimeout(ok, 3000));
  ws.close();
  return comms.length;
}"""
ODD_STATES = [
    {"index": 99},
    {"index": -1},
    {"index": "DM8"},
    {"value": "/etc/passwd"},
    {"value": [{"name": "../../../etc/passwd", "content": "not bytes", "size": 3}]},
    {"value": [{"name": "/etc/passwd"}]},
    {"options": ["/etc/passwd"]},
    {"_dom_classes": 5},
]


def test_crafted_widget_messages_leave_no_trace_on_the_page(chromium, app, folder):
    visit = Visit(chromium, app, WIDTHS["desktop"])
    try:
        comms = visit.page.evaluate(CRAFT, [visit.kernel_id(), ODD_STATES])
        assert comms > 50
        visit.page.screenshot(path=str(folder / "app-crafted.png"))
        text = visit.body_text()
        assert no_server_traces(text) == [] and "[object Object]" not in text
        assert "Scottsdale 2023" in visit.headline() and visit.page.locator(".wwc-row summary").count() == 46
        visit.page.locator(".wwc-reset").click()
        visit.click_status("SI1", "Yes")
        visit.wait_text(".wwc-headline", "32 of 43")
    finally:
        visit.close(goodbye=True)


def _kernel_alive(url: str, kernel: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}api/kernels/{kernel}", timeout=5) as reply:
            return reply.status == 200
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def test_beyond_the_cap_a_visitor_is_asked_to_wait_and_a_closed_page_is_culled(chromium, folder):
    with serve(timeout=120, log=folder / "voila-bounded.log", max_kernels=1, cull_idle=10, cull_every=2) as url:
        first = Visit(chromium, url, WIDTHS["phone"])
        kernel = first.kernel_id()
        second = Visit(chromium, url, WIDTHS["phone"], wait=False)
        try:
            assert second.response.status == 503
            text = second.body_text()
            assert "The planning app is busy" in text and "Please try again in a few minutes." in text
            assert no_server_traces(text) == [] and second.outside == []
            second.page.screenshot(path=str(folder / "app-busy-phone.png"))
            assert _kernel_alive(url, kernel)
            first.close(goodbye=False)  # as a phone that lost its connection: no shutdown message
            closed = time.monotonic()
            while _kernel_alive(url, kernel):
                assert time.monotonic() - closed < 90, "the kernel of a closed page was not culled"
                time.sleep(1)
            print(f"kernel of the closed page culled after {time.monotonic() - closed:.0f} s")
            second.page.reload(timeout=LOAD_MS)
            second.page.locator(".wwc-status-DM1 button").first.wait_for(timeout=LOAD_MS)
            kernel = second.kernel_id()
        finally:
            second.close(goodbye=True)
        closed = time.monotonic()
        while _kernel_alive(url, kernel):  # a page closed normally shuts its kernel down itself
            assert time.monotonic() - closed < 30, "a page closed normally left its kernel running"
            time.sleep(0.2)
