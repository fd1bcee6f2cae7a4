"""What the customers app announces."""

from django.dispatch import Signal

# A customer's personal data is being exported. Arguments: user. A receiver returns a dict of
# extra sections for the export ({"orders": [...]}): apps above customers add what they keep
# about the person without customers knowing them.
personal_data_exporting = Signal()

# A shopper created an account, inside the sign-up's transaction. Arguments: user, request.
# Apps above customers offer what they kept for the person before (orders placed as a guest).
customer_signed_up = Signal()
