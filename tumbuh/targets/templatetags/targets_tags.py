from django import template

from tumbuh.targets.labels import reasons

register = template.Library()


@register.filter
def reason_labels(codes) -> str:
    return reasons(codes)
