//! [`Attachment`]: a file attached to a ticket, conversation, project or project task.

model! {
    /// A file attached to a ticket, conversation, project or project task.
    pub struct Attachment {
        /// Attachment id.
        id: i64,
        /// MIME type, e.g. `image/png`.
        content_type: String,
        /// Size in bytes.
        size: i64,
        /// File name.
        name: String,
        /// Download URL.
        attachment_url: String,
        /// Upload time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}
