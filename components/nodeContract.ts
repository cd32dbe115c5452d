// What both targets agree on about a node's boot and its root user, whichever runs it (EC2's
// userData or a container): the shape of the secrets a node accepts, the setup's bounds, and
// New API's login and password-change requests. The stop budget is stopBudget.ts's; the
// environment a node runs with, environment.ts's.
import { SETUP_PASSWORD_PLACEHOLDER } from "./scripts/render";

/** The node secrets' shape, which start.sh requires of each value it reads (a test keeps them one). */
export const SECRET_SHAPE = { regex: "^[A-Za-z0-9]{16,128}$", what: "16-128 letters and digits" };

/**
 * Bounds of the setup's wait for New API on the master: 15 min, asking every 5 s (10 s each at
 * most where the client takes a bound); within the docker provider's 20 min for creating a
 * container, which waits for the setup container's end.
 */
export const SETUP_ANSWER_SECONDS = 900;
export const SETUP_POLL_SECONDS = 5;
export const SETUP_REQUEST_SECONDS = 10;

/** POST /api/user/login's body, the password left to fill in. */
export function loginRequest(username: string): string {
    return JSON.stringify({ username, password: SETUP_PASSWORD_PLACEHOLDER });
}

/** PUT /api/user/self's body: New API changes the password only given the current one. */
export const PASSWORD_CHANGE_REQUEST = JSON.stringify({ password: SETUP_PASSWORD_PLACEHOLDER, original_password: "{{original}}" });
