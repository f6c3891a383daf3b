"""Field ownership for the emulator: a simplified server-side apply, merge patches and `managedFields`.

Simplifications against the real API server (structured-merge-diff), all deliberate:
- A field is a *leaf path*: a path of map keys that ends at a scalar, a list or an empty map.
  Every list is atomic (owned and replaced as a whole); the real server merges associative lists
  such as `containers` by key.
- `fieldsV1` is written from those leaf paths (`{"f:spec": {"f:replicas": {}}}`) without the `"."`
  entries the real server adds for maps that are owned themselves.
- The object identity (`apiVersion`, `kind`, `metadata.name/namespace`), server-set metadata and
  `status` are never owned.
- A manager is identified by its name and operation (`Apply` or `Update`), as in the real server.
"""

import copy
import json

IDENTITY_METADATA = {
    "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
    "managedFields", "deletionTimestamp", "selfLink",
}
UNOWNED_TOP_LEVEL = {"apiVersion", "kind", "status"}


class ApplyConflict(Exception):
    """Applying would change fields that other managers own; `conflicts` holds (entry, path)."""

    def __init__(self, conflicts):
        super().__init__(conflict_message(conflicts))
        self.conflicts = conflicts


# --- paths -----------------------------------------------------------------------------------


def path_string(path):
    """A field path the way the API server prints it: `.spec.replicas`."""
    return "".join(f".{key}" for key in path)


def _owned(prefix, key):
    if not prefix:
        return key not in UNOWNED_TOP_LEVEL
    if prefix == ("metadata",):
        return key not in IDENTITY_METADATA
    return True


def leaf_paths(obj, prefix=()):
    """Every owned leaf path of `obj`, mapped to its value."""
    leaves = {}
    for key, value in obj.items():
        if not _owned(prefix, key):
            continue
        path = prefix + (key,)
        if isinstance(value, dict) and value:
            leaves.update(leaf_paths(value, path))
        else:
            leaves[path] = value
    return leaves


_MISSING = object()


def value_at(obj, path):
    """The value at `path` in `obj`, or a private marker when it is absent."""
    node = obj
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def remove_path(obj, path):
    """Removes the field at `path`, and the maps that become empty because of it."""
    parents = []
    node = obj
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        parents.append((node, key))
        node = node[key]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    for parent, key in reversed(parents):
        if parent[key] == {}:
            del parent[key]
        else:
            break


def overlaps(a, b):
    """True when one path is a prefix of the other (they name the same field or nest)."""
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


# --- fieldsV1 --------------------------------------------------------------------------------


def fields_v1(paths):
    """The `fieldsV1` tree for a set of leaf paths."""
    tree = {}
    for path in sorted(paths):
        node = tree
        for key in path:
            node = node.setdefault(f"f:{key}", {})
    return tree


def paths_from_fields_v1(tree, prefix=()):
    """The leaf paths a `fieldsV1` tree names."""
    paths = set()
    for key, child in tree.items():
        if not key.startswith("f:"):
            continue
        path = prefix + (key[2:],)
        if child:
            paths |= paths_from_fields_v1(child, path)
        else:
            paths.add(path)
    return paths


def managed_entries(obj):
    """The object's `managedFields` decoded as dicts with a `paths` set added."""
    entries = []
    for entry in (obj or {}).get("metadata", {}).get("managedFields") or []:
        decoded = dict(entry)
        decoded["paths"] = paths_from_fields_v1(entry.get("fieldsV1") or {})
        entries.append(decoded)
    return entries


def encode_entries(entries):
    """`managedFields` from decoded entries; entries that own nothing are dropped."""
    encoded = []
    for entry in entries:
        if not entry["paths"]:
            continue
        out = {k: v for k, v in entry.items() if k != "paths"}
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = fields_v1(entry["paths"])
        encoded.append(out)
    return encoded


def _entry_for(entries, manager, operation, api_version, now):
    for entry in entries:
        if entry["manager"] == manager and entry["operation"] == operation:
            return entry
    entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now, "paths": set()}
    entries.append(entry)
    return entry


# --- conflicts -------------------------------------------------------------------------------


def describe_manager(entry):
    """How the API server names a manager in a conflict: `"kubectl" using apps/v1`."""
    text = f'"{entry["manager"]}" using {entry["apiVersion"]}'
    if entry["operation"] == "Update" and entry.get("time"):
        text += f' at {entry["time"]}'
    return text


def conflict_message(conflicts):
    """The Status message of a failed apply, in the API server's words."""
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {describe_manager(entry)}: {path_string(path)}"
    by_manager = {}
    for entry, path in conflicts:
        by_manager.setdefault(describe_manager(entry), []).append(path)
    lines = []
    for manager in sorted(by_manager):
        lines.append(f"conflicts with {manager}:")
        lines.extend(f"- {path_string(path)}" for path in by_manager[manager])
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def conflict_causes(conflicts):
    """The `details.causes` of a failed apply: one FieldManagerConflict per field."""
    return [
        {"reason": "FieldManagerConflict", "message": f"conflict with {describe_manager(entry)}",
         "field": path_string(path)}
        for entry, path in conflicts
    ]


def find_conflicts(live, applied_leaves, entries, manager):
    """(entry, path) pairs where the applied value differs from a field another manager owns."""
    conflicts = []
    for entry in entries:
        if entry["manager"] == manager and entry["operation"] == "Apply":
            continue
        for owned in sorted(entry["paths"]):
            for path, value in applied_leaves.items():
                if overlaps(owned, path) and value_at(live, path) != value:
                    conflicts.append((entry, owned))
                    break
    return conflicts


# --- writes ----------------------------------------------------------------------------------


def deep_merge(base, overlay):
    """`overlay` merged into a copy of `base`: maps merge, everything else is replaced."""
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: maps merge, `null` removes, everything else is replaced."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def server_side_apply(live, applied, manager, force, now):
    """The object after `manager` applies `applied` to `live` (None when it does not exist yet).

    Raises ApplyConflict when a field another manager owns would change and `force` is false;
    with `force` those fields move to `manager`. Fields `manager` applied before and no longer
    applies are removed unless another manager owns them too.
    """
    api_version = applied.get("apiVersion", "")
    live = copy.deepcopy(live) if live is not None else {}
    entries = managed_entries(live)
    applied_leaves = leaf_paths(applied)
    conflicts = find_conflicts(live, applied_leaves, entries, manager)
    if conflicts and not force:
        raise ApplyConflict(conflicts)
    for entry, path in conflicts:
        entry["paths"].discard(path)
    mine = _entry_for(entries, manager, "Apply", api_version, now)
    others = set().union(*[e["paths"] for e in entries if e is not mine])
    for dropped in mine["paths"] - set(applied_leaves):
        if not any(overlaps(dropped, kept) for kept in others):
            remove_path(live, dropped)
    result = deep_merge(live, {k: v for k, v in applied.items() if k != "metadata"})
    metadata = {k: v for k, v in applied.get("metadata", {}).items() if k not in IDENTITY_METADATA}
    result["metadata"] = deep_merge(result.get("metadata", {}), metadata)
    for key in ("name", "namespace"):
        if key in applied.get("metadata", {}) and key not in result["metadata"]:
            result["metadata"][key] = applied["metadata"][key]
    new_paths = set(applied_leaves)
    if new_paths != mine["paths"] or conflicts:
        mine["time"] = now
    mine["paths"] = new_paths
    mine["apiVersion"] = api_version
    result["metadata"]["managedFields"] = encode_entries(entries)
    return result


def record_update(old, new, manager, now):
    """`new` with its `managedFields` updated for a non-apply write by `manager`.

    The fields the write changed move to `manager`'s `Update` entry; fields it removed are
    owned by nobody any more.
    """
    new = copy.deepcopy(new)
    entries = managed_entries(old)
    old_leaves = leaf_paths(old or {})
    new_leaves = leaf_paths(new)
    changed = {p for p, v in new_leaves.items() if old_leaves.get(p, _MISSING) != v}
    removed = set(old_leaves) - set(new_leaves)
    for entry in entries:
        entry["paths"] -= changed | removed
    if changed:
        mine = _entry_for(entries, manager, "Update", new.get("apiVersion", ""), now)
        mine["paths"] |= changed
        mine["time"] = now
    new.setdefault("metadata", {})["managedFields"] = encode_entries(entries)
    return new


def canonical(obj):
    """A stable text form of an object, for equality checks that ignore key order."""
    return json.dumps(obj, sort_keys=True)
