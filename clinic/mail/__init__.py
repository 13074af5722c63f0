"""The email outbox: queueing in the caller's transaction, claiming and sending, unsubscribing, housekeeping.

It knows nothing of booking, aftercare or patient information: they hand it templates, context
and renderers (`register_renderer`).
"""
