"""Every model of ours is named in Chinese: the audit log's viewer, its export and its filter call
an object by its model's verbose_name (prereg.audit.labels.object_label), as does the message of a
refused deletion; Django's default is the English class name split into words ("forward batch")."""

import re

from django.apps import apps

HAN = re.compile(r"[\u4e00-\u9fff]")


def prereg_models():
    return [model for model in apps.get_models() if model.__module__.startswith("prereg")]


def test_every_model_of_prereg_has_a_chinese_verbose_name():
    models = prereg_models()
    assert len(models) >= 30  # the project's models are found, not an empty list passing vacuously
    english = [f"{model._meta.label}: {model._meta.verbose_name}" for model in models
               if not HAN.search(str(model._meta.verbose_name))]
    assert english == []
