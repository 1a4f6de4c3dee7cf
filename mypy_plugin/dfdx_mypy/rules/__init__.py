"""One module per family of shape rules. Each rule takes a ``Call`` and returns the call's
type: mypy's default return type with the shape (and, where the signature cannot say it,
the dtype and device) filled in, after reporting any error."""
