"""Booking consultations: pure availability, loading it, booking, cancelling and moving, and their pages."""
