"""The order desk in the admin: the "new orders" banner, claiming, the customer card, calls,
status buttons, the warehouse's picking list and packing slips. Views are thin; the writes
are orders.services, the role rules are in access.py."""
