// The notification outbox: every module that has something to tell the application writes a row
// here in its own transaction, so the notice exists exactly when the change it describes does.
// Delivery happens later, in notifications/delivery.ts, and never delays the writer.
import type { Transaction } from "sequelize";
import type { Models, NotificationRow } from "../db/models/index.js";

const NOTIFICATION_EVENT_TYPES = [
  "user.migrated",
  "user.consent_required",
  "token.reauth_required",
  "token.revoked",
  "token.recovered",
] as const;
type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

interface NotificationInput {
  eventType: NotificationEventType;
  /** What the receiver needs to act (github_id, login, consent_url…); never a token value. */
  payload: Record<string, unknown>;
}

export async function enqueueNotification(
  models: Pick<Models, "Notification">,
  { eventType, payload }: NotificationInput,
  transaction: Transaction,
): Promise<NotificationRow> {
  return models.Notification.create({ eventType, payload }, { transaction });
}
