"""The background task of 国网名单核对's 导出本列表: an export job of the exports app (its progress,
expiry, download and audit) whose file is one list of a roster, written by the exports worker.

A list of 41,693 rows took 14.7 s and 250 MB of a web worker when the file was built in the request
(data probe); here it is read a chunk at a time (selectors.list_table) and written by the runner's
writers (runner.write_table).
"""

from django_tasks import task

from prereg.accounts.permissions import has_function
from prereg.exports import runner
from prereg.exports.columns import today_stamp
from prereg.exports.models import ExportFormat

from .models import FUNCTION, ListKind, RosterUpload, UploadStatus
from .selectors import NUMBER_COLUMNS, list_table

REPLACED_MESSAGE = "该国网名单已被新上传的名单替换，请在新名单的列表中重新导出。"


@task(queue_name="exports")
def run_roster_export(job_id: int) -> None:
    runner.run_job(job_id, write=write_roster_list)
    runner.sweep()


def write_roster_list(job, path) -> tuple[int, str]:
    """The job's list of its roster, in the job's format; (row count, download name).

    Checked again as the worker starts, in the owner's scope as it is then: he still works on
    国网名单核对, the roster is still in force and is his org's. The roster is checked once more
    at the end: one replaced meanwhile had its rows deleted under the file."""
    owner = job.owner
    if not has_function(owner, FUNCTION):
        raise PermissionError("国网名单核对的权限已被收回。")
    upload = RosterUpload.objects.filter(pk=job.filters.get("upload"), status=UploadStatus.DONE).first()
    if upload is None:
        raise ValueError(REPLACED_MESSAGE)
    if not owner.is_reviewer or owner.org_id != upload.org_id:
        raise PermissionError("该国网名单不是您所在机构的。")
    kind = ListKind(job.filters.get("list"))
    table = list_table(upload, kind, job.filters, full_numbers=job.full_numbers,
                       csv_safe=job.format == ExportFormat.CSV)
    rows = runner.write_table(job, path, table.header, table.chunks, total=table.total, sheet_name=kind.label,
                              number_columns=NUMBER_COLUMNS)
    if not RosterUpload.objects.filter(pk=upload.pk, status=UploadStatus.DONE).exists():
        raise ValueError(REPLACED_MESSAGE)
    return rows, f"国网名单核对-{kind.label}-{today_stamp()}.{job.format}"
