"""ReportRun now belongs to the reporting app. Only Django's idea of the models changes: the
tables (programme_reportrun, programme_historicalreportrun) stay, with every row in them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0004_programme_record"),
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="reportrun", name="programme"),
                migrations.RemoveField(model_name="reportrun", name="requested_by"),
                migrations.DeleteModel(name="HistoricalReportRun"),
                migrations.DeleteModel(name="ReportRun"),
            ],
            database_operations=[],
        ),
    ]
