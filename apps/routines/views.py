from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.routines.models import Runbook
from apps.routines.runbooks import render_markdown


@staff_member_required
def runbook_page(request: HttpRequest, slug: str) -> HttpResponse:
    runbook = get_object_or_404(Runbook, slug=slug)
    context = {"runbook": runbook, "html": render_markdown(runbook.body), "title": runbook.title}
    return render(request, "routines/runbook.html", context)
