"""A project's outputs (papers, presentations ...) and the advisors credited on each.

The project's researchers and the PIE team add, change and delete them.
"""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ascru_pie.access import role_required
from ascru_pie.lib.forms import posted
from ascru_pie.roles import Role

from .. import services
from ..access import get_output_for_user, get_project_for_user
from ..forms_opportunities import OutputForm
from ..models import OutputCredit

RESEARCH = (Role.RESEARCHER, Role.PIE_TEAM)


def _credits() -> Prefetch:
    return Prefetch(
        "credits", queryset=OutputCredit.objects.select_related("advisor").order_by("pk")
    )


@role_required(*RESEARCH)
def output_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's outputs with who is credited, and a form to add one."""
    project = get_project_for_user(request, pk)
    assignments = list(project.advisor_assignments.select_related("advisor"))
    form = OutputForm(posted(request), assignments=assignments)
    if request.method == "POST":
        if form.is_valid():
            output = services.output_create(
                output=form.save(commit=False), project=project, credits=form.credits()
            )
            messages.success(request, f"The output “{output.title}” has been added.")
            return redirect("projects:outputs", project.pk)
        messages.error(request, "The output has not been added. Please check the messages below.")
    return render(
        request,
        "projects/output_list.html",
        {
            "project": project,
            "outputs": project.outputs.prefetch_related(_credits()),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@role_required(*RESEARCH)
def output_edit(request: HttpRequest, pk: int, output_pk: int) -> HttpResponse:
    """Change an output and who is credited on it, and how."""
    output = get_output_for_user(request, pk, output_pk)
    project = output.project
    credits = list(output.credits.select_related("advisor").order_by("pk"))
    form = OutputForm(
        posted(request),
        instance=output,
        assignments=list(project.advisor_assignments.select_related("advisor")),
        credits=credits,
    )
    if request.method == "POST":
        if form.is_valid():
            services.output_update(output=form.save(commit=False), credits=form.credits())
            messages.success(request, f"The output “{output.title}” has been saved.")
            return redirect("projects:outputs", project.pk)
        messages.error(request, "The output has not been saved. Please check the messages below.")
    return render(
        request,
        "projects/output_form.html",
        {"project": project, "output": output, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*RESEARCH)
def output_delete(request: HttpRequest, pk: int, output_pk: int) -> HttpResponse:
    """Ask, then delete an output and its credits."""
    output = get_output_for_user(request, pk, output_pk)
    project = output.project
    if request.method == "POST":
        title = output.title
        services.output_delete(output=output)
        messages.success(request, f"The output “{title}” has been deleted.")
        return redirect("projects:outputs", project.pk)
    return render(
        request,
        "projects/output_delete.html",
        {
            "project": project,
            "output": output,
            "credits": list(output.credits.select_related("advisor")),
        },
    )
