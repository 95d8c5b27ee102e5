"""Searching the audit log: the viewer's filter form and the query it stands for."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from prereg.core.forms import FilterDateField

from .labels import EVENT_LABELS, object_label
from .models import AuditEvent, Outcome


class AuditFilterForm(forms.Form):
    date_from = FilterDateField(label="起始日期")
    date_to = FilterDateField(label="截止日期")
    actor = forms.CharField(label="操作人", required=False, max_length=150,
                            help_text="姓名或账号")
    org = forms.CharField(label="所属机构", required=False, max_length=100)
    event = forms.CharField(label="事件", required=False, max_length=60,
                            widget=forms.TextInput(attrs={"list": "audit-event-names"}),
                            help_text="事件名称（可只填其中几个字，如“登录”“审核”），或事件代码及其前缀，如 application.")
    object_type = forms.ChoiceField(label="对象类型", required=False)
    object_id = forms.CharField(label="对象编号", required=False, max_length=60)
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *Outcome.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = AuditEvent.objects.exclude(object_type="").order_by("object_type").values_list(
            "object_type", flat=True).distinct()
        self.fields["object_type"].choices = [("", "全部"), *((t, object_label(t)) for t in types)]

    @staticmethod
    def event_names() -> list[str]:
        """The names the event field suggests (a browser's datalist)."""
        return sorted(set(EVENT_LABELS.values()))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data

    def filtered(self, queryset=None):
        """The matching entries, newest first; an invalid form matches nothing rather than everything."""
        queryset = AuditEvent.objects.all() if queryset is None else queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            queryset = queryset.filter(
                created_at__gte=datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz))
        if data["date_to"]:
            queryset = queryset.filter(
                created_at__lt=datetime.datetime.combine(data["date_to"] + datetime.timedelta(days=1),
                                                         datetime.time.min, tzinfo=tz))
        if data["actor"]:
            queryset = queryset.filter(Q(actor_name__icontains=data["actor"]) | Q(actor__username=data["actor"]))
        if data["org"]:
            queryset = queryset.filter(actor_org__icontains=data["org"])
        if text := data["event"].strip():
            named = [code for code, label in EVENT_LABELS.items() if text in label]
            queryset = queryset.filter(Q(event__startswith=text) | Q(event__in=named))
        if data["object_type"]:
            queryset = queryset.filter(object_type=data["object_type"])
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"].strip())
        if data["outcome"]:
            queryset = queryset.filter(outcome=data["outcome"])
        return queryset.order_by("-pk")

    def as_details(self) -> dict:
        """The filters in use, for the audit entry of an export."""
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v}
