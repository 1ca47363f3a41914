// At most one instance runs a singleton job at a time: a transaction-scoped advisory lock, taken
// without waiting. Never a session-level lock, which a crashed or pooled connection could keep.
import type { Sequelize, Transaction } from "sequelize";
import { QueryTypes } from "sequelize";

export type SingletonOutcome<T> = { ran: true; result: T } | { ran: false };

export async function runAsSingleton<T>(
  sequelize: Sequelize,
  jobName: string,
  work: (transaction: Transaction) => Promise<T>,
): Promise<SingletonOutcome<T>> {
  return sequelize.transaction(async (transaction) => {
    // The lock lives as long as this transaction; a job may sit between queries while it calls GitHub.
    await sequelize.query("SET LOCAL idle_in_transaction_session_timeout = 0", { transaction });
    const [row] = await sequelize.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtext(:name)) AS locked",
      { replacements: { name: `github-app-user-tokens:job:${jobName}` }, type: QueryTypes.SELECT, transaction },
    );
    if (!row?.locked) return { ran: false } as const;
    return { ran: true, result: await work(transaction) } as const;
  });
}
