"""An audit entry's details as an auditor reads them, in Chinese: the log page and its CSV show this.

The details stay as record() stored them (the hash chain covers them); only their reading is made
here. Each key has a Chinese name (a field of the entry's object by the model's own verbose name);
each value is read by its kind: 是/否, a date, a list joined with 、, a change as 原值 → 新值. A code
(a state, a stage, an image slot…) is named by the domain app that defines it: this app sits below
them all (tests/test_architecture.py), so the caller passes those names in, as `vocabulary`:

    {"slot": {"id_front": "身份证正面", …},               # a key's codes and their names
     "from": lambda value: "审核中（报名点确认）",          # or a function reading the whole value
     ("application.edit.values", "changes"): lines}     # a key of one event only

A "changes" function gives (label, before, after) per changed field. Personal numbers are shown as
stored, masked with the keyed hash that proves which number it was: nothing here unmasks them.
"""

import datetime
import re
from collections.abc import Callable, Mapping

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

# Every key the code records in details (grep record( in prereg/), by its meaning in the log. A key
# missing here, and naming no field of the entry's object, is shown as it is.
KEY_LABELS = {
    "account": "有考生账号",
    "account_id_number": "考生账号证件号码随之更正",
    "account_phone": "考生账号手机号码随之更换",
    "after": "新值",
    "application": "报名信息编号",
    "applications": "报名信息编号",
    "attempts_cleared": "清除登录失败次数",
    "bad_rows": "有误的行数",
    "before": "原值",
    "by_specialty": "各申报专业人数",
    "carried_from": "沿用的上年报名信息编号",
    "changed": "修改的项目",
    "changes": "修改内容",
    "code": "代码",
    "code_sent": "已发送验证码",
    "columns": "列",
    "consistent": "与原件一致",
    "count": "数量",
    "counts": "各名单人数",
    "created": "新增",
    "created_codes": "新增机构代码",
    "created_usernames": "新增账号",
    "default": "默认设置",
    "disabled": "停用",
    "entries_copied": "复制字典条目数",
    "error": "错误",
    "errors": "错误数",
    "field": "核对项目",
    "file": "文件",
    "files": "文件数",
    "filters": "筛选条件",
    "first_errors": "错误（前几条）",
    "format": "格式",
    "found": "查到人数",
    "from": "原状态",
    "full_name": "单位全称",
    "full_numbers": "完整证件号码和手机号码",
    "function": "功能",
    "genuine": "真实有效",
    "heartbeat_seconds": "无响应时限（秒）",
    "held_from": "禁用者",
    "hours": "保留时长（小时）",
    "id_type": "证件类型",
    "images": "复制图片数",
    "jobs": "导出任务编号",
    "kept": "保留的文件",
    "kind": "类型",
    "known_account": "已知账号",
    "levels": "机构级别",
    "list": "名单",
    "listed": "列出的修改数",
    "locked": "账号因此锁定",
    "mapping": "列对应关系",
    "method": "请求方式",
    "minutes": "超时时限（分钟）",
    "moved": "调整上级",
    "name": "名称",
    "not_in_catalogue": "本年度字典中没有的项目",
    "nth": "第几次",
    "one_time_password_voided": "一次性密码作废",
    "opinion": "意见",
    "org": "机构代码",
    "org_name": "机构名称",
    "outside": "不在本机构范围的行数",
    "parent": "上级机构代码",
    "passwords_reset": "重置密码账号数",
    "path": "页面地址",
    "phone": "手机号码",
    "phone_confirmed_by_code": "手机号码经短信验证",
    "phone_from": "短信号码来源",
    "previous": "上一年度",
    "q": "查询",
    "reason": "原因",
    "region": "地区代码",
    "replaced": "替换的名单编号",
    "review_right": "有单位审查权限",
    "role": "角色",
    "row": "行编号",
    "rows": "行数",
    "rules_carried": "沿用资格规则数",
    "section": "填报栏目",
    "sha256": "文件摘要（SHA-256）",
    "sheets": "工作表",
    "slot": "图片",
    "source": "被审机构",
    "stage": "审核环节",
    "status": "处理结果",
    "target": "交叉审核机构",
    "title": "标题",
    "to": "新状态",
    "tries": "错误次数",
    "unchanged": "未变",
    "unit_disabled": "单位已禁用",
    "updated": "更新",
    "username": "账号",
    "year": "年度",
}

# Codes written only into the details, named nowhere else.
OWN_VALUES = {
    "phone_from": {"account": "考生账号", "roster": "国网名单"},
    # application.section_save: a row of a table changed, or one removed, beside the fields' names.
    "changed": {"row": "表格中的行", "row-": "删除表格中的行"},
}

Vocabulary = Mapping[str | tuple[str, str], Mapping | Callable]


def details_text(entry, vocabulary: Vocabulary | None = None) -> str:
    """The entry's details, "名称：值；…" in the order stored."""
    vocabulary = {**OWN_VALUES, **(vocabulary or {})}
    model = _model(entry.object_type)
    return "；".join(_item_text(model, key, value, vocabulary.get((entry.event, key), vocabulary.get(key)))
                    for key, value in (entry.details or {}).items())


def _item_text(model, key: str, value, names) -> str:
    if key == "changes" and isinstance(value, dict):
        return "；".join(_changes_lines(model, value, names))
    if _field_label(model, key) and _is_change(value):  # a field of the object given as [原值, 新值]
        return _change_text(_field_label(model, key), *value, names=names or _field_names(model, key))
    if key == "changed" and model is not None:  # application.section_save: the fields saved, by their names
        names = {**{f.name: _field_label(model, f.name) for f in model._meta.get_fields() if _field_label(model, f.name)},
                 **(names or {})}
    return f"{_key_label(model, key)}：{_value_text(value, names or _field_names(model, key))}"


def _changes_lines(model, changes: dict, names) -> list[str]:
    """{field: [原值, 新值]}, or {an object (a login name, an org code): {field: [原值, 新值]}} as an import keeps them."""
    if callable(names):
        return [_change_text(label, before, after) for label, before, after in names(changes)]
    lines = []
    for field, change in changes.items():
        if isinstance(change, dict):
            lines.append(f"{field}：" + "，".join(_changes_lines(model, change, names)))
        elif _is_change(change):
            lines.append(_change_text(_key_label(model, field), *change, names=_field_names(model, field)))
        else:
            lines.append(f"{_key_label(model, field)}：{_value_text(change)}")
    return lines


def _change_text(label: str, before, after, names=None) -> str:
    return f"{label}：{_value_text(before, names)} → {_value_text(after, names)}"


def _is_change(value) -> bool:
    return isinstance(value, list) and len(value) == 2


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    """The Chinese name the model gives its field `name`, or "": no such field, one named only by Django's
    default (its English name), or a reverse relation (none: a details key named like one,
    RosterUpload's `rows`, made the log page a 500)."""
    named = str(getattr(_field(model, name), "verbose_name", "") or "")
    return named if named != name.replace("_", " ") else ""


def _field_names(model, name: str) -> dict:
    """The names of a field's codes, its choices (a correction of 性别 reads 男 → 女)."""
    field = _field(model, name)
    return {code: str(label) for code, label in field.flatchoices} if getattr(field, "choices", None) else {}


def _key_label(model, key: str) -> str:
    return _field_label(model, key) or KEY_LABELS.get(key, key)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _value_text(value, names=None) -> str:
    """A value as stored (dates as ISO text, a blank one as "None" where str() wrote it) as people read it;
    `names`: the names of its codes (a mapping) or the function that reads it."""
    if callable(names):
        return names(value)
    names = names or {}
    if value in (None, "", "None"):
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value_text(item, names) for item in value) or "（无）"
    if isinstance(value, dict):
        return "，".join(f"{names.get(key) or _key_label(None, key)}：{_value_text(item)}"
                        for key, item in value.items()) or "（无）"
    if isinstance(value, str) and value in names:
        return str(names[value])
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.year}年{day.month}月{day.day}日"
    return str(value)
