"""The dashboard in a real browser: Debian's chromium + chromium-driver through Selenium (no download).

Log in through the form, see all 96 units, open a unit, export its table to Excel, log out.
Screenshots are written to tests' tmp folder (and, with HUB_SCREENSHOTS=DIR, copied there to look at).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from core import demo
from core.clock import today_local
from core.hub import accounts
from tests.core.hub.test_dashboard import _send_all
from tests.core.sync.harness import make_commune, make_hub, running_hub

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are needed"),
              pytest.mark.usefixtures("hub_database")]  # every test on both hub stores (tests/conftest.py)
PASSWORD = "mat-khau-trinh-duyet"


def _browser(profile: Path, downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1366,768", "--lang=vi"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(60)
    return driver


def _shot(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    if os.environ.get("HUB_SCREENSHOTS"):
        target = Path(os.environ["HUB_SCREENSHOTS"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target / path.name)
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def _print(driver, tmp_path: Path, name: str) -> Path:
    """The page as the browser prints it (the print style sheet: no menu, no filters), A4 landscape."""
    import base64

    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.orientation = "landscape"
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(base64.b64decode(driver.print_page(options)))
    assert pdf.read_bytes().startswith(b"%PDF")
    if os.environ.get("HUB_SCREENSHOTS"):
        shutil.copy(pdf, Path(os.environ["HUB_SCREENSHOTS"]) / pdf.name)
    return pdf


def test_login_open_a_unit_export_and_logout_in_chromium(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    hub = make_hub(tmp_path / "hub")
    commune = make_commune(tmp_path / "xa", "21484", hub)
    try:
        demo.fill(commune.store, seed=3, today=today_local())
        _send_all(commune, hub)
    finally:
        commune.close()
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "canbo", "viewer", PASSWORD)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with running_hub(hub) as url:
        driver = _browser(tmp_path / "profile", downloads)
        try:
            driver.get(url + "/")
            assert "/login" in driver.current_url and "Xã Ba Tơ" not in driver.page_source
            _shot(driver, tmp_path, "1-login")
            driver.find_element(By.ID, "user").send_keys("canbo")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "login").click()
            # A click returns before the POST's redirect is followed on a loaded machine (CI saw 0
            # rows here once): every navigation below is waited for, never assumed done.
            WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#units tbody tr")))
            rows = driver.find_elements(By.CSS_SELECTOR, "#units tbody tr")
            assert len(rows) == 96
            _shot(driver, tmp_path, "2-dashboard")
            _print(driver, tmp_path, "2-dashboard")
            driver.find_element(By.LINK_TEXT, "Xã Ba Tơ").click()
            WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#unit-indicators")))
            assert "/don-vi/21484" in driver.current_url
            assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Xã Ba Tơ")
            assert len(driver.find_elements(By.CSS_SELECTOR, "#unit-indicators tbody tr")) == 7
            _shot(driver, tmp_path, "3-unit")
            driver.find_element(By.ID, "unit-export").click()
            deadline = time.monotonic() + 30
            while not list(downloads.glob("*.xlsx")) and time.monotonic() < deadline:
                time.sleep(0.2)
            [saved] = list(downloads.glob("*.xlsx"))
            import openpyxl

            book = openpyxl.load_workbook(saved)
            assert book.sheetnames == ["Chỉ tiêu", "Theo tháng", "Gói đã nhận", "Gói bị từ chối", "Thiết bị"]
            for sheet in book.worksheets:
                assert sheet.freeze_panes and sheet.auto_filter.ref
            assert book["Theo tháng"]["A3"].is_date and book["Gói đã nhận"]["A3"].is_date
            driver.find_element(By.ID, "logout").click()
            # The click returns before the POST's redirect is followed on a loaded machine: wait for it.
            WebDriverWait(driver, 30).until(ec.url_contains("/login"))
            driver.get(url + "/")
            assert "/login" in driver.current_url  # the session is gone
            _shot(driver, tmp_path, "4-logged-out")
        finally:
            driver.quit()


def test_api_docs_render_for_an_admin_from_files_on_the_hub(tmp_path):
    """/docs in chromium: login first, then Swagger UI (served by the hub itself, no CDN) lists the five
    operations of the communes' API from /openapi.json (OpenAPI 3.1)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    hub = make_hub(tmp_path / "hub")
    with hub.store() as store, store.transaction() as conn:
        accounts.add_user(conn, "quantri", "admin", PASSWORD)
    with running_hub(hub) as url:
        driver = _browser(tmp_path / "profile", tmp_path)
        try:
            driver.get(url + "/docs")
            assert "/login" in driver.current_url
            driver.find_element(By.ID, "user").send_keys("quantri")
            driver.find_element(By.ID, "password").send_keys(PASSWORD)
            driver.find_element(By.ID, "login").click()
            WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
            assert len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) == 7
            scripts = [e.get_attribute("src") for e in driver.find_elements(By.TAG_NAME, "script")]
            assert scripts and all(src.startswith(url) for src in scripts)
            _shot(driver, tmp_path, "5-docs")
        finally:
            driver.quit()
