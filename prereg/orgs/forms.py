"""Forms of the org pages; the rules live in services.py, these only shape input."""

from django import forms

from prereg.core.validators import clean_text, is_digits

from . import services
from .models import Org


class OrgChoiceField(forms.ModelChoiceField):
    """An org offered as "350122 连江县卫生健康局": code and name, as the org pages list them."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class OrgForm(forms.Form):
    parent = OrgChoiceField(label="上级机构", queryset=Org.objects.none(), required=False)
    code = forms.CharField(label="机构代码", max_length=20, required=False,
                           help_text="2至20位数字或字母；新增时可留空，系统按上级机构代码自动编号。")
    name = forms.CharField(label="规范全称", max_length=100,
                           help_text="请填写单位的规范全称（与公章一致），考生将按此名称搜索。")
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    region_code = forms.CharField(label="所在地区代码", max_length=6, required=False,
                                  help_text="6位行政区划代码，如 350122；留空则同上级机构。")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False,
                                    help_text="手机号码或带区号的固定电话，如 0591-87654321（分机写在后面：0591-87654321-8001）。")
    address = forms.CharField(label="地址", max_length=200, required=False)
    is_district = forms.BooleanField(label="考区", required=False)
    is_site = forms.BooleanField(label="考点", required=False)
    is_point = forms.BooleanField(label="报名点", required=False)
    is_unit = forms.BooleanField(label="单位", required=False, initial=True)
    has_review_right = forms.BooleanField(label="单位审查权限", required=False,
                                          help_text="有审核人员账号的单位才需要；仅考区可授予。")

    REVIEW_FIELDS = ("is_district", "is_site", "is_point", "has_review_right")

    def __init__(self, *args, parents, can_grant=False, parent_fixed="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        if parent_fixed:
            # Why the parent is not the user's to change (services.may_move): shown, not editable.
            self.fields["parent"].disabled = True
            self.fields["parent"].help_text = parent_fixed
        if not can_grant:
            # A unit added below a 报名点 reviews nothing (manual section 六.2).
            for name in (*self.REVIEW_FIELDS, "is_unit"):
                self.fields[name].disabled = True

    def clean_region_code(self):
        value = self.cleaned_data["region_code"].strip()
        if value and not (is_digits(value) and len(value) == 6):
            raise forms.ValidationError("地区代码为6位数字。")
        return value

    # The rules of services.CLEANED_FIELDS (the code, the names, 联系电话), which the import applies too,
    # said here at once for every field; the service asks again. On an edit a value left as stored is not
    # asked, as services._clean_fields does not ask it.
    def _cleaned(self, name, clean=None):
        value = self.cleaned_data[name]
        clean = clean or services.CLEANED_FIELDS[name]
        return value if value and value == self.initial.get(name) else clean(value)

    def clean_code(self):
        return self._cleaned("code")

    def clean_name(self):
        return self._cleaned("name")

    def clean_short_name(self):
        return self._cleaned("short_name")

    def clean_contact_phone(self):
        return self._cleaned("contact_phone")

    # 联系人 and 地址 are free text, read by core's rule (core.validators.clean_text) as the candidate's
    # address is: Django strips only ordinary spaces, so a zero-width space or a direction mark pasted
    # with them was stored, and a control character (an escape) reached the org's page.
    def clean_contact_name(self):
        return self._cleaned("contact_name", clean_text)

    def clean_address(self):
        return self._cleaned("address", clean_text)


class UnitRequestAddForm(forms.Form):
    parent = OrgChoiceField(label="上级机构（报名点）", queryset=Org.objects.none())
    name = forms.CharField(label="规范全称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class UnitRequestRefuseForm(forms.Form):
    reason = forms.CharField(label="不予添加原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="将短信告知考生，如：单位库中已有、非卫生专业技术人员所在单位、名称不完整请重新申请。")


class SheetImportForm(forms.Form):
    file = forms.FileField(label="文件（.xlsx 或 .csv）",
                           help_text="先下载模板（即您管辖范围内现有的机构），修改后整份上传；上传后先预览，确认无误再导入。")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("只支持 .xlsx 或 .csv 文件。")
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("文件过大（不超过20MB）。")
        return upload
