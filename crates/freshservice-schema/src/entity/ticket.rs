//! [`Ticket`] (incidents and service requests) and its [`Conversation`]s (replies and notes).

use serde_json::{Map, Value};

use crate::entity::{
    Attachment, Code, ConversationSource, TicketImpact, TicketPriority, TicketSource, TicketStatus,
    TicketUrgency,
};

model! {
    /// A ticket: an incident or a service request (`/api/v2/tickets`).
    pub struct Ticket {
        /// Ticket id (the number shown as `#INC-<id>` or `#SR-<id>`).
        id: i64,
        /// Workspace the ticket belongs to.
        workspace_id: i64,
        /// `Incident` or `Service Request` (business workspaces add their own types).
        r#type: String,
        /// Subject line.
        subject: String,
        /// HTML body.
        description: String,
        /// Plain-text body.
        description_text: String,
        /// Status code; accounts may add statuses beyond the documented ones.
        status: Code<TicketStatus>,
        /// Priority code.
        priority: Code<TicketPriority>,
        /// Urgency code.
        urgency: Code<TicketUrgency>,
        /// Impact code.
        impact: Code<TicketImpact>,
        /// Source code; account-defined sources start at 1001.
        source: Code<TicketSource>,
        /// Requester (user id).
        requester_id: i64,
        /// User the request is raised for, if not the requester.
        requested_for_id: i64,
        /// Assigned agent.
        responder_id: i64,
        /// Assigned agent group.
        group_id: i64,
        /// Requester's department.
        department_id: i64,
        /// Email configuration the ticket came in through.
        email_config_id: i64,
        /// SLA policy applied.
        sla_policy_id: i64,
        /// Category.
        category: String,
        /// Sub-category.
        sub_category: String,
        /// Item category.
        item_category: String,
        /// CC addresses.
        cc_emails: Vec<String>,
        /// Forwarded-to addresses.
        fwd_emails: Vec<String>,
        /// Reply CC addresses.
        reply_cc_emails: Vec<String>,
        /// To addresses of the original email.
        to_emails: Vec<String>,
        /// Tags.
        tags: Vec<String>,
        /// True when marked as spam.
        spam: bool,
        /// True when deleted (in the trash).
        deleted: bool,
        /// True when the resolution SLA was breached.
        is_escalated: bool,
        /// True when the first-response SLA was breached.
        fr_escalated: bool,
        /// Resolution due time.
        due_by: String,
        /// First-response due time.
        fr_due_by: String,
        /// True when created within business hours.
        created_within_business_hours: bool,
        /// Approval status code of a service request (not the approval object's status codes).
        approval_status: i64,
        /// Approval status as text, e.g. `Not Requested`.
        approval_status_name: String,
        /// Resolution notes (plain text).
        resolution_notes: String,
        /// Resolution notes (HTML).
        resolution_notes_html: String,
        /// Planned start (major incidents and tasks planning).
        planned_start_date: String,
        /// Planned end.
        planned_end_date: String,
        /// Planned effort, e.g. `1h 30m`.
        planned_effort: String,
        /// How the ticket's tasks depend on each other.
        tasks_dependency_type: i64,
        /// Attached files.
        attachments: Vec<Attachment>,
        /// Associated assets, as the API embeds them.
        assets: Vec<Map<String, Value>>,
        /// Associated problem, when embedded.
        problem: Map<String, Value>,
        /// Change that this ticket initiated, when embedded.
        change_initiating_ticket: Map<String, Value>,
        /// Change that initiated this ticket, when embedded.
        change_initiated_by_ticket: Map<String, Value>,
        /// Account-defined fields by name.
        custom_fields: Map<String, Value>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Ticket, "ticket", "tickets");

model! {
    /// A reply or note on a ticket (`/api/v2/tickets/{id}/conversations`).
    pub struct Conversation {
        /// Conversation id.
        id: i64,
        /// Ticket the conversation belongs to.
        ticket_id: i64,
        /// Author (user id).
        user_id: i64,
        /// HTML body.
        body: String,
        /// Plain-text body.
        body_text: String,
        /// True when it came in from outside (e.g. a requester's email).
        incoming: bool,
        /// True for a private note.
        private: bool,
        /// Source code, returned by the conversation list and embedded conversations.
        source: Code<ConversationSource>,
        /// Sender address.
        from_email: String,
        /// Support address the email was sent to.
        support_email: String,
        /// To addresses.
        to_emails: Vec<String>,
        /// CC addresses.
        cc_emails: Vec<String>,
        /// BCC addresses.
        bcc_emails: Vec<String>,
        /// Attached files.
        attachments: Vec<Attachment>,
        /// Creation time (UTC, as sent).
        created_at: String,
        /// Last update time (UTC, as sent).
        updated_at: String,
    }
}

entity!(Conversation, "conversation", "conversations");
