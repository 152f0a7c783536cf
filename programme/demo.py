"""The programme part of `load_demo`: every fact of the decision report's programme record,
each with the paragraph it comes from. Idempotent: rows are looked up by their natural key
and never changed once there, so a second run adds no rows and no history."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from .models import (
    AlternativeOption,
    Benefit,
    Consultation,
    Decision,
    GlossaryTerm,
    KeyConsideration,
    KeyDecisionReason,
    Objective,
    Programme,
    Recommendation,
    ReportReview,
)
from .report_source import FRAGMENT_SEPARATOR, paragraph_text

DEMO_SLUG = "digital-customer-services-transformation"
DECISION_DATE = date(2022, 7, 19)


DEMO_NOTICE = (
    "Demo data: facts cited to the decision report quote it; progress, ratings, owners, due "
    "dates and targets are illustrative, invented to show the tracker working."
)


def is_demo(programme) -> bool:
    """Whether `programme` (or its slug) is the demo's: pages, exports and reports say so."""
    return getattr(programme, "slug", programme) == DEMO_SLUG


DECISION_MAKER = "Cabinet member finance, corporate services and planning"

PROGRAMME = {
    "name": "Digital and customer services transformation",
    "report_title": "Transformation Programme",
    "council": "Herefordshire Council",
    "purpose": (
        "To gain authorisation to draw up to £490,000 from the council's corporate "
        "reserves in the 2022/23 financial year to enable the commissioning and award, "
        "following a compliant tendering process of a contract to support the "
        "development and delivery of a digital and customer services strategy to "
        "accelerate the council's digital transformation journey."
    ),
    "decision_maker": DECISION_MAKER,
    "decision_date": DECISION_DATE,
    "report_author": "Head of chief executive's office",
    "classification": Programme.Classification.OPEN,
    "is_key_decision": True,
    "key_decision_threshold": Decimal("500000.00"),
    "spending_ceiling": Decimal("490000.00"),
    "notice_served": (
        "Notice has been served in accordance with Part 3, Section 9 (Publicity in Connection "
        "with Key Decisions) of the Local Authorities (Executive Arrangements) (Meetings and "
        "Access to Information) (England) Regulations 2012."
    ),
    "wards_affected": "(All Wards)",
    "status": Programme.Status.IN_DELIVERY,
    "source_reference": "Purpose",
    "source_quote": "To gain authorisation to draw up to £490,000 from the council's corporate "
    "reserves in the 2022/23 financial year",
    "appendices": "None",
    "background_papers": "None Identified",
}

KEY_REASONS = [
    (
        KeyDecisionReason.Test.EXPENDITURE,
        "This is a key decision because it is likely to result in the council incurring "
        "expenditure which is, or the making of savings which are, significant having regard "
        "to the council's budget for the service or function concerned. A threshold of "
        "£500,000 is regarded as significant.",
        "Decision type, first reason",
    ),
    (
        KeyDecisionReason.Test.COMMUNITY,
        "This is a key decision because it is likely to be significant having regard to: the "
        "strategic nature of the decision; and / or whether the outcome will have an impact, "
        "for better or worse, on the amenity of the community or quality of service provided "
        "by the authority to a significant number of people living or working in the locality "
        "(two or more wards) affected.",
        "Decision type, second reason",
    ),
]

RECOMMENDATIONS = [
    (
        "a",
        "The Cabinet member for finance, corporate services and planning approves the agreed "
        "approach to digital and customer services transformation which is outlined in the "
        "report;",
    ),
    (
        "b",
        "The Cabinet member for finance, corporate services and planning approves expenditure "
        "up to the value of £490,000 from the council's corporate revenue reserves to fund all "
        "necessary steps of the digital and customer services transformation approach;",
    ),
    (
        "c",
        "The Cabinet member for finance, corporate services and planning authorises the "
        "Director for Resources and Assurance to take all steps necessary, including entering "
        "into necessary agreements and procuring and awarding any relevant contracts up to the "
        "value of £490,000, to deliver the approach to digital transformation as outlined in "
        "the report.",
    ),
]
# The key decision in the report's words: recommendations b) and c), not a paraphrase.
KEY_DECISION_SUMMARY = (
    "Approves “the agreed approach to digital and customer services transformation” "
    "(recommendation a), “expenditure up to the value of £490,000 from the council's corporate "
    "revenue reserves” (b), and authorises “the Director for Resources and Assurance to take "
    "all steps necessary … up to the value of £490,000” (c)."
)
KEY_DECISION_QUOTE = FRAGMENT_SEPARATOR.join(
    [
        "the agreed approach to digital and customer services transformation",
        "expenditure up to the value of £490,000 from the council's corporate revenue reserves",
        "the Director for Resources and Assurance to take all steps necessary",
        "up to the value of £490,000",
    ]
)
# The report records no outcome. The programme is in delivery under a £490,000 ceiling, so
# the demo takes the recommendations as approved on the decision date, and says so.
RECOMMENDATION_NOTE = (
    "Demo: the report records no outcome; taken as approved on the decision date, as the "
    "programme is in delivery."
)

OPTIONS = [
    (
        1,
        "Do nothing",
        "This is not recommended because the customer journey in engaging with the council is "
        "currently fragmented and delivered in a variety of ways across all teams in the "
        "council. The digital infrastructure for both customers and staff is outdated and many "
        "systems are not currently integrated which does not allow for a smooth and "
        "streamlined process when contacting the council or sourcing information. There are a "
        "number of different touch points across the council which do not allow for easily "
        "obtainable performance data during the customer journey and information sharing.",
    )
]

OBJECTIVES = [
    (
        10,
        "The council needs capacity and expertise to agree and implement our customer and "
        "digital strategies that will drive a consistent standard and approach for our "
        "residents, with clarity on the supporting technologies and capabilities required to "
        "do that.",
    ),
    (
        11,
        "The council need to upgrade its technology and digital capabilities to improve the "
        "experience for residents and the staff who deliver council services.",
    ),
    (
        12,
        "The council needs to deliver efficient and smart services and experience for our "
        "customers that is reflected in our back office processes and supports staff to "
        "operate effectively.",
    ),
    (
        13,
        "The council is committed to creating a more consistent, corporate organisation that "
        "has a truly one council approach, with the right technologies and capabilities to "
        "support this.",
    ),
]

S = KeyConsideration.Section
CONSIDERATIONS = [
    (
        S.DRIVER,
        2,
        "",
        "The council's ambitious plans for digital transformation as outlined in the County "
        "Plan have a critical part to play in achieving the future vision of the council that "
        "encourages inclusion, independence and enablement of all its residents and "
        "communities.",
        "para 2",
    ),
    (
        S.DRIVER,
        3,
        "",
        "As described in the council's County Plan the way in which the council interacts with "
        "residents needs to change, delivering quicker and better outcomes, helping the "
        "council to be more efficient whilst improving the experience of residents.",
        "para 3",
    ),
    (
        S.DRIVER,
        4,
        "",
        "The council recognises that it needs to significantly improve the foundations of its "
        "digital platforms and presence to enable the council to work smarter and to improve "
        "our ability to meet the needs of residents in all service delivery.",
        "para 4",
    ),
    (
        S.DRIVER,
        5,
        "",
        "The council needs to embark on a digital and customer transformation journey that "
        "will make sure the council has the right digital infrastructure, systems, and digital "
        "access channels and equip the council with the right tools and technology to meet the "
        "needs of all residents and work smartly. There needs to be a strong focus on "
        "customer-led transformation to enable an ambitious new model for contact with the "
        "council which improves the customer experience. There will be a substantial focus on "
        "understanding our current technological landscape, its capability and future to "
        "support robust investment decisions that will put the council in a strong position "
        "to deliver the digital strategy once developed, agreed and approved by leaders and "
        "key stakeholders.",
        "para 5",
    ),
    (
        S.DRIVER,
        6,
        "",
        "For many people accessing services online, outside of office hours is often the only "
        "way to get things done in today's modern world. The council needs expert help and "
        "advice and extra capacity to understand its ambitions around becoming a Smart County, "
        "helping us to achieve a digital experience for our residents that is comparable to "
        "other areas of their lives. The council also appreciates that there are residents who "
        "want to access our services in a different way as they cannot or do not want to "
        "access services online. The council is in full support of excellence in digital "
        "service delivery which will also allow staff to have more time to support people who "
        "require face to face interaction or other methods of access to council services.",
        "para 6",
    ),
    (
        S.DRIVER,
        7,
        "",
        "The most recent customer services strategy is 2005-2008 with anecdotal information "
        "indicating that there is a high level of poor customer experience when engaging with "
        "the Council and that customer services is delivered in a variety of ways which is "
        "often fragmented. With the fragmented approach it is also difficult to source "
        "performance data across the journey therefore limiting the opportunities to identify "
        "improvements, gaps and trends.",
        "para 7",
    ),
    (
        S.DRIVER,
        8,
        "",
        "Across the council there are nine call centres with Blueschool House being the main "
        "customer services access point however they only receive on average 16% of the calls "
        "into the council. There are also over 700 telephone number for the council on the "
        "council's website.",
        "para 8",
    ),
    (
        S.DRIVER,
        9,
        "",
        "The council needs to move to a sustainable digital and customer services offer that "
        "allows for information to be provided at the right times and signposting people to "
        "information, advice and services allowing for budgets to be targeted for the most "
        "vulnerable individuals in the county.",
        "para 9",
    ),
    (
        S.CURRENT_POSITION,
        14,
        "",
        "The council is behind on its investment in technology and fully utilising technology "
        "to drive better user experience and efficiencies.",
        "para 14",
    ),
    (
        S.CURRENT_POSITION,
        15,
        "",
        "Our customer services offer is fragmented and standards are inconsistent across the "
        "County.",
        "para 15",
    ),
    (
        S.CURRENT_POSITION,
        16,
        "",
        "The council is committed to digitally transforming the council at pace and requires "
        "skills, expertise and capacity to speed this journey up.",
        "para 16",
    ),
    (
        S.CURRENT_POSITION,
        17,
        "",
        "There is a commitment to invest for the future and improve efficiencies and user "
        "experience.",
        "para 17",
    ),
    (
        S.CURRENT_POSITION,
        18,
        "",
        "There is a strong commitment for this change both politically and from the council "
        "senior leadership team.",
        "para 18",
    ),
    (
        S.COUNTY_PLAN,
        1,
        "Vision",
        "Respecting our past, shaping our future – we will improve the sustainability, "
        "connectivity and wellbeing of our county by strengthening our communities, creating a "
        "thriving local economy and protecting and enhancing our environment",
        "para 35",
    ),
    (
        S.COUNTY_PLAN,
        2,
        "Connectivity",
        "Connecting people digitally and physically across communities, in local "
        "neighbourhoods and to the wider world",
        "para 36(a)",
    ),
    (
        S.COUNTY_PLAN,
        3,
        "Wellbeing",
        "Help people feel safe, supported and to value Herefordshire and their community",
        "para 36(b)",
    ),
    (
        S.COUNTY_PLAN,
        4,
        "Sustainability",
        "Pride in Hereford's unique and beautiful environment and rural heritage and tackling "
        "the climate challenge through new approaches to sustainability",
        "para 36(c)",
    ),
    (
        S.VALUE,
        1,
        "People",
        "Treating people fairly, with compassion, respect and dignity",
        "para 38(I)",
    ),
    (
        S.VALUE,
        2,
        "Excellence",
        "Striving for excellent services, care and quality of life in Herefordshire",
        "para 38(II)",
    ),
    (S.VALUE, 3, "Openness", "Being open, transparent and accountable", "para 38(III)"),
    (
        S.VALUE,
        4,
        "Partnership",
        "Working in partnership and with all our diverse communities",
        "para 38(IV)",
    ),
    (
        S.VALUE,
        5,
        "Listening",
        "Actively listening to, understanding and taking into account people's views and needs",
        "para 38(V)",
    ),
    (
        S.VALUE,
        6,
        "Environment",
        "Protecting and promoting our outstanding natural environment and heritage for the "
        "benefit of all.",
        "para 38(VI)",
    ),
    (
        S.LEGAL,
        49,
        "",
        "The council's financial Procedure Rules state that all drawdowns from reserves can be "
        "approved by the Director of Assurance and Resources and reported to Cabinet.",
        "para 49",
    ),
    (
        S.LEGAL,
        50,
        "",
        "It is clear that the key partner will be procured in accordance with both the "
        "council's contract procedure rules and the Public Contract Regulations 2015 and it is "
        "anticipated that this will be supported by the council's commercial services and "
        "legal services team.",
        "para 50",
    ),
    (
        S.LEGAL,
        51,
        "",
        "Legal services will also advise on the contractual terms to be use with the "
        "identified partner.",
        "para 51",
    ),
    (
        S.LEGAL,
        52,
        "",
        "There are no other legal implication arising from this decision for stages 1 and 2 of "
        "the digital transformation strategy.",
        "para 52",
    ),
]

CONSULTATIONS = [
    (
        "Council Leadership Team (CLT)",
        date(2022, 6, 21),
        "Agreed to make some changes and sign off by proxy",
        Consultation.Stance.SUPPORTIVE,
    ),
    (
        "Cabinet member finance, corporate services and planning",
        date(2022, 6, 28),
        "supportive of the proposal",
        Consultation.Stance.SUPPORTIVE,
    ),
    (
        "Political Groups Consultation",
        date(2022, 7, 6),
        "Mixed views were received but in general supportive of the proposal",
        Consultation.Stance.MIXED,
    ),
]

A = ReportReview.Area
REVIEWS = [
    (A.GOVERNANCE, "John Coleman", "", date(2022, 7, 7)),
    (A.FINANCE, "Jo Moore", "", date(2022, 7, 8)),
    (A.LEGAL, "Alice McAlpine", "", date(2022, 7, 6)),
    (A.COMMUNICATIONS, "Luenne Featherstone", "", date(2022, 6, 28)),
    (A.EQUALITY_DUTY, "Carol Trachonitis", "", date(2022, 6, 28)),
    (A.PROCUREMENT, "Lee Robertson", "", date(2022, 6, 28)),
    (A.RISK, "Kevin Lloyd", "", date(2022, 7, 5)),
    (
        A.FINAL_APPROVAL,
        "Joanne Moore",
        "Interim Head of Strategic Finance (Deputy S151 Officer)",
        date(2022, 7, 11),
    ),
]

# The report states these three numbers as the problem (paragraph 8), not as benefit measures,
# and sets no targets: the measures are the demo's reading of paragraph 8 and every target is
# illustrative. The benefits narrative itself (paragraphs 29-34) is on the record, verbatim.
ILLUSTRATIVE_MEASURE = (
    "Illustrative (demo): the report gives this number as the position today (paragraph 8); "
    "it does not set it as a benefit measure or give a target."
)
BENEFITS = [
    {
        "title": "Number of call centres",
        "description": ILLUSTRATIVE_MEASURE,
        "measure": "Number of council call centres",
        "unit": "call centres",
        "direction": Benefit.Direction.DECREASE,
        "baseline_value": Decimal("9"),
        "baseline_text": "nine call centres",
        "target_value": Decimal("1"),
        "source_reference": "para 8",
        "source_quote": "Across the council there are nine call centres",
    },
    {
        "title": "Share of calls received at the main customer services access point",
        "description": (
            f"{ILLUSTRATIVE_MEASURE} The report's sentence does not make clear whether "
            "“they” (who receive 16% of calls) means Blueschool House or all nine call "
            "centres."
        ),
        "measure": "Share of the council's calls received at the main customer services "
        "access point (Blueschool House)",
        "unit": "%",
        "direction": Benefit.Direction.INCREASE,
        "baseline_value": Decimal("16"),
        "baseline_text": "on average 16% of the calls into the council",
        "target_value": Decimal("80"),
        "source_reference": "para 8",
        "source_quote": "Blueschool House being the main customer services access point however "
        "they only receive on average 16% of the calls into the council",
    },
    {
        "title": "Telephone numbers on the council's website",
        "description": (
            f"{ILLUSTRATIVE_MEASURE} The report says “over 700”: 700 is the lower bound, "
            "not a count."
        ),
        "measure": "Telephone numbers for the council on the council's website (over 700)",
        "unit": "numbers",
        "direction": Benefit.Direction.DECREASE,
        "baseline_value": Decimal("700"),
        "baseline_text": "over 700 telephone number (sic)",
        "target_value": Decimal("50"),
        "source_reference": "para 8",
        "source_quote": "There are also over 700 telephone number for the council on the "
        "council's website.",
    },
]
# The report gives no baseline date or target date: the baseline is dated on the decision date
# (the report's own), the illustrative target date is set from the load date (demo_dates).
BENEFIT_BASELINE_DATE = DECISION_DATE

# (term, meaning, where the report has it, the report's words). Abbreviations the report
# never uses are said to be written out there, not "used".
GLOSSARY = [
    (
        "S151 officer",
        "The council's chief finance officer, responsible under section 151 of the Local "
        "Government Act 1972 for the proper administration of its financial affairs. The "
        "Deputy S151 Officer acts for them.",
        "para 54; Approved by",
        "section 151 officer … Deputy S151 Officer",
    ),
    (
        "CLT",
        "Council Leadership Team: the council's senior officers.",
        "Consultees table",
        "Council Leadership Team (CLT)",
    ),
    (
        "MTFS",
        "Medium Term Financial Strategy: the council's financial plan for the next few years; "
        "reserves are judged over its period. The report writes it out; it never abbreviates "
        "it.",
        "Resource implications, below the tables (written out)",
        "Medium Term Financial Strategy period",
    ),
    (
        "PROM",
        "Performance, Risk and Opportunity Management Framework: how the council manages "
        "performance, risks and opportunities, including the categories of risk.",
        "para 53",
        "Performance, Risk and Opportunity Management Framework (PROM)",
    ),
    (
        "BAU",
        "Business as usual: the normal running of services once a change is handed over "
        "(stage 3 of this programme). The report writes it out; it never abbreviates it.",
        "para 25 (written out)",
        "stage 3 will be the handover to business as usual",
    ),
    (
        "EIA",
        "Equality Impact Assessment: an assessment of how a change affects people who share a "
        "protected characteristic. The report writes it out; it never abbreviates it.",
        "para 46 (written out)",
        "Equality Impact Assessments will be included",
    ),
    (
        "RAG",
        "Red, amber, green: a rating of delivery confidence. Not used in the report; used by "
        "this tracker for stages, always with its words.",
        "Not in the report",
        "",
    ),
    (
        "County Plan",
        "The council's plan for the county, adopted in February 2020, with its vision and "
        "three themes: connectivity, wellbeing and sustainability.",
        "paras 2, 35 and 36",
        "The council's County Plan, adopted by the council in February 2020 … There are three "
        "key themes to the County Plan",
    ),
    (
        "Key decision",
        "An executive decision likely to incur spending or savings significant for the "
        "service's budget (£500,000 or more) or to affect communities in two or more wards; "
        "it must be published in advance.",
        "Decision type",
        "A threshold of £500,000 is regarded as significant. … (two or more wards) affected",
    ),
    (
        "Earmarked reserve",
        "Money the council has set aside for a particular purpose; this programme draws on "
        "the Financial Resilience earmarked reserve.",
        "Resource implications",
        "This decision requests the use of £490k from the Financial Resilience earmarked reserve.",
    ),
    (
        "PCR 2015",
        "The Public Contract Regulations 2015: the law on how public bodies buy goods and "
        "services, including the tender process. The report writes it out; it never "
        "abbreviates it.",
        "para 50 (written out)",
        "the Public Contract Regulations 2015",
    ),
    (
        "Public sector equality duty",
        "The duty under section 149 of the Equality Act 2010 to have due regard to eliminating "
        "discrimination, advancing equality of opportunity and fostering good relations.",
        "paras 41 to 46",
        "Under section 149 of the Equality Act 2010 … The public sector equality duty",
    ),
    (
        "Protected characteristics",
        "The nine characteristics of the Equality Act 2010: age; disability; gender "
        "reassignment; pregnancy and maternity; marriage and civil partnership; race; religion "
        "or belief; sex; and sexual orientation.",
        "para 46",
        "nine 'protected characteristics' (age; disability; gender reassignment; pregnancy and "
        "maternity; marriage and civil partnership; race; religion or belief; sex; and sexual "
        "orientation)",
    ),
    (
        "Channel shift",
        "Moving residents' contact with the council to online and self-service channels, "
        "while keeping other ways in for those who need them.",
        "para 32",
        "confidently channel shift to a successful online offer",
    ),
    (
        "Smart County",
        "The council's ambition to use digital technology to improve services and life across "
        "the county.",
        "para 6",
        "its ambitions around becoming a Smart County",
    ),
]

# The report's sections that are context, each paragraph whole, in the report's words (read
# from the project's copy of the report, so they cannot drift from it).
NARRATIVE_SECTIONS = [
    (KeyConsideration.Section.APPROACH, (19, 20, 21, 22, 23, 24, 25, 26, 27, 28)),
    (KeyConsideration.Section.BENEFITS, (29, 30, 31, 32, 33, 34)),
    (KeyConsideration.Section.COMMUNITY, (35, 36, 37)),
    (KeyConsideration.Section.ENVIRONMENT, (39, 40)),
    (KeyConsideration.Section.EQUALITY, (41, 42, 43, 44, 45, 46)),
]

# The demo's illustrative progress (stage dates, output due dates, updates, benefit targets)
# was written as at this day; on loading, it moves by (load date - this day), so the programme
# is in flight on the day it is loaded. The report's own dates never move. Decision 0130.
ILLUSTRATIVE_AS_AT = date(2023, 1, 20)


def illustrative_day(day: date, *, today: date) -> date:
    """An illustrative demo date moved so that ILLUSTRATIVE_AS_AT falls on `today`."""
    return day + (today - ILLUSTRATIVE_AS_AT)


def _ensure(model, *, defaults: dict, **lookup):
    """The row matching `lookup`, created with `defaults` if missing; never changed after."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **defaults)
        row.full_clean()
        row.save()
    return row


def _programme() -> Programme:
    programme = Programme.objects.filter(slug=DEMO_SLUG).first()
    if programme is None:
        programme = Programme(slug=DEMO_SLUG, **PROGRAMME)
        programme.full_clean(exclude=["funding_reserve"])
        programme.save()
        return programme
    # A programme loaded by an earlier version of this loader: fill what it lacks, once.
    missing = [
        name
        for name, value in PROGRAMME.items()
        if name not in ("spending_ceiling", "status") and getattr(programme, name) in ("", None)
    ]
    if missing:
        for name in missing:
            setattr(programme, name, PROGRAMME[name])
        programme.save(update_fields=missing)
    return programme


# Titles an earlier version of this loader gave the benefits, and the fields it got wrong
# (issue 13): on the first run after the upgrade the row is corrected once, with a history
# row; after that nothing matches and nothing is written.
EARLIER_BENEFIT_TITLES = {
    "One front door instead of nine call centres": "Number of call centres",
    "More calls reach the main customer services access point": (
        "Share of calls received at the main customer services access point"
    ),
    "Fewer telephone numbers for residents to find": "Telephone numbers on the council's website",
}
CORRECTED_BENEFIT_FIELDS = (
    "title",
    "description",
    "measure",
    "baseline_text",
    "source_reference",
    "source_quote",
)


def _correct_earlier_benefit(programme: Programme, benefit: dict) -> None:
    earlier = [old for old, new in EARLIER_BENEFIT_TITLES.items() if new == benefit["title"]]
    row = Benefit.objects.filter(programme=programme, title__in=earlier).first()
    if row is None or Benefit.objects.filter(programme=programme, title=benefit["title"]).exists():
        return
    for name in CORRECTED_BENEFIT_FIELDS:
        setattr(row, name, benefit[name])
    row.full_clean()
    row.save(update_fields=list(CORRECTED_BENEFIT_FIELDS))


def _review_quote(area, reviewer: str, role: str, day: date) -> str:
    if area == A.FINAL_APPROVAL:
        return FRAGMENT_SEPARATOR.join(
            ["Approved by " + reviewer, role.split(" (")[0], f"Date {day:%d/%m/%Y}"]
        )
    return f"{reviewer} Date {day:%d/%m/%Y}"


def load(*, users, today: date | None = None) -> Programme:
    today = today or timezone.localdate()
    programme = _programme()
    _ensure(
        Decision,
        programme=programme,
        kind=Decision.Kind.KEY_DECISION,
        decided_on=DECISION_DATE,
        defaults={
            "title": "Transformation Programme: digital and customer services transformation",
            "summary": KEY_DECISION_SUMMARY,
            "decision_maker": DECISION_MAKER,
            "is_key_decision": True,
            "new_spending_ceiling": PROGRAMME["spending_ceiling"],
            "source_reference": "Recommendation(s) a) to c)",
            "source_quote": KEY_DECISION_QUOTE,
        },
    )
    for position, (test, text, ref) in enumerate(KEY_REASONS, start=1):
        _ensure(
            KeyDecisionReason,
            programme=programme,
            test=test,
            defaults={
                "text": text,
                "position": position,
                "source_reference": ref,
                "source_quote": text,
            },
        )
    for label, text in RECOMMENDATIONS:
        _ensure(
            Recommendation,
            programme=programme,
            label=label,
            defaults={
                "text": text,
                "outcome": Recommendation.Outcome.APPROVED,
                "decided_on": DECISION_DATE,
                "decided_by_name": DECISION_MAKER,
                "outcome_notes": RECOMMENDATION_NOTE,
                "source_reference": f"Recommendation(s) {label})",
                "source_quote": text,
            },
        )
    for number, title, reason in OPTIONS:
        _ensure(
            AlternativeOption,
            programme=programme,
            number=number,
            defaults={
                "title": title,
                "reason": reason,
                "is_recommended": False,
                "source_reference": f"Alternative options, para {number}",
                "source_quote": reason,
            },
        )
    for para, text in OBJECTIVES:
        _ensure(
            Objective,
            programme=programme,
            source_reference=f"para {para}",
            defaults={"position": para, "text": text, "source_quote": text},
        )
    for section, position, heading, text, ref in CONSIDERATIONS:
        _ensure(
            KeyConsideration,
            programme=programme,
            section=section,
            source_reference=ref,
            defaults={
                "position": position,
                "heading": heading,
                "text": text,
                "source_quote": text,
            },
        )
    for section, numbers in NARRATIVE_SECTIONS:
        for number in numbers:
            text = paragraph_text(number)
            _ensure(
                KeyConsideration,
                programme=programme,
                section=section,
                source_reference=f"para {number}",
                defaults={"position": number, "heading": "", "text": text, "source_quote": text},
            )
    for body, day, outcome, stance in CONSULTATIONS:
        _ensure(
            Consultation,
            programme=programme,
            body=body,
            defaults={
                "consulted_on": day,
                "outcome": outcome,
                "stance": stance,
                "source_reference": "Consultees table",
                "source_quote": f"{body}{FRAGMENT_SEPARATOR}{outcome}",
            },
        )
    for area, reviewer, role, day in REVIEWS:
        _ensure(
            ReportReview,
            programme=programme,
            area=area,
            defaults={
                "reviewer": reviewer,
                "reviewer_role": role,
                "reviewed_on": day,
                "source_reference": "Approved by"
                if area == A.FINAL_APPROVAL
                else "Report Reviewers table",
                "source_quote": _review_quote(area, reviewer, role, day),
            },
        )
    for position, benefit in enumerate(BENEFITS, start=1):
        _correct_earlier_benefit(programme, benefit)
        _ensure(
            Benefit,
            programme=programme,
            title=benefit["title"],
            defaults={
                **{k: v for k, v in benefit.items() if k != "title"},
                "position": position,
                "kind": Benefit.Kind.NON_FINANCIAL,
                "baseline_date": BENEFIT_BASELINE_DATE,
                "baseline_source": "para 8",
                "target_date": illustrative_day(date(2025, 3, 31), today=today),
                "target_is_demo": True,
            },
        )
    for term, meaning, ref, quote in GLOSSARY:
        _ensure(
            GlossaryTerm,
            programme=programme,
            term=term,
            defaults={"meaning": meaning, "source_reference": ref, "source_quote": quote},
        )
    return programme
