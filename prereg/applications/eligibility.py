"""资格初审 assistant: whether a candidate may sit the level he chose, with the rule and its arithmetic.

The rules are data (catalog.EligibilityRule, one table per exam year, loaded from
catalog/data/eligibility_rules.csv and changed by the 考区's import); this module applies them.
The facts come from the application (`facts_of`); `assess` is pure, so the worked examples of
../shared/reference/eligibility_rules.md are tests without a database.

The verdict is 符合 when a confirmed route is met, 不符合 when every route fails whatever the
unconfirmed points, and 需人工核实 otherwise: a missing date, an education the rules do not know,
a route met only on a point the rules file marks unconfirmed (a January start read by months but not
by whole years, a 基层 proof that may be the 20-year one), dates the form contradicts itself with (an
appointment or a registration before its title, 现有资格 无 with either), or a case the rules leave to
people (部队, 中医专长).
"""

import dataclasses
import datetime
import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction

from prereg.catalog.models import EligibilityRule
from prereg.catalog.timeline import day_text

from .models import (
    Application,
    AppointmentRow,
    EducationRow,
    OtherRow,
    TrainingRow,
    WorkRow,
    counted_months,
    last_counted_month,
    months_between,
    months_in,
    years_months,
)
from .models import Verdict as Result
from .sections import ROW_TABLES
from .values import month_text

ELIGIBLE, NOT_ELIGIBLE, CHECK = Result.ELIGIBLE, Result.NOT_ELIGIBLE, Result.CHECK
# The levels this exam does not grant (eligibility_rules.md §1.5): 医师 and 医士 come from the 医师资格考试 (医士
# as 执业助理医师: the name is common usage, unconfirmed, but the exam is the same either way), 护士 from the
# 护士执业资格考试. 副高/正高 are not refused here: a year may hold a 高级 考试项目 (demo: GJ), whose rules this
# table does not hold, so they stay 需人工核实.
NOT_THIS_EXAM = {
    "医师": "初级(师)医师资格由医师资格考试取得，不在本考试范围内",
    "医士": "医疗初级(士)由医师资格考试（执业助理医师）取得，不在本考试范围内",
    "护士": "护理初级(士)由护士执业资格考试取得，不在本考试范围内",
}
# The seed form's own words (本科学历, 中专学历) name the same levels.
EDUCATION_LEVELS = {"中专": "中专", "中专学历": "中专", "大专": "大专", "大专学历": "大专", "专科": "大专", "专科学历": "大专",
                    "本科": "本科", "本科学历": "本科", "学士学位": "本科",
                    "硕士研究生": "硕士", "硕士学位": "硕士", "硕士": "硕士",
                    "博士研究生": "博士", "博士学位": "博士", "博士": "博士"}
START_LABELS = {"work": "从事本专业工作", "appointment": "受聘", "qualification": "取得现有资格",
                "registration": "执业注册", "training_certificate": "规培合格证书",
                "training_start": "规培开始"}
# 药(技)士 and 药(技)师 in the rules' words (受聘担任药(技)士职务, 取得药(技)师后…) stand for the title of the series
# applied for, not for any of the three: a 药师 candidate counts his years as 药士, a 中药师 candidate as 中药士, a
# 技师 candidate as 技士 (rules file §2.2, §2.3(d)), and the field must match or be close (§1.4 专业对口). The
# shipped table lists a level's three titles in one row; a route keeps those of the candidate's series
# (_series_route). The 技术 series (检验, 放射, 康复…) is not close to pharmacy: a 技士 for 药师 or a 技师 for 主管药师
# is 不符合. 药学 and 中药学 are both pharmacy and no source says whether they count as close here: such a title
# opens the route as unconfirmed, so it is 需人工核实 where the years are met (不符合 where they are not).
# Each series' titles, lowest first: a candidate holding the title he applies for, or a higher one of its series,
# is to be checked (a change of specialty, or a mistake), not measured against the routes to it.
LADDERS = {"护理": ("护士", "护师", "主管护师"), "药学": ("药士", "药师", "主管药师"),
           "中药学": ("中药士", "中药师", "主管中药师"), "技术": ("技士", "技师", "主管技师"),
           "医疗": ("医士", "医师", "主治医师", "副主任医师", "主任医师")}
SERIES = {title: series for series in ("药学", "中药学", "技术") for title in LADDERS[series]}
CLOSE_SERIES = {"药学", "中药学"}
# 专业对口 (rules file §1.4, S8): words that put a major (所学专业) clearly in one series. A major naming none, or
# words of two series (口腔医学技术), is not judged; a mismatch is only ever to be checked.
MAJOR_WORDS = (("护理", "护理"), ("助产", "护理"), ("中药", "中药学"), ("药", "药学"), ("临床医学", "医疗"),
               ("口腔医学", "医疗"), ("预防医学", "医疗"), ("中医学", "医疗"), ("检验", "技术"), ("康复治疗", "技术"),
               ("影像技术", "技术"), ("医学技术", "技术"))
# The 执业类别 a medical major belongs to (§1.4 专业对口; §2.3(a): 中级 asks for the 执业医师资格 of the matching 类别,
# S12): a 中医学 or 口腔医学 graduate applying in the 临床 类别 is to be checked. 中医 words decide first (中西医临床医学
# is the 中医类别's 中西医结合); a technology major (口腔医学技术) names none. Whether 临床 and 公共卫生 are close no source
# here says: they are not told apart.
TCM_MAJOR_WORDS = ("中医", "中西医", "针灸", "推拿", "民族医", "蒙医", "藏医", "维医", "傣医")
MAJOR_CATEGORIES = (("口腔医学", "口腔"), ("临床医学", "临床"), ("预防医学", "公共卫生"))
CLOSE_CATEGORIES = {"临床", "公共卫生"}
# 人社部发〔2021〕51号 基本标准 (rules file §1.1, §1.3): a candidate for a 医疗类 or 护理类 title holds the licence,
# registered, and his years of 执业活动 count from the 执业注册, never from before it nor from before the licence
# itself (护士资格, 医师资格: a registration older than the licence is another one, e.g. an 执业助理医师's).
PRACTICE = {"护师", "主管护师", "主治医师"}
PRACTICE_REGIMES = {"B"}
LICENCES = {"护士", "医师"}
# Appointment rows name the title as the seed's form does: 护理(师), 药学(士), 初级(师) (a level without a series).
APPOINTMENT_SERIES = {"护理": "护", "护": "护", "药学": "药", "药": "药", "中药学": "中药", "中药": "中药",
                      "技术": "技", "技": "技", "医疗": "医", "临床": "医", "医": "医"}
EDUCATION_ORDER = ("中专", "大专", "本科", "硕士", "博士")
# The 硕士 and 博士 routes are 学位 routes, and a 研究生 学历 without the 学位 is held to those of the 学历 below
# (_route_levels). The rules file says 硕士学位/博士学位 for 药(技)师 and 主治 (§2.2, §2.3(a)); its tables for 主管护师
# and 主管药(技)师 (§2.3(c)(d)) say only 硕士/博士, but its §4 proves every 硕士/博士 route by the 学位证书
# ("学位 (硕士/博士 routes) | 学位证书"), and the shipped notes of those rows say 学位 too: the same holds there.
DEGREE_ROUTES = {"硕士", "博士"}
GRADUATE_STUDIES = {"硕士研究生", "博士研究生"}
# 相应专业中专以上学历 (卫人发〔2001〕164号 第十条, rules file §2.1): below 中专 no route opens.
BELOW_SECONDARY = {"小学", "初中", "高中", "普通高中"}
# The 中级 of the 公共卫生类别 is 主管医师 (rules file §2.3(b)); the catalogue lists it under 主治医师 (specialties.csv).
PUBLIC_HEALTH_TITLES = {"主治医师": "主管医师"}
# The rule sets of rules file §0, as a verdict names them when a year's is unconfirmed.
REGIME_NAMES = {"A": "卫人发〔2000〕462号、卫人发〔2001〕164号", "B": "人社部发〔2021〕51号"}
# The cases the rules leave to people (Facts.special; rules file §3.4, §3.6).
MILITARY = "部队转业人员的年限计算"
TCM_EXPERTISE = "中医（专长）医师"
# The routes counting from the date of the title held (取得现有资格; 取得医师资格 as one reading of 从事医师工作).
TITLE_COUNTS = {"qualification", "qualification_or_registration"}
# The routes counting time worked (从事本专业工作, 受聘担任, 从事医师工作, 规培 time as work), which years served in the
# military might add to (§3.4, unconfirmed); a route counting from a certificate's date (取得资格, 执业注册, 规培合格证书)
# is not moved by them.
WORK_TIME = {"work", "appointment", "qualification_or_registration", "training_start"}
# Where the 基层 advance's candidates work, by rule set (rules file §3.2): the 2023年度 notice (Regime B) adds the
# 乡镇卫生院. A proof that may be another one is doubted in these words (_evidence_of).
ADVANCE_UNITS = {"A": "社区卫生服务机构", "B": "社区卫生服务机构或乡镇卫生院"}
REQUIREMENT_LABELS = {"规培": "住院医师规范化培训合格证书", "基层": "基层（社区卫生服务机构、乡镇卫生院）工作证明",
                      "一线": "疫情防控一线人员证明"}
# Shipped notes (catalog/data/eligibility_rules.csv) that do not read after "主治医师需": how a verdict says them.
ASKS = {
    "临床医学专业学位硕士满2年；学术学位硕士未经确认":
        "需取得临床医学硕士专业学位后从事医师工作满2年（学术学位硕士是否适用未经确认）",
    "无规培证书的硕士按本科条件执业满4年（推断，未经确认）":
        "（无规培证书的硕士，按本科条件）需执业满4年（系推断，未经确认）",
    "无规培证书的博士按本科条件执业满4年（推断，未经确认）":
        "（无规培证书的博士，按本科条件）需执业满4年（系推断，未经确认）",
}
# The COVID front-line advance (rules file §3.5) has no national end: its end dates are provincial, Guizhou's "until
# 2027年度 registration" and Inner Mongolia's "until end-2026", Fujian's unknown. 2026年度 (registration Dec 2025–
# Jan 2026, §0) is the last exam year whose registration both known ends cover in full; 2027年度's registration runs
# past Inner Mongolia's end, and no source reaches a later year. After it the advance is 需人工核实 (issue 19: a point
# the rules file leaves unconfirmed is for people), whatever the year's table says of the row: the shipped tables
# mark it confirmed from 2023年度 on (S11) and carry no year range the 考区 could set.
FRONT_LINE_LAST_CONFIRMED = 2026
# 学习形式 (rules file §1.4): a first-time candidate must apply with a 全日制 education. The 考区's dictionary words
# the forms its own way (全日制（统招）, 普通全日制; 成人教育（函授/业余/脱产）, 自学考试), so the words decide, the
# refusing ones first (非全日制 holds 全日制); a form naming neither (其他, blank) is not known.
NOT_FULL_TIME_WORDS = ("非全日制", "成人", "函授", "业余", "夜大", "电大", "自学考试", "自考", "网络", "远程", "开放",
                       "在职")
FULL_TIME_WORDS = ("全日制", "统招")
# A 医学类, 相关医学类 or 药学类 non-全日制 education entered after this day must comply with 教高〔2002〕4号,
# 教高〔2002〕10号 and 教高〔2014〕7号 (rules file §1.4, S3). The form has no entry date: one obtained by this day was
# certainly entered before it.
JIAOGAO_ENTRY = datetime.date(2015, 3, 31)


@dataclass(frozen=True)
class Rule:
    """One row of a year's rules table (catalog.EligibilityRule)."""
    kind: str
    regime: str
    qualification: str
    category: str
    education: str
    min_years: int
    counted_from: str
    requires: str
    specialties: str
    requires_title: str
    confirmed: bool
    source: str
    note: str

    def applies_to(self, facts) -> bool:
        return (_matches(self.qualification, facts.qualification) and _matches(self.category, facts.category)
                and _matches(self.specialties, facts.specialty))

    @property
    def titles(self) -> list[str]:
        """The 现有资格 the rule asks for (any of them); none: no title asked for."""
        return self.requires_title.split("|") if self.requires_title else []

    @property
    def needs(self) -> list[str]:
        """The conditions the rule asks for besides years (规培, 基层, 一线), all of them."""
        return [need for need in self.requires.split("+") if need]


@dataclass(frozen=True)
class Education:
    level: str  # as typed (本科, 硕士研究生, 学士学位 …)
    obtained: datetime.date | None
    full_time: bool | None  # None: the 学习形式 does not say (is_full_time)
    major: str = ""  # 所学专业
    # The 参评学历 or 参评学位: the first row of its kind on the form (seed notice: 第一行是参评学历，学位同理;
    # design.md §4). A route met only by another row is to be checked (assess).
    assessed: bool = True
    study_form: str = ""  # 学习形式 as the form has it, for the verdict's words
    entered: datetime.date | None = None  # 入学: the form does not ask it (JIAOGAO_ENTRY); a worked example may give it
    degree_doubt: str = ""  # a 学位 route opened by a 研究生 学历 whose 学位 the form does not give (_route_levels)

    @property
    def study_form_words(self) -> str:
        return f"学习形式“{self.study_form}”" if self.study_form else "未填学习形式"


@dataclass
class Facts:
    exam_year: int
    cutoff: datetime.date
    qualification: str  # 拟申报资格
    category: str = ""
    specialty: str = ""
    educations: list[Education] = field(default_factory=list)
    title: str = ""  # 现有资格
    title_date: datetime.date | None = None
    registered: datetime.date | None = None  # 执业注册
    # (title, start, end; None while it runs)
    appointments: list[tuple[str, datetime.date, datetime.date | None]] = field(default_factory=list)
    work: list[tuple[datetime.date, datetime.date | None]] = field(default_factory=list)
    training: list[tuple[datetime.date | None, datetime.date | None]] = field(default_factory=list)  # 规培 (start, issued)
    # 全科医生规范化培训 (start, issued): whether it stands for a 规培 certificate is unconfirmed (rules file §4).
    gp_training: list[tuple[datetime.date | None, datetime.date | None]] = field(default_factory=list)
    evidence: set[str] = field(default_factory=set)  # 基层, 一线, 转岗
    # Evidence whose document may not be the one an advance asks for: {need: the doubt's words} (_evidence_of).
    evidence_doubts: dict[str, str] = field(default_factory=dict)
    current_post_start: datetime.date | None = None  # of the post after a 转岗: the form has no such date
    special: list[str] = field(default_factory=list)  # cases left to people (部队, 中医专长)
    # The levels of the form's 学位 rows, 无 included (_route_levels); None: not known (facts built by hand).
    # One obtained after the cut-off is not held on the day the years are counted to (as a 学历 is not): it is
    # among late_degrees instead.
    degrees: tuple[str, ...] | None = None
    late_degrees: tuple[str, ...] = ()

    @property
    def holds_title(self) -> bool:
        return self.title not in ("", "无")

    @property
    def title_applied(self) -> str:
        """The 拟申报资格 as the verdict names it: the catalogue lists the 公共卫生类别's 中级 under 主治医师, whose title
        is 主管医师 (rules file §2.3(b))."""
        if self.category == "公共卫生":
            return PUBLIC_HEALTH_TITLES.get(self.qualification, self.qualification)
        return self.qualification


@dataclass(frozen=True)
class Verdict:
    result: str
    text: str

    @property
    def label(self) -> str:
        return Result(self.result).label


@dataclass(frozen=True)
class Outcome:
    result: str
    text: str
    short_by: int = 0  # months missing, for a route failed on years alone
    doubted: bool = False  # met, but on a fact in doubt (_doubts): to be checked


# The short_by of a route failed on something years do not mend: never the closest one.
NOT_BY_YEARS = 10**6


class Reading(NamedTuple):
    """One way of counting a route's years (_readings)."""
    months: int  # counted to the cut-off (rules file §1.3: whole months, the start month counts)
    words: str  # where they start, as the verdict says it
    grow: Callable  # the months counted by another cut-off (_earliest)
    # The start of the one spell the months are, where they are one spell running to the cut-off (or to later
    # ones: a date counted from, after this cut-off too): the whole-year reading (cutoff_year − start_year) is
    # defined for it alone (_whole_years).
    since: datetime.date | None = None


def is_full_time(study_form: str) -> bool | None:
    """Whether a 学习形式 is full-time: True, False, or None where its words say neither (NOT_FULL_TIME_WORDS)."""
    words = (study_form or "").replace(" ", "")
    if any(word in words for word in NOT_FULL_TIME_WORDS):
        return False
    if any(word in words for word in FULL_TIME_WORDS):
        return True
    return None


def _matches(allowed: str, value: str) -> bool:
    return allowed in ("", "*") or _name(value) in _names(allowed)


@functools.lru_cache(maxsize=4096)
def _name(text: str) -> str:
    """A name as the rules and the catalogue are compared: full-width brackets and letters as ASCII ones, no
    spaces (NFKC), so the catalogue's 全科医学（中医类） is a rule's 全科医学(中医类). Cached: a recompute asks it of
    the same few hundred names for each application (bench key eligibility_recompute_s)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@functools.lru_cache(maxsize=1024)
def _names(allowed: str) -> frozenset[str]:
    """A rule's alternatives ("|" between them), each as _name compares it."""
    return frozenset(_name(name) for name in allowed.split("|"))


def _spells(periods, cutoff) -> tuple[int, str, datetime.date | None]:
    """The months counted of `periods`, their words as the form writes periods, consecutive months as
    one spell (2010-07 至 2011-06、2017-01 起, spaced as 执业注册 2020-12 起; 起: running to the cut-off), and the
    start of the spell where there is one, running to the cut-off (Reading.since)."""
    months = sorted(counted_months(periods, cutoff))
    if not months:
        return 0, f"{month_text(min(start for start, _end in periods if start))} 起", None
    runs = [[months[0], months[0]]]
    for month in months[1:]:
        if month == runs[-1][1] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    last = last_counted_month(cutoff)

    def text(month):
        return month_text(datetime.date(month // 12, month % 12 + 1, 1))

    words = "、".join(f"{text(first)} 起" if end == last else f"{text(first)} 至 {text(end)}" for first, end in runs)
    since = datetime.date(runs[0][0] // 12, runs[0][0] % 12 + 1, 1) if len(runs) == 1 and runs[0][1] == last else None
    return len(months), words, since


def _start(rule, facts):
    """The date the rule counts from (None when the form lacks it)."""
    if rule.counted_from == "qualification":
        return facts.title_date
    if rule.counted_from == "registration":
        return facts.registered
    if rule.counted_from == "training_certificate":
        return min((issued for _start, issued in facts.training if issued and issued <= facts.cutoff), default=None)
    if rule.counted_from == "training_start":
        return min((start for start, _issued in facts.training if start), default=None)
    return None


def _practice(rule, facts) -> bool:
    """Whether the route counts 执业活动 of a 医疗类 or 护理类 title (PRACTICE): registered, from the registration."""
    return rule.regime in PRACTICE_REGIMES and facts.qualification in PRACTICE


def _practice_start(rule, facts, start, label):
    """A route's start and its words: for 执业活动 (PRACTICE), the latest of its own, the 执业注册 and the
    licence's date."""
    own = f"{label} {month_text(start)} 起"
    if not _practice(rule, facts):
        return start, own
    dates = [(start, label)]
    if facts.registered:
        dates.append((facts.registered, "执业注册"))
    if facts.title in LICENCES and facts.title_date:
        dates.append((facts.title_date, f"取得{facts.title}资格"))
    latest, latest_label = max(dates, key=lambda pair: pair[0])  # the first of equal dates: the route's own
    if latest == start:
        return start, own
    return latest, f"{latest_label} {month_text(latest)} 起（晚于{label} {month_text(start)}，取较晚者）"


def _readings(rule, facts):
    """([Reading], None), one reading a start the rule may mean, or ([], what is missing)."""
    if rule.counted_from == "work":
        if not facts.work or not all(start for start, _end in facts.work):  # a row without its start too
            return [], "缺少工作经历的起止时间"
        months, spells, since = _spells(facts.work, facts.cutoff)
        return [Reading(months, f"{spells}从事本专业工作", lambda cutoff: months_in(facts.work, cutoff), since)], None
    if rule.counted_from == "appointment":
        # 受聘担任…职务满N年 counts the months appointed (§1.3), not the time since the first appointment.
        appointed = _appointed(rule, facts)
        if not appointed:
            others = "、".join(dict.fromkeys(title for title, start, _end in facts.appointments if start))
            if others:
                return [], f"现有资格聘任情况所填职务“{others}”不是（或未能识别为）{'或'.join(rule.titles)}"
            return [], f"缺少{START_LABELS['appointment']}时间"
        months, spells, since = _spells(appointed, facts.cutoff)
        return [Reading(months, f"受聘 {spells}", lambda cutoff: months_in(appointed, cutoff), since)], None
    if rule.counted_from == "qualification_or_registration":
        # Regime A names no start for 从事医师工作 (rules file §1.3): both readings must agree.
        starts = [(d, label) for d, label in ((facts.title_date, "取得医师资格"), (facts.registered, "执业注册")) if d]
        if not starts:
            return [], "缺少取得医师资格或执业注册的时间"
        return [_from(d, f"{label} {month_text(d)} 起", facts) for d, label in starts], None
    if rule.counted_from not in START_LABELS:
        # A table stored before the import refused it (年限 without 起算): not applied, never a 500.
        return [], f"资格规则此行的“起算”（{rule.counted_from or '空'}）无法计算{rule.min_years}年的年限"
    start = _start(rule, facts)
    if start is None:
        return [], f"缺少{START_LABELS[rule.counted_from]}时间"
    start, words = _practice_start(rule, facts, start, START_LABELS[rule.counted_from])
    return [_from(start, words, facts)], None


def _appointed(rule, facts):
    """The appointment periods a 受聘担任 route counts: those to a title it asks for (any, if it asks for none)."""
    return [(start, end) for title, start, end in facts.appointments
            if start and (not rule.titles or title in rule.titles)]


def _from(start, words, facts) -> Reading:
    """The reading of a count from `start` to the cut-off."""
    return Reading(months_between(start, facts.cutoff), words, _since(start), start)


def _since(start):
    """The months from `start` counted by a cut-off."""
    return lambda cutoff: months_between(start, cutoff)


def _advances(rules, facts):
    return [advance for advance in rules
            if advance.kind == EligibilityRule.Kind.ADVANCE and advance.applies_to(facts)
            and all(need in facts.evidence for need in advance.needs)]


def _series_route(rule, facts) -> tuple[Rule, str]:
    """`rule` asking only for the titles of the series applied for (SERIES), and the words of a doubt ("" for
    none): a title of the other pharmacy series keeps the route open, unconfirmed."""
    series, held = SERIES.get(facts.qualification), SERIES.get(facts.title)
    if series is None:
        return rule, ""
    if "药(技)" in rule.note:  # said with the series' own titles: 受聘担任技士职务 to a 技师 candidate
        low, high = LADDERS[series][:2]
        rule = dataclasses.replace(rule, note=rule.note.replace("药(技)士", low).replace("药(技)师", high))
    if not rule.titles:
        return rule, ""
    if held != series and {held, series} <= CLOSE_SERIES and facts.title in rule.titles:
        titles = [title for title in rule.titles if SERIES.get(title, series) in CLOSE_SERIES]
        doubt = f"（现有资格{facts.title}属{held}，报考{series}是否属专业相近未经确认）"
        return dataclasses.replace(rule, requires_title="|".join(titles), confirmed=False), doubt
    # A table listing only titles of other series says so on purpose: it is kept as it is.
    titles = [title for title in rule.titles if SERIES.get(title, series) == series] or rule.titles
    return dataclasses.replace(rule, requires_title="|".join(titles)), ""


def _route(rule, education, facts, rules) -> Outcome:
    """One route for one education: met, not met (with how far), or to be checked (and why): a route met while
    a fact it rests on is missing or in doubt (_doubts) is to be checked."""
    outcome = _route_outcome(rule, education, facts, rules)
    if outcome.result == NOT_ELIGIBLE and facts.title == "护士" and _registered_before_licence(rule, facts):
        outcome = _nurse_as_registered(outcome, rule, education, facts, rules)
    doubts = _doubts(rule, education, facts) if outcome.result == ELIGIBLE else []
    if doubts:
        return Outcome(CHECK, f"{outcome.text.removesuffix(' → 符合')}；但{'；'.join(doubts)}，请人工核实", doubted=True)
    return outcome


def _registered_before_licence(rule, facts) -> bool:
    """Whether a route of 执业活动 (PRACTICE) meets a 执业注册 older than the licence it is the registration of."""
    return bool(_practice(rule, facts) and facts.title in LICENCES and facts.title_date and facts.registered
                and facts.registered < facts.title_date)


def _licence_conflict(facts) -> str:
    """The words of a 执业注册 older than the licence (_registered_before_licence). A physician's may be his
    执业助理医师 registration; a nurse has no assistant tier and registers once she holds the 护士资格, so one of her
    two dates is wrong."""
    registered, licensed = month_text(facts.registered), month_text(facts.title_date)
    if facts.title == "医师":
        return (f"执业注册年月 {registered} 早于取得医师资格 {licensed}，所填可能不是医师的执业注册（如执业助理医师注册），"
                f"医师执业注册时间须核实")
    return f"执业注册年月 {registered} 早于取得{facts.title}资格 {licensed}（取得资格后方可注册），二者必有一处填写有误"


def _nurse_as_registered(outcome, rule, education, facts, rules) -> Outcome:
    """A nurse's route failed counted from her licence, the later of her two dates, while her 执业注册 is older:
    either date may be the wrong one (_licence_conflict). Counted from the registration, the most either reading
    gives, the route may be met: then it is to be checked. Failed so too, it is 不符合 whichever date is right, and
    the registration's count says how far (its year is the earliest either date allows)."""
    as_registered = dataclasses.replace(facts, title_date=None)
    registered = _route_outcome(rule, education, as_registered, rules)
    if registered.result == NOT_ELIGIBLE:
        if registered.short_by == NOT_BY_YEARS:
            return outcome
        return Outcome(NOT_ELIGIBLE, f"{registered.text}；{_licence_conflict(facts)}，以上按其中较早的执业注册计算",
                       registered.short_by)
    readings, _missing = _readings(rule, as_registered)
    counted = "".join(f"，按{reading.words}已满{years_months(reading.months)}" for reading in readings[:1])
    return Outcome(CHECK, f"{outcome.text.partition(' → 不符合')[0]}；但{_licence_conflict(facts)}{counted}，"
                          f"可满足此条件，请人工核实")


def _doubts(rule, education, facts) -> list[str]:
    """What a met route still leaves unverified: the 执业注册 of a 医疗类/护理类 title (PRACTICE), a registration
    older than the licence, the 学习形式 (_study_form_doubts), a major of another series (专业对口, rules file §1.4)."""
    doubts = []
    if _practice(rule, facts) and facts.registered is None:
        doubts.append("未填执业注册年月（人社部发〔2021〕51号：医疗类、护理类须取得执业资格并注册执业，执业年限自注册起算）")
    elif _registered_before_licence(rule, facts):
        doubts.append(_licence_conflict(facts))
    doubts += _dated_before_education(rule, education, facts)
    doubts += _held_after_cutoff(rule, facts)
    doubts += _appointed_before_title(rule, facts)
    if education.degree_doubt:
        doubts.append(education.degree_doubt)
    doubts += _study_form_doubts(education, facts)
    studied, applied = _major_series(education.major), _series_of(facts.qualification)
    if studied and applied and studied != applied and not {studied, applied} <= CLOSE_SERIES:
        doubts.append(f"所学专业“{education.major}”属{studied}类，与报考的{facts.title_applied}（{applied}类）"
                      f"专业不对口（须相同或相近）")
    elif applied == "医疗" and (category := _major_category(education.major)) and facts.category \
            and category != facts.category and not {category, facts.category} <= CLOSE_CATEGORIES:
        specialty = f"（{facts.specialty}）" if facts.specialty else ""
        doubts.append(f"所学专业“{education.major}”属{category}类别，与报考的{facts.category}类别{facts.title_applied}"
                      f"{specialty}专业不对口（须相同或相近）")
    return doubts


def _dated_before_education(rule, education, facts) -> list[str]:
    """A date the route counts from that is older than the education it rests on, where that is 中专, the lowest
    any licence or title asks for, and no other education row was obtained by then: the 执业注册 of a route of
    执业活动 (PRACTICE; the 护士执业资格考试 asks for the diploma, rules file §1.5), or the title a route counts
    from (取得药(技)士/药(技)师/护师/医师资格: 相应专业中专以上学历, 卫人发〔2001〕164号第十条, §2.1). One registers once
    licensed and sits for a title once educated, so no education could have given it and one of the two dates is
    wrong (as a registration older than the licence, _licence_conflict)."""
    if not (education.obtained and EDUCATION_LEVELS.get(education.level) == EDUCATION_ORDER[0]):
        return []
    dated = []
    if _practice(rule, facts) and facts.registered:
        dated.append((facts.registered, "执业注册年月", "取得执业资格、注册执业", "据以注册"))
    if rule.counted_from in TITLE_COUNTS and facts.holds_title and facts.title_date:
        dated.append((facts.title_date, f"取得{facts.title}资格", f"取得{facts.title}资格", "据以取得"))
    months = months_between(education.obtained, facts.cutoff)
    return [f"{label} {month_text(when)} 早于所依据的{education.level}学历取得时间 {month_text(education.obtained)}"
            f"（须取得学历后方可{after}，且无更低学历可{lower}），二者必有一处填写有误，自学历取得起计为{years_months(months)}"
            for when, label, after, lower in dated if when < education.obtained
            and not any(other.obtained and other.obtained <= when for other in facts.educations)]


def _held_after_cutoff(rule, facts) -> list[str]:
    """The title a route asks for, or the 执业注册 a route of 执业活动 (PRACTICE) rests on, dated after the cut-off:
    the rules count the education's date and the years to it (rules file §1.2) and do not say whether the title
    and the registration must be held by then too. A route counting its years from such a date has none and
    fails; one asking no years (博士, 硕士学位), or counting work, is met only if they need not be: to be checked."""
    cutoff = day_text(facts.cutoff)
    doubts = []
    if facts.title in rule.titles and facts.title_date and facts.title_date > facts.cutoff:
        doubts.append(f"取得{facts.title}资格 {month_text(facts.title_date)} 晚于截止日期{cutoff}（学历和工作年限均计算至"
                      f"截止日期，所需资格是否也须在截止日期前取得，规则未写明）")
    if _practice(rule, facts) and facts.registered and facts.registered > facts.cutoff:
        doubts.append(f"执业注册年月 {month_text(facts.registered)} 晚于截止日期{cutoff}（学历和工作年限均计算至截止日期，"
                      f"执业注册是否也须在截止日期前完成，规则未写明）")
    return doubts


def _appointed_before_title(rule, facts) -> list[str]:
    """A 受聘担任 route counting an appointment to the title held from before the title was obtained: one is
    appointed to a title once he holds it, so one of the two dates is wrong (as a 执业注册 older than the licence,
    _licence_conflict), and the months before it may not count (rules file §6 E6 counts from the title)."""
    if rule.counted_from != "appointment" or not facts.title_date:
        return []
    own = [(start, end) for title, start, end in facts.appointments if title == facts.title and start]
    early = min((start for start, _end in own if start < facts.title_date), default=None)
    if early is None:
        return []
    since = [(max(start, facts.title_date), end) for start, end in own if end is None or end >= facts.title_date]
    months = months_in(since, facts.cutoff)
    meets = "亦满足" if months >= rule.min_years * 12 else "不满足"
    return [f"受聘{facts.title}起始年月 {month_text(early)} 早于取得{facts.title}资格 {month_text(facts.title_date)}"
            f"（取得资格后方可受聘），二者必有一处填写有误，自取得资格起计受聘{years_months(months)}，{meets}此条件"]


def _study_form_doubts(education, facts) -> list[str]:
    """What the 学习形式 leaves open of a met route (rules file §1.4): a first-time candidate's education not known
    to be 全日制; an education that is not, or not known to be, 全日制 and may have been entered after
    JIAOGAO_ENTRY (obtained after it, the entry date unknown), for which the 教高 documents apply."""
    if education.full_time is True:
        return []
    if education.full_time is None and not facts.holds_title:
        return [f"{education.level}{education.study_form_words}，不能确认是否为全日制（首次报考须以全日制学历或学位报考）"]
    form = "为非全日制" if education.full_time is False else f"{education.study_form_words}，不能确认是否为全日制"
    rule = (f"医学类、相关医学类、药学类非全日制学历或学位，于{day_text(JIAOGAO_ENTRY)}后入学的，须符合教高〔2002〕4号、"
            f"教高〔2002〕10号、教高〔2014〕7号文件规定")
    if education.entered:
        if education.entered <= JIAOGAO_ENTRY:
            return []
        return [f"{education.level}{form}，{month_text(education.entered)}入学：{rule}"]
    if education.obtained and education.obtained > JIAOGAO_ENTRY:
        return [f"{education.level}{form}，于{day_text(JIAOGAO_ENTRY)}后取得，表中没有入学时间：{rule}"]
    return []


def _series_of(title: str) -> str | None:
    return next((series for series, titles in LADDERS.items() if title in titles), None)


def _major_category(major: str) -> str | None:
    """The one 执业类别 a medical major's words name (MAJOR_CATEGORIES), None for none, several or a technology major."""
    if "技术" in major:
        return None
    if any(word in major for word in TCM_MAJOR_WORDS):
        return "中医"
    found = {category for word, category in MAJOR_CATEGORIES if word in major}
    return found.pop() if len(found) == 1 else None


def _major_series(major: str) -> str | None:
    """The one series a major's words name (MAJOR_WORDS), None for none or several."""
    found = {series for word, series in MAJOR_WORDS if word in major}
    if major.count("药") == major.count("中药"):  # 中药学: not 药学 as well
        found.discard("药学")
    return found.pop() if len(found) == 1 else None


def _route_outcome(rule, education, facts, rules) -> Outcome:
    rule, doubt = _series_route(rule, facts)
    head = f"{education.level}{doubt}"
    if rule.titles and facts.title not in rule.titles:
        held = SERIES.get(facts.title)
        other = f"，属{held}系列" if held and held != SERIES.get(facts.qualification) else ""
        refused = Outcome(NOT_ELIGIBLE, f"{head} → {facts.title_applied}须取得{_asked_titles(rule, facts)}资格"
                                        f"（现有资格：{facts.title or '无'}{other}）", short_by=NOT_BY_YEARS)
        return _title_contradicted(refused, rule, education, facts, rules)
    for need in rule.needs:
        if need not in REQUIREMENT_LABELS:  # a table stored before the import checked it
            return Outcome(CHECK, f"{head} → {rule.note}：资格规则的附加条件“{need}”无法核对，请人工核实")
        has = any(issued and issued <= facts.cutoff for _s, issued in facts.training) if need == "规培" \
            else need in facts.evidence
        if not has:
            return (need == "规培" and _late_certificate(rule, education, facts, rules, head)) or \
                Outcome(NOT_ELIGIBLE, f"{head} → {rule.note}：缺少{REQUIREMENT_LABELS[need]}", short_by=NOT_BY_YEARS)
    needed = rule.min_years * 12
    if needed == 0:
        return _met(rule, f"{head} → {rule.note} → 符合")
    readings, missing = _readings(rule, facts)
    if missing:
        return _appointed_at_most(rule, facts, rules, head, missing, needed) or \
            Outcome(CHECK, f"{head} → {rule.note}：{missing}，请人工核实")
    outcome = _agreed(rule, facts, rules, head, readings, needed)
    if rule.counted_from == "qualification_or_registration" and len(readings) == 1:
        return _one_start(outcome, facts)
    return outcome


def _late_certificate(rule, education, facts, rules, head) -> Outcome | None:
    """A route asking for the 规培 certificate where the only one is dated after the cut-off: not held on the day the
    years are counted to (rules file §1.2, as an education obtained after it), so the route is not met this year,
    but the candidate has the certificate: said so, with the first year the route is met (read at that year's
    cut-off), not as a certificate missing, which sent the verdict to the routes for those without one (无规培证书的
    博士，按本科条件) and their later year. None where no certificate is dated after the cut-off; where the route is
    never met, what it lacks besides (a 基层 proof), as the first year holding the certificate says it."""
    issued = min((issued for _start, issued in facts.training if issued and issued > facts.cutoff), default=None)
    if issued is None:
        return None
    said = (f"{head} → {rule.note}：{START_LABELS['training_certificate']} {month_text(issued)} 取得，"
            f"晚于截止日期{day_text(facts.cutoff)}")
    first = None
    for years_on in range(1, 61):
        cutoff = _years_after(facts.cutoff, years_on)
        if cutoff < issued:
            continue
        later = _route_outcome(rule, education, dataclasses.replace(facts, exam_year=facts.exam_year + years_on,
                                                                    cutoff=cutoff), rules)
        first = first or later
        if later.result != NOT_ELIGIBLE:
            # Weighed against the other routes' months missing (_summary: the closest one) as the fewest months to
            # that year, a route met then for certain before one met then only to be checked.
            check = "" if later.result == ELIGIBLE else "，届时须人工核实"
            return Outcome(NOT_ELIGIBLE, f"{said} → 不符合（最早可报考{facts.exam_year + years_on}年度{check}）",
                           (years_on - 1) * 12 + (1 if later.result == ELIGIBLE else 2))
    return dataclasses.replace(first, short_by=NOT_BY_YEARS) if first else None


def _appointed_at_most(rule, facts, rules, head, missing, needed) -> Outcome | None:
    """A 受聘担任 route whose appointment is missing or not recognised (`missing`), bounded by the title: one is
    appointed to a title once he holds it, so counted from the title's date the route gets the most any appointment
    could give. Failed so, it is 不符合 whatever the missing appointment says; otherwise None (to be checked)."""
    if rule.counted_from != "appointment" or facts.title not in rule.titles or not facts.title_date:
        return None
    words = f"{missing}；受聘{facts.title}不早于取得{facts.title}资格 {month_text(facts.title_date)}，按此起算（最长可能）"
    bound = _agreed(rule, facts, rules, head, [_from(facts.title_date, words, facts)], needed)
    return bound if bound.result == NOT_ELIGIBLE else None


def _agreed(rule, facts, rules, head, readings, needed) -> Outcome:
    """The route's outcome where every reading the rules leave open agrees, 需人工核实 naming the point where they
    do not: the start of 从事医师工作 (one reading a start, rules file §1.3), and a start in January, whose
    month count is a year more than cutoff_year − start_year (§1.3 and §5 item 4: that edge is unconfirmed).
    Failed by every reading, by different counts, it names each count, and the earliest year once (_promise)."""
    outcomes = []
    for reading in readings:
        outcome = _years(rule, facts, rules, head, reading, needed, readings)
        whole = _whole_years(reading.since, facts.cutoff)
        if whole is not None and outcome.result != NOT_ELIGIBLE:
            by_year = _years(rule, facts, rules, head, reading._replace(months=whole), needed, readings)
            if by_year.result != outcome.result:
                years = whole // 12
                outcome = Outcome(CHECK, f"{_unchecked(outcome.text)}{_but(outcome.text)}自{month_text(reading.since)}起算：按月计算已满{_years_text(reading.months)}，"
                                         f"按年度相减计算为{years}年（{facts.cutoff.year}−{reading.since.year}），"
                                         f"规则未明确，请人工核实", doubted=True)
        outcomes.append(outcome)
    shared = f" → {_asks(rule, facts)}，截至{day_text(facts.cutoff)}"

    def said(index, text):
        """A reading's words, after the first without those they share (the education, the route, the cut-off)."""
        return text if index == 0 else text.removeprefix(f"{head}，").replace(shared, "", 1)

    if len({o.result for o in outcomes}) > 1:
        texts = [said(index, _without_check(o.text)) for index, o in enumerate(outcomes)]
        return Outcome(CHECK, f"{'；'.join(texts)}；起算点未经确认，请人工核实")
    closest = min(outcomes, key=lambda o: o.short_by)
    if closest.result == NOT_ELIGIBLE and len({o.short_by for o in outcomes}) > 1:
        # Each reading fails, by its own count: each is said, and the earliest year (_promise) once.
        counts = [said(index, o.text.partition(" → 不符合")[0]) for index, o in enumerate(outcomes)]
        shorts = "、".join(_short_text(o.short_by) for o in outcomes)
        rest = closest.text.partition(" → 不符合（尚差")[2].partition("，")[2]
        return Outcome(NOT_ELIGIBLE, f"{'；'.join(counts)} → 不符合（尚差{shorts}，{rest}", closest.short_by)
    return closest


def _whole_years(since, cutoff) -> int | None:
    """The months by whole years, (cutoff_year − start_year) × 12 (rules file §1.3, S9: 2006-06 → 6 years for
    2013年度), where they may differ from the month count: one spell running to the cut-off from a January
    (Reading.since; from any other month both give the same whole years; rows summed have no whole-year reading)."""
    if since is None or since.month != 1:
        return None
    return (cutoff.year - since.year) * 12


def _promise(facts, needed, readings, year, short) -> str:
    """最早可报考…年度: `year`, the first whose cut-off counts the `needed` months by one reading, is a promise only
    where every reading the rules leave open (_agreed: each start of 从事医师工作, whole years from a January) meets
    them by then; otherwise that year's verdict is 需人工核实, and the year they all meet them is said."""
    def least(whole_years):
        def counted(cutoff):
            whole = [_whole_years(r.since, cutoff) for r in readings] if whole_years else []
            return min([r.grow(cutoff) for r in readings] + [months for months in whole if months is not None])
        return counted

    agreed = _earliest(facts, needed, least(True), short)
    if agreed <= year:
        return f"最早可报考{year}年度"
    by_starts = _earliest(facts, needed, least(False), short)
    why = f"{'两种起算点均' if by_starts > year else ''}{'按年度相减计算' if agreed > by_starts else ''}"
    return f"最早可报考{year}年度，届时须人工核实：{why}须至{agreed}年度方满足年限"


def _years_text(months: int) -> str:
    return f"{months // 12}年" if months % 12 == 0 else years_months(months)


def _but(text: str) -> str:
    """The joint before a doubt on `text`: ；但, or ； where a 但 leads its doubts already (one 但, the doubts after
    it joined by ；)."""
    return "；" if "；但" in text else "；但"


def _unchecked(text: str) -> str:
    """A route's words without their verdict, to be joined with others before one 请人工核实."""
    return _without_check(text.removesuffix(" → 符合"))


def _without_check(text: str) -> str:
    """A text without its closing 请人工核实 (nor one closing a bracket), where it is joined with others (_checked)."""
    return text.replace("，请人工核实）", "）").removesuffix("，请人工核实").removesuffix("请人工核实")


def _checked(parts) -> str:
    """Texts to be checked said as one: 请人工核实 once, at the end, unless a part asks for a particular check
    (请人工核实以哪一学历参评)."""
    text = "；".join(_without_check(part) for part in parts)
    return text if "人工核实" in text else f"{text}，请人工核实"


def _asked_titles(rule, facts) -> str:
    """The titles a route asks for as a refusal names them: not those at or above the one applied for (a rule lists
    主治医师 beside 医师 for a change of specialty; 主管医师 须取得医师资格, not 医师或主治医师)."""
    series = _series_of(facts.qualification)
    lower = [title for title in rule.titles if series is None or _series_of(title) != series
             or LADDERS[series].index(title) < LADDERS[series].index(facts.qualification)]
    return "或".join(lower or rule.titles)


def _title_contradicted(refused, rule, education, facts, rules) -> Outcome:
    """A route refused for want of a title while 现有资格 says 无 and other rows say he holds one: an appointment
    to a title the route asks for, or a 执业注册 where it asks for a licence (one registers only once licensed).
    The form contradicts itself: 需人工核实 where the route is met (or to be checked) with that title, 不符合 where
    it fails even so."""
    if facts.holds_title:
        return refused
    appointed = next((title for title, start, _end in facts.appointments if start and title in rule.titles), None)
    licence = next((title for title in rule.titles if title in LICENCES), None)
    if appointed:
        implied, words = appointed, f"现有资格聘任情况填有受聘{appointed}"
    elif licence and facts.registered:
        implied, words = licence, f"填有执业注册 {month_text(facts.registered)}（取得{licence}资格后方可注册）"
    else:
        return refused
    assumed = _route_outcome(rule, education, dataclasses.replace(facts, title=implied, title_date=None), rules)
    if assumed.result == NOT_ELIGIBLE:
        return refused
    return Outcome(CHECK, f"{refused.text.partition('（现有资格')[0]}；现有资格填“无”，但{words}，二者矛盾，请人工核实")


def _one_start(outcome, facts) -> Outcome:
    """A route whose start is unconfirmed (取得医师资格 or 执业注册, both must agree) read from one date, the
    other blank. One registers only once qualified, so the qualification date is the earlier: a route failed from
    the qualification fails from the blank registration too, and one met from the registration is met from the
    blank qualification too. Otherwise the blank may decide it, so it cannot be met."""
    if outcome.result == NOT_ELIGIBLE and facts.registered is None:
        return outcome
    if outcome.result == ELIGIBLE and facts.title_date is None:
        return Outcome(ELIGIBLE, f"{outcome.text.removesuffix(' → 符合')}（未填取得医师资格年月：医师资格取得在执业注册之前，"
                                 f"自其起算亦满足） → 符合")
    if outcome.result == CHECK and facts.title_date is None:
        return outcome  # to be checked on its own (an unconfirmed route): the blank adds nothing
    blank = "执业注册" if facts.registered is None else "取得医师资格"
    return Outcome(CHECK, f"{_unchecked(outcome.text)}；未填{blank}年月，两种起算点无法相互印证，请人工核实")


def _years(rule, facts, rules, head, reading, needed, readings) -> Outcome:
    """The route read by `reading`, one of the `readings` it has (_agreed)."""
    months, words, grow, _since = reading
    cutoff = day_text(facts.cutoff)
    text = f"{head}，{words} → {_asks(rule, facts)}，截至{cutoff}已满{years_months(months)}"
    if months >= needed:
        return _met(rule, f"{text} → 符合")
    advances = _advances(rules, facts)
    # An advance (提前一年, rules file §3.2, §3.5) brings the exam a year forward: it takes its years off a count begun
    # by the cut-off. One not begun (a start after it) has no year to bring forward: 0 + 1 ≥ 1 met a one-year route on
    # no time at all, where a year on (2023-02: 11 months by 2023-12-31) it is not met either (probe 9).
    usable = advances if grow(facts.cutoff) else []
    for advance in usable:
        if months + advance.min_years * 12 >= needed:
            # The advance's own words, then what the route asks with it (not its years said twice).
            late = _front_line_late(advance, facts.exam_year)
            advanced = dataclasses.replace(rule, confirmed=rule.confirmed and (advance.confirmed or bool(late)))
            met = _met(advanced, f"{text}；{advance.note}，按此需满{_years_text(needed - advance.min_years * 12)} → 符合")
            # Only a 基层 proof is in doubt (_evidence_of): the doubt names where this rule set's advance applies.
            doubts = [f"{facts.evidence_doubts[need]}，不能确认是{ADVANCE_UNITS.get(advance.regime, ADVANCE_UNITS['B'])}"
                      f"的工作证明" for need in advance.needs if need in facts.evidence_doubts]
            doubts += [late] if late else []
            if doubts:
                return Outcome(CHECK, f"{_unchecked(met.text)}；但{'；'.join(doubts)}，请人工核实", doubted=True)
            return met
    if len(usable) > 1 and months + sum(advance.min_years for advance in usable) * 12 >= needed:
        # 基层 (§3.2) and 一线 (§3.5) are each "one year early"; whether both may be used at once no source says.
        names = "；".join(advance.note for advance in usable)
        return Outcome(CHECK, f"{text}；{names}；须合并使用以上{len(usable)}项提前申报才满足年限，"
                              f"能否合并使用未经确认，请人工核实")
    # The years still missing with the advance the candidate has (the longest one; they are not summed).
    advance = max(advances, key=lambda advance: advance.min_years, default=None)
    early = advance.min_years * 12 if advance else 0
    short = needed - early - months
    taken = f"，已计提前{advance.min_years}年" if advance else ""
    if short <= 0:  # met with the advance but for a count not begun (usable): the advance is for a later year
        short, taken = needed - months, "，截至截止日期尚无可计年限，本年度不能提前申报"
    year = _earliest(facts, needed - early, grow, short)
    earliest = _promise(facts, needed - early, readings, year, short)
    if not rule.confirmed or (advance and (not advance.confirmed or _front_line_late(advance, year))):
        # The route itself is unconfirmed: the year it would be met in is 需人工核实 then (rules file §6 E11).
        earliest = f"此条件未经确认，{year}年度满足年限时亦须人工核实"
    if grow(_years_after(facts.cutoff, year - facts.exam_year)) < needed - early:
        # Every row has ended, so the year (_earliest) assumes the months missing are worked from the cut-off on:
        # said, or the promise moves a year each year (eligibility probe).
        earliest += f"（按截止日期后继续{'受聘' if rule.counted_from == 'appointment' else '从事本专业工作'}推算）"
    if MILITARY in facts.special and rule.counted_from in WORK_TIME:
        return Outcome(CHECK, f"{text}，尚差{_short_text(short)}{taken}；但表中有转业证/自主择业证，部队服役年限能否计入"
                              f"未经确认，请人工核实")
    return Outcome(NOT_ELIGIBLE, f"{text} → 不符合（尚差{_short_text(short)}{taken}，{earliest}）", short_by=short)


def _asks(rule, facts) -> str:
    """What a route asks of the title applied for, in words (主治医师需…): a shipped note that does not read after
    需 is said as ASKS words it; a note the 考区 imported otherwise is said as it is."""
    return f"{facts.title_applied}{ASKS.get(rule.note, f'需{rule.note}')}"


def _short_text(months: int) -> str:
    """The months still missing: 1个月 rather than 0年1月."""
    return f"{months}个月" if months < 12 else years_months(months)


def _front_line_late(advance, exam_year: int) -> str:
    """Why the COVID front-line advance (§3.5) is unconfirmed in `exam_year` ("" where it is not, or for another
    advance): after FRONT_LINE_LAST_CONFIRMED no source says it still applies."""
    if "一线" not in advance.needs or exam_year <= FRONT_LINE_LAST_CONFIRMED:
        return ""
    return (f"一线提前申报的截止年度未经确认（由各省规定：贵州至2027年度报名、内蒙古至2026年底，福建未见规定），"
            f"{exam_year}年度能否使用须核实")


def _earliest(facts, needed: int, grow, short: int) -> int:
    """The first exam year by whose cut-off (the same day, a year on each year) `grow` counts the `needed`
    months: a start after this year's cut-off waits for it (2023-03 for three years: 2026-12-31, not
    2025-12-31). Rows that have all ended never grow: the year then assumes the `short` months are worked
    from the cut-off on."""
    for years_on in range(1, 61):
        if grow(_years_after(facts.cutoff, years_on)) >= needed:
            return facts.exam_year + years_on
    return facts.exam_year + -(-short // 12)


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _met(rule, text) -> Outcome:
    if rule.confirmed:
        return Outcome(ELIGIBLE, text)
    return Outcome(CHECK, f"{text.removesuffix(' → 符合')} → 仅在未经确认的规定下符合，请人工核实")


def assess(facts: Facts, rules: list[Rule]) -> Verdict:
    """The verdict for these facts under a year's rules."""
    if facts.qualification in NOT_THIS_EXAM:
        return Verdict(NOT_ELIGIBLE, NOT_THIS_EXAM[facts.qualification])
    if not facts.qualification:
        return Verdict(CHECK, "尚未选择拟申报资格")
    series = _series_of(facts.qualification)
    if series and series == _series_of(facts.title) and \
            LADDERS[series].index(facts.title) >= LADDERS[series].index(facts.qualification):
        return Verdict(CHECK, f"现有资格为{facts.title}：已取得{facts.qualification}资格或更高资格，请人工核实报考原因"
                              f"（如转岗、更换专业）")
    return _left_to_people(_with_general_practice(_by_regime(facts, rules), facts, rules), facts)


def _left_to_people(verdict, facts) -> Verdict:
    """The cases the rules leave to people (Facts.special): none is 符合; 中医专长 is not 不符合 either, whatever the
    years (rules file §3.6: whether and on what years its holders may sit is unconfirmed). 部队 is 不符合 only where
    the years served cannot count (_years)."""
    if not facts.special:
        return verdict
    if verdict.result == ELIGIBLE:
        return Verdict(CHECK, f"{verdict.text}；但{'、'.join(facts.special)}须人工核实")
    if verdict.result == NOT_ELIGIBLE and TCM_EXPERTISE in facts.special:
        return Verdict(CHECK, f"按一般报考条件：{verdict.text}；但{TCM_EXPERTISE}能否报考{facts.title_applied}及其年限要求"
                              f"未经确认（中医（专长）医师资格，国家卫生计生委令第15号），请人工核实")
    return verdict


def _with_general_practice(verdict, facts, rules) -> Verdict:
    """Whether a 全科医生规范化培训 certificate stands for the 住院医师规范化培训 one is unconfirmed (rules file §4):
    where reading it so would lift a 不符合, it decides, and that is for people."""
    if verdict.result == ELIGIBLE or not facts.gp_training:
        return verdict
    as_residency = dataclasses.replace(facts, training=[*facts.training, *facts.gp_training], gp_training=[])
    reading = _by_regime(as_residency, rules)
    if verdict.result == CHECK or reading.result == NOT_ELIGIBLE:
        return verdict
    return Verdict(CHECK, f"{_unchecked(reading.text)}{_but(reading.text)}所依据的是全科医生规范化培训合格证书，"
                          f"能否视同住院医师规范化培训合格证书未经确认，请人工核实")


def _by_regime(facts, rules) -> Verdict:
    """A table holding the rows of two rule sets is a year whose rule set is unconfirmed (rules file §0): the
    facts are assessed under each, 不符合 only where every one fails, 符合 only where every one is met."""
    regimes = list(dict.fromkeys(rule.regime for rule in rules))
    if len(regimes) < 2:
        return _assess(facts, rules)
    verdicts = [(regime, _assess(facts, [rule for rule in rules if rule.regime == regime])) for regime in regimes]
    # The same words under each rule set are said once; a cut-off said once is not repeated.
    said = [verdict.text.replace(f"截至{day_text(facts.cutoff)}", "", index > 0)
            for index, (_regime, verdict) in enumerate(verdicts)]
    if len(set(said)) == 1:
        texts = f"按两套规则：{_concluded(verdicts[0][1].result, said[0])}"
    else:
        texts = "；".join(f"按{REGIME_NAMES.get(regime, regime)}：{_concluded(verdict.result, text)}"
                         for (regime, verdict), text in zip(verdicts, said, strict=True))
    results = {verdict.result for _regime, verdict in verdicts}
    if results == {NOT_ELIGIBLE}:
        return Verdict(NOT_ELIGIBLE, f"本年度适用的规则未经确认，按其中任一规则均不符合。{texts}")
    if results == {ELIGIBLE}:
        return Verdict(ELIGIBLE, f"本年度适用的规则未经确认，按其中任一规则均符合。{texts}")
    return Verdict(CHECK, f"本年度适用哪套规则未经确认，请人工核实。{texts}")


def _concluded(result, text) -> str:
    """A rule set's verdict within the words of both (_by_regime), the 请人工核实 said once, before: a half to be
    checked that ends on a missing fact keeps its conclusion (缺少工作经历的起止时间，需人工核实); one naming the
    unconfirmed point it turns on (未经确认, 未明确) concludes so already."""
    text = _without_check(text)
    if result != CHECK or any(words in text for words in ("人工核实", "未经确认", "未明确")):
        return text
    return f"{text}，需人工核实"


def _assess(facts, rules) -> Verdict:
    """The verdict under one rule set."""
    routes = [r for r in rules if r.kind == EligibilityRule.Kind.ROUTE and r.applies_to(facts)]
    if not routes and not facts.category and any(
            r.kind == EligibilityRule.Kind.ROUTE and r.category not in ("", "*")
            and _matches(r.qualification, facts.qualification) for r in rules):
        return Verdict(CHECK, f"{facts.qualification}的报考条件按执业类别区分，请先选择执业类别")
    if not routes:
        return Verdict(CHECK, f"本年度资格规则未列出{facts.title_applied}的报考条件，请人工核实")
    listed = {rule.education for rule in routes}
    outcomes, notes = [], []  # (education, outcome)
    for education in facts.educations:
        level = EDUCATION_LEVELS.get(education.level)
        if level is None and education.level in BELOW_SECONDARY:
            notes.append((education, Outcome(NOT_ELIGIBLE, f"学历“{education.level}”低于中专：报考须具备相应专业中专以上学历"
                                                           f"（卫人发〔2001〕164号第十条）", NOT_BY_YEARS)))
            continue
        if level is None:
            notes.append((education, Outcome(CHECK, f"学历“{education.level}”不在资格规则之列，请人工核实")))
            continue
        if not education.obtained:
            notes.append((education, Outcome(CHECK, f"{education.level}未填取得时间，无法确认是否于截止日期前取得，"
                                                    f"请人工核实")))
            continue
        if education.obtained > facts.cutoff:
            notes.append((education, Outcome(NOT_ELIGIBLE, f"{education.level}{month_text(education.obtained)}取得，晚于截止日期"
                                                           f"{day_text(facts.cutoff)}，不能作为参评学历",
                                             NOT_BY_YEARS)))
            continue
        if not facts.holds_title and education.full_time is False:
            notes.append((education, Outcome(NOT_ELIGIBLE, f"{education.level}（非全日制）：首次报考须以全日制学历或学位报考",
                                             NOT_BY_YEARS)))
            continue
        for named, route_level in _route_levels(education, level, listed, facts):
            outcomes += [(named, _route(rule, named, facts, rules)) for rule in routes if rule.education == route_level]
    outcomes += notes
    if not outcomes and not facts.educations:
        return Verdict(CHECK, "未填写参评学历，请人工核实")
    if not outcomes:
        # A 参评学历 is there, but the rules list no route from its level to this qualification.
        listed = "、".join(dict.fromkeys(rule.education for rule in routes))
        given = "、".join(dict.fromkeys(education.level for education in facts.educations))
        return Verdict(CHECK, f"参评学历{given}不在{facts.title_applied}报考条件所列的学历（{listed}）之中，请人工核实")
    met = [o for education, o in outcomes if o.result == ELIGIBLE and education.assessed]
    if not met and (other := next(((e, o) for e, o in outcomes if not e.assessed and (o.result == ELIGIBLE or o.doubted)),
                                  None)):
        return _not_the_assessed_one(*other, _said_once([(e, o) for e, o in outcomes if e.assessed]))
    post = _post_change(facts, rules)
    if met and post.result != ELIGIBLE:
        return Verdict(post.result, f"{met[0].text}；但{post.text}")
    if met:
        return Verdict(ELIGIBLE, met[0].text)
    return _summary(_said_once(outcomes))


def _said_once(outcomes) -> list[Outcome]:
    """The outcomes of (education, outcome) pairs, those saying the same but for the education's name (a 研究生
    学历 and its 学位; one row by two routes) said once, naming the rows together; a row named twice (硕士研究生,
    硕士研究生（未填学位，按本科条件）) keeps its first name."""
    kept = []  # [the name in the outcome's words, the names, the outcome]
    for education, outcome in outcomes:
        same = next((said for said in kept if said[2].result == outcome.result
                     and said[2].text.replace(said[0], education.level) == outcome.text), None)
        if same is None:
            kept.append([education.level, [education.level], outcome])
        elif not any(education.level.startswith(name) or name.startswith(education.level) for name in same[1]):
            same[1].append(education.level)
    return [dataclasses.replace(outcome, text=outcome.text.replace(name, "、".join(names)))
            for name, names, outcome in kept]


def _route_levels(education, level, listed, facts) -> list[tuple[Education, str]]:
    """The route levels an education of `level` opens among those the routes list, each with the education as the
    verdict names it. 相应专业中专以上学历 (164号 第十条): one above those listed takes the highest listed below it.
    A 研究生 学历 opens a 学位 route (DEGREE_ROUTES) only with the 学位: where the form's 学位 rows say it is not
    held (学位 无, a lower one), it opens the routes below; where the form has no 学位 row, those and, doubted, the
    学位 ones (facts built by hand, degrees None, hold the degree their level names)."""
    own = _listed_at_or_below(level, listed)
    if own is None:
        return []
    named = education if own == level else dataclasses.replace(education, level=f"{education.level}（按{own}条件）")
    if own not in DEGREE_ROUTES or education.level not in GRADUATE_STUDIES or facts.degrees is None or any(
            EDUCATION_ORDER.index(held) >= EDUCATION_ORDER.index(own)
            for held in map(EDUCATION_LEVELS.get, facts.degrees) if held):
        return [(named, own)]
    late = any(EDUCATION_ORDER.index(held) >= EDUCATION_ORDER.index(own)
               for held in map(EDUCATION_LEVELS.get, facts.late_degrees) if held)
    why = f"{own}学位于截止日期后取得" if late else f"无{own}学位" if facts.degrees or facts.late_degrees else "未填学位"
    plain = _listed_at_or_below(level, listed - DEGREE_ROUTES)
    opened = [(dataclasses.replace(education, level=f"{education.level}（{why}，按{plain}条件）"), plain)] if plain else []
    if not facts.degrees and not facts.late_degrees:
        opened.append((dataclasses.replace(named, degree_doubt=f"未填学位（{own}条件须具备{own}学位，以学位证书为准）"), own))
    return opened


def _listed_at_or_below(level, listed) -> str | None:
    """`level` if the routes list it, else the highest listed below it (None: none is)."""
    return next((listed_level for listed_level in reversed(EDUCATION_ORDER[:EDUCATION_ORDER.index(level) + 1])
                 if listed_level in listed), None)


def _summary(outcomes) -> Verdict:
    """None met: the routes to be checked, else the closest one failed."""
    checks = [o for o in outcomes if o.result == CHECK]
    if checks:
        return Verdict(CHECK, _checked(o.text for o in checks))
    closest = min(outcomes, key=lambda o: o.short_by)
    return Verdict(NOT_ELIGIBLE, closest.text)


def _not_the_assessed_one(education, met, assessed) -> Verdict:
    """A route met by an education row that is not the 参评学历 (nor the 参评学位), while those are not: the 参评
    one is the first row of its kind (seed notice 教育情况: 第一行是参评学历，请填写可以认可的最高学历，学位同理).
    `met` may be met on a fact in doubt (Outcome.doubted): its doubt is said before."""
    own = (f"参评学历（学位）：{_without_check(_summary(assessed).text)}" if assessed
           else "参评学历（学位）不在报考条件所列的学历之中")
    route = met.text.removesuffix(" → 符合").removesuffix("，请人工核实")
    return Verdict(CHECK, f"{route}{_but(route)}{education.level}不是参评学历（教育情况第一行），{own}；请人工核实以哪一学历参评")


def _post_change(facts, rules) -> Outcome:
    """转岗: years in the current post, where the year's rules ask for them."""
    rule = next((r for r in rules if r.kind == EligibilityRule.Kind.POST_CHANGE and r.applies_to(facts)),
                None)
    if rule is None or "转岗" not in facts.evidence:
        return Outcome(ELIGIBLE, "")
    if facts.current_post_start is None:
        # The form records the change (执业变更情况, 转岗情况) but not when it was: neither a work row nor the
        # registration says since when the candidate is in the current post.
        # The shipped note says its years (满2年); one imported without them has them said.
        asked = rule.note if f"{rule.min_years}年" in rule.note else f"{rule.note}（{rule.min_years}年）"
        return Outcome(CHECK, f"{asked}，表中没有转岗时间，请人工核实转岗时间")
    months = months_between(facts.current_post_start, facts.cutoff)
    text = f"{rule.note}，现岗位 {month_text(facts.current_post_start)} 起已满{years_months(months)}"
    if months >= rule.min_years * 12:
        return Outcome(ELIGIBLE, text)
    short = rule.min_years * 12 - months
    year = _earliest(facts, rule.min_years * 12, _since(facts.current_post_start), short)
    return Outcome(NOT_ELIGIBLE, f"{text} → 不符合（最早可报考{year}年度）")


# --- From the database ---------------------------------------------------------------------------

# 其他 rows and 执业变更 that bring a condition of the rules, by a word of the dictionary's name (_evidence_of):
# the 考区 words its entries its own way (新冠肺炎疫情防控一线人员证明).
EVIDENCE = {"社区": "基层", "基层": "基层", "一线": "一线", "转岗": "转岗"}
POST_CHANGES = {"执业范围变更", "执业类别变更"}
# The level of an education row that records there is none (学位 无, the form's own entry): no 参评学历, so it is
# left out rather than named as a level the rules do not know.
NO_EDUCATION = {table.kind: table.level_of_none for table in ROW_TABLES
                if table.model is EducationRow and table.level_of_none}


def rules_for(exam_year) -> list[Rule]:
    return [Rule(**rule.as_row()) for rule in EligibilityRule.objects.filter(exam_year=exam_year)]


# What the rules read of each row table, as values (bench key eligibility_recompute_s: building
# model instances was half of a recompute's time).
ROW_COLUMNS = {
    EducationRow: ("kind", "level", "obtained", "study_form", "major"),
    AppointmentRow: ("qualification", "post", "start", "end"),
    WorkRow: ("start", "end"),
    TrainingRow: ("kind", "start", "issued"),
    OtherRow: ("kind",),
}
APPLICATION_COLUMNS = ("pk", "qualification__name", "category__name", "specialty__name", "scope__name",
                       "current_qualification", "current_qualification_date", "practice_registered", "practice_change")


def rows_of(first_id: int, last_id: int) -> dict:
    """Each row table's rows of the applications whose id lies in [first_id, last_id]:
    {model: {application id: [values]}}, a query a table."""
    grouped = {}
    for model, columns in ROW_COLUMNS.items():
        grouped[model] = {}
        rows = model.objects.filter(application_id__gte=first_id, application_id__lte=last_id)
        for values in rows.order_by("order", "pk").values("application_id", *columns):
            grouped[model].setdefault(values["application_id"], []).append(values)
    return grouped


def values_of(application) -> dict:
    """An application's APPLICATION_COLUMNS from the object at hand (as recompute reads them)."""
    def read(column):
        name, _, attribute = column.partition("__")
        value = getattr(application, name)
        return getattr(value, attribute, "") if attribute else value  # an entry by its name, "" for none

    return {column: read(column) for column in APPLICATION_COLUMNS}


def facts_from(values: dict, rows: dict, exam_year) -> Facts:
    """What the form says that the rules turn on: its columns (values_of) and rows (rows_of)."""
    def of(model):
        return rows[model].get(values["pk"], [])

    facts = Facts(exam_year=exam_year.year, cutoff=exam_year.cutoff_date,
                  qualification=values["qualification__name"] or "", category=values["category__name"] or "",
                  specialty=values["specialty__name"] or "", title=values["current_qualification"],
                  title_date=values["current_qualification_date"], registered=values["practice_registered"])
    # The first row of each kind is the 参评 one, a 学位 无 too (it says there is no 参评学位; it is left out).
    kinds = [row["kind"] for row in of(EducationRow)]
    educations = sorted(((row, kinds.index(row["kind"]) == index) for index, row in enumerate(of(EducationRow))
                         if NO_EDUCATION.get(row["kind"]) != row["level"]),
                        key=lambda pair: pair[0]["kind"] != EducationRow.Kind.EDUCATION)
    facts.educations = [Education(row["level"], row["obtained"], is_full_time(row["study_form"]), row.get("major") or "",
                                  assessed, row["study_form"] or "") for row, assessed in educations]
    degrees = [row for row in of(EducationRow) if row["kind"] == EducationRow.Kind.DEGREE]
    facts.degrees = tuple(row["level"] for row in degrees if not (row["obtained"] and row["obtained"] > facts.cutoff))
    facts.late_degrees = tuple(row["level"] for row in degrees if row["obtained"] and row["obtained"] > facts.cutoff)
    facts.appointments = [(_appointed_title(row["qualification"]) or _appointed_title(row["post"])
                           or row["qualification"] or row["post"], row["start"], row["end"])
                          for row in of(AppointmentRow)]
    facts.work = [(row["start"], row["end"]) for row in of(WorkRow)]
    facts.training = [(row["start"], row["issued"]) for row in of(TrainingRow)
                      if row["kind"] == TrainingRow.Kind.RESIDENCY]
    facts.gp_training = [(row["start"], row["issued"]) for row in of(TrainingRow)
                         if row["kind"] == TrainingRow.Kind.GENERAL_PRACTICE]
    for row in of(OtherRow):
        for need, doubt in _evidence_of(row["kind"]).items():
            facts.evidence.add(need)
            if doubt and need not in facts.evidence_doubts:
                facts.evidence_doubts[need] = doubt
        if row["kind"].startswith("转业证"):
            facts.special.append(MILITARY)
    if values["practice_change"] in POST_CHANGES:
        facts.evidence.add("转岗")
    if "专长" in f"{facts.category}{values['scope__name'] or ''}":
        facts.special.append(TCM_EXPERTISE)
    return facts


def _evidence_of(kind: str) -> dict[str, str]:
    """The conditions an 其他 row brings (EVIDENCE), each with the words of its doubt ("" for none). The 基层 advance
    is for those working in a 社区卫生服务机构 (Regime A; 乡镇卫生院 too from 2023年度, rules file §3.2): the seed's
    one row 社区工作证明/基层工作20年证明 may hold either document, and a 基层工作20年证明 (or any 基层 proof not
    naming the 社区) has no national rule behind it (§3.2 unconfirmed), so an advance resting on it is to be checked
    (_years adds where the advance applied is for: ADVANCE_UNITS). A proof that names only the 社区 is taken as it is."""
    brought = {need: "" for word, need in EVIDENCE.items() if word in kind}
    if "基层" in brought and ("20年" in kind or "社区" not in kind):
        brought["基层"] = f"所附“{kind}”可能是基层工作证明（如基层工作20年证明，无全国性规定，规则未经确认）"
    return brought


def _appointed_title(text: str) -> str:
    """The title an appointment row names, as the rules name it (护理(师), 护理师 → 护师); "" when it names none
    (初级(师): a level without a series)."""
    text = _name(text)
    if any(text in titles for titles in LADDERS.values()):
        return text
    prefix, rank = (text[:-3], text[-2]) if text.endswith(("(士)", "(师)")) else (text[:-1], text[-1:])
    series = APPOINTMENT_SERIES.get(prefix)
    title = f"{series}{rank}" if series and rank in ("士", "师") else ""
    return title if any(title in titles for titles in LADDERS.values()) else ""


def facts_of(application) -> Facts:
    return facts_from(values_of(application), rows_of(application.pk, application.pk), application.exam_year)


def verdict_of(application, rules=None) -> Verdict:
    return assess(facts_of(application), rules if rules is not None else rules_for(application.exam_year_id))


def refresh(application, rules=None) -> Verdict:
    """Compute the verdict again and keep it on the row (lists, exports and statistics read it)."""
    verdict = verdict_of(application, rules)
    if (application.verdict, application.verdict_text) != (verdict.result, verdict.text):
        application.verdict, application.verdict_text = verdict.result, verdict.text
        Application.objects.filter(pk=application.pk).update(verdict=verdict.result, verdict_text=verdict.text)
    return verdict


def recompute(exam_year, rules, applications, batch: int = 2000) -> int:
    """Verdicts of a year's `applications` (a queryset) under `rules`, kept where they changed
    (bench key eligibility_recompute_s): read in batches of consecutive ids with their row tables
    (six queries a batch), and only the changed verdicts written back.

    Each batch is read and written in one transaction holding its rows' locks, so a candidate's
    section save (which refreshes the verdict on the locked row) is never overwritten by a verdict
    computed from the values it replaced, and an application decided meanwhile keeps its verdict."""
    changed = 0
    ids = list(applications.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        first_id, last_id = ids[start], ids[min(start + batch, len(ids)) - 1]
        with transaction.atomic():
            chunk = list(applications.filter(pk__range=(first_id, last_id)).order_by("pk").select_for_update(of=("self",))
                         .values(*APPLICATION_COLUMNS, "verdict", "verdict_text"))
            rows = rows_of(first_id, last_id)
            updates = []
            for values in chunk:
                verdict = assess(facts_from(values, rows, exam_year), rules)
                if (values["verdict"], values["verdict_text"]) != (verdict.result, verdict.text):
                    updates.append((verdict.result, verdict.text, values["pk"]))
            _write(updates)
        changed += len(updates)
    return changed


def _write(updates) -> None:
    """The changed verdicts [(verdict, text, pk)], one parameterised UPDATE run for the batch (bench key
    eligibility_recompute_s: bulk_update's CASE WHEN built 2,000 expressions a batch, 60 % of a recompute's
    time; 100,000 applications would have taken ~170 s against the goal of 60)."""
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET verdict = %s, verdict_text = %s WHERE id = %s",  # noqa: S608
                           updates)
