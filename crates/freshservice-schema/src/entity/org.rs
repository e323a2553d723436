//! Organisation data: [`Department`] (company on MSP accounts), [`Location`] and [`Workspace`] (client on MSP).

use serde_json::{Map, Value};

model! {
    /// A department (`/api/v2/departments`; a company on MSP accounts).
    pub struct Department {
        /// Department id.
        id: i64,
        /// Workspace the department belongs to.
        workspace_id: i64,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Head of the department (user id).
        head_user_id: i64,
        /// Prime user (user id).
        prime_user_id: i64,
        /// Email domains that map users to the department.
        domains: Vec<String>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Department, "department", "departments");

model! {
    /// A location (`/api/v2/locations`).
    pub struct Location {
        /// Location id.
        id: i64,
        /// Workspace the location belongs to.
        workspace_id: i64,
        /// Name.
        name: String,
        /// Parent location.
        parent_location_id: i64,
        /// Primary contact (user id).
        primary_contact_id: i64,
        /// Postal address.
        address: Address,
        /// Contact name (MSP accounts).
        contact_name: String,
        /// Contact email (MSP accounts).
        email: String,
        /// Contact phone (MSP accounts).
        phone: String,
        /// True for the client's primary location (MSP accounts).
        primary: bool,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Location, "location", "locations");

model! {
    /// A postal address.
    pub struct Address {
        /// First line.
        line1: String,
        /// Second line.
        line2: String,
        /// City.
        city: String,
        /// State or region.
        state: String,
        /// Country.
        country: String,
        /// Postal code.
        zipcode: String,
    }
}

model! {
    /// A workspace (`/api/v2/workspaces`; a client on MSP accounts).
    pub struct Workspace {
        /// Workspace id (1 is global, 2 the primary workspace by default).
        id: i64,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Workspace type, e.g. `it` or a business type.
        r#type: String,
        /// True for the primary workspace.
        primary: bool,
        /// True when access is restricted.
        restricted: bool,
        /// State, e.g. `active`.
        state: String,
        /// Template the workspace was created from.
        template_name: String,
        /// Client details (MSP accounts).
        metadata: WorkspaceMetadata,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Workspace, "workspace", "workspaces");

model! {
    /// Client details of an MSP workspace.
    pub struct WorkspaceMetadata {
        /// The client's primary contact.
        primary_contact: PrimaryContact,
        /// Email domains of the client.
        email_domains: Vec<String>,
        /// Account-defined client fields by name.
        custom_fields: Map<String, Value>,
    }
}

model! {
    /// The primary contact of an MSP client.
    pub struct PrimaryContact {
        /// First name.
        first_name: String,
        /// Last name.
        last_name: String,
        /// Email address.
        email: String,
        /// Phone number.
        phone: String,
    }
}
