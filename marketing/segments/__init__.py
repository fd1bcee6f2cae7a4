"""Saved segments: who a broadcast or a trigger campaign speaks to.

models.py      a Segment: a name and its conditions, kept as a JSON tree of AND / OR groups
conditions.py  every condition the marketer can pick: what it takes, how it is checked, and
               how it becomes part of one SQL query over the customers
selectors.py   a segment's members and its reachable part (consent for a channel), as querysets
services.py    saving a segment: conditions validated, references to other segments without cycles
"""
