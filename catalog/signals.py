from django.dispatch import Signal

# A shopper opened a product page (also when it was served from the page cache).
# Arguments: request, product_id.
product_viewed = Signal()
