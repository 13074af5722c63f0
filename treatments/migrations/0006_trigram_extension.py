"""pg_trgm, for search that forgives small misspellings ("millia", "dermabraison").

TrigramExtension does nothing on SQLite (Django's CreateExtension runs only on PostgreSQL), where
search falls back to difflib.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("treatments", "0005_safety_net_content")]

    operations = [TrigramExtension()]
