"""Bulk import and export of the org tree (issue 17.4): the preview's row errors of each kind,
all or nothing, idempotent, updates by code (applications keep their stored chain), scope,
audit, and the export read back as an import that changes nothing."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prereg.audit.models import AuditEvent
from prereg.backoffice.views.orgs import IMPORT_SESSION_KEY
from prereg.orgs import importer
from prereg.orgs.models import Org
from prereg.orgs.routing import resolve_chain
from prereg.orgs.stages import Stage
from tests.factories import submitted

HEADER = importer.COLUMNS


def sheet(*rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row(code, name, parent, levels="单位", right="否", enabled="是", short="", region=""):
    return [code, name, short, parent, levels, right, enabled, region]


def plan(actor, *rows, **kwargs):
    return importer.plan_import(actor=actor, filename="orgs.csv", content=sheet(*rows, **kwargs))


def do_import(actor, *rows):
    return importer.org_import(actor=actor, filename="orgs.csv", content=sheet(*rows))


def test_each_kind_of_row_error_is_listed_and_nothing_is_written(reviewer_province):
    count = Org.objects.count()
    result = plan(
        reviewer_province,
        row("35021101", "厦门市集美区第一医院", "350211"),
        row("35021101", "厦门市集美区第二医院", "350211"),                 # duplicate code
        row("35021103", "厦门市集美区第一医院", "350211"),                 # duplicate name (in the file)
        row("35021104", "安溪县医院", "350211"),                          # name of a stored org
        row("35021105", "厦门市集美区某诊所", "35999999"),                 # unknown parent
        row("35021106", "甲医院", "35021107", "单位、报名点"),              # a cycle of two
        row("35021107", "乙医院", "35021106", "单位、报名点"),
        row("35021108", "集美区考点", "350211", "考点"),                   # a level the parent cannot hold
        row("35021109", "集美区某医院", "350211", "单位、报名点"),
        row("35021112", "集美区某医院分院", "35021109", "单位、报名点"),    # a 报名点 below a 报名点
        row("35021110", "集美区某站", "350211", "科室"),                   # unknown level word
        row("35021111", "集美区某所", "350211", right="也许"),             # not 是/否
        row("", "没有代码的单位", "350211"),
        row("35021113", "集美区某服务站", "35021113"),                   # its own parent
    )
    text = "\n".join(result.errors)
    assert not result.ok and not result.creates
    assert "第3行（35021101）：机构代码与第2行重复" in text
    assert "第4行（35021103）：规范全称“厦门市集美区第一医院”与第2行重复" in text
    assert "“安溪县医院”已是现有机构 35052401 的名称" in text
    assert "上级机构代码 35999999 不存在" in text
    assert sum("35021105" in e for e in result.errors) == 1  # said once, not again as routing or scope
    assert "上级关系成环" in text and "35021106 → 35021107 → 35021106" in text
    assert "第9行（35021108）：上级机构（350211，类别：报名点）不能下设考点" in text
    assert "第11行（35021112）：上级机构（35021109，类别：报名点、单位）不能下设报名点" in text
    assert "机构类别“科室”不存在" in text and "“单位审查权限”应填“是”或“否”" in text
    assert "机构代码为空" in text
    assert [e for e in result.errors if "35021113" in e] == ["第15行（35021113）：上级机构不能是它自己。"]
    assert Org.objects.count() == count
    # Applying the same file: refused whole, nothing written, the refusal audited.
    applied = importer.org_import(actor=reviewer_province, filename="orgs.csv", content=sheet(
        row("35021101", "厦门市集美区第一医院", "350211"), row("35021105", "厦门市集美区某诊所", "35999999")))
    assert not applied.ok and Org.objects.count() == count
    assert not Org.objects.filter(code="35021101").exists()
    assert AuditEvent.objects.filter(event="org.import", outcome="failure").exists()


def test_a_unit_that_finds_no_site_above_is_refused(sysadmin, tree):
    result = plan(sysadmin, row("990000", "某省卫生健康委员会", "", "考区"),
                  row("99000001", "某省医院", "990000", "单位、报名点"))
    assert any("向上找不到考点" in e for e in result.errors)
    result = plan(sysadmin, row("99000002", "无上级的单位", "", "单位、报名点"))
    assert any("没有上级机构的只能是考区" in e for e in result.errors)


def test_a_missing_column_and_an_unreadable_file_say_so(reviewer_province):
    result = plan(reviewer_province, ["1", "2"], header=["机构代码", "名称"])
    assert result.errors and "表头缺少列" in result.errors[0] and "规范全称" in result.errors[0]
    result = importer.plan_import(actor=reviewer_province, filename="orgs.pdf", content=b"%PDF")
    assert result.errors == ["只支持 .xlsx 或 .csv 文件。"]


def test_an_import_creates_the_tree_routes_its_units_and_is_idempotent(reviewer_province):
    rows = [
        row("350211", "厦门市集美区卫生健康局", "350200", "报名点", short="集美区卫健局", region="350211"),
        row("35021101", "厦门市集美区第一医院", "350211", "单位", right="是", region="350211"),
        row("35021102", "厦门市集美区杏林社区卫生服务中心", "350211", short="杏林社区", region="350211"),
        row("3502110201", "厦门市集美区杏林社区卫生服务站", "35021102", "单位", enabled="否"),
    ]
    # A child row listed before its parent is fine (parents are created first).
    result = do_import(reviewer_province, rows[3], rows[0], rows[1], rows[2])
    assert result.ok and len(result.creates) == 3 and result.unchanged == 1 and not result.updates
    first = Org.objects.get(code="35021101")
    station = Org.objects.get(code="3502110201")
    assert first.has_review_right and first.is_unit and not first.is_point and first.region_code == "350211"
    assert not station.enabled and station.parent.code == "35021102"
    assert station.path == f"{station.parent.path}{station.pk}/" and station.depth == 4
    assert station.pinyin.startswith("xiamenshijimeiqu") and first.initials.startswith("xmsjmq")
    chain = resolve_chain(Org.objects.get(code="35021102"))
    assert [org.code for org in chain.values()][1:] == ["350211", "350200", "350000"]  # 报名点, 考点, 考区
    again = do_import(reviewer_province, *rows)
    assert again.ok and again.unchanged == 4 and not again.creates and not again.updates


def test_reimport_updates_by_code_and_work_in_flight_keeps_its_chain(reviewer_province, tree, year):
    application = submitted(tree, year, unit_code="35012206")  # 连江县中医院 → 连江县卫生健康局 → 福州
    assert application.point_org.code == "350122"
    unit = tree["35012206"]
    # Moved to 罗源县's bureau and renamed; an org below it moves along.
    Org(code="3501220601", name="连江县中医院分院", parent=unit, region_code="350122").save()
    result = do_import(reviewer_province, row("35012206", "罗源县中医院", "350123", region="350123"))
    assert result.ok and result.moved == 1 and len(result.updates) == 1
    moved = Org.objects.get(code="35012206")
    assert moved.pk == unit.pk and moved.name == "罗源县中医院" and moved.parent.code == "350123"
    assert moved.path == f"{tree['350123'].path}{moved.pk}/"
    branch = Org.objects.get(code="3501220601")
    assert branch.path == f"{moved.path}{branch.pk}/" and branch.depth == moved.depth + 1
    application.refresh_from_db()
    assert application.point_org.code == "350122"  # the chain stored at submission stays
    assert resolve_chain(moved)[Stage.POINT_CONFIRM].code == "350123"  # the next submission routes the new way
    event = AuditEvent.objects.filter(event="org.import", outcome="success").latest("pk")
    assert event.details["updated"] == 1 and event.details["moved"] == 1
    assert event.details["changes"]["35012206"]["name"] == ["连江县中医院", "罗源县中医院"]
    assert len(event.details["sha256"]) == 64


def test_new_orgs_below_moved_ones_and_moved_ones_below_new_ones_get_the_paths_of_the_tree(reviewer_province, tree):
    hospital, county = tree["35012206"], tree["35012205"]  # 连江县中医院, 连江县医院
    Org(code="3501220601", name="连江县中医院分院", parent=hospital, region_code="350122").save()
    result = do_import(
        reviewer_province,
        row("3501220602", "连江县中医院第二分院", "35012206"),       # new, below an org that moves
        row("35012206", "罗源县中医院", "350123", region="350123"),  # moves with its branch
        row("35012301", "罗源县医疗集团", "350123"),                 # new ...
        row("35012205", "连江县医院", "35012301", right="是", region="350122"),  # ... and a stored one moves below it
    )
    assert result.ok and len(result.creates) == 2 and result.moved == 2
    by_code = {org.code: org for org in Org.objects.select_related("parent")}
    assert by_code["35012206"].pk == hospital.pk and by_code["35012205"].pk == county.pk
    assert by_code["3501220602"].path == f"{tree['350123'].path}{hospital.pk}/{by_code['3501220602'].pk}/"
    assert by_code["3501220601"].path.startswith(by_code["35012206"].path) and by_code["3501220601"].depth == 4
    assert by_code["35012205"].path == f"{by_code['35012301'].path}{county.pk}/" and by_code["35012205"].depth == 4
    for org in by_code.values():  # and every other org keeps a path that agrees with its parent's
        assert org.path == f"{org.parent.path if org.parent else '/'}{org.pk}/" and org.depth == org.path.count("/") - 2
    assert by_code["3501220602"].pinyin == "lianjiangxianzhongyiyuandierfenyuan"


def test_a_site_imports_its_subtree_only_and_only_units(reviewer_quanzhou, tree):
    ok = do_import(reviewer_quanzhou, row("35052403", "安溪县龙门镇卫生院", "350524", region="350524"),
                   row("350500", "泉州市卫生健康委员会", "350000", "考点", short="泉州市卫健委", region="350500"))
    # ^ his own org, unchanged (as an export lists it): accepted
    assert ok.ok and Org.objects.get(code="35052403").parent == tree["350524"]
    refused = plan(
        reviewer_quanzhou,
        row("35052404", "安溪县某医院", "350524", "单位", right="是"),   # review right: the 考区's
        row("350599", "泉州市某报名点", "350500", "报名点"),            # a reviewing org
        row("35012207", "连江县某卫生院", "350122"),                    # below another city
        row("35052401", "安溪县医院", "350524", "单位、报名点", right="是"),  # a level change
        row("350500", "泉州市卫生健康委员会（改名）", "350000", "考点", short="泉州市卫健委", region="350500"),
        row("35010001", "福州市第一医院", "350524", "单位、报名点", right="是"),  # someone else's org pulled in
    )
    text = "\n".join(refused.errors)
    assert "第2行（35052404）：只能新增单位" in text and "第3行（350599）：只能新增单位" in text
    assert "第4行（35012207）：上级机构须为本机构或本机构的下级机构" in text
    assert "第5行（35052401）：机构类别和单位审查权限须由考区修改" in text
    assert "第6行（350500）：该机构不在您的管理范围内" in text
    assert "第7行（35010001）：该机构不在您的管理范围内" in text


def test_who_may_import(reviewer_anxi_hospital, reviewer_anxi_bureau):
    with pytest.raises(PermissionDenied):
        plan(reviewer_anxi_hospital, row("35052409", "某单位", "350524"))
    assert plan(reviewer_anxi_bureau, row("35052409", "安溪县某卫生院", "350524")).ok


def test_a_preview_gone_stale_is_not_applied(reviewer_province, tree):
    content = sheet(row("35021101", "厦门市集美区第一医院", "350211"))
    preview = importer.plan_import(actor=reviewer_province, filename="a.csv", content=content)
    tree["350524"].save()  # someone edits an org meanwhile
    result = importer.org_import(actor=reviewer_province, filename="a.csv", content=content,
                                 expected_version=preview.version, expected_digest=preview.digest)
    assert not result.ok and "预览之后组织机构已被修改" in result.errors[0]
    assert not Org.objects.filter(code="35021101").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_imports_back_without_a_change(client, reviewer_province, tree, fmt):
    client.force_login(reviewer_province)
    response = client.get(reverse("backoffice:orgs_export"), {"format": fmt} if fmt == "csv" else {})
    assert response.status_code == 200
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        first = next(book.worksheets[0].iter_rows(values_only=True))
        assert list(first) == HEADER
    result = importer.plan_import(actor=reviewer_province, filename=f"orgs.{fmt}", content=response.content)
    assert result.ok and result.rows == Org.objects.count() == result.unchanged and not result.changes
    # The whole tree leaves the system: audited as every export is (security probe).
    from prereg.audit.models import AuditEvent

    assert AuditEvent.objects.filter(event="org.export", actor=reviewer_province).count() == 1


def test_the_pages_preview_then_apply_the_staged_file(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    assert "批量导入" in client.get(reverse("backoffice:orgs")).content.decode()
    upload = SimpleUploadedFile("orgs.csv", sheet(row("35021101", "厦门市集美区第一医院", "350211"),
                                                  row("35021102", "厦门市集美区第二医院", "350211")))
    page = client.post(reverse("backoffice:orgs_import"), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and "新增<strong>2</strong>个" in html and "确认导入" in html
    assert not Org.objects.filter(code="35021101").exists()  # a preview writes nothing
    digest = client.session[IMPORT_SESSION_KEY]["digest"]
    response = client.post(reverse("backoffice:orgs_import_confirm"), {"digest": digest})
    assert response.status_code == 302
    assert Org.objects.filter(code__in=["35021101", "35021102"]).count() == 2
    # The staged file is gone: confirming again does nothing.
    response = client.post(reverse("backoffice:orgs_import_confirm"), {"digest": digest}, follow=True)
    assert "没有待导入的文件" in response.content.decode()


def test_the_page_shows_the_row_errors_at_once(client, reviewer_province, tree):
    client.force_login(reviewer_province)
    upload = SimpleUploadedFile("orgs.csv", sheet(row("35021101", "厦门市集美区第一医院", "35999999")))
    page = client.post(reverse("backoffice:orgs_import"), {"file": upload})
    html = page.content.decode()
    assert page.status_code == 400 and "上级机构代码 35999999 不存在" in html and "确认导入" not in html


def test_an_org_name_that_reads_as_a_formula_is_exported_as_text_and_imports_back_unchanged(
        client, reviewer_province, tree):
    # Unit names come from approved unit requests too, typed by candidates.
    Org.objects.filter(pk=tree["35052401"].pk).update(name='=HYPERLINK("http://evil.example","安溪县医院")')
    client.force_login(reviewer_province)
    response = client.get(reverse("backoffice:orgs_export"), {"format": "csv"})
    cells = [cell for line in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in line]
    assert "'=HYPERLINK(\"http://evil.example\",\"安溪县医院\")" in cells
    assert not any(cell.startswith("=") for cell in cells)
    result = importer.plan_import(actor=reviewer_province, filename="orgs.csv", content=response.content)
    assert result.ok and result.unchanged == Org.objects.count() and not result.changes


def test_a_row_that_disables_an_org_applications_wait_for_is_refused(client, reviewer_province, tree, year,
                                                                     reviewer_anxi_hospital):
    # As 禁用 on the list: the org's waiting applications would be left to no one. (A unit with no units
    # below it: disabling a 报名点 over enabled units is refused for that already.)
    waiting = submitted(tree, year, unit_code="35052401").waiting_org
    assert waiting == tree["35052401"]
    rows = [r for r in importer.export_rows(reviewer_province) if r[0] == waiting.code]
    rows[0][6] = "否"
    client.force_login(reviewer_province)
    page = client.post(reverse("backoffice:orgs_import"), {"file": SimpleUploadedFile("orgs.csv", sheet(*rows))})
    html = page.content.decode()
    assert page.status_code == 400 and f"“{waiting.name}”有1份报名信息待其审核" in html and "确认导入" not in html
    assert Org.objects.get(pk=waiting.pk).enabled


def test_an_application_that_arrives_after_the_preview_stops_the_import_that_disables_its_org(
        client, reviewer_province, tree, year, reviewer_anxi_hospital):
    org = resolve_chain(tree["35052401"], year)[Stage.UNIT_REVIEW]  # a unit reviewing for itself, nothing below
    rows = [r for r in importer.export_rows(reviewer_province) if r[0] == org.code]
    rows[0][6] = "否"
    client.force_login(reviewer_province)
    page = client.post(reverse("backoffice:orgs_import"), {"file": SimpleUploadedFile("orgs.csv", sheet(*rows))})
    assert page.status_code == 200 and "确认导入" in page.content.decode()
    assert submitted(tree, year, unit_code="35052401").waiting_org == org
    response = client.post(reverse("backoffice:orgs_import_confirm"),
                           {"digest": client.session[IMPORT_SESSION_KEY]["digest"]})
    assert response.status_code == 409 and "有1份报名信息待其审核" in response.content.decode()
    assert Org.objects.get(pk=org.pk).enabled


def test_the_exports_audit_entry_records_the_format_given_not_what_was_typed(client, reviewer_province, tree):
    from prereg.audit.models import AuditEvent

    client.force_login(reviewer_province)
    response = client.get(reverse("backoffice:orgs_export"), {"format": "=cmd|' /C calc'!A0 伪造：已删除全部记录" * 50})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.get(event="org.export").details["format"] == "xlsx"
