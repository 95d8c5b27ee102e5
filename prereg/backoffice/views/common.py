"""What several back-office views share: file downloads and a list's query string."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from prereg.exports.columns import today_stamp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(content, filename: str, content_type: str) -> HttpResponse:
    return HttpResponse(content, content_type=content_type,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def stamped(*parts) -> str:
    """A download's name without its extension, as every export names its file (考生信息_花名册_202605011230):
    what it holds in Chinese, then the time it was made."""
    return "_".join([*(str(part) for part in parts), today_stamp()])


def sheet_format(request) -> str:
    """The format a sheet download gives: CSV when the link asks for it (?format=csv), else xlsx."""
    return "csv" if request.GET.get("format") == "csv" else "xlsx"


def sheet_download(request, rows, to_csv, to_xlsx, stem: str) -> HttpResponse:
    """`rows` as the xlsx the import reads, or as CSV when the link asks for it (?format=csv)."""
    if sheet_format(request) == "csv":
        return attachment(to_csv(rows), f"{stem}.csv", CSV)
    return attachment(to_xlsx(rows), f"{stem}.xlsx", XLSX)


def query_without(request, *names) -> str:
    """The request's query string less `names`: a list's links keep its filter."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
