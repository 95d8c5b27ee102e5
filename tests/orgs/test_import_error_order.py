"""The org import's preview lists its errors by row, as the staff and roster imports do (probe A):
the checks run over the whole file one after another, the list reads top to bottom."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.orgs.test_import import plan, row, sheet


def rows_named(errors):
    return [int(m.group(1)) for e in errors if (m := re.match(r"第(\d+)行", e))]


def test_the_preview_lists_the_errors_of_a_file_by_row(reviewer_province):
    result = plan(
        reviewer_province,
        row("35021101", "厦门市集美区第一医院", "35999999"),            # line 2: unknown parent (a tree check)
        row("35021102", "厦门市集美区第二医院", "350211"),
        row("35021103", "厦门市集美区第三医院", "350211"),
        row("35021104", "厦门市集美区第四医院", "350211"),
        row("35021105", "厦门市集美区第五医院", "35999999", right="也许"),  # line 6: a cell and the tree
    )
    lines = rows_named(result.errors)
    assert lines == [2, 6, 6]
    assert "“单位审查权限”应填“是”或“否”" in result.errors[1]  # a row's own errors keep the checks' order
    assert "上级机构代码 35999999 不存在" in result.errors[2]


def test_the_import_page_shows_the_errors_in_row_order(client, reviewer_province):
    client.force_login(reviewer_province)
    content = sheet(row("35021101", "厦门市集美区第一医院", "35999999"),
                    *[row(f"3502110{n}", f"厦门市集美区第{n}医院", "350211") for n in range(2, 5)],
                    row("35021105", "厦门市集美区第五医院", "35999999", right="也许"))
    response = client.post(reverse("backoffice:orgs_import"),
                           {"file": SimpleUploadedFile("orgs.csv", content, content_type="text/csv")})
    html = response.content.decode()
    assert [int(n) for n in re.findall(r"<li>第(\d+)行", html)] == [2, 6, 6]
