"""A row table takes at most its formset's 20 rows (phone-journey probe: 21 taps on ⊕ gave 22 rows, and the
save refused them at the section's top in Django's words, 请最多提交 20 个表单, after everything was typed):
⊕ stops at the maximum and says so, and a save of more is refused at the table in ours."""

import re

import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from playwright.sync_api import expect

from prereg.applications.models import WorkRow
from prereg.candidate.views.common import current_application
from tests.e2e import conftest as e2e
from tests.factories import TEST_PASSWORD, WorkRowFactory, complete_application, formset_data

_playwright, browser, server = e2e._playwright, e2e.browser, e2e.server


@pytest.fixture
def application(client, year, tree, candidate):
    client.force_login(candidate)
    return complete_application(candidate, year, tree)


def _save(client, section, payload):
    version = current_application(get_user(client)).version
    return client.post(reverse("candidate:section", args=[section]), {"version": version, **payload},
                       HTTP_HX_REQUEST="true").content.decode()


def _rows_block(body, prefix):
    """The markup of one row table (from its data-rows to the note beside its ⊕)."""
    return re.search(rf'<div class="rows" data-rows="{prefix}".*?data-max-rows-note>[^<]*</span>', body, re.S).group(0)


def test_a_table_of_more_rows_than_its_maximum_is_refused_at_the_table_in_our_words(client, application):
    rows = [{"unit_name": f"单位{i}", "start": "2015-08"} for i in range(21)]
    body = _save(client, "work", formset_data("work", *rows))
    assert "请最多提交" not in body  # Django's own words, about 表单
    assert "最多填写20行" in _rows_block(body, "work")
    assert WorkRow.objects.filter(application=application).count() == 1  # nothing saved


def test_a_table_at_its_maximum_offers_no_more_rows_and_says_why(client, application):
    WorkRowFactory.create_batch(19, application=application)  # 20 with the one complete_application made
    rows = _rows_block(client.get(reverse("candidate:form")).content.decode(), "work")
    add = re.search(r'<button[^>]*data-add-row="work"[^>]*>', rows).group(0)
    assert "disabled" in add
    note = re.search(r'<[^>]*data-max-rows-note>([^<]*)<', rows)
    assert note.group(1) == "最多20行" and "hidden" not in note.group(0)


def test_a_table_below_its_maximum_offers_its_add_button(client, application):
    rows = _rows_block(client.get(reverse("candidate:form")).content.decode(), "work")
    assert "disabled" not in re.search(r'<button[^>]*data-add-row="work"[^>]*>', rows).group(0)
    assert 'data-max-rows="20"' in rows  # for the script, which stops ⊕ there


@pytest.fixture
def android(request, browser, server):
    yield from e2e._new_page(request, browser, server, {"width": 360, "height": 740}, mobile=True)


def _form(page, candidate, year, tree):
    application = complete_application(candidate, year, tree)
    e2e.login(page, candidate.username, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    return application


@pytest.mark.browser
def test_add_row_stops_at_the_tables_maximum_and_says_so(android, year, tree, candidate):
    application = _form(android, candidate, year, tree)
    work = android.locator("#section-work")
    add, note = work.locator("[data-add-row]"), work.locator("[data-max-rows-note]")
    assert WorkRow.objects.filter(application=application).count() == 1
    expect(note).to_be_hidden()
    for _ in range(19):
        add.click()
    expect(work.locator("[data-row]")).to_have_count(20)
    expect(add).to_be_disabled()
    expect(note).to_be_visible()
    expect(note).to_have_text("最多20行")
    add.click(force=True)  # a tap on the disabled button adds nothing
    expect(work.locator("[data-row]")).to_have_count(20)
    # A row taken away makes room for one more.
    work.locator("[data-remove-row]").last.click()
    expect(add).to_be_enabled()
    expect(note).to_be_hidden()
    add.click()
    expect(work.locator("[data-row]:not(.removed)")).to_have_count(20)
    expect(add).to_be_disabled()
