"""Names stored before the 间隔号 rule (core.validators.normalize_middle_dots, e38e212) get it: a
阿依古丽•买买提, 阿依古丽.买买提 or 阿依古丽 ・ 买买提 becomes 阿依古丽·买买提, as a name typed now is
stored. The back office's search reads a typed name so, and finds only names stored so.

The fields clean_person_name writes: an application's 姓名 and an account's (a candidate's, which
sign-up and 基本信息 write beside the application's, and a reviewer's). Only a dot between two letters
is a 间隔号: one at an end, or beside a digit, is left as it is (no name is made up here that the rule
would refuse). The rule is copied, not imported: a migration does what it did when it ran.
"""

import re

from django.db import migrations
from django.db.models import Q

DOTS = ".．·•・･‧∙⋅"
MIDDLE_DOT_RE = re.compile(rf"(?<=[^\W\d_])\s*[{DOTS}]\s*(?=[^\W\d_])")
BATCH = 1000


def one_middle_dot(apps, schema_editor):
    for model in (apps.get_model("applications", "Application"), apps.get_model("accounts", "User")):
        rows = model.objects.filter(Q(*(Q(name__contains=dot) for dot in DOTS), _connector=Q.OR))
        # The changes gathered first, then written: SQLite's cursor sees rows updated while it reads.
        changed = [(pk, new) for pk, name in rows.values_list("pk", "name").iterator(chunk_size=BATCH)
                   if (new := MIDDLE_DOT_RE.sub("·", name)) != name]
        for start in range(0, len(changed), BATCH):
            model.objects.bulk_update([model(pk=pk, name=name) for pk, name in changed[start:start + BATCH]],
                                      ["name"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_verbose_names"),
        ("applications", "0013_forward_log_stage"),
    ]

    operations = [
        migrations.RunPython(one_middle_dot, migrations.RunPython.noop, elidable=True),
    ]
