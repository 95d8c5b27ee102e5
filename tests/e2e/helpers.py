"""Steps the journeys share: people of the routing examples, and a reviewer's acts in the browser."""

from playwright.sync_api import expect

from prereg.accounts.models import Role
from prereg.applications.models import Application
from tests.factories import TEST_PASSWORD, CandidateFactory, UserFactory, complete_application

from .conftest import login, logout

# The role a reviewer of each org of the routing examples needs for every stage his org holds.
ORG_ROLE = {
    "350000": Role.DISTRICT,
    "350100": Role.SITE, "350500": Role.SITE,
    "350102": Role.POINT, "350524": Role.POINT,
    "35010001": Role.POINT, "35000001": Role.POINT, "35000004": Role.POINT,
    "35052401": Role.UNIT,
}


def reviewers_for(tree, codes):
    """One reviewer account per org code (username r<code>), created if absent."""
    from prereg.accounts.models import User

    people = {}
    for code in codes:
        people[code] = User.objects.filter(username=f"r{code}").first() or UserFactory(
            username=f"r{code}", role=ORG_ROLE[code], org=tree[code], name=f"审核员{code[-4:]}")
    return people


def draft_for(tree, year, unit_code, **candidate_fields):
    """A candidate with a complete draft (every section and image) for `unit_code`."""
    candidate = CandidateFactory(**candidate_fields)
    application = complete_application(candidate, year, tree, unit_code=unit_code)
    return candidate, application


def candidate_submits(page, candidate):
    """The candidate signs in, opens his form and submits it; lands on the progress page."""
    login(page, candidate.id_number, TEST_PASSWORD)
    page.goto(f"{page.base}/candidate/form/")
    page.locator("form[action$='/candidate/submit/'] button").click()
    page.wait_for_url("**/candidate/progress/")


def tick_every_field(page, application_id, consistent=True):
    """Open each 📷 field of the review page and answer 与原件一致 是 (or 否)."""
    page.goto(f"{page.base}/backoffice/review/{application_id}/")
    fields = page.locator("[data-check-field]")
    total = fields.count()
    assert total > 0, "the review page lists no field to check"
    answer = "1" if consistent else "0"
    state = "yes" if consistent else "no"
    for i in range(total):
        field = page.locator("[data-check-field]").nth(i)
        if field.get_attribute("open") is None:
            field.locator("summary").click()
        field.locator(f"button[name=consistent][value='{answer}']").click()
        expect(page.locator(f"[data-check-field][data-consistent={state}]")).to_have_count(i + 1)
    return total


def approve_in_browser(page, application_id, opinion=""):
    tick_every_field(page, application_id)
    approve = page.locator("#decision-state button[value=approve]")
    expect(approve).to_be_enabled()
    if opinion:
        page.fill("textarea[name=opinion]", opinion)
    approve.click()
    page.wait_for_url("**/backoffice/review/pending/")


def forward_in_browser(page, stage):
    """汇总提交 of everything this org approved at `stage`."""
    page.goto(f"{page.base}/backoffice/review/forward/")
    page.locator(f"form:has(input[name=stage][value={stage}]) button").click()
    page.wait_for_url("**/backoffice/review/forward/")


def stage_of(application_id):
    a = Application.objects.get(pk=application_id)
    return a.state, a.stage, a.awaiting_forward


def as_reviewer(page, reviewer, act):
    login(page, reviewer.username, TEST_PASSWORD)
    try:
        act()
    finally:
        logout(page)


def held_request(page, held: list, count: int = 1):
    """Wait until `count` requests reached the route that holds them in `held` (a stalled network); the first."""
    for _ in range(300):
        if len(held) >= count:
            return held[0]
        page.wait_for_timeout(50)
    raise AssertionError(f"{count} request(s) expected at the held route, {len(held)} came")
