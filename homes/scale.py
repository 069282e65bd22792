"""Scale data: the demo plus N units' worth of rows, for `manage.py seed_scale` and `make bench`.

Deterministic (one seeded random.Random and a fixed "today"), written with bulk inserts, so
factor 100 (about 5,000 advisors, 200,000 claims) takes minutes, not hours. Bulk inserts skip
save(), signals and history: every value the app derives on save (budgets, batch totals,
paid dates, names as credited) is set here, and the historic dates are kept as generated.
"""

import bisect
import contextlib
import datetime
import hashlib
import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models
from django.utils import timezone

from advisors.models import (
    Advisor,
    Consent,
    ContactFormat,
    ContactMethod,
    EqualityMonitoring,
    LivedExperience,
    PaymentPreference,
    Topic,
)
from ascru_pie.demo import DEMO_PASSWORD
from ascru_pie.lib.crypto import encrypt
from ascru_pie.lib.money import ZERO, to_money
from ascru_pie.models import User
from ascru_pie.roles import Role
from impacts.demo import STAGE_FOR
from impacts.models import AdvisorReflection, ImpactRecord, ImpactStage, Standard
from meetings.models import Attendance, Invitation, Meeting
from payments.models import BankDetails, BatchCounter, Claim, ClaimEvent, PaymentBatch
from projects.budget import budget_snapshot, plan_budget
from projects.models import (
    ExpressionOfInterest,
    Opportunity,
    Output,
    OutputCredit,
    PIEPlan,
    PlannedActivity,
    Project,
    ProjectAdvisor,
    ProjectMembership,
    ReviewComment,
)
from rates.models import RateCard
from rates.pricing import RateBook, rate_snapshot
from reminders.models import Delivery

# Every scale advisor's email ends with this: how the command knows it has already run.
EMAIL_DOMAIN = "scale.example.org"
BATCH = 4000

# Rows per factor unit (factor 1 is about one policy research unit; 100 is the size).
SIZES = {
    "advisors": 50,
    "researchers": 0.5,  # extra researcher logins (at least 3), leading the projects
    "projects": 5,
    "meetings": 20,
    "invitations_per_meeting": 50,  # about 1,000 invitations a unit
    "claims": 2000,  # attendance (~440) + expenses + other time + the demo advisor's
    # At least 52 whatever the factor (about one payment run a month over the years, the
    # last one being paid), so batches grow with N and the big batch is the biggest.
    "batches": 0.52,
    "big_batch_claims": 44,
    "impacts": 200,
    "opportunities": 1,
    "outputs": 1,
}
YEARS = 5


def sizes(factor: int) -> dict[str, int]:
    """The row counts for `factor`, as whole numbers."""
    n = {key: round(per * factor) for key, per in SIZES.items()}
    n["invitations_per_meeting"] = SIZES["invitations_per_meeting"]
    n["researchers"] = max(3, n["researchers"])
    n["batches"] = max(52, n["batches"])
    n["opportunities"] = max(2, n["opportunities"])
    n["outputs"] = max(3, n["outputs"])
    n["big_meeting_invitations"] = 50 + (factor + 1) // 2  # the biggest at every factor
    n["demo_advisor_meetings"] = factor
    n["demo_advisor_upcoming"] = 3 + factor // 20
    n["demo_researcher_projects"] = max(1, factor // 10)
    return n


# --- words ------------------------------------------------------------------------------------

FIRST = (
    "Aisha Alan Alice Amir Ann Barbara Beatrice Brian Carol Catherine Chen Colin Daniel Deborah "
    "Dennis Eleanor Emeka Emily Fatima Fiona Frank Gareth Grace Gwen Hamza Harriet Helen Ian "
    "Imran Irene Jacqueline James Janet Jean Joan John Joseph Julie Kamala Karen Kevin Lakshmi "
    "Leon Linda Lucy Malcolm Margaret Mark Maureen Michael Nadia Neil Niamh Nicola Olu Pamela "
    "Patricia Paul Pauline Peter Rachel Raj Rhys Rita Robert Ruth Sandra Sarah Sean Shirley "
    "Simon Siobhan Stephen Susan Tanvir Teresa Thomas Tony Valerie Wendy William Yusuf Zainab"
).split()
LAST = (
    "Abbott Adams Ali Allen Anderson Atkinson Bailey Baker Barker Bell Bennett Bibi Booth Brown "
    "Butler Campbell Carter Chapman Chaudhry Clark Collins Cook Cooper Cox Davies Dixon Edwards "
    "Ellis Evans Fisher Fletcher Foster Francis Gill Graham Gray Green Griffiths Hall Harris "
    "Harrison Hill Holmes Howard Hughes Hunt Hussain Jackson James Jenkins Johnson Kaur Kelly "
    "Kennedy Khan King Knight Lee Lewis Lloyd Marshall Martin Mason Matthews Miller Mills "
    "Mitchell Moore Morris Murray Nelson Nwosu Obi Owen Palmer Parker Patel Pearson Phillips "
    "Powell Rees Richards Roberts Robinson Rogers Russell Saunders Scott Shah Simpson Singh "
    "Smith Stewart Stone Thomas Thompson Turner Walker Ward Watson White Williams Wilson Wood "
    "Wright Young"
).split()
TOWNS = "Canterbury Dover Margate Ashford Maidstone Folkestone Whitstable Deal Faversham Ramsgate"
TOWNS = TOWNS.split()

THEMES = [
    "Home care",
    "Unpaid carers",
    "Care homes",
    "Direct payments",
    "Loneliness in later life",
    "Dementia support",
    "Hospital discharge",
    "Personal assistants",
    "Social care workforce",
    "Housing with care",
    "Learning disability services",
    "Carers' assessments",
    "Digital care technology",
    "Paying for care",
    "Mental health and social care",
    "Day services",
]
ASPECTS = [
    "what people value",
    "a realist evaluation",
    "outcomes that matter",
    "access and inequalities",
    "a mixed-methods study",
    "costs and consequences",
    "lived experience and choice",
    "commissioning and quality",
    "a national survey",
    "a qualitative study",
]

# Impact text: "[what] [how] [why]"; the "who" is rarely about carers, so a search for
# `carers` finds a few per cent of records (as in a real unit), not half of them.
WHAT = [
    "The interview topic guide",
    "The participant information sheet",
    "The survey questionnaire",
    "The recruitment plan",
    "The analysis framework",
    "The summary for the public",
    "The policy briefing",
    "The consent form",
    "The choice of outcome measures",
    "The sampling strategy",
    "The easy-read findings",
    "The conference poster",
    "The research question",
]
HOW = [
    "was rewritten in plain English",
    "was shortened and reordered",
    "now asks about {who}",
    "was tested with {who} before use",
    "was changed to include {who}",
    "was reworded so it does not assume people have family nearby",
    "gained a section on costs for {who}",
    "was translated and made available in large print",
]
WHO = [
    "people who use home care",
    "people living with dementia",
    "care home residents",
    "people who receive direct payments",
    "older people living alone",
    "disabled adults",
    "care workers",
    "people with learning disabilities",
    "people leaving hospital",
    "people who employ personal assistants",
    "people on low incomes",
    "people from minority ethnic communities",
    "people in rural areas",
    "people who fund their own care",
]
WHO_CARERS = ["unpaid carers", "carers of people with dementia", "young carers"]
WHY = [
    "after advisors said the first version felt intrusive.",
    "because advisors pointed out that loneliness was missing from the questions.",
    "after a workshop with the public advisory group.",
    "when advisors described the cost of care at home.",
    "because advisors said video calls exclude many people.",
    "after advisors shared their experience of hospital discharge.",
    "so that people who use care recognise their own lives in it.",
    "after advisors challenged an interpretation that did not match their experience.",
]
EVIDENCE = [
    "Minutes of the advisory group; the revised document.",
    "Email from the project lead confirming the change.",
    "Before and after versions of the document.",
    "",
    "",
]
NEEDS = [
    "",
    "",
    "",
    "Large-print papers posted a week ahead",
    "A taxi from home",
    "My carer comes with me",
]
EXPENSES = {
    Claim.ExpenseType.TRAVEL: ("Train fare", 3, 80),
    Claim.ExpenseType.CARER: ("Carer cover", 20, 120),
    Claim.ExpenseType.SUBSISTENCE: ("Lunch", 5, 15),
    Claim.ExpenseType.ONLINE: ("Broadband allowance", 5, 5),
    Claim.ExpenseType.OTHER: ("Printing and postage", 5, 60),
}


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Scale:
    """Everything one run shares: the factor, sizes, random source, dates and who is who."""

    factor: int
    today: datetime.date
    rng: object
    n: dict
    out: object
    users: dict = field(default_factory=dict)
    researchers: list = field(default_factory=list)
    advisors: list = field(default_factory=list)  # all advisors (demo + scale), by joined_on
    ada: Advisor | None = None
    projects: list = field(default_factory=list)
    researcher_projects: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    invitations: list = field(default_factory=list)
    attendances: list = field(default_factory=list)
    big_meeting: Meeting | None = None
    big_batch: PaymentBatch | None = None
    timings: list = field(default_factory=list)
    password: str = ""

    @property
    def start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=365 * YEARS)

    def at(self, day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def key(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def pick(self, weighted: dict):
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]


@contextlib.contextmanager
def _dates_as_given(*models_):
    """Let bulk inserts keep the historic created_at/at/updated_at we give them."""
    changed = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in changed:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _insert(model, rows: list) -> list:
    """bulk_create, keeping the dates given; automatic dates not given are now, as usual."""
    automatic = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    now = timezone.now()
    for row in rows:
        for name in automatic:
            if getattr(row, name) is None:
                setattr(row, name, now)
    if rows and connection.vendor == "postgresql":
        return _copy(model, rows)
    with _dates_as_given(model):
        return model.objects.bulk_create(rows, batch_size=BATCH)


def _copy(model, rows: list) -> list:
    """PostgreSQL: COPY the rows in, with ids taken from the table's sequence first (what
    bulk_create would give them), each value prepared by its model field as on save. About
    three times faster than INSERT ... RETURNING for hundreds of thousands of rows."""
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
            row._state.adding, row._state.db = False, connection.alias
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                )
    return rows


def already_seeded() -> bool:
    return Advisor.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()


def scale_seed(*, factor: int, today: datetime.date, seed: int = 16, stdout) -> Scale:
    """Add `factor` units of data on top of the demo. Run inside one transaction."""
    s = Scale(factor=factor, today=today, rng=random.Random(seed), n=sizes(factor), out=stdout)
    for builder in [
        build_people,
        build_rates,
        build_advisors,
        build_projects,
        build_meetings,
        build_claims,
        build_impacts,
        build_deliveries,
    ]:
        started = time.perf_counter()
        what = builder(s)
        seconds = time.perf_counter() - started
        s.timings.append((builder.__name__, seconds, what))
        stdout.write(f"  {builder.__name__:<18} {seconds:6.1f} s  {what}")
    return s


# --- builders, one per app area ---------------------------------------------------------------


def build_people(s: Scale) -> str:
    """The demo personas, and extra researchers who lead the other projects."""
    for username in ["advisor", "researcher", "coordinator", "manager", "finance"]:
        s.users[username] = User.objects.get(username=username)
    s.ada = Advisor.objects.get(user=s.users["advisor"])
    s.password = make_password(DEMO_PASSWORD)  # one hash for every scale login (it is slow)
    rows = [
        User(
            username=f"researcher-{i:03d}",
            first_name=s.rng.choice(FIRST),
            last_name=s.rng.choice(LAST),
            email=f"researcher-{i:03d}@{EMAIL_DOMAIN}",
            password=s.password,
            date_joined=s.at(s.start),
        )
        for i in range(1, s.n["researchers"] + 1)
    ]
    s.researchers = _insert(User, rows)
    group = Group.objects.get(name=Role.RESEARCHER)
    _insert(
        User.groups.through,
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in s.researchers],
    )
    return f"{len(s.researchers)} researchers (password {DEMO_PASSWORD})"


def build_rates(s: Scale) -> str:
    """The rate card reaches back over the years of history (10% below the demo's first rates)."""
    first = datetime.date(s.start.year - 2, 4, 1)  # projects may start before the history
    made = 0
    for rate in RateCard.objects.order_by("activity", "effective_from"):
        if (
            rate.effective_from <= first
            or RateCard.objects.filter(activity=rate.activity, effective_from__lte=first).exists()
        ):
            continue
        lower = {
            name: (getattr(rate, name) * Decimal("0.9")).quantize(Decimal("0.01"))
            for name in ["hourly_rate", "half_day_amount", "full_day_amount"]
            if getattr(rate, name) is not None
        }
        RateCard.objects.create(
            activity=rate.activity,
            effective_from=first,
            half_day_from_hours=rate.half_day_from_hours,
            full_day_from_hours=rate.full_day_from_hours,
            label=rate.label,
            **lower,
        )
        made += 1
    return f"{made} earlier rates from {first:%d %b %Y}"


def build_advisors(s: Scale) -> str:
    rng, n = s.rng, s.n["advisors"]
    experiences = list(LivedExperience.objects.all())
    topics = list(Topic.objects.all())
    rows = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status = s.pick({"active": 80, "paused": 10, "left": 10})
        # Many joined before the history starts; the rest over the years since.
        joined = (
            s.day_between(s.start - datetime.timedelta(days=700), s.start)
            if rng.random() < 0.45
            else s.day_between(s.start, s.today - datetime.timedelta(days=20))
        )
        changed = s.day_between(joined, s.today - datetime.timedelta(days=1))
        method = s.pick({ContactMethod.EMAIL: 85, ContactMethod.PHONE: 10, ContactMethod.POST: 5})
        rows.append(
            Advisor(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}.{i + 1}@{EMAIL_DOMAIN}",
                phone=f"07700 {900000 + i:06d}"[:12],
                address=f"{rng.randint(1, 200)} {rng.choice(LAST)} Road\n{rng.choice(TOWNS)}",
                postcode=f"CT{rng.randint(1, 21)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
                contact_method=method,
                contact_format=s.pick(
                    {
                        ContactFormat.STANDARD: 88,
                        ContactFormat.LARGE_PRINT: 8,
                        ContactFormat.EASY_READ: 4,
                    }
                ),
                status=status,
                joined_on=joined,
                status_changed_on=changed if status != "active" else None,
                left_on=changed if status == "left" else None,
                pieg_member=rng.random() < 0.1,
                enhanced_support=rng.random() < 0.05,
                acknowledgement=s.pick({"full_name": 70, "initials": 20, "anonymous": 10}),
                payment_preference=s.pick(
                    {
                        PaymentPreference.BANK_TRANSFER: 85,
                        PaymentPreference.VOUCHER: 8,
                        PaymentPreference.DECLINE: 7,
                    }
                ),
                support_needs=rng.choice(NEEDS),
                availability=rng.choice(["Weekday mornings", "Any weekday", "Online only", ""]),
                created_at=s.at(joined),
                updated_at=s.at(changed),
            )
        )

    # Portal logins for about half of those still taking part.
    with_login = [a for a in rows if a.status != "left" and rng.random() < 0.5]
    users = _insert(
        User,
        [
            User(
                username=a.email.split("@")[0],
                first_name=a.first_name,
                last_name=a.last_name,
                email=a.email,
                password=s.password,
                date_joined=s.at(a.joined_on),
            )
            for a in with_login
        ],
    )
    group = Group.objects.get(name=Role.ADVISOR)
    _insert(
        User.groups.through,
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users],
    )
    for advisor, user in zip(with_login, users, strict=True):
        advisor.user = user
    made = _insert(Advisor, rows)

    # Bank details, encrypted as the app stores them, for most who are paid by transfer.
    banked = [a for a in made if a.payment_preference == "bank" and rng.random() < 0.7]
    details = []
    for a in banked:
        account = f"{rng.randint(0, 99999999):08d}"
        details.append(
            BankDetails(
                advisor=a,
                account_name=f"{a.first_name[0]} {a.last_name}",
                sort_code_encrypted=encrypt(f"{rng.randint(0, 999999):06d}"),
                account_number_encrypted=encrypt(account),
                account_number_last4=account[-4:],
                updated_at=s.at(a.joined_on),
            )
        )
    _insert(BankDetails, details)

    # Equality answers (most), interests and experience, contact consent.
    equality, topic_rows, experience_rows, consents = [], [], [], []
    for a in made:
        if rng.random() < 0.7:
            equality.append(
                EqualityMonitoring(
                    advisor=a,
                    created_at=s.at(a.joined_on),
                    **{f: rng.choice(list(c.values)) for f, _, c in EqualityMonitoring.QUESTIONS},
                )
            )
        for t in rng.sample(topics, k=min(len(topics), rng.randint(1, 3))):
            topic_rows.append(Advisor.topics.through(advisor_id=a.pk, topic_id=t.pk))
        for e in rng.sample(experiences, k=min(len(experiences), rng.randint(1, 2))):
            experience_rows.append(
                Advisor.lived_experience.through(advisor_id=a.pk, livedexperience_id=e.pk)
            )
        if rng.random() < 0.6:
            consents.append(
                Consent(
                    advisor=a,
                    purpose=Consent.Purpose.CONTACT,
                    given=rng.random() > 0.03,
                    at=s.at(a.joined_on),
                    method=Consent.Method.APPLICATION,
                )
            )
    _insert(EqualityMonitoring, equality)
    _insert(Advisor.topics.through, topic_rows)
    _insert(Advisor.lived_experience.through, experience_rows)
    _insert(Consent, consents)

    s.advisors = sorted(Advisor.objects.all(), key=lambda a: (a.joined_on or s.start, a.pk))
    return (
        f"{len(made)} advisors ({len(users)} with logins, {len(details)} with bank details, "
        f"{len(equality)} equality answers)"
    )


ACTIVITY_TEMPLATES = [
    ("identifying", "workshop", "Priority-setting workshop", 6, 1, "4", "in_person", "20.00"),
    (
        "design",
        "advisory_group",
        "Advisory group on the topic guide",
        4,
        3,
        "2.5",
        "online",
        "0.00",
    ),
    ("conduct", "document_review", "Review of participant materials", 3, 2, "2", "online", "0.00"),
    ("analysis", "co_analysis", "Co-analysis sessions", 3, 2, "3", "hybrid", "15.00"),
    (
        "dissemination",
        "co_presentation",
        "Co-present the findings",
        2,
        1,
        "6",
        "in_person",
        "85.00",
    ),
]
PLAN_JOURNEYS = {
    "none": 5,
    "draft": 10,
    "submitted": 8,
    "changes_requested": 5,
    "resubmitted": 5,
    "approved": 55,
    "superseded": 6,  # v1 superseded by an approved v2
    "approved_new_draft": 6,  # approved v1, v2 being written
}


def build_projects(s: Scale) -> str:
    rng, n = s.rng, s.n["projects"]
    coordinator = s.users["coordinator"]
    demo_researcher = s.users["researcher"]
    rows = []
    for i in range(n):
        start = s.day_between(
            s.start - datetime.timedelta(days=365), s.today + datetime.timedelta(days=90)
        )
        end = start + datetime.timedelta(days=rng.randint(365, 3 * 365))
        status = "planned" if start > s.today else ("completed" if end < s.today else "active")
        theme = THEMES[i % len(THEMES)]
        rows.append(
            Project(
                title=f"{theme}: {rng.choice(ASPECTS)} ({i + 1})",
                summary=f"A study of {theme.lower()} with people who draw on care and support.",
                start_date=start,
                end_date=end,
                status=status,
                confidential=rng.random() < 0.08,
            )
        )
    s.projects = _insert(Project, rows)
    s.researcher_projects = s.projects[: s.n["demo_researcher_projects"]]

    memberships = []
    for i, p in enumerate(s.projects):
        lead = (
            demo_researcher if p in s.researcher_projects else s.researchers[i % len(s.researchers)]
        )
        memberships.append(ProjectMembership(project=p, user=lead, role="lead"))
        other = s.researchers[(i + 1) % len(s.researchers)]
        if other != lead and rng.random() < 0.6:
            memberships.append(ProjectMembership(project=p, user=other, role="member"))
    _insert(ProjectMembership, memberships)
    lead_of = {m.project_id: m.user for m in memberships if m.role == "lead"}

    # PIE plans in every state, priced as the app prices them (one rate book, no queries).
    plans, plan_activities = [], []
    for p in s.projects:
        journey = s.pick(PLAN_JOURNEYS)
        if journey == "none":
            continue
        versions = {
            "draft": ["draft"],
            "submitted": ["submitted"],
            "changes_requested": ["changes_requested"],
            "resubmitted": ["resubmitted"],
            "approved": ["approved"],
            "superseded": ["superseded", "approved"],
            "approved_new_draft": ["approved", "draft"],
        }[journey]
        created = s.at(p.start_date - datetime.timedelta(days=60))
        for version, status in enumerate(versions, start=1):
            made_at = created + datetime.timedelta(days=45 * (version - 1))
            submitted = status != "draft"
            decided = status in ("approved", "superseded", "changes_requested")
            plan = PIEPlan(
                project=p,
                version=version,
                status=status,
                recognition="Advisors are offered co-authorship of the summary report.",
                support_and_training="An induction session and a named contact in the team.",
                created_by=lead_of[p.pk],
                created_at=made_at,
                submitted_at=made_at + datetime.timedelta(days=7) if submitted else None,
                decided_at=made_at + datetime.timedelta(days=14) if decided else None,
                decided_by=coordinator if decided else None,
            )
            plans.append(plan)
            plan_activities.append(
                [
                    PlannedActivity(
                        key=s.key(),
                        stage=stage,
                        activity_type=kind,
                        description=words,
                        advisors=advisors,
                        sessions=sessions,
                        hours_per_session=Decimal(hours),
                        mode=mode,
                        planned_date=p.start_date + datetime.timedelta(days=60 * order),
                        frequency="monthly",
                        expenses_per_advisor=Decimal(expenses),
                        anticipated_impact="The research reflects what matters to people who draw on care.",
                        order=order,
                    )
                    for order, (
                        stage,
                        kind,
                        words,
                        advisors,
                        sessions,
                        hours,
                        mode,
                        expenses,
                    ) in enumerate(rng.sample(ACTIVITY_TEMPLATES, k=rng.randint(2, 4)))
                ]
            )
    _insert(PIEPlan, plans)
    for plan, activities in zip(plans, plan_activities, strict=True):
        for a in activities:
            a.plan = plan
    _insert(PlannedActivity, [a for acts in plan_activities for a in acts])

    rates = RateBook()
    budgets = {}
    comments = []
    for plan, activities in zip(plans, plan_activities, strict=True):
        if plan.status == "draft":
            continue
        budget = plan_budget(
            activities, today=timezone.localtime(plan.submitted_at).date(), rates=rates
        )
        plan.budget_total = budget.totals.total
        if plan.status in ("approved", "superseded"):
            plan.approved_budget = budget_snapshot(budget)
        if plan.status == "approved":
            budgets[plan.project_id] = plan.budget_total
        if plan.status == "changes_requested":
            comments.append(
                ReviewComment(
                    plan=plan,
                    section="support",
                    comment="Please say who will be the advisors' named contact.",
                    by=coordinator,
                    at=plan.decided_at,
                )
            )
    PIEPlan.objects.bulk_update(plans, ["budget_total", "approved_budget"], batch_size=500)
    _insert(ReviewComment, comments)
    for p in s.projects:
        p.pie_budget = budgets.get(p.pk)
    Project.objects.bulk_update(s.projects, ["pie_budget"], batch_size=BATCH)

    # Advisors on each project, opportunities with interest, a few outputs with credits.
    active = [a for a in s.advisors if a.status == "active"]
    assignments = []
    for p in s.projects:
        for a in rng.sample(active, k=min(len(active), rng.randint(3, 6))):
            assignments.append(
                ProjectAdvisor(
                    project=p,
                    advisor=a,
                    role="Project advisory group member",
                    assigned_on=min(s.today, max(p.start_date, a.joined_on or p.start_date)),
                )
            )
    _insert(ProjectAdvisor, assignments)
    opportunities = []
    for _ in range(s.n["opportunities"]):
        p = s.projects[rng.randrange(len(s.projects))]
        closes = s.today + datetime.timedelta(days=rng.randint(-200, 40))
        opportunities.append(
            Opportunity(
                project=p,
                role=rng.choice(["Advisory group member", "Co-analyst", "Reviewer of the survey"]),
                description=f"Help shape '{p.title}' with your experience of care.",
                time_commitment="Four 2-hour online meetings a year, plus reading",
                payment="Paid for your time at NIHR rates; travel and support costs covered",
                closing_date=closes,
                places=rng.randint(1, 4),
                status="closed" if closes < s.today - datetime.timedelta(days=30) else "open",
                posted_by=lead_of[p.pk],
                created_at=s.at(closes - datetime.timedelta(days=30)),
            )
        )
    opportunities = _insert(Opportunity, opportunities)
    interests = []
    for o in opportunities:
        for a in rng.sample(active, k=min(len(active), rng.randint(2, 8))):
            decided = o.status == "closed"
            interests.append(
                ExpressionOfInterest(
                    opportunity=o,
                    advisor=a,
                    note="I have experience of this and would like to help.",
                    status=s.pick({"selected": 30, "not_selected": 60, "withdrawn": 10})
                    if decided
                    else "interested",
                    created_at=s.at(o.closing_date - datetime.timedelta(days=10)),
                )
            )
    _insert(ExpressionOfInterest, interests)
    approved = [p for p in s.projects if p.pie_budget is not None] or s.projects
    outputs = _insert(
        Output,
        [
            Output(
                project=p,
                kind=rng.choice(list(Output.Kind.values)),
                title=f"{p.title}: summary for the public",
                published_on=s.day_between(s.start, s.today) if rng.random() < 0.8 else None,
            )
            for p in rng.sample(approved, k=min(len(approved), s.n["outputs"]))
        ],
    )
    credits = []
    for o in outputs:
        for a in rng.sample(active, k=min(len(active), rng.randint(1, 3))):
            named = a.acknowledged_as() if o.published_on else ""
            credits.append(OutputCredit(output=o, advisor=a, credit="co_author", named_as=named))
    _insert(OutputCredit, credits)
    return (
        f"{len(s.projects)} projects ({len(s.researcher_projects)} led by the demo researcher), "
        f"{len(plans)} plans, {len(assignments)} advisor roles, {len(outputs)} outputs"
    )


MEETING_KINDS = {
    # type: (weight, title, hours, preparation, with a project)
    "management": (8, "Management Group", 2, "1.00", False),
    "pieg": (12, "PIEG meeting", 3, "1.00", False),
    "project": (45, "Project advisory group", 2, "0.50", True),
    "workshop": (15, "Co-analysis workshop", 5, "0.50", True),
    "training": (10, "Introduction to research training", 4, "0.00", False),
    "dissemination": (10, "Findings event", 2, "0.50", True),
}


def build_meetings(s: Scale) -> str:
    rng, n = s.rng, s.n["meetings"]
    coordinator = s.users["coordinator"]
    future = max(3, round(n * 0.09))
    days = sorted(
        s.day_between(s.start, s.today - datetime.timedelta(days=1)) for _ in range(n - future)
    )
    days += sorted(
        s.day_between(s.today + datetime.timedelta(days=1), s.today + datetime.timedelta(days=180))
        for _ in range(future)
    )
    kinds = list(MEETING_KINDS)
    weights = [MEETING_KINDS[k][0] for k in kinds]
    rows, project_turn = [], 0
    for i, day in enumerate(days):
        kind = rng.choices(kinds, weights=weights)[0]
        if i == n - future:
            kind = "pieg"  # the big meeting: the first upcoming one
        _, title, hours, prep, with_project = MEETING_KINDS[kind]
        project = None
        if with_project:
            project = s.projects[project_turn % len(s.projects)]
            project_turn += 1
        starts = s.at(day, rng.choice([10, 13, 14]))
        past = day < s.today
        cancelled = rng.random() < 0.04
        mode = rng.choice(list(Meeting.Mode.values))
        rows.append(
            Meeting(
                title=f"{title}: {project.title}"[:200] if project else title,
                type=kind,
                project=project,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=hours),
                mode=mode,
                location=""
                if mode == "online"
                else "Room 2.10, The Social Care Centre, 1 Example Road",
                joining_details=""
                if mode == "in_person"
                else "Zoom link sent the day before; phone dial-in available.",
                step_free_access=True,
                hearing_loop=rng.random() < 0.5,
                captions=mode != "in_person",
                preparation_hours=Decimal(prep),
                status="cancelled" if cancelled else ("held" if past else "scheduled"),
                agenda_deadline=starts - datetime.timedelta(days=5),
                agenda_published_at=starts - datetime.timedelta(days=3) if past else None,
                minutes="Advisors asked for papers a week ahead; agreed. Next steps agreed."
                if past and not cancelled
                else "",
                minutes_published=past and not cancelled,
                pie_lead_present=(rng.random() < 0.9) if kind == "management" and past else None,
                organiser=coordinator,
                cancelled_at=starts - datetime.timedelta(days=7) if cancelled else None,
                cancellation_notified_at=starts - datetime.timedelta(days=7) if cancelled else None,
                created_at=starts - datetime.timedelta(days=40),
            )
        )
    s.meetings = _insert(Meeting, rows)
    s.big_meeting = s.meetings[n - future]

    # Invitations: about 50 a meeting, from advisors who had joined by then.
    joined = [a.joined_on or s.start for a in s.advisors]
    ada_past = {
        m.pk
        for m in s.meetings[: n - future][
            :: max(1, (n - future) // max(1, s.n["demo_advisor_meetings"]))
        ]
    }
    ada_past = set(sorted(ada_past)[: s.n["demo_advisor_meetings"]])
    ada_future = {m.pk for m in s.meetings[n - future :][: s.n["demo_advisor_upcoming"]]}
    invitations = []
    for m in s.meetings:
        day = timezone.localtime(m.starts_at).date()
        past = day < s.today
        size = (
            s.n["big_meeting_invitations"] if m is s.big_meeting else s.n["invitations_per_meeting"]
        )
        pool = s.advisors[: max(bisect.bisect_right(joined, day), min(len(s.advisors), size))]
        if not past:
            pool = [a for a in pool if a.status != "left"]
        chosen = rng.sample(pool, k=min(size, len(pool)))
        if m.pk in ada_past or m.pk in ada_future:
            chosen = [s.ada, *[a for a in chosen if a.pk != s.ada.pk][: size - 1]]
        else:
            chosen = [a for a in chosen if a.pk != s.ada.pk]
        invited = m.starts_at - datetime.timedelta(days=rng.randint(14, 35))
        for a in chosen:
            if a is s.ada:
                rsvp = "yes" if past else rng.choice(["pending", "yes"])
            elif past:
                rsvp = s.pick({"yes": 53, "no": 25, "maybe": 9, "pending": 13})
            else:
                rsvp = s.pick({"pending": 40, "yes": 35, "no": 15, "maybe": 10})
            answered = rsvp != "pending"
            invitations.append(
                Invitation(
                    meeting=m,
                    advisor=a,
                    rsvp=rsvp,
                    needs=rng.choice(NEEDS) if rsvp == "yes" else "",
                    invited_at=invited,
                    invited_by=coordinator,
                    responded_at=invited + datetime.timedelta(days=rng.randint(1, 10))
                    if answered
                    else None,
                    # Ids, not objects: the advisors were read back without their users.
                    answered_by_id=(
                        a.user_id if a.user_id and rng.random() < 0.7 else coordinator.pk
                    )
                    if answered
                    else None,
                    answered_how=("portal" if a.user_id else "phone") if answered else "",
                )
            )
    invitations = s.invitations = _insert(Invitation, invitations)

    # Attendance at held meetings: those who said yes (most came), confirmed by staff.
    by_pk = {m.pk: m for m in s.meetings}
    attendances = []
    for inv in invitations:
        m = by_pk[inv.meeting_id]
        if m.status != "held" or inv.rsvp != "yes":
            continue
        status = (
            "attended"
            if inv.advisor is s.ada
            else s.pick({"attended": 88, "partly": 5, "absent": 7})
        )
        attendances.append(
            Attendance(
                meeting=m,
                advisor=inv.advisor,
                status=status,
                minutes_attended=60 if status == "partly" else None,
                preparation_hours=m.preparation_hours,
                confirmed_at=m.ends_at + datetime.timedelta(days=1),
                confirmed_by=coordinator,
            )
        )
    s.attendances = _insert(Attendance, attendances)
    return (
        f"{len(s.meetings)} meetings ({future} upcoming), {len(invitations)} invitations, "
        f"{len(s.attendances)} attendances; big meeting #{s.big_meeting.pk}"
    )


def _claim_status(s: Scale, day: datetime.date) -> str:
    age = (s.today - day).days
    if age > 90:
        table = {"paid": 88, "rejected": 4, "cancelled": 5, "approved": 2, "submitted": 1}
    elif age > 30:
        table = {
            "paid": 45,
            "in_batch": 20,
            "approved": 15,
            "submitted": 10,
            "rejected": 5,
            "cancelled": 5,
        }
    else:
        table = {"submitted": 50, "approved": 25, "in_batch": 10, "rejected": 7, "cancelled": 8}
    return s.pick(table)


def _time_pay(
    rates: RateBook, cache: dict, *, activity: str, on: datetime.date, hours: Decimal, prep: Decimal
):
    """As rates.pricing.time_amount, from the rate book already loaded (no queries). The same
    rates and hours give the same pay, worked out once per run (`cache`): thousands of claims
    share them."""
    used = [
        (what, h, rates.in_force(what, on))
        for what, h in [(activity, hours), (RateCard.Activity.PREPARATION, prep)]
        if h > 0
    ]
    key = tuple((what, str(h), rate.pk) for what, h, rate in used)
    if key not in cache:
        cache[key] = _time_pay_worked_out(used)
    amount, computation, snapshot = cache[key]
    return amount, computation, dict(snapshot)


def _time_pay_worked_out(used: list) -> tuple:
    amount, parts, snapshot = ZERO, [], {}
    for what, h, rate in used:
        paid, how = rate.amount_for(h)
        amount += paid
        label = (
            "Preparation"
            if what == RateCard.Activity.PREPARATION
            else RateCard.Activity(what).label
        )
        parts.append(f"{label}: {how}")
        snapshot[what] = rate_snapshot(rate)
    return to_money(amount), "; ".join(parts) or "no paid time", snapshot


def build_claims(s: Scale) -> str:
    rng, target = s.rng, s.n["claims"]
    coordinator, finance = s.users["coordinator"], s.users["finance"]
    rates, pay_cache = RateBook(), {}
    by_pk = {m.pk: m for m in s.meetings}
    claims = []

    def claim(advisor, day, status=None, **values) -> None:
        status = status or _claim_status(s, day)
        when = s.at(min(s.today, day + datetime.timedelta(days=rng.randint(0, 5))), 9)
        decided = when + datetime.timedelta(days=rng.randint(2, 9))
        claims.append(
            Claim(
                advisor=advisor,
                status=status,
                activity_date=day,
                approved_by=finance if status in ("approved", "in_batch", "paid") else None,
                approved_at=decided if status in ("approved", "in_batch", "paid") else None,
                rejection_reason="The receipt does not show the date of travel."
                if status == "rejected"
                else "",
                created_at=when,
                updated_at=decided if status != "submitted" else when,
                **values,
            )
        )

    # Time claims from confirmed attendance (not for absences or advisors who decline pay).
    for att in s.attendances:
        if att.status == "absent" or att.advisor.payment_preference == PaymentPreference.DECLINE:
            continue
        m = by_pk[att.meeting_id]
        day = timezone.localtime(m.starts_at).date()
        hours = Decimal(att.minutes_attended) / 60 if att.status == "partly" else m.duration_hours
        hours = hours.quantize(Decimal("0.01"))
        amount, computation, snapshot = _time_pay(
            rates, pay_cache, activity="meeting", on=day, hours=hours, prep=att.preparation_hours
        )
        claim(
            att.advisor,
            day,
            kind="time",
            activity="meeting",
            description=f"Attended {m.title}"[:300],
            project_id=m.project_id,
            meeting=m,
            attendance=att,
            hours=hours,
            preparation_hours=att.preparation_hours,
            amount=amount,
            computation=computation,
            rate_snapshot=snapshot,
            created_by=coordinator,
        )
    from_attendance = len(claims)

    # The demo advisor: as many again, in every state, over the last two years.
    states = list(Claim.Status.values)
    for i in range(s.factor):
        day = s.today - datetime.timedelta(days=rng.randint(1, 730))
        etype = list(EXPENSES)[i % len(EXPENSES)]
        words, low, high = EXPENSES[etype]
        claim(
            s.ada,
            day,
            status=states[i % len(states)] if i < len(states) else None,
            kind="expense",
            expense_type=etype,
            description=words,
            amount=Decimal(rng.randint(low * 100, high * 100)) / 100,
            computation="Expense as claimed",
            created_by=s.users["advisor"],
        )

    # Expenses and other paid time (document reviews, training, ...) for everyone else.
    payable = [a for a in s.advisors if a.payment_preference != PaymentPreference.DECLINE]
    others = ["document_review", "training", "chairing", "co_presentation", "other"]
    while len(claims) < target:
        a = rng.choice(payable)
        day = s.day_between(
            max(s.start, a.joined_on or s.start), s.today - datetime.timedelta(days=1)
        )
        project = s.projects[rng.randrange(len(s.projects))] if rng.random() < 0.6 else None
        by = a.user_id if a.user_id and rng.random() < 0.8 else coordinator.pk
        if rng.random() < 0.55:
            etype = s.pick({"travel": 50, "carer": 10, "subsistence": 20, "online": 15, "other": 5})
            words, low, high = EXPENSES[etype]
            claim(
                a,
                day,
                kind="expense",
                expense_type=etype,
                description=words,
                project=project,
                amount=Decimal(rng.randint(low * 100, high * 100)) / 100,
                computation="Expense as claimed",
                created_by_id=by,
            )
        else:
            activity = rng.choice(others)
            hours = Decimal(rng.randint(2, 16)) / 4
            amount, computation, snapshot = _time_pay(
                rates, pay_cache, activity=activity, on=day, hours=hours, prep=ZERO
            )
            claim(
                a,
                day,
                kind="time",
                activity=activity,
                description=f"{RateCard.Activity(activity).label}"
                + (f" for {project.title}" if project else ""),
                project=project,
                hours=hours,
                amount=amount,
                computation=computation,
                rate_snapshot=snapshot,
                created_by_id=by,
            )

    # Payment batches: the paid claims in date order, one big batch in the middle, and one
    # batch approved and being paid that holds the claims "in a batch".
    paid = sorted((c for c in claims if c.status == "paid"), key=lambda c: c.activity_date)
    n_paid = s.n["batches"] - 1
    big = min(s.n["big_batch_claims"], len(paid))
    middle = len(paid) // 2
    big_claims = paid[middle : middle + big]
    rest = paid[:middle] + paid[middle + big :]
    chunks, per = [], -(-len(rest) // max(1, n_paid - 1))
    for i in range(n_paid - 1):
        chunks.append(rest[i * per : (i + 1) * per])
    chunks.insert(len(chunks) // 2, big_claims)
    chunks = [c for c in chunks if c]
    batches = []
    for chunk in chunks:
        paid_on = min(
            s.today - datetime.timedelta(days=3),
            chunk[-1].activity_date + datetime.timedelta(days=21),
        )
        batches.append(
            (
                PaymentBatch(
                    status="paid",
                    total=to_money(sum((c.amount for c in chunk), ZERO)),
                    created_by=coordinator,
                    created_at=s.at(paid_on - datetime.timedelta(days=10), 10),
                    approved_by=finance,
                    approved_at=s.at(paid_on - datetime.timedelta(days=7), 11),
                    exported_at=s.at(paid_on - datetime.timedelta(days=5), 11),
                    paid_on=paid_on,
                ),
                chunk,
            )
        )
    in_batch = [c for c in claims if c.status == "in_batch"]
    batches.append(
        (
            PaymentBatch(
                status="approved",
                total=to_money(sum((c.amount for c in in_batch), ZERO)),
                created_by=coordinator,
                created_at=s.at(s.today - datetime.timedelta(days=2), 10),
                approved_by=finance,
                approved_at=s.at(s.today - datetime.timedelta(days=1), 11),
            ),
            in_batch,
        )
    )
    taken = set(PaymentBatch.objects.values_list("reference", flat=True))
    per_day: dict[datetime.date, int] = {}
    for batch, _chunk in batches:
        day = timezone.localtime(batch.created_at).date()
        per_day[day] = per_day.get(day, 0) + 1
        while f"PIE-{day:%Y%m%d}-{per_day[day]:02d}" in taken:
            per_day[day] += 1
        batch.reference = f"PIE-{day:%Y%m%d}-{per_day[day]:02d}"
    made = _insert(PaymentBatch, [b for b, _ in batches])
    counted = set(BatchCounter.objects.values_list("day", flat=True))
    _insert(
        BatchCounter, [BatchCounter(day=d, last=k) for d, k in per_day.items() if d not in counted]
    )
    for batch, chunk in zip(made, [c for _, c in batches], strict=True):
        for c in chunk:
            c.batch = batch
            c.paid_on = batch.paid_on
            if batch.status == "paid":
                c.updated_at = s.at(batch.paid_on, 15)
    s.big_batch = made[[c for _, c in batches].index(big_claims)] if big_claims else made[0]
    claims = _insert(Claim, claims)

    # A few corrections: paid claims reversed by a negative claim waiting for approval.
    reversals = []
    for c in rng.sample(paid, k=min(len(paid), max(2, s.factor // 2))):
        reversals.append(
            Claim(
                advisor_id=c.advisor_id,
                kind=c.kind,
                status=rng.choice(["submitted", "approved"]),
                activity=c.activity,
                expense_type=c.expense_type,
                activity_date=c.activity_date,
                description=f"Correction of claim #{c.pk}",
                project_id=c.project_id,
                amount=-c.amount,
                computation=f"Reverses claim #{c.pk} ({c.amount})",
                reverses=c,
                created_by=coordinator,
                created_at=s.at(s.today - datetime.timedelta(days=rng.randint(1, 20))),
                updated_at=s.at(s.today - datetime.timedelta(days=1)),
            )
        )
    claims += _insert(Claim, reversals)
    _insert(
        ClaimEvent,
        [
            ClaimEvent(
                claim=c,
                by_id=c.created_by_id,
                at=c.updated_at,
                from_status="",
                to_status=c.status,
                new_amount=c.amount,
                note="From the unit's earlier records",
            )
            for c in claims
        ],
    )
    counts = dict.fromkeys(Claim.Status.values, 0)
    for c in claims:
        counts[c.status] += 1
    return (
        f"{len(claims)} claims ({from_attendance} from attendance; "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + f"), {len(made)} batches; big batch #{s.big_batch.pk} ({len(big_claims)} claims)"
    )


def _impact_text(s: Scale) -> str:
    rng = s.rng
    who = rng.choice(WHO_CARERS) if rng.random() < 0.05 else rng.choice(WHO)
    how = rng.choice(HOW).format(who=who)
    return f"{rng.choice(WHAT)} {how} {rng.choice(WHY)}"


def build_impacts(s: Scale) -> str:
    rng = s.rng
    standards = list(Standard.objects.all())
    meetings_of: dict[int, list] = {}
    for m in s.meetings:
        if m.project_id and m.status == "held":
            meetings_of.setdefault(m.project_id, []).append(m)
    leads = dict(
        ProjectMembership.objects.filter(project__in=s.projects, role="lead").values_list(
            "project_id", "user_id"
        )
    )
    coordinator = s.users["coordinator"]
    active = [a for a in s.advisors if a.status != "left"]
    rows = []
    for i in range(s.n["impacts"]):
        # The demo researcher's projects come round in turn, so their page grows with N.
        p = s.projects[i % len(s.projects)] if i % 3 == 0 else rng.choice(s.projects)
        category = rng.choice(list(STAGE_FOR))
        held = meetings_of.get(p.pk, [])
        day = s.day_between(max(s.start, p.start_date or s.start), s.today)
        rows.append(
            ImpactRecord(
                project=p,
                stage=STAGE_FOR[category]
                if STAGE_FOR[category] in ImpactStage.values
                else "design",
                kind="anticipated" if rng.random() < 0.15 else "actual",
                meeting=rng.choice(held) if held and rng.random() < 0.4 else None,
                what_changed=_impact_text(s),
                category=category,
                extent=rng.choice(["minor", "moderate", "major"]),
                direction="negative" if rng.random() < 0.07 else "positive",
                evidence_text=rng.choice(EVIDENCE),
                recorded_by_id=leads.get(p.pk) if rng.random() < 0.7 else coordinator.pk,
                recorded_on=day,
                created_at=s.at(day, 16),
            )
        )
    made = _insert(ImpactRecord, rows)
    # bulk_create skips save(), which keeps the full-text search vector (PostgreSQL) current.
    ImpactRecord.objects.filter(pk__in=[r.pk for r in made]).refresh_search_vectors()
    contributors, standard_rows, reflections = [], [], []
    for impact in made:
        for a in rng.sample(active, k=rng.randint(1, 3)):
            contributors.append(
                ImpactRecord.contributors.through(impactrecord_id=impact.pk, advisor_id=a.pk)
            )
        if rng.random() < 0.02:
            contributors.append(
                ImpactRecord.contributors.through(impactrecord_id=impact.pk, advisor_id=s.ada.pk)
            )
            reflections.append(
                AdvisorReflection(
                    impact=impact,
                    advisor=s.ada,
                    text="It was good to see our suggestion taken up.",
                    updated_at=s.at(impact.recorded_on, 18),
                )
            )
        for st in rng.sample(standards, k=min(len(standards), rng.randint(1, 2))):
            standard_rows.append(
                ImpactRecord.standards.through(impactrecord_id=impact.pk, standard_id=st.pk)
            )
    # The demo advisor may already be among the contributors: one row each.
    contributors = list({(c.impactrecord_id, c.advisor_id): c for c in contributors}.values())
    _insert(ImpactRecord.contributors.through, contributors)
    _insert(ImpactRecord.standards.through, standard_rows)
    _insert(AdvisorReflection, reflections)
    carers = sum("carers" in r.what_changed for r in made)
    return f"{len(made)} impacts ({carers} mention carers), {len(contributors)} contributors"


def build_deliveries(s: Scale) -> str:
    """The reminders log: one message about each invitation, sent, failed or on the call list."""
    rng = s.rng
    by_pk = {m.pk: m for m in s.meetings}
    advisors = {a.pk: a for a in s.advisors}
    rows = []
    for inv in s.invitations:
        meeting_id, advisor_id, rsvp = inv.meeting_id, inv.advisor_id, inv.rsvp
        invited_at = inv.invited_at
        m, a = by_pk[meeting_id], advisors[advisor_id]
        if m.status == "cancelled":
            kind, days, template = "cancelled", None, "meeting-cancelled"
        elif rsvp == "yes":
            days = rng.choice([1, 7])
            kind, template = f"meeting-{days}d", "reminder-meeting"
        elif rsvp == "pending":
            kind, days, template = "rsvp-chase", None, "reminder-rsvp"
        else:
            kind, days = rng.choice(["invite", "agenda-deadline"]), None
            template = "meeting-invitation" if kind == "invite" else "reminder-agenda"
        when = {
            "cancelled": m.cancelled_at or invited_at,
            "rsvp-chase": invited_at + datetime.timedelta(days=7),
            "invite": invited_at,
            "agenda-deadline": m.starts_at - datetime.timedelta(days=6),
        }.get(kind) or m.starts_at - datetime.timedelta(days=days or 1)
        if when > s.at(s.today) and m.status != "cancelled":
            continue  # not due yet
        channel = {"phone": "call", "post": "post"}.get(a.contact_method, "email")
        if channel == "email":
            status = s.pick({"sent": 93, "failed": 5, "pending": 1, "sending": 1})
        else:
            status = "listed"
        error = "SMTP 550: mailbox unavailable" if status == "failed" else ""
        done = channel != "email" or status == "failed"
        done_at = when + datetime.timedelta(days=1) if done and rng.random() < 0.8 else None
        rows.append(
            Delivery(
                key=f"{kind}:meeting-{meeting_id}:advisor-{advisor_id}",
                kind=kind,
                object_label=str(m)[:300],
                meeting=m,
                advisor=a,
                recipient=a.email if channel == "email" else "",
                channel=channel,
                subject=f"{m.title}"[:300],
                status=status,
                attempts=1 if status in ("sent", "failed") else 0,
                error=error,
                created_at=when,
                sent_at=when if status == "sent" else None,
                listed_on=timezone.localtime(when).date() if status == "listed" else None,
                done_at=done_at,
                done_by=s.users["coordinator"] if done_at else None,
                outcome="Spoke to them; they will come." if done_at and channel == "call" else "",
                template=template,
                context={"meeting": meeting_id}
                if days is None
                else {"meeting": meeting_id, "days": days},
            )
        )
    # Check-ins after a long time without involvement: a few for many advisors over the years.
    for a in s.advisors:
        if a.email.endswith("@" + EMAIL_DOMAIN) and a.status == "active":
            first = max(s.start, a.joined_on or s.start)
            for since in sorted({s.day_between(first, s.today) for _ in range(rng.randint(0, 3))}):
                when = s.at(since + datetime.timedelta(days=90), 8)
                if when > s.at(s.today):
                    continue
                channel = {"phone": "call", "post": "post"}.get(a.contact_method, "email")
                status = "sent" if channel == "email" else "listed"
                rows.append(
                    Delivery(
                        key=f"checkin:advisor-{a.pk}:since-{since.isoformat()}",
                        kind="checkin",
                        object_label="We miss you",
                        advisor=a,
                        recipient=a.email if channel == "email" else "",
                        channel=channel,
                        subject="How are you? We have not seen you for a while",
                        status=status,
                        attempts=1 if status == "sent" else 0,
                        created_at=when,
                        sent_at=when if status == "sent" else None,
                        listed_on=timezone.localtime(when).date() if status == "listed" else None,
                        done_at=when + datetime.timedelta(days=2) if status == "listed" else None,
                        done_by=s.users["coordinator"] if status == "listed" else None,
                        template="reminder-checkin",
                        context={},
                    )
                )
    made = _insert(Delivery, rows)
    counts: dict[str, int] = {}
    for d in made:
        counts[d.status] = counts.get(d.status, 0) + 1
    return (
        f"{len(made)} deliveries (" + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + ")"
    )


# --- what was made ----------------------------------------------------------------------------

MAIN_TABLES = [
    User,
    Advisor,
    BankDetails,
    Project,
    PIEPlan,
    Meeting,
    Invitation,
    Attendance,
    Claim,
    PaymentBatch,
    ImpactRecord,
    Delivery,
    Output,
]


def counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in MAIN_TABLES}


def fingerprint() -> str:
    """A hash of what the data says (no ids or insert times): equal runs give equal hashes."""
    digest = hashlib.sha256()
    parts: list[models.QuerySet] = [
        Advisor.objects.order_by("email").values_list(
            "email", "status", "joined_on", "user__username"
        ),
        Project.objects.order_by("title").values_list("title", "start_date", "pie_budget"),
        Meeting.objects.order_by("starts_at", "title").values_list("title", "starts_at", "status"),
        Invitation.objects.order_by(
            "meeting__starts_at", "meeting__title", "advisor__email"
        ).values_list("meeting__title", "meeting__starts_at", "advisor__email", "rsvp"),
        Claim.objects.order_by(
            "advisor__email", "activity_date", "amount", "status", "description"
        ).values_list(
            "advisor__email", "activity_date", "amount", "status", "kind", "batch__reference"
        ),
        ImpactRecord.objects.order_by("project__title", "recorded_on", "what_changed").values_list(
            "project__title", "recorded_on", "what_changed"
        ),
        Delivery.objects.order_by("kind", "advisor__email", "meeting__starts_at").values_list(
            "kind", "advisor__email", "status"
        ),
    ]
    for qs in parts:
        for row in qs.iterator(chunk_size=BATCH):
            digest.update(repr(row).encode())
    return digest.hexdigest()[:16]
