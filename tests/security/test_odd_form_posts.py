"""The candidate's form answers odd values in every field of every section with a page, never a
server error: each section is posted with all the form page's fields set to one odd value at a
time (digits of other scripts, a number beyond any id, markup, an impossible month), as a plain
post and as htmx, and the cascade, unit search and unit request are asked the same."""

import re

from django.urls import reverse

from tests.factories import ApplicationFactory

ODD_VALUES = ["²", "١", "9" * 40, "-1", "<script>", "2026-13", "0", ""]
LOOKUPS = ["q", "level", "qualification", "category", "scope", "specialty", "project", "name", "phone", "parent"]


def test_no_section_of_the_form_answers_odd_values_with_a_server_error(client, tree, year, candidate):
    application = ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"])
    client.force_login(candidate)
    client.raise_request_exception = False  # collect every answer, not the first error
    page = client.get(reverse("candidate:form")).content.decode()
    sections = sorted(set(re.findall(r"/candidate/form/([a-z_-]+)/", page)))
    names = sorted(set(re.findall(r'name="([^"]+)"', page)) - {"csrfmiddlewaretoken"})
    assert "declaration" in sections and "basic-postcode" in names
    errors = []
    for value in ODD_VALUES:
        data = dict.fromkeys(names, value)
        data.update({name: "1" for name in names if name.endswith("TOTAL_FORMS")})
        data.update({name: "0" for name in names if name.endswith("INITIAL_FORMS")})
        for section in sections:
            application.refresh_from_db()
            data["version"] = application.version
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.post(reverse("candidate:section", args=[section]), data, **headers)
                if response.status_code >= 500:
                    errors.append(f"{section} {value!r} {headers}: {response.status_code}")
        for name in ("cascade", "unit_search", "unit_request"):
            for response in (client.get(reverse(f"candidate:{name}"), dict.fromkeys(LOOKUPS, value)),
                             client.post(reverse(f"candidate:{name}"), dict.fromkeys(LOOKUPS, value))):
                if response.status_code >= 500:
                    errors.append(f"{name} {value!r}: {response.status_code}")
    assert not errors, "\n".join(errors)


def test_a_posted_id_beyond_any_row_is_no_row_not_a_server_error(client, tree, year, candidate, reviewer_province,
                                                                 reviewer_anxi_bureau):
    # SQLite's integers end at 2**63: the races probe's 批量审核 with such an id answered 500 after
    # approving the items before it; each place reading posted ids reads them with is_id.
    huge = "9" * 20
    client.raise_request_exception = False
    client.force_login(reviewer_province)
    answers = {
        "batch": client.post(reverse("backoffice:batch_approve"), {"items": [f"{huge}:1"]}),
        "orgs": client.post(reverse("backoffice:orgs_toggle"), {"ids": [huge], "action": "disable"}),
        "accounts": client.post(reverse("backoffice:accounts_toggle"), {"ids": [huge], "action": "disable"}),
        "pending": client.get(reverse("backoffice:pending"), {"unit": huge, "year": huge}),
    }
    client.force_login(reviewer_anxi_bureau)  # 提醒考生 is the 报名点's (security probe: 500 there too)
    answers["reminders"] = client.post(reverse("backoffice:reminders"), {"ids": [huge]})
    ApplicationFactory(candidate=candidate, exam_year=year, unit=tree["35052401"])
    client.force_login(candidate)
    answers["slot"] = client.get(reverse("candidate:image_slot"), {"slot": "education", "row": huge})
    answers["upload"] = client.post(reverse("candidate:image_upload"), {"slot": "education", "row": huge})
    assert {name: r.status_code for name, r in answers.items() if r.status_code >= 500} == {}
