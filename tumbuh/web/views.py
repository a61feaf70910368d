from django.shortcuts import render

from tumbuh.accounts.access import region_safe


@region_safe
def home(request):
    return render(request, "web/home.html")
