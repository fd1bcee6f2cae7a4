from django.dispatch import Signal

# A shopper asks for a product page, sent before the page is read: a receiver may queue a Redis
# write (core.cache.push_with_next_read) to ride along with the page cache's read.
# Arguments: request, slug. The product may not exist: product_viewed follows only if it does.
product_page_requested = Signal()

# A shopper opened a product page (also when it was served from the page cache).
# Arguments: request, product_id.
product_viewed = Signal()
