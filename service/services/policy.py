"""The one policy: may this person do this to this object? Pages, API and use cases all ask here.

Each rule is a pure function of a principal and what they act on; `require(...)` turns a refusal into
`PermissionDenied` with a message for people. The pages ask the `may_*` functions to decide what to
show, and the use cases call the `require_*` ones, so a rule is written once.
"""

from __future__ import annotations

# --- reviews, history and actions -----------------------------------------------------------------


# --- goals ---------------------------------------------------------------------------------------
