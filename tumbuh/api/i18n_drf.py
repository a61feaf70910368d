"""Messages of Django REST framework and drf-spectacular that their Indonesian catalogues lack,
listed here so this app's catalogue (locale/id) translates them (the guard
tests/web/test_indonesian_everywhere.py finds them when /api/ answers)."""

from django.utils.translation import gettext_noop

DRF_MESSAGES = [
    gettext_noop("A page number within the paginated result set."),
    gettext_noop("Number of results to return per page."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop("Which field to use when ordering the results."),
    gettext_noop("A search term."),
]
