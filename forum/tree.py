"""The reply tree's sort key.

Every post stores `path`: its ancestors' child numbers, each written as a
self-delimiting "vancode" (one digit for how many digits follow, then the
number), concatenated. Ordering a topic's posts by `path` gives tree order
(a parent before its children, siblings oldest first) and lets one page of a
100,000-post topic be read with an indexed range scan. Only the digits 0-9 are
used, so every database collation sorts paths the same way as bytes.
"""

# Deeper replies still record the post they answer (`parent`), but sort as
# siblings of their parent, so a path never outgrows a B-tree index entry
# (at most MAX_DEPTH * 10 bytes).
MAX_DEPTH = 200

ROOT_PATH = ""


def encode(number: int) -> str:
    """Encode a 1-based child number so that string order equals number order."""
    if number < 1:
        raise ValueError("child numbers start at 1")
    digits = str(number)
    if len(digits) > 9:
        raise ValueError("too many replies under one post")
    return f"{len(digits)}{digits}"


def child_path(parent_path: str, child_number: int) -> str:
    return parent_path + encode(child_number)
