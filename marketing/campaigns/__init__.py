"""Trigger campaigns: the marketer's automatic messages (abandoned cart, replenishment...).

models.py     what the marketer configures and what the engine records
triggers.py   each kind: who qualifies (a set-based scan), whether the cause still holds, what
              the message shows
services.py   the engine: scan, then dispatch due entries through consent, segment, send
              window, holdout and the frequency cap into the outbox
links.py      signed links in messages: return to cart, click and open tracking, unsubscribe
"""
