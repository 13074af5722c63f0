"""Small helpers that know nothing of the clinic's domain, each tested on its own."""
