"""Use cases: one function per user intention, taking the unit of work and ports as arguments."""
