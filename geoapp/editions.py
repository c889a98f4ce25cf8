"""The two editions of the administrative map and the day between them. Every module that names
an edition takes it from here (codes are reused across editions, so an edition is never implied)."""

EDITIONS = ("pre2025", "2025")
#: the other edition of each edition
OTHER = {"pre2025": "2025", "2025": "pre2025"}
#: 1 July 2025: the first day of the 2025 edition
REFORM_DATE = "2025-07-01"
