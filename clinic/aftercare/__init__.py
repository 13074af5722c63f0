"""After a treatment: recording it, its aftercare emails, the patient's links and check-ins, and their pages."""
