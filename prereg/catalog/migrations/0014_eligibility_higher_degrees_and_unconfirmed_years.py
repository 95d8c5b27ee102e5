"""The shipped rules table gets two changes, and the years already stored get them where their table is still
as shipped (a year's table belongs to the 考区 once loaded: an imported one is left as it is, as in 0008/0012).

- 本科及以上 + 规培合格 + 基层 (rules file §3.1, 国办发〔2017〕63号) under 人社部发〔2021〕51号 had a row for 本科
  only, so a 硕士 or 博士 with the same facts came out 不符合 where a 本科 came out 需人工核实; the old rules' table
  has the three rows. 硕士 and 博士 rows are added beside the shipped 本科 one, unconfirmed as it is.
- 2021年度 and 2022年度, whose rule set is unconfirmed (§0), load the rows of both rule sets, every one
  unconfirmed: the 资格初审 assesses under each and says 不符合 only where both fail. A stored table of those
  years that holds exactly the shipped rows of its probable set gets the other set's rows.

The rows are written here, as catalog/data/eligibility_rules.csv has them now, so that a later change of the file
does not change what this migration does.
"""

import csv
import io

from django.db import migrations

COLUMNS = ["kind", "regime", "qualification", "category", "education", "min_years", "counted_from", "requires",
           "specialties", "requires_title", "confirmed", "source", "note"]
SHIPPED = """\
route,A,药士|中药士|技士,,中专,1,work,,,,1,S5 S6,从事本专业技术工作满1年
route,A,药士|中药士|技士,,大专,1,work,,,,1,S5,从事本专业技术工作满1年
route,B,药士|中药士|技士,,中专,0,none,,,,1,S10b,取得相应专业中专或大专学历
route,B,药士|中药士|技士,,大专,0,none,,,,1,S10b,取得相应专业中专或大专学历
route,A,药师|中药师|技师,,中专,5,appointment,,,药士|中药士|技士,1,S5,受聘担任药(技)士职务满5年
route,A,药师|中药师|技师,,大专,3,work,,,,1,S5,从事本专业技术工作满3年
route,A,药师|中药师|技师,,本科,1,work,,,,1,S5,从事本专业技术工作满1年
route,A,药师|中药师|技师,,硕士,1,work,,,,1,S5,从事本专业技术工作满1年
route,B,药师|中药师|技师,,博士,0,none,,,,1,S10b,具备硕士及以上学位
route,B,药师|中药师|技师,,硕士,0,none,,,,1,S10b,具备硕士学位
route,B,药师|中药师|技师,,本科,1,work,,,,1,S10b,从事本专业工作满1年
route,B,药师|中药师|技师,,大专,3,work,,,,1,S10b,从事本专业工作满3年
route,B,药师|中药师|技师,,中专,5,qualification,,,药士|中药士|技士,1,S10b S11,取得药(技)士后从事本专业工作满5年
route,A,护师,,中专,5,appointment,,,护士,1,S5,受聘担任护士职务满5年
route,A,护师,,大专,3,work,,,护士,1,S5,从事本专业技术工作满3年
route,A,护师,,本科,1,work,,,护士,1,S5,从事本专业技术工作满1年
route,A,护师,,硕士,1,work,,,护士,1,S5,从事本专业技术工作满1年
route,B,护师,,博士,1,registration,,,护士,0,S10a,本科及以上护士执业满1年可直接聘任护师；是否仍应报考未经确认
route,B,护师,,硕士,1,registration,,,护士,0,S10a,本科及以上护士执业满1年可直接聘任护师；是否仍应报考未经确认
route,B,护师,,本科,1,registration,,,护士,0,S10a,本科及以上护士执业满1年可直接聘任护师；是否仍应报考未经确认
route,B,护师,,大专,3,registration,,,护士,1,S10a S11,护士执业活动满3年
route,B,护师,,中专,5,registration,,,护士,1,S10a S11,护士执业活动满5年
route,A,主治医师,临床|口腔|中医,中专,7,appointment,,,医师|主治医师,1,S2,受聘担任医师职务满7年；须取得执业医师资格
route,A,主治医师,临床|口腔|中医,大专,6,qualification_or_registration,,,医师|主治医师,1,S2,从事医师工作满6年（起算点未经确认）
route,A,主治医师,临床|口腔|中医,本科,4,qualification_or_registration,,,医师|主治医师,1,S2,从事医师工作满4年（起算点未经确认）
route,A,主治医师,临床|口腔|中医,硕士,2,qualification_or_registration,,,医师|主治医师,0,S2,临床医学专业学位硕士满2年；学术学位硕士未经确认
route,A,主治医师,临床|口腔|中医,博士,0,none,,,医师|主治医师,0,S2,临床医学专业学位博士；学术学位博士未经确认
route,A,主治医师,临床|口腔|中医,本科,4,training_start,规培,,医师|主治医师,0,S14c,从事医师工作满4年且规培时间计为工作时间（未经确认）
route,A,主治医师,临床|口腔|中医,本科,0,none,规培+基层,,医师|主治医师,1,S4,本科及以上、规培合格并在基层医疗卫生机构工作，可直接报考中级（国办发〔2017〕63号）
route,A,主治医师,临床|口腔|中医,硕士,0,none,规培+基层,,医师|主治医师,1,S4,本科及以上、规培合格并在基层医疗卫生机构工作，可直接报考中级（国办发〔2017〕63号）
route,A,主治医师,临床|口腔|中医,博士,0,none,规培+基层,,医师|主治医师,1,S4,本科及以上、规培合格并在基层医疗卫生机构工作，可直接报考中级（国办发〔2017〕63号）
route,A,主治医师,公共卫生,中专,7,appointment,,,医师|主治医师,1,S1,受聘担任医师职务满7年
route,A,主治医师,公共卫生,大专,6,qualification_or_registration,,,医师|主治医师,1,S1,从事医师工作满6年（起算点未经确认）
route,A,主治医师,公共卫生,本科,4,qualification_or_registration,,,医师|主治医师,1,S1,从事医师工作满4年（起算点未经确认）
route,A,主治医师,公共卫生,硕士,2,qualification_or_registration,,,医师|主治医师,1,S1,从事医师工作满2年（起算点未经确认）
route,A,主治医师,公共卫生,博士,0,none,,,医师|主治医师,1,S1,博士学位
route,B,主治医师,临床|口腔|中医,博士,0,none,规培,,医师|主治医师,1,S10c S10d,博士学位并取得住院医师规范化培训合格证书
route,B,主治医师,临床|口腔|中医,硕士,2,training_certificate,规培,,医师|主治医师,1,S10c,硕士学位，取得规培合格证书后医疗执业活动满2年
route,B,主治医师,临床|口腔|中医,本科,2,training_certificate,规培,,医师|主治医师,1,S10c,本科学历或学士学位，取得规培合格证书后医疗执业活动满2年
route,B,主治医师,临床|口腔|中医,本科,4,registration,,,医师|主治医师,1,S10c,本科学历或学士学位，执业医师注册后医疗执业活动满4年
route,B,主治医师,临床|口腔|中医,大专,6,registration,,,医师|主治医师,1,S10c,执业医师注册后医疗执业活动满6年
route,B,主治医师,临床|口腔|中医,中专,7,registration,,,医师|主治医师,1,S10c,执业医师注册后医疗执业活动满7年
route,B,主治医师,临床|口腔|中医,硕士,4,registration,,,医师|主治医师,0,S10c,无规培证书的硕士按本科条件执业满4年（推断，未经确认）
route,B,主治医师,临床|口腔|中医,博士,4,registration,,,医师|主治医师,0,S10c,无规培证书的博士按本科条件执业满4年（推断，未经确认）
route,B,主治医师,临床|口腔|中医,本科,0,none,规培+基层,,医师|主治医师,0,S4,本科及以上、规培合格并在基层工作直接报考中级（2023年度起是否仍有效未经确认）
route,B,主治医师,临床|口腔|中医,硕士,0,none,规培+基层,,医师|主治医师,0,S4,本科及以上、规培合格并在基层工作直接报考中级（2023年度起是否仍有效未经确认）
route,B,主治医师,临床|口腔|中医,博士,0,none,规培+基层,,医师|主治医师,0,S4,本科及以上、规培合格并在基层工作直接报考中级（2023年度起是否仍有效未经确认）
route,B,主治医师,公共卫生,中专,7,registration,,,医师|主治医师,1,S10c S10d,执业医师注册后公共卫生执业活动满7年
route,B,主治医师,公共卫生,大专,6,registration,,,医师|主治医师,1,S10c S10d,执业医师注册后公共卫生执业活动满6年
route,B,主治医师,公共卫生,本科,4,registration,,,医师|主治医师,1,S10c S10d,执业医师注册后公共卫生执业活动满4年
route,B,主治医师,公共卫生,硕士,2,registration,,,医师|主治医师,1,S10c S10d,执业医师注册后公共卫生执业活动满2年
route,B,主治医师,公共卫生,博士,0,none,,,医师|主治医师,1,S10c S10d,博士学位，已注册执业
route,A,主管护师,,中专,7,appointment,,,护师|主管护师,1,S5 S1,受聘担任护师职务满7年
route,A,主管护师,,大专,6,appointment,,,护师|主管护师,1,S5 S1,受聘担任护师职务满6年
route,A,主管护师,,本科,4,appointment,,,护师|主管护师,1,S5 S1,受聘担任护师职务满4年
route,A,主管护师,,硕士,2,appointment,,,护师|主管护师,1,S5 S1,受聘担任护师职务满2年
route,A,主管护师,,博士,0,none,,,护士|护师|主管护师,1,S5 S1 S15,博士学位，须取得护士执业资格
route,B,主管护师,,中专,7,qualification,,,护师|主管护师,1,S10d,注册并取得护师后护理执业活动满7年
route,B,主管护师,,大专,6,qualification,,,护师|主管护师,1,S10d,注册并取得护师后护理执业活动满6年
route,B,主管护师,,本科,4,qualification,,,护师|主管护师,1,S10d,注册并取得护师后护理执业活动满4年
route,B,主管护师,,硕士,2,registration,,,护士|护师|主管护师,1,S10d S18,硕士学位，注册后护理执业活动满2年
route,B,主管护师,,博士,0,none,,,护士|护师|主管护师,1,S10d S18,博士学位，已注册执业
route,A,主管药师|主管中药师|主管技师,,中专,7,appointment,,,药师|中药师|技师,1,S5 S1,受聘担任药(技)师职务满7年
route,A,主管药师|主管中药师|主管技师,,大专,6,appointment,,,药师|中药师|技师,1,S5 S1,受聘担任药(技)师职务满6年
route,A,主管药师|主管中药师|主管技师,,本科,4,appointment,,,药师|中药师|技师,1,S5 S1,受聘担任药(技)师职务满4年
route,A,主管药师|主管中药师|主管技师,,硕士,2,appointment,,,药师|中药师|技师,1,S5 S1,受聘担任药(技)师职务满2年
route,A,主管药师|主管中药师|主管技师,,博士,0,none,,,,1,S5 S1,博士学位
route,B,主管药师|主管中药师|主管技师,,中专,7,qualification,,,药师|中药师|技师,1,S10b S10d,取得药(技)师后从事本专业工作满7年
route,B,主管药师|主管中药师|主管技师,,大专,6,qualification,,,药师|中药师|技师,1,S10b S10d,取得药(技)师后从事本专业工作满6年
route,B,主管药师|主管中药师|主管技师,,本科,4,qualification,,,药师|中药师|技师,1,S10b S10d,取得药(技)师后从事本专业工作满4年
route,B,主管药师|主管中药师|主管技师,,硕士,2,qualification,,,药师|中药师|技师,1,S10b S10d,取得药(技)师后从事本专业工作满2年
route,B,主管药师|主管中药师|主管技师,,博士,0,none,,,,1,S10b,博士学位
advance,A,主治医师|主管护师,,,1,,基层,全科医学|社区护理,,1,S13 S4,社区卫生服务机构的医师、护师报考全科医学、社区护理中级可提前一年（国人部发〔2006〕69号）
advance,A,*,,,1,,一线,,,0,S11,疫情防控一线人员可提前一年申报（2020年起的政策，2021年度是否适用未经确认；仅可使用一次，请核实此前未使用）
advance,B,主治医师|主管护师,,,1,,基层,全科医学|全科医学(中医类)|社区护理,,1,S12,社区卫生服务机构、乡镇卫生院人员报考全科医学、全科医学(中医类)、社区护理中级可提前一年
advance,B,*,,,1,,一线,,,1,S11,疫情防控一线人员可提前一年申报（仅可使用一次，请核实此前未使用）
post_change,B,*,,,2,,,,,1,S11 S12,转岗人员须在现岗位工作满2年
"""
ROWS = [dict(zip(COLUMNS, row, strict=True)) for row in csv.reader(io.StringIO(SHIPPED))]
for row in ROWS:
    row["min_years"], row["confirmed"] = int(row["min_years"]), row["confirmed"] == "1"
GRASSROOTS = {"kind": "route", "regime": "B", "qualification": "主治医师", "category": "临床|口腔|中医",
              "education": "本科", "min_years": 0, "counted_from": "none", "requires": "规培+基层",
              "requires_title": "医师|主治医师", "source": "S4",
              "note": "本科及以上、规培合格并在基层工作直接报考中级（2023年度起是否仍有效未经确认）"}
HIGHER = ["硕士", "博士"]
PROBABLE = {2021: "A", 2022: "B"}  # loaders.regime_of: the unconfirmed years and the set each probably has


def _key(row) -> tuple:
    return tuple(row[column] for column in COLUMNS if column != "confirmed")


def forward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    for shipped in rules.filter(**GRASSROOTS):
        for education in HIGHER:
            if not rules.filter(**{**GRASSROOTS, "education": education}, exam_year_id=shipped.exam_year_id).exists():
                rules.create(**{**GRASSROOTS, "education": education}, exam_year_id=shipped.exam_year_id,
                             confirmed=shipped.confirmed, specialties=shipped.specialties, order=shipped.order)
    for year in apps.get_model("catalog", "ExamYear").objects.filter(year__in=PROBABLE):
        probable = PROBABLE[year.year]
        stored = list(rules.filter(exam_year=year).values(*COLUMNS, "order"))
        as_shipped = sorted(_key(row) for row in ROWS if row["regime"] == probable)
        if sorted(_key(row) for row in stored) != as_shipped or any(row["confirmed"] for row in stored):
            continue
        last = max(row["order"] for row in stored)
        rules.bulk_create(rules.model(exam_year=year, order=last + i, **{**row, "confirmed": False})
                          for i, row in enumerate((row for row in ROWS if row["regime"] != probable), start=1))


def backward(apps, schema_editor):
    rules = apps.get_model("catalog", "EligibilityRule").objects
    rules.filter(**{**GRASSROOTS, "education__in": HIGHER}).delete()
    for year, probable in PROBABLE.items():
        for row in ROWS:
            if row["regime"] != probable:
                rules.filter(exam_year__year=year, confirmed=False,
                             **{column: row[column] for column in COLUMNS if column != "confirmed"}).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0013_qualification_series"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
