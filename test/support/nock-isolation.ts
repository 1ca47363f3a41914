// nock patches Node's http for the whole jest worker, not just the test file that imported it: a
// file that disables net connect and never restores would break whichever file runs next in that
// worker. Every file therefore ends with nock cleared and unpatched, whatever the file itself did.
import { afterAll } from "@jest/globals";
import nock from "nock";

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
