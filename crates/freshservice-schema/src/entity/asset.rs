//! [`Asset`] (configuration items) and [`AssetType`].

use serde_json::{Map, Value};

model! {
    /// An asset or configuration item (`/api/v2/assets`, addressed by `display_id`).
    pub struct Asset {
        /// Internal id.
        id: i64,
        /// Id shown in the UI and used in asset paths.
        display_id: i64,
        /// Workspace the asset belongs to.
        workspace_id: i64,
        /// Asset name.
        name: String,
        /// Description.
        description: String,
        /// Asset type.
        asset_type_id: i64,
        /// Asset tag.
        asset_tag: String,
        /// Impact as text: `low`, `medium` or `high`.
        impact: String,
        /// Who created it, e.g. `User`.
        author_type: String,
        /// Usage type: `permanent` or `loaner`.
        usage_type: String,
        /// User the asset is assigned to.
        user_id: i64,
        /// Location.
        location_id: i64,
        /// Department.
        department_id: i64,
        /// Managing agent.
        agent_id: i64,
        /// Managing agent group.
        group_id: i64,
        /// Assignment time.
        assigned_on: String,
        /// Type-specific fields by name (names carry an asset-type suffix, e.g. `product_25`).
        type_fields: Map<String, Value>,
        /// Source that created the asset, e.g. `User`.
        created_by_source: String,
        /// Source of the last update.
        last_updated_by_source: String,
        /// User who created the asset.
        created_by_user: i64,
        /// User who last updated the asset.
        last_updated_by_user: i64,
        /// Every source that has reported the asset.
        sources: Vec<String>,
        /// End-of-life date.
        end_of_life: String,
        /// True when discovery is enabled.
        discovery_enabled: bool,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Asset, "asset", "assets");

model! {
    /// An asset type (`/api/v2/asset_types`).
    pub struct AssetType {
        /// Asset type id.
        id: i64,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Parent asset type.
        parent_asset_type_id: i64,
        /// True when shown in the UI.
        visible: bool,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(AssetType, "asset_type", "asset_types");
