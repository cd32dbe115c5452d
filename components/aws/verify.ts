// The post-deploy check `pulumi up` runs on the operator's machine (components/scripts/verify.sh):
// the cluster must answer GET /api/status with success through the load balancer, within a deadline.
import { SETUP_DONE_MARKER, SUCCESS_MARKER } from "../environment";
import { renderScript } from "../scripts/render";
import { PROGRESS_SECONDS } from "./warmup";

/** Seconds between two probes, at most. */
const VERIFY_POLL_SECONDS = 10;

/**
 * The check: POSIX sh polling "$URL/api/status" (URL from the command's environment) until it
 * reports success. `insecure` skips certificate checks, for a certificate that is not for the
 * load balancer's own name.
 */
export function verifyScript(verifyTimeout: number, insecure: boolean): string {
    return renderScript("verify.sh", {
        TIMEOUT_SECONDS: verifyTimeout,
        POLL_SECONDS: Math.min(VERIFY_POLL_SECONDS, verifyTimeout),
        INSECURE: String(insecure),
        PROGRESS_SECONDS,
        SUCCESS_MARKER,
        SETUP_DONE_MARKER,
    });
}
