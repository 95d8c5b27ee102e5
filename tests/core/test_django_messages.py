"""Django's own Chinese for a few form messages read as a programmer's words ("确保该变量包含不超过 50 字符",
"ManagementForm 数据缺失或被篡改…提交错误报告") or said the wrong thing ("不允许是用空字符串" for a NUL byte);
locale/zh_Hans says them in ours (input probe)."""

from django import forms
from django.forms import formset_factory
from django.utils import translation


class Form(forms.Form):
    name = forms.CharField(max_length=5, min_length=2)
    kind = forms.ChoiceField(choices=[("a", "甲")])
    count = forms.IntegerField()
    day = forms.DateField()


def test_form_messages_say_what_to_do():
    with translation.override("zh-hans"):
        form = Form({"name": "a\x00bcdefg", "kind": "z", "count": "x", "day": "2024-13-01"})
        form.is_valid()
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        too_short = Form({"name": "a"})
        too_short.is_valid()
        formset = formset_factory(Form)({})
        formset.is_valid()
    assert "最多填写5个字（现为8个）" in errors["name"] and "不能包含空字符" in errors["name"]
    assert errors["kind"] == "所选的值“z”无效，请从列表中重新选择。"
    assert errors["count"] == "请填写整数。"
    assert errors["day"].startswith("请填写正确的日期")
    assert "至少填写2个字（现为1个）" in " ".join(too_short.errors["name"])
    assert "请刷新页面后重新填写" in " ".join(formset.non_form_errors())
    assert "确保该变量" not in str(errors) and "ManagementForm" not in str(formset.non_form_errors())
