#!/usr/bin/env python3
"""Generates src/kubectl/explain.schema, the schema table `kubectl explain` reads.

Run once when the served kinds or the k8s-openapi version change:

    python3 crates/stowage-kubectl/tools/gen_explain.py K8S_OPENAPI_SRC [SNAPSHOT_CRD_DIR|-] [OPENAPI_V3_JSON...] > \
        crates/stowage-kubectl/src/kubectl/explain.schema

K8S_OPENAPI_SRC is k8s-openapi's `src/v1_34` (its doc comments are the upstream OpenAPI descriptions);
SNAPSHOT_CRD_DIR holds external-snapshotter's `client/config/crd/snapshot.storage.k8s.io_*.yaml`, renamed to
`volumesnapshots.yaml`, `volumesnapshotcontents.yaml` and `volumesnapshotclasses.yaml`. With `-` (or no directory),
the CRD records are copied unchanged from the current explain.schema.

k8s-openapi drops the "Possible enum values:" paragraph the OpenAPI generator appends to the description of every
`+enum` field, and has no `enum`. The OPENAPI_V3_JSON documents (upstream `/openapi/v3/api/v1` and
`/openapi/v3/apis/apps/v1`, e.g. kubectl's `testdata/openapi/v3/api/v1.json` and `.../apis/apps/v1.json`) supply
both: a property whose upstream schema has `enum` gets that paragraph appended to k8s-openapi's description and an E
record with the values in the `enum` array's order (the order kubectl prints).
(kubectl's testdata is older than 1.34: the script notes the properties whose description has changed since, whose
values should be checked against the release; fields added since then have no enum.)

Output, one record a line, tab-separated, descriptions with `\\n` and `\\t` escaped:

    T <key> <display> <description>         a schema; display is what `<type>` prints for a reference to it
    F <name> <type> <required 0|1> <description>   a property of the last T
    E <value> <value>...                    the enum values of the last F, in the schema's order
    K <kind> <key>                          a served kind's root schema

Types: string, integer, boolean, number, Object, []T, map[string]T, @key (a reference to a T).
"""

import json
import os
import re
import sys

SRC = sys.argv[1]
CRDS = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
UPSTREAM = {}
for doc in sys.argv[3:]:
    # A schema several documents carry comes from the first (the core document has the enums).
    for name, schema in json.load(open(doc))["components"]["schemas"].items():
        UPSTREAM.setdefault(name, schema)
ENUM_PARAGRAPH = "\n\nPossible enum values:\n"

ROOTS = {
    "Namespace": "api/core/v1/namespace.rs",
    "Node": "api/core/v1/node.rs",
    "Pod": "api/core/v1/pod.rs",
    "Service": "api/core/v1/service.rs",
    "Endpoints": "api/core/v1/endpoints.rs",
    "EndpointSlice": "api/discovery/v1/endpoint_slice.rs",
    "ConfigMap": "api/core/v1/config_map.rs",
    "Secret": "api/core/v1/secret.rs",
    "ServiceAccount": "api/core/v1/service_account.rs",
    "PersistentVolume": "api/core/v1/persistent_volume.rs",
    "PersistentVolumeClaim": "api/core/v1/persistent_volume_claim.rs",
    "StorageClass": "api/storage/v1/storage_class.rs",
    "CSIDriver": "api/storage/v1/csi_driver.rs",
    "CSINode": "api/storage/v1/csi_node.rs",
    "VolumeAttachment": "api/storage/v1/volume_attachment.rs",
    "StatefulSet": "api/apps/v1/stateful_set.rs",
    "Deployment": "api/apps/v1/deployment.rs",
    "ReplicaSet": "api/apps/v1/replica_set.rs",
    "Event": "api/core/v1/event.rs",
}

API_VERSION_DOC = (
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
    "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
)
KIND_DOC = (
    "Kind is a string value representing the REST resource this object represents. Servers may infer this from "
    "the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
)

# References whose schema is not an object print the schema's own type (explain's typeGuess).
PRIMITIVE_REFS = {"Time": "string", "MicroTime": "string"}
# References whose schema has no type print their name.
NAMED_SCALARS = {"Quantity", "IntOrString"}
# Object schemas with no properties.
OPAQUE_OBJECTS = {"RawExtension", "FieldsV1"}

out = []
done = set()


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def path_of(crate_path):
    """crate::api::core::v1::PodSpec -> (key, file)"""
    parts = crate_path.split("::")[1:]
    name = parts[-1]
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    snake = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", snake).lower()
    directory = os.path.join(SRC, *parts[:-1])
    # Find the module file that defines the type.
    for f in os.listdir(directory):
        if f.endswith(".rs") and f != "mod.rs":
            text = open(os.path.join(directory, f)).read()
            if re.search(r"^pub (struct|enum) " + name + r"\b", text, re.M):
                return name, os.path.join(directory, f)
    raise SystemExit(f"no file for {crate_path} ({snake})")


def docs_before(lines, i):
    doc = []
    j = i - 1
    while j >= 0 and lines[j].strip().startswith("#["):
        j -= 1
    while j >= 0 and lines[j].strip().startswith("///"):
        doc.append(lines[j].strip()[3:])
        j -= 1
    doc.reverse()
    text = "\n".join(d[1:] if d.startswith(" ") else d for d in doc)
    # rustdoc escapes; the OpenAPI text has the bare characters.
    return re.sub(r"\\([<>\[\]\\])", r"\1", text)


def rust_type(t, pending):
    t = t.strip()
    m = re.fullmatch(r"Option<(.*)>", t)
    if m:
        return rust_type(m.group(1), pending)
    m = re.fullmatch(r"std::vec::Vec<(.*)>", t)
    if m:
        return "[]" + rust_type(m.group(1), pending)
    m = re.fullmatch(r"std::collections::BTreeMap<std::string::String, (.*)>", t)
    if m:
        return "map[string]" + rust_type(m.group(1), pending)
    if t in ("std::string::String", "crate::ByteString"):
        return "string"
    if t in ("i32", "i64"):
        return "integer"
    if t == "f64":
        return "number"
    if t == "bool":
        return "boolean"
    if t == "crate::serde_json::Value":
        return "Object"
    if t.startswith("crate::"):
        key, _ = path_of(t)
        pending.append(t)
        return "@" + key
    raise SystemExit(f"unknown type {t}")


def emit_struct(crate_path, top_level=False):
    key, file = path_of(crate_path)
    if key in done:
        return
    done.add(key)
    upstream = UPSTREAM.get("io.k8s." + ".".join(crate_path.split("::")[1:]), {}).get("properties", {})
    text = open(file).read()
    lines = text.split("\n")
    idx = next(i for i, l in enumerate(lines) if re.match(r"pub (struct|enum) " + key + r"\b", l))
    description = docs_before(lines, idx)
    display = PRIMITIVE_REFS.get(key, key)
    out.append(f"T\t{key}\t{display}\t{esc(description)}")
    if key in PRIMITIVE_REFS or key in NAMED_SCALARS or key in OPAQUE_OBJECTS:
        return
    # JSON names from the Deserialize impl.
    json_names = dict((rust, js) for js, rust in re.findall(r'"([A-Za-z0-9$_-]+)" => Field::Key_([a-z0-9_]+),', text))
    fields = []
    pending = []
    i = idx + 1
    while not lines[i].startswith("}"):
        m = re.match(r"    pub ([a-z0-9_]+): (.*),$", lines[i])
        if m:
            rust_name, ty = m.groups()
            required = not ty.startswith("Option<")
            doc = docs_before(lines, i)
            if rust_name not in json_names:
                raise SystemExit(f"{key}.{rust_name}: no JSON name")
            name = json_names[rust_name]
            if top_level and name == "metadata":
                required = False
            enum = []
            up = upstream.get(name, {})
            up_doc = up.get("description", "")
            if "enum" in up and ENUM_PARAGRAPH in up_doc:
                enum = up["enum"]
                base, paragraph = up_doc.split(ENUM_PARAGRAPH, 1)
                if base != doc:
                    # The upstream document is from another release; its values are checked by hand.
                    print(f"note: {key}.{name}: upstream description differs; enum taken as is", file=sys.stderr)
                doc += ENUM_PARAGRAPH + paragraph
            fields.append((name, rust_type(ty, pending), required, doc, enum))
        i += 1
    if top_level:
        fields.append(("apiVersion", "string", False, API_VERSION_DOC, []))
        fields.append(("kind", "string", False, KIND_DOC, []))
    for name, ty, required, doc, enum in sorted(fields):
        out.append(f"F\t{name}\t{ty}\t{int(required)}\t{esc(doc)}")
        emit_enum(enum)
    for p in pending:
        emit_struct(p)


def emit_enum(values):
    if values:
        out.append("E\t" + "\t".join(esc(str(v)) for v in values))


for kind, file in ROOTS.items():
    crate_path = "crate::" + "::".join(file[: -len(".rs")].split("/")[:-1]) + "::" + kind
    out.append(f"K\t{kind}\t{kind}")
    emit_struct(crate_path, top_level=True)


def crd_type(schema):
    if "x-kubernetes-int-or-string" in schema:
        return "IntOrString"
    t = schema.get("type", "Object")
    if t == "array":
        return "[]" + crd_type(schema.get("items", {}))
    if t == "object":
        if "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
            return "map[string]" + crd_type(schema["additionalProperties"])
        return "Object"
    return t


def emit_crd_object(key, schema):
    # An inline schema: its description is the property's, printed once.
    out.append(f"T\t{key}\tObject\t")
    required = set(schema.get("required", []))
    nested = []
    for name in sorted(schema.get("properties", {})):
        prop = schema["properties"][name]
        ty = crd_type(prop)
        inner = prop.get("items", prop) if prop.get("type") == "array" else prop
        if inner.get("type") == "object" and inner.get("properties"):
            child = f"{key}.{name}"
            ty = ty.replace("Object", "@" + child, 1) if ty.endswith("Object") else "@" + child
            nested.append((child, inner))
        out.append(f"F\t{name}\t{ty}\t{int(name in required)}\t{esc(prop.get('description', ''))}")
        emit_enum(prop.get("enum", []))
    for child, inner in nested:
        emit_crd_object(child, inner)


def copy_crd_records():
    """Without the CRD YAMLs: the crd.* records of the current table, unchanged."""
    table = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "kubectl", "explain.schema")
    keep = False
    for line in open(table).read().split("\n"):
        cols = line.split("\t")
        if cols[0] in ("K", "T"):
            keep = cols[-1 if cols[0] == "K" else 1].startswith("crd.")
        if keep and line:
            out.append(line)


CRD_KINDS = [
    ("VolumeSnapshot", "volumesnapshots"),
    ("VolumeSnapshotContent", "volumesnapshotcontents"),
    ("VolumeSnapshotClass", "volumesnapshotclasses"),
]
for kind, file in CRD_KINDS if CRDS else []:
    import yaml

    crd = yaml.safe_load(open(os.path.join(CRDS, f"{file}.yaml")))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
    schema = version["schema"]["openAPIV3Schema"]
    # The API server publishes a CRD's metadata as a reference to ObjectMeta.
    schema["properties"]["metadata"] = {"$ref": "ObjectMeta", "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}
    out.append(f"K\t{kind}\tcrd.{kind}")
    key = f"crd.{kind}"
    out.append(f"T\t{key}\tObject\t{esc(schema.get('description', ''))}")
    required = set(schema.get("required", []))
    nested = []
    for name in sorted(schema["properties"]):
        prop = schema["properties"][name]
        if "$ref" in prop:
            ty = "@ObjectMeta"
        else:
            ty = crd_type(prop)
            if prop.get("type") == "object" and prop.get("properties"):
                ty = f"@{key}.{name}"
                nested.append((f"{key}.{name}", prop))
        out.append(f"F\t{name}\t{ty}\t{int(name in required)}\t{esc(prop.get('description', ''))}")
        emit_enum(prop.get("enum", []))
    for child, inner in nested:
        emit_crd_object(child, inner)
if not CRDS:
    copy_crd_records()

print("\n".join(out))
