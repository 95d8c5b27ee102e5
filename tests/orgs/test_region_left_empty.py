"""所在地区代码 left empty: "留空则同上级机构", on an edit as on 新增机构 (orgs.services.region_or_parents)."""

from django.urls import reverse

from prereg.orgs.models import Org
from prereg.orgs.services import org_update


def test_an_edit_that_empties_the_region_gives_the_org_its_parents(client, reviewer_fuzhou, tree):
    org = tree["35012206"]
    Org.objects.filter(pk=org.pk).update(region_code="")  # as an edit before this rule saved it
    org.refresh_from_db()
    client.force_login(reviewer_fuzhou)
    response = client.post(reverse("backoffice:orgs_edit", args=[org.pk]), {
        "parent": org.parent_id, "code": org.code, "name": org.name, "region_code": "", "is_unit": "on",
        "version": org.version})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.region_code == tree["350122"].region_code == "350122"
    html = client.get(reverse("backoffice:orgs_detail", args=[org.pk])).content.decode()
    assert "<dt>所在地区</dt><dd>350122</dd>" in html


def test_an_org_moved_with_its_region_left_empty_takes_its_new_parents(reviewer_province, tree):
    org = org_update(actor=reviewer_province, org=tree["35012206"], parent=tree["350102"], region_code="")
    assert org.region_code == "350102"


def test_a_region_typed_on_an_edit_is_kept(reviewer_fuzhou, tree):
    org = org_update(actor=reviewer_fuzhou, org=tree["35012206"], region_code="350121")
    assert org.region_code == "350121"
