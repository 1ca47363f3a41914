// GitHub's login rules (letters, digits and single inner hyphens, at most 39 characters), shared by
// every input that names a user: flags, the legacy import, the admin API's actor header.
import { z } from "zod";

const GITHUB_LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

export const githubLogin = z.string().regex(GITHUB_LOGIN_PATTERN, { error: "must be a GitHub login" });
