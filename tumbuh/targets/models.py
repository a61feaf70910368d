"""Target-group records (sasaran) attached to the registry's Person and Household.

One woman can be a catin, then pregnant, then a mother after birth: each role is a record here
pointing at the same `registry.Person`; there is no second people table. Every person-level record
carries its own `desa` and `posyandu` (copied from the person when written, updated when the person
moves) so it is scoped with `scope.person_q()`; household-level records (KRS snapshots, TPK visits)
carry the household's `desa` and are scoped like households. Derived verdicts are stored with the
`rule_version` of `data/cutoffs.json` they were computed with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.regions.models import Posyandu, Region
from tumbuh.registry.models import Household, Person

DESA = {"level": Region.Level.DESA}


class ActiveManager(models.Manager):
    """The default manager: voided records are not there for anyone (registers, counts, other
    contexts' reads, reverse relations). `all_objects` still finds them (history, re-entry)."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class Voidable(models.Model):
    """A record entered by mistake is voided with a reason, never deleted (tumbuh/targets/corrections.py)."""

    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True, db_index=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    void_reason = models.CharField(_("reason for voiding"), max_length=200, blank=True)

    objects = ActiveManager()
    all_objects = models.Manager()

    class Meta:
        abstract = True


class PersonRecord(Voidable):
    """Fields every person-level target record shares (scoping, audit, convergence)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    posyandu = models.ForeignKey(Posyandu, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_version = models.CharField(max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class CatinScreening(PersonRecord):
    """Elsimil-style screening of a bride/groom-to-be, at least 3 months before the wedding."""

    screened_on = models.DateField(_("screening date"))
    planned_marriage_on = models.DateField(_("planned marriage date"), null=True, blank=True)
    kua = models.CharField(_("KUA"), max_length=120, blank=True)
    partner_name = models.CharField(_("partner's name"), max_length=120, blank=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    height_cm = models.FloatField(_("height (cm)"), null=True, blank=True)
    lila_cm = models.FloatField(_("LiLA (cm)"), null=True, blank=True)
    hb_gdl = models.FloatField(_("Hb (g/dL)"), null=True, blank=True)
    waist_cm = models.FloatField(_("waist (cm)"), null=True, blank=True)
    smoking = models.BooleanField(_("smokes"), default=False)
    # Derived on save (rules.catin_risk), with rule_version.
    bmi = models.FloatField(_("IMT"), null=True, blank=True)
    age_years = models.PositiveSmallIntegerField(_("age"), null=True)
    at_risk = models.BooleanField(_("at risk (red)"), default=False)
    reasons = models.JSONField(default=list, blank=True)
    ttd90_started_on = models.DateField(_("TTD 90 days started"), null=True, blank=True)

    class Meta:
        verbose_name = _("catin screening")
        verbose_name_plural = _("catin screenings")
        indexes = [models.Index(fields=["desa", "screened_on"]), models.Index(fields=["posyandu", "screened_on"]),
                   models.Index(fields=["person", "screened_on"])]


class Pregnancy(PersonRecord):
    class Outcome(models.TextChoices):
        ONGOING = "", _("ongoing")
        LIVE_BIRTH = "live_birth", _("live birth")
        STILLBIRTH = "stillbirth", _("stillbirth")
        MISCARRIAGE = "miscarriage", _("miscarriage")

    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hpht = models.DateField(_("HPHT (first day of last period)"))
    due_on = models.DateField(_("estimated due date (HPL)"))
    gravida = models.PositiveSmallIntegerField(_("gravida"), default=1)
    para = models.PositiveSmallIntegerField(_("para (children born)"), default=0)
    abortus = models.PositiveSmallIntegerField(_("abortus"), default=0)
    last_birth_on = models.DateField(_("last child's birth date"), null=True, blank=True)
    height_cm = models.FloatField(_("height (cm)"), null=True, blank=True)
    weight_before_kg = models.FloatField(_("weight in TM1 (kg)"), null=True, blank=True)
    lila_cm = models.FloatField(_("LiLA (cm)"), null=True, blank=True)
    hb_gdl = models.FloatField(_("Hb (g/dL)"), null=True, blank=True)
    # Derived (services.refresh_pregnancy), stored for indexed register filters and counts.
    mother_age = models.PositiveSmallIntegerField(null=True)
    kek = models.BooleanField(default=False)
    anaemia = models.BooleanField(default=False)
    four_t = models.JSONField(default=list, blank=True)
    high_risk = models.BooleanField(default=False)
    anc_contacts = models.PositiveSmallIntegerField(default=0)
    k6 = models.BooleanField(default=False)
    ttd_total = models.PositiveSmallIntegerField(default=0)
    latest_weight_kg = models.FloatField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="")
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)

    class Meta:
        verbose_name = _("pregnancy")
        verbose_name_plural = _("pregnancies")
        indexes = [models.Index(fields=["desa", "outcome", "due_on"]), models.Index(fields=["posyandu", "outcome"]),
                   models.Index(fields=["person", "hpht"])]

    @property
    def weight_gain_kg(self) -> float | None:
        if self.latest_weight_kg is None or self.weight_before_kg is None:
            return None
        return round(self.latest_weight_kg - self.weight_before_kg, 1)


class AncVisit(Voidable):
    class Place(models.TextChoices):
        POSYANDU = "posyandu", _("posyandu")
        PUSKESMAS = "puskesmas", _("puskesmas")
        PUSTU = "pustu", _("pustu/polindes")
        BIDAN = "bidan", _("private midwife")
        CLINIC = "clinic", _("clinic/doctor")
        HOSPITAL = "hospital", _("hospital")
        HOME = "home", _("home visit")

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visit date"))
    place = models.CharField(_("place"), max_length=12, choices=Place.choices)
    gestational_weeks = models.PositiveSmallIntegerField(null=True)
    trimester = models.PositiveSmallIntegerField(null=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    lila_cm = models.FloatField(_("LiLA (cm)"), null=True, blank=True)
    hb_gdl = models.FloatField(_("Hb (g/dL)"), null=True, blank=True)
    ttd_given = models.PositiveSmallIntegerField(_("TTD tablets given"), default=0)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("ANC visit")
        verbose_name_plural = _("ANC visits")
        ordering = ["visited_on", "pk"]
        indexes = [models.Index(fields=["pregnancy", "visited_on"])]


class Birth(Voidable):
    """A live birth of a pregnancy: links (or created) the child's Person, with the birth flags."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.CASCADE, related_name="births")
    child = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="birth_record")
    born_on = models.DateField(_("birth date"))
    weight_g = models.PositiveIntegerField(_("birth weight (g)"), null=True, blank=True)
    length_cm = models.FloatField(_("birth length (cm)"), null=True, blank=True)
    bblr = models.BooleanField(default=False)
    short = models.BooleanField(default=False)
    rule_version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("birth")
        verbose_name_plural = _("births")


class Postpartum(PersonRecord):
    """A mother after birth: nifas (0-42 days), then menyusui (to 24 months)."""

    class Kb(models.TextChoices):
        NONE = "", _("not recorded")
        IUD = "iud", _("IUD")
        IMPLANT = "implant", _("implant")
        INJECTION = "injection", _("injection")
        PILL = "pill", _("pill")
        CONDOM = "condom", _("condom")
        MOW = "mow", _("tubectomy (MOW)")
        MOP = "mop", _("vasectomy (MOP)")
        MAL = "mal", _("lactational amenorrhoea (MAL)")
        REFUSED = "refused", _("refused")

    pregnancy = models.OneToOneField(Pregnancy, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="postpartum")
    delivered_on = models.DateField(_("delivery date"))
    delivery_place = models.CharField(_("delivery place"), max_length=120, blank=True)
    kb_method = models.CharField(_("KB pascasalin"), max_length=10, choices=Kb.choices, blank=True, default="")
    kb_refusal_reason = models.CharField(_("reason if refused"), max_length=200, blank=True)
    kf_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("mother after birth")
        verbose_name_plural = _("mothers after birth")
        indexes = [models.Index(fields=["desa", "delivered_on"]), models.Index(fields=["posyandu", "delivered_on"])]


class KfVisit(Voidable):
    postpartum = models.ForeignKey(Postpartum, on_delete=models.CASCADE, related_name="kf_visits")
    visited_on = models.DateField(_("visit date"))
    kf_number = models.PositiveSmallIntegerField(null=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("KF visit")
        verbose_name_plural = _("KF visits")
        ordering = ["visited_on", "pk"]


class BreastfeedingMonth(Voidable):
    postpartum = models.ForeignKey(Postpartum, on_delete=models.CASCADE, related_name="breastfeeding")
    child = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    month = models.PositiveSmallIntegerField(_("month"))  # 1..6
    exclusive = models.BooleanField(_("exclusive breastfeeding"))

    class Meta:
        verbose_name = _("breastfeeding month")
        verbose_name_plural = _("breastfeeding months")
        constraints = [models.UniqueConstraint(fields=["postpartum", "child", "month"], name="bf_one_per_month")]
        ordering = ["month"]


class Adolescent(PersonRecord):
    """A remaja putri (12-18) followed for Hb screening and weekly TTD."""

    school = models.CharField(_("school"), max_length=120, blank=True)
    grade = models.CharField(_("class"), max_length=20, blank=True)
    in_school = models.BooleanField(_("at school"), default=True)
    latest_hb_gdl = models.FloatField(null=True, blank=True)
    latest_hb_on = models.DateField(null=True, blank=True)
    anaemia = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("adolescent girl")
        verbose_name_plural = _("adolescent girls")
        indexes = [models.Index(fields=["desa", "anaemia"]), models.Index(fields=["posyandu"])]
        constraints = [models.UniqueConstraint(fields=["person"], name="adolescent_one_per_person")]


class HbTest(Voidable):
    adolescent = models.ForeignKey(Adolescent, on_delete=models.CASCADE, related_name="hb_tests")
    tested_on = models.DateField(_("test date"))
    hb_gdl = models.FloatField(_("Hb (g/dL)"))
    anaemia = models.BooleanField(default=False)
    rule_version = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("Hb test")
        verbose_name_plural = _("Hb tests")
        ordering = ["tested_on", "pk"]


class TtdWeek(Voidable):
    adolescent = models.ForeignKey(Adolescent, on_delete=models.CASCADE, related_name="ttd_weeks")
    week_start = models.DateField(_("week (Monday)"))
    taken = models.BooleanField(_("tablet taken"), default=True)

    class Meta:
        verbose_name = _("TTD week")
        verbose_name_plural = _("TTD weeks")
        ordering = ["week_start"]
        constraints = [models.UniqueConstraint(fields=["adolescent", "week_start"], name="ttd_one_per_week")]


class KrsSnapshot(Voidable):
    """A household's BKKBN PK criteria for one semester, every criterion stored, and the verdict
    derived from them and from the household's members (re-derived while the semester is open)."""

    class Water(models.TextChoices):
        KEMASAN = "kemasan", _("bottled water")
        ISI_ULANG = "isi_ulang", _("refill water")
        PAM = "pam", _("piped water (PAM/PDAM)")
        SUMUR_BOR = "sumur_bor", _("bore well / pump")
        SUMUR_TERLINDUNGI = "sumur_terlindungi", _("protected well")
        SUMUR_TAK_TERLINDUNGI = "sumur_tak_terlindungi", _("unprotected well")
        MATA_AIR = "mata_air", _("spring")
        SUNGAI = "sungai", _("river/lake")
        HUJAN = "hujan", _("rain water")
        LAINNYA = "lainnya", _("other")

    class Latrine(models.TextChoices):
        OWN_SEPTIC = "own_septic", _("own, with septic tank")
        OWN_NO_SEPTIC = "own_no_septic", _("own, without septic tank")
        SHARED = "shared", _("shared/public")
        NONE = "none", _("none (open defecation)")

    class Welfare(models.TextChoices):
        UNKNOWN = "", _("not recorded")
        PRA_S = "pra_s", _("Pra Sejahtera")
        KS1 = "ks1", _("KS I")
        KS2 = "ks2", _("KS II")
        KS3 = "ks3", _("KS III")
        KS3P = "ks3plus", _("KS III Plus")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    period = models.CharField(_("semester"), max_length=7)  # "2026-S2"
    # Criteria as recorded.
    water_source = models.CharField(_("main drinking-water source"), max_length=24, choices=Water.choices, blank=True)
    latrine = models.CharField(_("latrine"), max_length=16, choices=Latrine.choices, blank=True)
    house_livable = models.BooleanField(_("house livable"), null=True, blank=True)
    welfare = models.CharField(_("welfare level"), max_length=8, choices=Welfare.choices, blank=True, default="")
    couple = models.BooleanField(_("married couple in the household"), default=True)
    modern_contraception = models.BooleanField(_("wife uses modern contraception"), null=True, blank=True)
    wife = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Derived from the criteria and the members (rules.derive_krs), stored for filters and counts.
    reference_on = models.DateField(null=True)
    pus = models.BooleanField(default=False)
    wife_age = models.PositiveSmallIntegerField(null=True)
    pregnant = models.PositiveSmallIntegerField(default=0)
    baduta = models.PositiveSmallIntegerField(default=0)
    balita = models.PositiveSmallIntegerField(default=0)
    children = models.PositiveSmallIntegerField(default=0)
    youngest_spacing_months = models.PositiveSmallIntegerField(null=True)
    target = models.BooleanField(default=False)
    risk_factors = models.JSONField(default=list, blank=True)
    krs = models.BooleanField(default=False)
    unmet_need = models.BooleanField(default=False)
    rule_version = models.CharField(max_length=20, blank=True)
    derived_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KRS family snapshot")
        verbose_name_plural = _("KRS family snapshots")
        constraints = [models.UniqueConstraint(fields=["household", "period"], name="krs_one_per_semester")]
        # Partial: the registers and counts read only rows not voided (the default manager).
        indexes = [models.Index(fields=["period", "desa", "krs"], name="krs_live_period_desa",
                                condition=models.Q(voided_at__isnull=True))]


class TpkTeam(models.Model):
    name = models.CharField(_("team name"), max_length=120)
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    bidan = models.CharField(_("midwife"), max_length=120, blank=True)
    kader_pkk = models.CharField(_("PKK cadre"), max_length=120, blank=True)
    kader_kb = models.CharField(_("KB cadre"), max_length=120, blank=True)
    active = models.BooleanField(default=True)
    households = models.ManyToManyField(Household, through="TpkAssignment", related_name="+")

    class Meta:
        verbose_name = _("TPK team")
        verbose_name_plural = _("TPK teams")

    def __str__(self) -> str:
        return self.name


class TpkAssignment(models.Model):
    team = models.ForeignKey(TpkTeam, on_delete=models.CASCADE, related_name="assignments")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    since = models.DateField(_("assigned since"))

    class Meta:
        verbose_name = _("TPK assignment")
        verbose_name_plural = _("TPK assignments")
        constraints = [models.UniqueConstraint(fields=["team", "household"], name="tpk_assign_once")]


class TpkVisit(Voidable):
    class Referral(models.TextChoices):
        NOT_NEEDED = "", _("not needed")
        REFERRED = "referred", _("referred")
        SERVED = "served", _("served")

    team = models.ForeignKey(TpkTeam, on_delete=models.PROTECT, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    desa = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", limit_choices_to=DESA)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    visited_on = models.DateField(_("visit date"))
    counselling = models.BooleanField(_("counselling (KIE)"), default=False)
    referral = models.CharField(_("referral"), max_length=10, choices=Referral.choices, blank=True, default="")
    social_assistance = models.BooleanField(_("social assistance facilitated"), default=False)
    danger_signs_checked = models.BooleanField(_("danger signs checked"), default=False)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("TPK visit")
        verbose_name_plural = _("TPK visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["desa", "visited_on"]), models.Index(fields=["household", "visited_on"])]


class TargetGroupSummary(models.Model):
    """Additive counts of the target-group registers per (period, desa, posyandu) from which the
    dashboard's target-group block is summed (docs/targets.md "Where the counts come from").

    Three kinds of cell, one set of columns each (the others stay 0):

    - `state` (key ""): what holds whatever the date: ongoing pregnancies (n, KEK, anaemia, high
      risk) and adolescent girls (n, tested, anaemic);
    - `day` (key "YYYY-MM-DD"): events on that day: pregnancies ended in a birth (K6, TTD >= 90),
      births (weighed, BBLR, short), catin screenings (red), deliveries (nifas), and KRS families
      whose first TPK visit of that month falls on the day (household cells). The dashboard's
      windows are rolling (last 365 days, last 42 days, this month to date), so they are sums of
      day cells; any month, quarter or year is a range of them too;
    - `semester` (key "2026-S2", household cells): KRS snapshots (n, KRS, unmet need).

    Person-level cells carry the record's desa and posyandu (as the records do, so
    `scope.person_q()` filters them as it filters the records); household cells (`household`)
    carry the snapshot's desa and no posyandu (`scope.place_q("desa")`). Maintained per desa by
    `targets.summary.refresh_target_summaries`, in the writer's transaction."""

    period_type = models.CharField(max_length=8)
    period_key = models.CharField(max_length=10)
    desa = models.ForeignKey(Region, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    posyandu = models.ForeignKey(Posyandu, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    household = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("target-group summary")
        verbose_name_plural = _("target-group summaries")
        indexes = [models.Index(fields=["period_type", "period_key", "desa"], name="targets_sum_period_desa"),
                   models.Index(fields=["desa"], name="targets_sum_desa")]


SUMMARY_FIELDS = (
    # state
    "preg_n", "preg_kek", "preg_anaemia", "preg_high", "teen_n", "teen_tested", "teen_anaemia",
    # day
    "ended_n", "ended_k6", "ended_ttd", "birth_n", "birth_weighed", "birth_bblr", "birth_short",
    "catin_n", "catin_red", "nifas_n", "krs_visited",
    # semester
    "krs_n", "krs_krs", "krs_unmet",
)
for _name in SUMMARY_FIELDS:
    TargetGroupSummary.add_to_class(_name, models.IntegerField(default=0))
