"""The five PARS roles (domain.md decision 5)."""

ADMIN = "Admin"
STAFF = "ACCME Staff"
ACCREDITOR = "Recognized Accreditor"
SURVEYOR = "Volunteer Surveyor"
CONTACT = "Provider Contact"

ALL_ROLES = (ADMIN, STAFF, ACCREDITOR, SURVEYOR, CONTACT)
#: Roles that see every provider's data.
UNRESTRICTED_ROLES = frozenset({ADMIN, STAFF})
