"""The waiting list: patients waiting for a time that suits them, offered freed slots fairly by a beat task.

models in clinic.models.waitlist; matching (pure rules: which slot suits whom, quiet hours, holds);
services (join, change, leave, accept, emails); offering (the beat task's scan); tasks; forms,
views and urls (/waitlist/); admin (the staff list and the dashboard's figures).
"""
