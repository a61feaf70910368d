"""Every interventions page, detail pages included, renders in Indonesian: no msgid looked up in
Indonesian lacks a translation (the project-wide guard, tests/web/test_indonesian_everywhere.py,
walks the list pages of a demo but cannot reach these detail ids)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import trans_real

from tumbuh.accounts.models import Role
from tumbuh.interventions.testing import build_interventions


def test_every_interventions_page_is_translated(client, world, monkeypatch):
    rows = build_interventions(world)
    missed: set[str] = set()
    original = trans_real.DjangoTranslation.gettext
    original_n = trans_real.DjangoTranslation.ngettext

    def gettext(self, message):
        if self.language() == "id" and message not in self._catalog:
            missed.add(message)
        return original(self, message)

    def ngettext(self, one, many, n):
        if self.language() == "id":
            try:
                self._catalog.plural(one, n)
            except KeyError:
                missed.add(one)
        return original_n(self, one, many, n)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", ngettext)
    home = world.children["home"]
    today = timezone.localdate().isoformat()
    urls = [
        reverse("interventions:deliveries"), reverse("interventions:deliveries") + "?format=xlsx",
        reverse("interventions:delivery_new") + f"?person={home.pk}",
        reverse("interventions:delivery_detail", args=[rows["delivery"]["home"].pk]),
        reverse("interventions:catalogue"), reverse("interventions:catalogue_item", args=[rows["catalogue_item"]["home"].pk]),
        reverse("interventions:agencies"), reverse("interventions:courses"),
        reverse("interventions:course_detail", args=[rows["course"]["home"].pk]),
        reverse("interventions:course_new", args=[home.pk]),
        reverse("interventions:distribution") + f"?code=PMT-BALITA&posyandu={home.posyandu_id}&date={today}",
        reverse("interventions:distribution") + f"?code=JAMBAN&desa={home.desa_id}&date={today}",
        reverse("interventions:pledges"), reverse("interventions:pledge_new", args=[home.pk]),
        reverse("interventions:pledge_detail", args=[rows["pledge"]["home"].pk]),
        reverse("interventions:sponsor", args=[rows["sponsor"]["home"].pk]),
        reverse("interventions:plans"), reverse("registry:child_detail", args=[home.pk]),
        reverse("registry:household_detail", args=[home.household_id]),
    ]
    client.force_login(world.users[Role.KABUPATEN])
    for url in urls:
        assert client.get(url).status_code == 200, url
    client.force_login(world.users[Role.OPD])
    for url in (reverse("interventions:opd_home"), reverse("interventions:opd_home") + "?item=PMT-BALITA"):
        assert client.get(url).status_code == 200, url
    assert not missed, sorted(missed)
