// Every row of every table, for "a refused request writes nothing": tables are discovered from the
// catalog (a table added later is covered without editing this file) and nothing is excluded.
import { QueryTypes, type Sequelize } from "sequelize";

type DatabaseSnapshot = Record<string, unknown[]>;

/** All tables of the current schema, each ordered by its primary key (all columns when it has none). */
export async function snapshotDatabase(sequelize: Sequelize): Promise<DatabaseSnapshot> {
  const tables = await sequelize.query<{ table_name: string; key_columns: string[] | null }>(
    `SELECT t.table_name,
            (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey, a.attnum))
               FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = format('%I.%I', t.table_schema, t.table_name)::regclass AND i.indisprimary) AS key_columns
       FROM information_schema.tables t
      WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
      ORDER BY t.table_name`,
    { type: QueryTypes.SELECT },
  );
  const snapshot: DatabaseSnapshot = {};
  for (const { table_name: table, key_columns: keys } of tables) {
    const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
    const order = keys && keys.length > 0 ? keys.map(quote).join(", ") : `${quote(table)}::text`;
    snapshot[table] = await sequelize.query(`SELECT * FROM ${quote(table)} ORDER BY ${order}`, { type: QueryTypes.SELECT });
  }
  return snapshot;
}

/** Every text and JSON value of every table, flattened to strings (for leak searches). */
function snapshotText(snapshot: DatabaseSnapshot): string {
  return JSON.stringify(snapshot);
}
