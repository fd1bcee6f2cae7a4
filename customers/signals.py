"""What the customers app announces."""

from django.dispatch import Signal

# A customer's personal data is being exported. Arguments: user. A receiver returns a dict of
# extra sections for the export ({"orders": [...]}): apps above customers add what they keep
# about the person without customers knowing them.
personal_data_exporting = Signal()
