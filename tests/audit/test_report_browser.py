"""report.html in a real headless browser (Debian's chromium and chromium-driver, driven by selenium): it loads
from file:// with no console error, holds every identity, sorts, filters, and draws its charts.

Skipped only when chromium or its driver is absent (.ci/run installs both). A screenshot is saved under
tests/audit/artifacts/ (git-ignored) for the CI run's artefacts.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit.conftest import Audited

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _binary(*names: str) -> str | None:
    return next((found for name in names if (found := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver = _binary("chromium", "chromium-browser"), _binary("chromedriver")
    if not chromium or not driver:
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield session
    finally:
        session.quit()


@pytest.fixture(scope="module")
def page(browser: Any, audited: Audited) -> Any:
    browser.get((audited.out / "report.html").resolve().as_uri())
    return browser


def _visible_rows(page: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return [row for row in page.find_elements(By.CSS_SELECTOR, "#identities tbody tr") if row.is_displayed()]


def test_page_loads_from_file_url_without_console_errors(page: Any) -> None:
    assert page.title.startswith("nhilint audit: 5 machine identities in 3 repositories")
    errors = [entry for entry in page.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_the_table_holds_every_identity_riskiest_first(page: Any, audited: Audited) -> None:
    rows = _visible_rows(page)
    assert len(rows) == len(audited.document()["identities"]) == 5
    scores = [int(row.find_elements("tag name", "td")[0].text) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert "aws_iam_role.deployer" in rows[0].text


def test_sorting_by_a_column(page: Any) -> None:
    from selenium.webdriver.common.by import By

    header = page.find_element(By.XPATH, "//table[@id='identities']//th[normalize-space()='Age (days)']")
    header.click()
    ages = [int(row.find_elements(By.TAG_NAME, "td")[9].text) for row in _visible_rows(page)]
    assert ages == sorted(ages)
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    ages = [int(row.find_elements(By.TAG_NAME, "td")[9].text) for row in _visible_rows(page)]
    assert ages == sorted(ages, reverse=True)


def test_filtering_by_text_repository_owner_source_and_staleness(page: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    search = page.find_element(By.ID, "filter")
    search.send_keys("ingest")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in _visible_rows(page)] == ["ServiceAccount/data/ingest"]
    assert page.find_element(By.ID, "shown").text == "1"
    search.clear()
    search.send_keys(" ")  # an input event with an empty query: every row again
    assert len(_visible_rows(page)) == 5
    Select(page.find_element(By.ID, "filter-repository")).select_by_visible_text("acme/platform")
    assert len(_visible_rows(page)) == 2
    Select(page.find_element(By.ID, "filter-owner")).select_by_value("creator")
    assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in _visible_rows(page)] == [
        "cfn/exporter.yaml#ExporterRole"
    ]
    Select(page.find_element(By.ID, "filter-owner")).select_by_value("")
    page.find_element(By.ID, "filter-stale").click()
    assert len(_visible_rows(page)) == 1  # the ServiceAccount, untouched since 2019
    page.find_element(By.ID, "filter-stale").click()
    Select(page.find_element(By.ID, "filter-repository")).select_by_value("")
    assert len(_visible_rows(page)) == 5


def test_the_charts_render(page: Any) -> None:
    from selenium.webdriver.common.by import By

    for section in ("coverage", "age", "by-rule", "by-owasp", "by-repository"):
        chart = page.find_element(By.CSS_SELECTOR, f"#{section} svg.chart")
        assert chart.size["width"] > 100 and chart.size["height"] > 20, section
        bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
        assert any(float(bar.get_attribute("width")) > 0 for bar in bars), section


def test_screenshot_is_saved(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.execute_script("window.scrollTo(0, 0)")
    assert page.save_screenshot(str(ARTIFACTS / "audit-report.png"))
    assert (ARTIFACTS / "audit-report.png").stat().st_size > 10_000
