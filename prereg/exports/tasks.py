"""Background tasks of the exports app (django-tasks; queue "exports", worker `manage.py db_worker`)."""

from django_tasks import task

from . import runner


@task(queue_name="exports")
def run_export(job_id: int) -> None:
    runner.run_job(job_id)
    runner.sweep()
