from django.dispatch import Signal

# A shopper opened a product page (also when it was served from the page cache).
# Arguments: request, product_id.
product_viewed = Signal()

# Stock of some products was written: an order took or returned it, the admin or an import saved
# it. Sent inside that transaction by services.products_refresh_availability, which every write
# of stock calls; it also comes when a product is saved for another field, so a receiver that
# cares about the numbers compares them. Arguments: product_ids (a set; None means every product).
stock_changed = Signal()

# Some sold-out products came back in stock (a subset of a stock_changed's products). Sent inside
# the transaction that wrote the stock, once per return, so "tell me when it is back" hears
# each return once. Arguments: product_ids (a list).
products_back_in_stock = Signal()
