from django.urls import path

from . import views

app_name = "targets"
CORRECTABLE = ("catin", "pregnancy", "anc", "birth", "nifas", "kf", "asi", "remaja", "hb", "ttd", "krs", "tpk")
# One route per group (not a <slug:group> kwarg) so each register is a URL of its own: the scoping
# matrix requests every one of them with probing parameters.
urlpatterns = [
    path("", views.overview, name="overview"),
    *[path(f"register/{g}/", views.register, {"group": g}, name=f"register_{g}")
      for g in ("catin", "bumil", "nifas", "remaja", "krs")],
    *[path(f"register/{g}/new/", views.new_person, {"group": g}, name=f"new_{g}") for g in ("catin", "bumil", "remaja")],
    path("tpk/", views.teams, name="teams"),
    path("tpk/new/", views.team_new, name="team_new"),
    path("tpk/<int:team_id>/", views.team_detail, name="team_detail"),
    path("person/<int:person_id>/", views.person, name="person"),
    *[path(f"person/<int:person_id>/{g}/new/", views.group_new, {"group": g}, name=f"{g}_new")
      for g in ("catin", "bumil", "nifas", "remaja")],
    path("pregnancy/<int:pregnancy_id>/", views.pregnancy, name="pregnancy"),
    path("pregnancy/<int:pregnancy_id>/outcome/", views.pregnancy_outcome, name="pregnancy_outcome"),
    path("nifas/<int:postpartum_id>/", views.postpartum, name="postpartum"),
    path("remaja/<int:adolescent_id>/", views.adolescent, name="adolescent"),
    path("household/<int:household_id>/", views.household, name="household"),
    # corrections: every entered record can be edited or voided with a reason (corrections.KINDS)
    *[path(f"edit/{k}/<int:pk>/", views.edit, {"kind": k}, name=f"edit_{k}") for k in CORRECTABLE],
    *[path(f"void/{k}/<int:pk>/", views.void, {"kind": k}, name=f"void_{k}") for k in CORRECTABLE],
]
