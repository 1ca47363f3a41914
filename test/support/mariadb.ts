// A throwaway MariaDB/MySQL database per test file, on the machine's server (TEST_MARIADB_URL, else
// root without a password at 127.0.0.1:3306), standing in for an application that keeps its users there.
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

export interface TestMariaDb {
  /** mysql:// URL of the database. */
  url: string;
  name: string;
  /** A connection to it, for setting up tables and rows. */
  connection: mysql.Connection;
  drop(): Promise<void>;
}

export function mariaDbServerUrl(): string {
  return process.env.TEST_MARIADB_URL ?? "mysql://root@127.0.0.1:3306";
}

export async function createTestMariaDb(): Promise<TestMariaDb> {
  const name = `gaut_legacy_${randomBytes(6).toString("hex")}`;
  const server = new URL(mariaDbServerUrl());
  const admin = await mysql.createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  const url = Object.assign(new URL(server.toString()), { pathname: `/${name}` }).toString();
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
  return {
    url,
    name,
    connection,
    drop: async () => {
      await connection.query(`DROP DATABASE IF EXISTS ${name}`);
      await connection.end();
    },
  };
}
