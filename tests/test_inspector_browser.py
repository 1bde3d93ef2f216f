"""The inspector in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright against a mock served on a loopback socket.

Each test builds the Dynamics pipeline over the API (a unique password as the secret canary),
looks at a view, acts through the page, and checks that the canary is in no page HTML and no
answer the page fetched. A screenshot per view goes to the test's ``tmp_path``; with
``UPDATE_SCREENSHOTS=1`` the same pictures are written to ``docs/ui-*.png`` for the README.

Without Playwright or a Chromium executable (``MOCK_FLOWSERVICE_CHROMIUM``, else
``/usr/bin/chromium`` or ``chromium`` on PATH) the tests skip and say why. Playwright never
downloads a browser here: it launches the system's.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from flowservice_client import DynamicsDataflow, FlowServiceClient
from flowservice_fixtures.plugin import DATASET_ID, SCHEMA_ID

from mock_flowservice import create_app

from .support import BASE_PATH, DYNAMICS_BASIC, DYNAMICS_SPEC_ID, HEADERS, ORG, start_server

pytestmark = [pytest.mark.server, pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 400, "height": 800}
TIMEOUT_MS = 10_000


def _chromium() -> str | None:
    configured = os.environ.get("MOCK_FLOWSERVICE_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -e '.[dev]')")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium executable (apt-get install chromium): browser tests skipped")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def served() -> Iterator[Any]:
    with start_server(create_app()) as server:
        yield server


@dataclass
class Scene:
    """A served mock with the Dynamics pipeline in it, and a browser page on its inspector."""

    server: Any
    page: Any
    client: FlowServiceClient
    dataflow: DynamicsDataflow
    canary: str
    shots: Path
    answers: list[Any] = field(default_factory=list)
    #: Whether the page's confirmations are accepted (else dismissed).
    confirm: bool = True

    def record(self, answer: Any) -> None:
        self.answers.append(answer)

    def on_dialog(self, dialog: Any) -> None:
        if self.confirm:
            dialog.accept()
        else:
            dialog.dismiss()

    @property
    def ui(self) -> str:
        return self.server.url + "/__mock__/ui"

    def open(self, route: str = "#/tenants") -> None:
        self.page.goto(self.ui + route)
        self.page.locator("[data-live]").first.wait_for(timeout=TIMEOUT_MS)

    def screenshot(self, name: str) -> None:
        """The whole page into the test's folder, and into docs/ when asked to."""
        path = self.shots / f"ui-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        if os.environ.get("UPDATE_SCREENSHOTS") == "1":
            shutil.copyfile(path, DOCS / path.name)

    def assert_no_canary(self) -> None:
        """The canary is in no page HTML and no answer the page fetched."""
        assert self.canary not in self.page.content()
        fetched = 0
        for answer in self.answers:
            if answer.status in (204, 301, 302, 304):
                continue
            body = answer.body()
            assert self.canary.encode() not in body, answer.url
            fetched += 1
        assert fetched > 0

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, self.server.base_url + path, headers=HEADERS, timeout=10, **kwargs
        )


@pytest.fixture
def scene(browser: Any, served: Any, tmp_path: Path) -> Iterator[Scene]:
    served.reset()
    canary = f"CANARY-{uuid.uuid4().hex}"
    client = FlowServiceClient(
        served.base_url, access_token="test-token", api_key="test-client", org_id=ORG
    )
    base = client.create_connection(
        "Dynamics contacts base",
        DYNAMICS_SPEC_ID,
        DYNAMICS_BASIC,
        {
            "serviceUri": "https://contoso.crm.dynamics.com",
            "username": "ops@contoso.example",
            "password": canary,
        },
    )
    dataflow = client.create_dynamics_dataflow(
        "Dynamics contacts",
        base_connection_id=base.id,
        table="contact",
        dataset_id=DATASET_ID,
        schema_id=SCHEMA_ID,
    )
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    made = Scene(served, page, client, dataflow, canary, tmp_path)
    page.on("response", made.record)
    page.on("dialog", made.on_dialog)
    try:
        yield made
    finally:
        context.close()
        client.close()


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def test_tenants_view_shows_every_object_of_the_pipeline(scene: Scene) -> None:
    expect, page, flow = _expect(), scene.page, scene.dataflow
    scene.open()
    tenant = page.locator("section.tenant")
    expect(tenant).to_have_count(1)
    expect(tenant.locator("h3")).to_contain_text(ORG)
    expect(tenant.locator("h3")).to_contain_text("prod")
    ids = (
        flow.base_connection_id,
        flow.source_connection_id,
        flow.target_connection_id,
        flow.flow_id,
    )
    for object_id in ids:
        row = page.locator(f"tr[id='obj-{object_id}']")
        expect(row).to_be_visible()
        expect(row.locator(".state")).to_have_text("enabled")
    served = scene.api("GET", f"/flows/{flow.flow_id}").json()["items"][0]
    expect(page.locator(f"tr[id='obj-{flow.flow_id}'] .etag")).to_have_text(served["etag"])
    base = page.locator(f"tr[id='obj-{flow.base_connection_id}']")
    expect(base.locator(".params")).to_contain_text('"password": "********"')
    expect(base).to_contain_text("dynamics-online")
    expect(page.locator(f"tr[id='obj-{flow.flow_id}']")).to_contain_text("CRMToAEP")
    expect(page.locator("a[aria-current=page]")).to_have_text("Tenants")
    scene.screenshot("tenants")
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], "the narrow view scrolls sideways"
    scene.screenshot("tenants-narrow")
    scene.assert_no_canary()


def test_flow_view_draws_the_pipeline_and_its_runs(scene: Scene) -> None:
    expect, page, flow = _expect(), scene.page, scene.dataflow
    scene.open()
    page.get_by_role("link", name="Dynamics contacts", exact=True).click()
    boxes = page.locator(".pipeline > .box")
    expect(boxes.locator(".kind")).to_have_text(
        ["Base connection", "Source connection", "Flow", "Target connection"]
    )
    expect(boxes.locator(".name")).to_have_text(
        [
            "Dynamics contacts base",
            "Dynamics contacts source",
            "Dynamics contacts",
            "Dynamics contacts target",
        ]
    )
    expect(boxes.nth(0)).to_contain_text(DYNAMICS_SPEC_ID)
    expect(boxes.nth(2)).to_contain_text("CRMToAEP")
    runs = page.locator(".timeline > li")
    before = runs.count()
    # Advance an hour from the page: the next run appears (and the first completes).
    page.get_by_label("Advance by seconds").fill("3600")
    page.get_by_role("button", name="Advance clock").click()
    expect(page.locator("#result")).to_contain_text("POST /__mock__/clock → 200")
    expect(runs).to_have_count(before + 1)
    expect(page.locator(".timeline .run-success").first).to_be_visible()
    # A failed outcome for the next run, then another hour: a red run with its error.
    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Queue outcomes").click()
    expect(page.locator("#result")).to_contain_text('"queued":1')
    page.get_by_role("button", name="Advance clock").click()
    expect(runs).to_have_count(before + 2)
    page.get_by_label("Advance by seconds").fill("120")
    page.get_by_role("button", name="Advance clock").click()
    failed = page.locator(".timeline summary.run-failed")
    expect(failed).to_have_count(1)
    failed.focus()
    page.keyboard.press("Enter")  # the keyboard opens a run as a click does
    body = page.locator(".timeline details[open] .run-body")
    expect(body).to_contain_text("CONNECTOR-2001-500")
    expect(body).to_contain_text("Records in / out / failed")
    api_runs = scene.api("GET", "/runs", params={"property": f"flowId=={flow.flow_id}"})
    assert len(api_runs.json()["items"]) == before + 2
    scene.screenshot("flow")
    page.set_viewport_size(NARROW)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    scene.screenshot("flow-narrow")
    scene.assert_no_canary()


def test_journal_filters_refreshes_and_opens_redacted_entries(scene: Scene) -> None:
    expect, page = _expect(), scene.page
    missing = scene.api("GET", "/connections/0f1e2d3c-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    scene.open("#/journal")
    entries = page.locator("ol.journal details.entry")

    def filtered(applied: str) -> None:
        """Wait until the list on screen is the one of these filters."""
        expect(page.locator(f"#live-journal[data-filters='{applied}']")).to_have_count(1)

    total = entries.count()
    assert total >= 6  # the pipeline's creates and look-ups, and the 404
    # Newest first: the 404 came last.
    expect(entries.first.locator(".status")).to_have_text("404")
    # It refreshes itself as requests arrive.
    assert scene.api("GET", "/connections").status_code == 200
    expect(entries).to_have_count(total + 1)
    expect(entries.first.locator(".path")).to_have_text(BASE_PATH + "/connections")

    page.get_by_label("Method").select_option("POST")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"#/journal\?method=POST$"))
    filtered("method=POST")
    # The pipeline's four creates: base, source and target connections, flow.
    expect(entries.locator(".method")).to_have_text(["POST"] * 4)
    create = entries.filter(has_text=BASE_PATH + "/connections").last
    create.locator(":scope > summary").click()
    expect(create.locator(".entry-body")).to_contain_text('"password": "********"')
    answer = create.locator(".entry-body dd pre").last  # the answer's body: the new id
    expect(answer).to_contain_text(f'"id": "{scene.dataflow.base_connection_id}"')
    scene.screenshot("journal")

    page.get_by_role("button", name="Clear").click()
    expect(page).to_have_url(re.compile(r"#/journal$"))
    filtered("")
    page.get_by_label("Status").fill("4xx")
    page.get_by_role("button", name="Filter").click()
    filtered("status=4xx")
    expect(entries).to_have_count(1)
    request_id = missing.headers["x-request-id"]
    expect(entries.first).to_contain_text("404")

    page.get_by_label("Status").fill("")
    page.get_by_label("Path glob").fill("*/flows*")
    page.get_by_role("button", name="Filter").click()
    filtered("path=%2A%2Fflows%2A")
    expect(entries.locator(".path")).not_to_have_count(0)
    assert all("/flows" in p for p in entries.locator(".path").all_inner_texts())

    page.get_by_label("Path glob").fill("")
    page.get_by_label("Request id").fill(request_id)
    page.get_by_role("button", name="Filter").click()
    filtered(f"requestId={request_id}")
    expect(entries).to_have_count(1)
    entries.first.locator(":scope > summary").click()
    expect(entries.first).to_contain_text(request_id)
    scene.assert_no_canary()


def test_actions_reach_the_control_api_and_show_their_result(scene: Scene) -> None:
    expect, page = _expect(), scene.page
    scene.open("#/actions")
    expect(page.locator("a[aria-current=page]")).to_have_text("Actions")
    # A fault rule from the page: the API answers 503 until the rule is removed.
    page.get_by_label("Path glob").first.fill("*/connections")
    page.get_by_role("button", name="Add fault rule").click()
    expect(page.locator("#result")).to_contain_text("POST /__mock__/faults → 201")
    expect(page.locator(".rules li")).to_have_count(1)
    assert scene.api("GET", "/connections").status_code == 503
    expect(page.locator(".rules li")).to_contain_text("fired 1")
    # An override from the page.
    page.locator("#override-path").fill("*/flows")
    page.locator("#override-status").fill("418")
    page.locator("#override-body").fill('{"said": "override"}')
    page.get_by_role("button", name="Add override").click()
    expect(page.locator("#result")).to_contain_text("POST /__mock__/overrides → 201")
    expect(page.locator(".rules li")).to_have_count(2)
    overridden = scene.api("GET", "/flows")
    assert (overridden.status_code, overridden.json()) == (418, {"said": "override"})
    scene.screenshot("actions")
    page.locator(".rules li").first.get_by_role("button").click()
    expect(page.locator(".rules li")).to_have_count(1)
    assert scene.api("GET", "/connections").status_code == 200
    page.get_by_role("button", name="Clear every rule").click()
    expect(page.locator("#result")).to_contain_text("DELETE /__mock__/faults → 204")
    assert scene.api("GET", "/flows").status_code == 200
    # Freeze and set the clock.
    page.get_by_label("Set to (UTC").fill("2030-01-01T00:00:00Z")
    page.get_by_role("button", name="Set and freeze clock").click()
    expect(page.locator("#live-clock")).to_contain_text("2030-01-01T00:00:00Z · frozen")
    page.get_by_role("button", name="Unfreeze clock").click()
    expect(page.locator("#live-clock")).to_contain_text("running")
    # A bad value is refused by the control API (a regex is no path glob) and the page says so.
    page.locator("#override-path").fill("^/data/.*")
    page.get_by_role("button", name="Add override").click()
    expect(page.locator("#result")).to_have_class("failed")
    expect(page.locator("#result")).to_contain_text("POST /__mock__/overrides → 400")
    expect(page.locator("#result")).to_contain_text("FLOW-1100-400")
    # A body that is not JSON is never sent.
    page.locator("#override-path").fill("*/flows")
    page.locator("#override-body").fill("{not json")
    page.get_by_role("button", name="Add override").click()
    expect(page.locator("#result")).to_contain_text("Not sent:")
    expect(page.locator(".rules li")).to_have_count(0)
    # Reset: the objects are gone.
    page.get_by_role("button", name="Reset the mock").click()
    expect(page.locator("#result")).to_contain_text('{"status":"reset"}')
    assert scene.api("GET", "/connections").json()["items"] == []
    scene.assert_no_canary()


def test_keyboard_reaches_the_views_and_cancel_sends_nothing(scene: Scene) -> None:
    expect, page = _expect(), scene.page
    scene.open()
    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    for _ in range(3):  # the title, Tenants, Journal
        page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Journal")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("a[aria-current=page]")).to_have_text("Journal")
    expect(page.locator("#view")).to_be_focused()
    # A dismissed confirmation sends nothing.
    scene.confirm = False
    scene.open("#/actions")
    page.get_by_role("button", name="Reset the mock").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#result")).to_have_text("Cancelled.")
    assert len(scene.api("GET", "/connections").json()["items"]) == 1
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none", "the focused button shows no outline"


def test_a_control_token_is_asked_for_and_sent(browser: Any, tmp_path: Path) -> None:
    expect = _expect()
    token = f"token-{uuid.uuid4().hex}"
    with start_server(create_app({"control_token": token})) as server:
        context = browser.new_context(viewport=WIDE)
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(server.url + "/__mock__/ui")
            expect(page.locator("#token-form")).to_be_visible()
            expect(page.locator("[data-live]")).to_have_count(0)
            page.get_by_label("Control token").fill(token)
            page.get_by_role("button", name="Use token").click()
            expect(page.locator("#token-form")).to_be_hidden()
            expect(page.locator("#live-tenants")).to_contain_text("No objects yet")
            assert token not in page.content()
            refused = requests.get(server.url + "/__mock__/ui/view/tenants", timeout=10)
            assert refused.status_code == 401
        finally:
            context.close()
