// A test file's app instance on a database of its own, set up and torn down by jest hooks. Kept
// apart from app.ts, which the benchmarks import outside jest.
import { afterAll, beforeAll } from "@jest/globals";
import { startTestApp, type StartTestAppOptions, type TestApp } from "./app.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

interface TestAppOnFreshDatabase {
  readonly app: TestApp;
  readonly database: TestDatabase;
}

/**
 * For a test file: a fresh database and an app instance on it before the file's tests, both gone
 * after them. The returned object's properties are readable once beforeAll has run.
 */
export function useTestAppOnFreshDatabase(options: Omit<StartTestAppOptions, "sequelize"> = {}): TestAppOnFreshDatabase {
  let app: TestApp | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({ ...options, sequelize: database.sequelize });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });
  return {
    get app() {
      if (!app) throw new Error("the test app starts in beforeAll; read it inside a test or hook");
      return app;
    },
    get database() {
      if (!database) throw new Error("the test database is created in beforeAll; read it inside a test or hook");
      return database;
    },
  };
}
