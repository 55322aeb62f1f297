"""An operator in a real browser: "Back up now" in the admin, a real worker takes the backup,
the run list shows it done (progress 100 %) and the policy list its state."""

import pytest
from playwright.sync_api import expect

from apps.backups.models import BackupPolicy
from tests.backups.conftest import backups_worker, server
from tests.conftest import (
    ARTIFACTS_ROOT,
    wait_until,
)
from tests.dashboards.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test password 8"


@pytest.fixture
def shop(source_db) -> int:  # noqa: ANN001 - set up before the browser: no ORM calls after
    make_user("oper", role="operator")
    return BackupPolicy.objects.create(name="shop", dbname=source_db, **server()).pk


def test_back_up_now_from_the_admin_in_a_real_browser(
    shop, backup_dir, settings, live_server, page
):
    base = live_server.url
    with backups_worker(settings, backup_dir):
        page.goto(f"{base}/admin/login/?next=/admin/backups/backuppolicy/")
        page.fill("#id_username", "oper")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#result_list")
        assert "none yet" in page.inner_text("#result_list")
        page.check(f"input.action-select[value='{shop}']")
        page.select_option("select[name=action]", "back_up_now")
        page.click("button[name=index]")
        expect(page.locator("ul.messagelist")).to_contain_text("Shop: backup queued")

        # Playwright's loop owns this thread, so the run list is watched the way a person would.
        def done() -> bool:
            page.goto(f"{base}/admin/backups/backuprun/")
            return "Succeeded" in page.inner_text("#result_list")

        wait_until(done, timeout=90, interval=1, what="the worker's backup in the run list")
        row = page.locator("#result_list tbody tr").first
        expect(row).to_contain_text("Succeeded")
        assert row.locator("progress").get_attribute("value") == "100.0"
        page.goto(f"{base}/admin/backups/backuppolicy/")
        expect(page.locator("#result_list")).to_contain_text("Succeeded")
        page.screenshot(path=str(ARTIFACTS_ROOT / "backups-policies.png"), full_page=True)
    assert page.errors == []
