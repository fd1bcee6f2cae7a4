"""gunicorn reads this file from the working directory before it loads the shop.

Its workers serve a fixed number of threads for a long time, so each keeps its database
connection (DB_CONN_MAX_AGE seconds, health-checked before reuse) instead of opening one per
request. The settings' default is 0, for the development server, which starts a thread per
browser connection: there persistent connections pile up until PostgreSQL refuses everyone."""

import os

os.environ.setdefault("DB_CONN_MAX_AGE", "600")
