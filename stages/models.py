"""Stages of a programme, their outputs, progress updates and gates."""

from django.db import models
from simple_history.models import HistoricalRecords


class Stage(models.Model):
    """A stage of a programme (**contract**: programme, number, name)."""

    programme = models.ForeignKey(
        "programme.Programme", on_delete=models.PROTECT, related_name="stages"
    )
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="stage_number_unique")
        ]

    def __str__(self) -> str:
        return f"Stage {self.number}: {self.name}"


class Output(models.Model):
    """A deliverable of a stage (**contract**: stage, code, title, status)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="outputs")
    code = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)

    history = HistoricalRecords()

    class Meta:
        ordering = ["stage", "code"]
        constraints = [models.UniqueConstraint(fields=["stage", "code"], name="output_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}) {self.title}"
