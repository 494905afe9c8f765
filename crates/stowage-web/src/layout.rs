//! The cluster view's deterministic layout: a [`Scene`] in, boxes and arrows with coordinates out.
//!
//! # Model
//! Four columns, left to right, follow the data path: nodes (grouped by zone, with their pods, containers and
//! mounts), claims and snapshots, volumes and snapshot contents, and the storage backend (disks and backend
//! snapshots). StorageClasses and CSI drivers form a band above the last three columns, so the provisioning
//! path reads claim → class → driver. Within a column, objects keep the store's key order; the same scene
//! always gives the same picture, and an object keeps its place when others change phase.

use stowage_core::ObjectKey;

use crate::scene::{DiskItem, Item, LinkKind, ObjectRefText, PodItem, Scene};

/// The width of a column, in view-box units.
pub const COLUMN_WIDTH: f64 = 184.0;
/// The gap between columns.
pub const COLUMN_GAP: f64 = 40.0;
/// The margin around the drawing.
pub const MARGIN: f64 = 12.0;
/// The height of an object box.
pub const BOX_HEIGHT: f64 = 54.0;
/// The vertical gap between boxes.
pub const BOX_GAP: f64 = 10.0;
/// The height of one text line inside pods.
pub const LINE_HEIGHT: f64 = 13.0;
/// The height of a pod box without its container and mount lines.
pub const POD_HEIGHT: f64 = 52.0;
/// The height of a node's heading inside its box.
pub const NODE_HEADING: f64 = 36.0;
/// Characters that fit on one line of a box at the diagram's font size.
pub const CHARS_PER_LINE: usize = 25;

/// What a box is, for styling and for the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// A zone (a group around nodes).
    Zone,
    /// A node (a group around pods).
    Node,
    /// A pod.
    Pod,
    /// A PersistentVolumeClaim.
    Claim,
    /// A PersistentVolume.
    Volume,
    /// A VolumeSnapshot.
    Snapshot,
    /// A VolumeSnapshotContent.
    Content,
    /// A StorageClass.
    Class,
    /// A CSIDriver.
    Driver,
    /// A backend disk or export.
    Disk,
    /// A backend snapshot.
    BackendSnapshot,
}

impl ShapeKind {
    /// The CSS class suffix and the short tag drawn in the box.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Zone => "zone",
            ShapeKind::Node => "node",
            ShapeKind::Pod => "pod",
            ShapeKind::Claim => "pvc",
            ShapeKind::Volume => "pv",
            ShapeKind::Snapshot => "vs",
            ShapeKind::Content => "vsc",
            ShapeKind::Class => "sc",
            ShapeKind::Driver => "csidriver",
            ShapeKind::Disk => "disk",
            ShapeKind::BackendSnapshot => "snap",
        }
    }
}

/// One box of the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// A stable id (the object key, or `disk:<handle>`), also the element key.
    pub id: String,
    /// What it is.
    pub kind: ShapeKind,
    /// The object it shows, for the inspector (`None` for zones and backend items).
    pub key: Option<ObjectKey>,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// The first line (the name, shortened to fit).
    pub title: String,
    /// The full name, for the tooltip.
    pub full_title: String,
    /// The second line.
    pub detail: String,
    /// The status word shown in the pill (may be empty).
    pub status: String,
    /// The CSS phase class (`bound`, `pending`, `released`, `available`, `failed`, `terminating`, `ok`, `none`).
    pub phase: &'static str,
    /// Extra lines (a pod's containers and mounts).
    pub lines: Vec<String>,
}

/// One arrow.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// A stable id (`from->to:rel`).
    pub id: String,
    /// What it means.
    pub rel: LinkKind,
    /// The SVG path.
    pub path: String,
    /// The id of the shape it starts at.
    pub from: String,
    /// The id of the shape it ends at.
    pub to: String,
}

/// A column heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    /// Left edge.
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// The text.
    pub text: &'static str,
}

/// The laid-out diagram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    /// The view box's width.
    pub width: f64,
    /// The view box's height.
    pub height: f64,
    /// Group boxes (zones, nodes) first, then object boxes; drawn in this order.
    pub shapes: Vec<Shape>,
    /// Arrows.
    pub edges: Vec<Edge>,
    /// Column headings.
    pub headings: Vec<Heading>,
}

impl Diagram {
    /// The shape with this id.
    pub fn shape(&self, id: &str) -> Option<&Shape> {
        self.shapes.iter().find(|s| s.id == id)
    }
}

/// The CSS phase class of a status word.
pub fn phase_class(status: &str, terminating: bool) -> &'static str {
    if terminating {
        return "terminating";
    }
    match status {
        "Bound" => "bound",
        "Pending" | "ContainerCreating" | "creating" => "pending",
        "Released" => "released",
        "Available" => "available",
        "Failed" | "Lost" | "Error" | "CrashLoopBackOff" | "NotReady" => "failed",
        "Terminating" => "terminating",
        "Stopped" => "stopped",
        "Partitioned" => "partitioned",
        "Running" | "Ready" | "Succeeded" | "Active" | "ready" | "available" => "ok",
        _ => "none",
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The shape id of an object.
pub fn object_id(key: &ObjectKey) -> String {
    format!("{key}")
}

fn target_id(target: &ObjectRefText) -> String {
    match target {
        ObjectRefText::Object(key) => object_id(key),
        ObjectRefText::Disk(handle) => format!("disk:{handle}"),
        ObjectRefText::BackendSnapshot(handle) => format!("snap:{handle}"),
    }
}

fn column_x(column: usize) -> f64 {
    MARGIN + column as f64 * (COLUMN_WIDTH + COLUMN_GAP)
}

fn object_shape(kind: ShapeKind, item: &Item, x: f64, y: f64) -> Shape {
    let name = if item.key.namespace.is_empty() {
        item.key.name.clone()
    } else {
        format!("{}/{}", item.key.namespace, item.key.name)
    };
    let status = if item.terminating { "Terminating".to_string() } else { item.status.clone() };
    Shape {
        id: object_id(&item.key),
        kind,
        key: Some(item.key.clone()),
        x,
        y,
        w: COLUMN_WIDTH,
        h: BOX_HEIGHT,
        title: shorten(&item.key.name, CHARS_PER_LINE - 2),
        full_title: name,
        detail: shorten(&item.detail, CHARS_PER_LINE + 2),
        phase: phase_class(&status, item.terminating),
        status,
        lines: Vec::new(),
    }
}

fn disk_shape(kind: ShapeKind, disk: &DiskItem, x: f64, y: f64) -> Shape {
    let prefix = if kind == ShapeKind::Disk { "disk" } else { "snap" };
    let size = format_bytes(disk.size_bytes);
    let detail = match (&disk.zone, disk.used_bytes) {
        (Some(zone), used) if used > 0 => format!("{size} · {zone} · {} used", format_bytes(used)),
        (Some(zone), _) => format!("{size} · {zone}"),
        (None, used) if used > 0 => format!("{size} · {} used", format_bytes(used)),
        (None, _) => format!("{size} · {}", disk.driver),
    };
    Shape {
        id: format!("{prefix}:{}", disk.handle),
        kind,
        key: None,
        x,
        y,
        w: COLUMN_WIDTH,
        h: BOX_HEIGHT,
        title: shorten(&disk.handle, CHARS_PER_LINE - 2),
        full_title: format!("{} ({})", disk.handle, disk.driver),
        detail: shorten(&detail, CHARS_PER_LINE + 2),
        phase: phase_class(&disk.status, false),
        status: disk.status.clone(),
        lines: Vec::new(),
    }
}

/// `107374182400` → `100Gi`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 5] =
        [("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            let value = bytes as f64 / size as f64;
            return if bytes.is_multiple_of(size) {
                format!("{}{unit}", bytes / size)
            } else {
                format!("{value:.1}{unit}")
            };
        }
    }
    format!("{bytes}B")
}

fn pod_lines(pod: &PodItem) -> Vec<String> {
    let mut lines = Vec::new();
    for container in &pod.containers {
        lines.push(shorten(&format!("▸ {} ({})", container.name, container.image), CHARS_PER_LINE - 3));
        for mount in &container.mounts {
            lines.push(shorten(&format!("  {} ← {}", mount.path, mount.source), CHARS_PER_LINE - 3));
        }
    }
    lines
}

/// Lays out a scene.
pub fn layout(scene: &Scene) -> Diagram {
    let mut diagram = Diagram::default();
    let mut links: Vec<(String, LinkKind, String)> = Vec::new();
    let band_top = MARGIN + 16.0;

    // The band of classes and drivers, over columns 1..=3.
    let band_items: Vec<(ShapeKind, &Item)> = scene
        .classes
        .iter()
        .map(|c| (ShapeKind::Class, c))
        .chain(scene.drivers.iter().map(|d| (ShapeKind::Driver, d)))
        .collect();
    let mut band_bottom = band_top;
    if !band_items.is_empty() {
        diagram.headings.push(Heading { x: column_x(1), y: MARGIN + 8.0, text: "StorageClasses and CSI drivers" });
    }
    for (index, (kind, item)) in band_items.iter().enumerate() {
        let (row, slot) = (index / 3, index % 3);
        let y = band_top + row as f64 * (BOX_HEIGHT + BOX_GAP);
        diagram.shapes.push(object_shape(*kind, item, column_x(1 + slot), y));
        band_bottom = y + BOX_HEIGHT + BOX_GAP;
        for (rel, target) in &item.links {
            links.push((object_id(&item.key), *rel, target_id(target)));
        }
    }
    let columns_top = band_bottom + 18.0;

    // Column 0: zones, nodes, pods.
    let mut y = band_top;
    let x0 = column_x(0);
    diagram.headings.push(Heading { x: x0, y: MARGIN + 8.0, text: "Zones, nodes and pods" });
    let mut group_shapes = Vec::new();
    let mut pod_shapes = Vec::new();
    for zone in &scene.zones {
        let zone_top = y;
        y += 18.0;
        for node in &zone.nodes {
            let node_top = y;
            y += NODE_HEADING;
            for pod in &node.pods {
                let lines = pod_lines(pod);
                let h = POD_HEIGHT + lines.len() as f64 * LINE_HEIGHT;
                let mut shape = object_shape(ShapeKind::Pod, &pod.item, x0 + 14.0, y);
                shape.w = COLUMN_WIDTH - 28.0;
                shape.h = h;
                shape.title = shorten(&pod.item.key.name, CHARS_PER_LINE - 5);
                shape.lines = lines;
                for (rel, target) in &pod.item.links {
                    links.push((shape.id.clone(), *rel, target_id(target)));
                }
                pod_shapes.push(shape);
                y += h + 8.0;
            }
            let mut node_shape = object_shape(ShapeKind::Node, &node.item, x0 + 7.0, node_top);
            node_shape.w = COLUMN_WIDTH - 14.0;
            node_shape.h = (y - node_top).max(NODE_HEADING) + 2.0;
            node_shape.detail = match node.system_pods {
                0 => String::new(),
                1 => "+1 system pod".to_string(),
                n => format!("+{n} system pods"),
            };
            group_shapes.push(node_shape);
            y += 10.0;
        }
        group_shapes.push(Shape {
            id: format!("zone:{}", zone.name),
            kind: ShapeKind::Zone,
            key: None,
            x: x0,
            y: zone_top,
            w: COLUMN_WIDTH,
            h: y - zone_top,
            title: zone.name.clone(),
            full_title: format!("zone {}", zone.name),
            detail: String::new(),
            status: String::new(),
            phase: "none",
            lines: Vec::new(),
        });
        y += BOX_GAP;
    }
    if !scene.unscheduled.is_empty() {
        diagram.headings.push(Heading { x: x0, y: y + 10.0, text: "Not scheduled" });
        y += 18.0;
        for pod in &scene.unscheduled {
            let lines = pod_lines(pod);
            let mut shape = object_shape(ShapeKind::Pod, &pod.item, x0, y);
            shape.h = POD_HEIGHT + lines.len() as f64 * LINE_HEIGHT;
            shape.lines = lines;
            for (rel, target) in &pod.item.links {
                links.push((shape.id.clone(), *rel, target_id(target)));
            }
            y += shape.h + BOX_GAP;
            pod_shapes.push(shape);
        }
    }
    // Zones behind nodes behind pods.
    group_shapes.sort_by_key(|s| s.kind != ShapeKind::Zone);
    diagram.shapes.splice(0..0, group_shapes);
    diagram.shapes.extend(pod_shapes);
    let mut bottom = y;

    // Columns 1..=3.
    let columns: [(&'static str, Vec<(ShapeKind, &Item)>); 2] = [
        (
            "Claims and snapshots",
            scene
                .claims
                .iter()
                .map(|c| (ShapeKind::Claim, c))
                .chain(scene.snapshots.iter().map(|s| (ShapeKind::Snapshot, s)))
                .collect(),
        ),
        (
            "Volumes and contents",
            scene
                .volumes
                .iter()
                .map(|v| (ShapeKind::Volume, v))
                .chain(scene.contents.iter().map(|c| (ShapeKind::Content, c)))
                .collect(),
        ),
    ];
    for (offset, (heading, items)) in columns.iter().enumerate() {
        let x = column_x(1 + offset);
        diagram.headings.push(Heading { x, y: columns_top - 6.0, text: heading });
        let mut y = columns_top;
        for (kind, item) in items {
            diagram.shapes.push(object_shape(*kind, item, x, y));
            for (rel, target) in &item.links {
                links.push((object_id(&item.key), *rel, target_id(target)));
            }
            y += BOX_HEIGHT + BOX_GAP;
        }
        bottom = bottom.max(y);
    }
    let x3 = column_x(3);
    diagram.headings.push(Heading { x: x3, y: columns_top - 6.0, text: "Storage backend" });
    let mut y3 = columns_top;
    for disk in &scene.disks {
        diagram.shapes.push(disk_shape(ShapeKind::Disk, disk, x3, y3));
        y3 += BOX_HEIGHT + BOX_GAP;
    }
    for snapshot in &scene.backend_snapshots {
        diagram.shapes.push(disk_shape(ShapeKind::BackendSnapshot, snapshot, x3, y3));
        y3 += BOX_HEIGHT + BOX_GAP;
    }
    bottom = bottom.max(y3);

    diagram.edges = edges(&diagram.shapes, links);
    diagram.width = column_x(4) - COLUMN_GAP + MARGIN;
    diagram.height = bottom.max(band_bottom) + MARGIN;
    diagram
}

/// Turns (from, meaning, to) triples into drawn arrows: a claim's volumeName and the volume's matching
/// claimRef become one "bound" arrow; links to objects not drawn are dropped.
fn edges(shapes: &[Shape], links: Vec<(String, LinkKind, String)>) -> Vec<Edge> {
    let find = |id: &str| shapes.iter().find(|s| s.id == id);
    let mut out = Vec::new();
    for (from, rel, to) in &links {
        if *rel == LinkKind::ClaimRef
            && links.iter().any(|(f, r, t)| f == to && *r == LinkKind::VolumeName && t == from)
        {
            continue;
        }
        let (Some(a), Some(b)) = (find(from), find(to)) else {
            continue;
        };
        // Draw claimRef-only arrows from the claim side so every arrow between columns runs left to right.
        let (a, b) = if *rel == LinkKind::ClaimRef { (b, a) } else { (a, b) };
        out.push(Edge {
            id: format!("{from}->{to}:{}", rel.name()),
            rel: *rel,
            path: route(a, b),
            from: a.id.clone(),
            to: b.id.clone(),
        });
    }
    out.sort_by(|x, y| x.id.cmp(&y.id));
    out.dedup_by(|x, y| x.id == y.id);
    out
}

/// A smooth path from shape `a` to shape `b`.
fn route(a: &Shape, b: &Shape) -> String {
    let (acx, acy) = (a.x + a.w / 2.0, a.y + a.h / 2.0);
    let (bcx, bcy) = (b.x + b.w / 2.0, b.y + b.h / 2.0);
    if (bcx - acx).abs() > COLUMN_WIDTH / 2.0 {
        // Between columns: right edge to left edge (or the reverse).
        let (sx, ex) = if bcx > acx { (a.x + a.w, b.x) } else { (a.x, b.x + b.w) };
        let (sy, ey) = (acy.min(a.y + 22.0), bcy.min(b.y + 22.0));
        let bend = ((ex - sx).abs() / 2.0).max(24.0) * (ex - sx).signum();
        format!("M{sx:.1},{sy:.1} C{:.1},{sy:.1} {:.1},{ey:.1} {ex:.1},{ey:.1}", sx + bend, ex - bend)
    } else if (bcy - acy).abs() > BOX_HEIGHT {
        // Same column: leave from the left side and bulge outwards.
        let (sx, ex) = (a.x, b.x);
        let (sy, ey) = (acy, bcy);
        let bulge = 26.0;
        format!("M{sx:.1},{sy:.1} C{:.1},{sy:.1} {:.1},{ey:.1} {ex:.1},{ey:.1}", sx - bulge, ex - bulge)
    } else {
        format!("M{acx:.1},{acy:.1} L{bcx:.1},{bcy:.1}")
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::scene::{ContainerItem, MountItem, NodeItem, ZoneItem};
    use stowage_core::Kind;

    fn item(kind: Kind, namespace: &str, name: &str, status: &str) -> Item {
        Item {
            key: ObjectKey::new(kind, namespace, name),
            status: status.to_string(),
            terminating: false,
            detail: String::new(),
            links: Vec::new(),
        }
    }

    fn scene() -> Scene {
        let claim_key = ObjectKey::namespaced(Kind::PersistentVolumeClaim, "prod", "data");
        let volume_key = ObjectKey::cluster(Kind::PersistentVolume, "pv-1");
        let mut claim = item(Kind::PersistentVolumeClaim, "prod", "data", "Bound");
        claim.links.push((LinkKind::VolumeName, ObjectRefText::Object(volume_key)));
        let mut volume = item(Kind::PersistentVolume, "", "pv-1", "Bound");
        volume.links.push((LinkKind::ClaimRef, ObjectRefText::Object(claim_key.clone())));
        volume.links.push((LinkKind::Backing, ObjectRefText::Disk("vol-1".into())));
        let mut pod = item(Kind::Pod, "prod", "web", "Running");
        pod.links.push((LinkKind::Mounts, ObjectRefText::Object(claim_key.clone())));
        Scene {
            zones: vec![ZoneItem {
                name: "a".into(),
                nodes: vec![NodeItem {
                    item: item(Kind::Node, "", "node-1", "Ready"),
                    system_pods: 2,
                    pods: vec![PodItem {
                        item: pod,
                        containers: vec![ContainerItem {
                            name: "app".into(),
                            image: "nginx".into(),
                            mounts: vec![MountItem {
                                path: "/data".into(),
                                volume: "d".into(),
                                source: "pvc data".into(),
                                claim: Some(claim_key),
                            }],
                        }],
                    }],
                }],
            }],
            claims: vec![claim],
            volumes: vec![volume],
            disks: vec![DiskItem {
                handle: "vol-1".into(),
                driver: "ebs.csi.aws.com".into(),
                zone: Some("a".into()),
                size_bytes: 5 << 30,
                used_bytes: 0,
                status: "available".into(),
            }],
            ..Scene::default()
        }
    }

    #[test]
    fn layout_should_be_deterministic_and_merge_the_two_binding_pointers() {
        let diagram = layout(&scene());
        assert_eq!(diagram, layout(&scene()));
        let mut rels: Vec<&str> = diagram.edges.iter().map(|e| e.rel.name()).collect();
        rels.sort_unstable();
        assert_eq!(rels, ["backing", "bound", "mounts"]);
        assert_eq!(diagram.edges.len(), 3, "{:?}", diagram.edges);
        assert!(!diagram.edges.iter().any(|e| e.rel == LinkKind::ClaimRef));
    }

    #[test]
    fn layout_should_put_pods_inside_their_node_inside_their_zone() {
        let diagram = layout(&scene());
        let zone = diagram.shape("zone:a").unwrap();
        let node = diagram.shape("Node/node-1").unwrap();
        let pod = diagram.shape("Pod/prod/web").unwrap();
        let inside = |inner: &Shape, outer: &Shape| {
            inner.x >= outer.x
                && inner.y >= outer.y
                && inner.x + inner.w <= outer.x + outer.w
                && inner.y + inner.h <= outer.y + outer.h
        };
        assert!(inside(node, zone) && inside(pod, node));
        assert_eq!(pod.lines, ["▸ app (nginx)", "  /data ← pvc data"]);
        let claim = diagram.shape("PersistentVolumeClaim/prod/data").unwrap();
        let volume = diagram.shape("PersistentVolume/pv-1").unwrap();
        assert!(claim.x < volume.x);
        assert_eq!(claim.phase, "bound");
    }

    #[test]
    fn phase_classes_should_cover_the_lifecycle() {
        assert_eq!(phase_class("Pending", false), "pending");
        assert_eq!(phase_class("Bound", true), "terminating");
        assert_eq!(phase_class("Released", false), "released");
        assert_eq!(phase_class("Available", false), "available");
        assert_eq!(phase_class("Failed", false), "failed");
        assert_eq!(phase_class("Stopped", false), "stopped");
        assert_eq!(phase_class("Partitioned", false), "partitioned");
    }

    #[test]
    fn bytes_and_names_should_be_short() {
        assert_eq!(format_bytes(100 << 30), "100Gi");
        assert_eq!(format_bytes(1536), "1.5Ki");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
