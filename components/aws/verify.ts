// The post-deploy check `pulumi up` runs on the operator's machine: the cluster must answer
// GET /api/status with success through the load balancer, within a deadline.
import { SETUP_DONE_MARKER, SUCCESS_MARKER } from "../environment";

/**
 * A POSIX sh script that polls "$URL/api/status" until it reports success. `insecure` skips
 * certificate checks, for a certificate that is not for the load balancer's own name.
 */
export function verifyScript(timeoutSeconds: number, insecure: boolean): string {
    const curl = `curl -fsS${insecure ? "k" : ""} --max-time 10 -L`;
    return [
        "set -u",
        `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
        `until ${curl} "$URL/api/status" | grep -q '${SUCCESS_MARKER}'; do`,
        '  if [ "$(date +%s)" -ge "$deadline" ]; then',
        `    echo "new-api-cluster: $URL/api/status did not report success within ${timeoutSeconds} s; check the target groups' health in the EC2 console and the nodes' logs (README, Troubleshooting)" >&2`,
        "    exit 1",
        "  fi",
        `  sleep ${Math.min(10, timeoutSeconds)}`,
        "done",
        `if ${curl} "$URL/api/status" | grep -q '${SETUP_DONE_MARKER}'; then`,
        '  echo "new-api-cluster: $URL is up and set up"',
        "else",
        '  echo "new-api-cluster: $URL is up; finish the setup wizard on the master (README, First run)"',
        "fi",
    ].join("\n");
}
