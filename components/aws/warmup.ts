// The warm-up `pulumi up` runs on the operator's machine after a node is registered with its
// target group: it waits until the load balancer finds the node healthy, so that new weights
// (and the removal of the nodes it replaces) wait exactly as long as they must.
import { APP_PORT } from "../environment";

/** Seconds between two looks at the target's health. */
export const WARMUP_POLL_SECONDS = 5;

export interface WarmupOptions {
    /** At most this long. */
    timeoutSeconds: number;
    /**
     * False for a slave whose cluster is set up by hand: it cannot turn healthy before the
     * operator has run the setup wizard, which a first `pulumi up` must not wait for.
     */
    mustTurnHealthy: boolean;
}

/**
 * POSIX sh shared by the operator-side scripts: `read_target_state GROUP INSTANCE` sets $state
 * to the instance's state in the target group ("healthy", "draining", "unused" once it is not
 * registered, ...) or, when the AWS CLI call fails, to its failure.
 */
export const READ_TARGET_STATE = [
    "read_target_state() {",
    '  if answer="$(aws elbv2 describe-target-health --target-group-arn "$1" \\',
    `      --targets "Id=$2,Port=${APP_PORT}" --query 'TargetHealthDescriptions[0].TargetHealth.State' --output text 2>&1)"; then`,
    '    state="$answer"',
    "  else",
    '    state="the AWS CLI failed: $answer"',
    "  fi",
    "}",
];

/**
 * A POSIX sh script: polls `aws elbv2 describe-target-health` for $INSTANCE_ID in
 * $TARGET_GROUP_ARN (in $AWS_REGION, with the operator's AWS credentials) until the target is
 * healthy. Past the deadline it fails `pulumi up` naming $NODE, or, when the node need not
 * turn healthy, says so and lets the update go on. A failing AWS CLI call is retried until the
 * deadline (throttling), and reported if it is the last word.
 */
export function warmupScript(options: WarmupOptions): string {
    const timeout = options.timeoutSeconds;
    const overdue = options.mustTurnHealthy
        ? [
              `  echo "new-api-cluster: $NODE is not healthy in its target group after ${timeout} s (last state: $state); see its logs (README, Troubleshooting)" >&2`,
              "  exit 1",
          ]
        : [
              `  echo "new-api-cluster: $NODE is not healthy after ${timeout} s (last state: $state): it starts once the master's setup is done (README, First run)" >&2`,
              "  exit 0",
          ];
    return [
        "set -u",
        "command -v aws >/dev/null 2>&1 || { echo \"new-api-cluster: waiting for $NODE to turn healthy needs the AWS CLI (README, Deploy to AWS)\" >&2; exit 1; }",
        `deadline=$(( $(date +%s) + ${timeout} ))`,
        "state=unknown",
        ...READ_TARGET_STATE,
        "while :; do",
        '  read_target_state "$TARGET_GROUP_ARN" "$INSTANCE_ID"',
        '  if [ "$state" = healthy ]; then',
        '    echo "new-api-cluster: $NODE is healthy"',
        "    exit 0",
        "  fi",
        '  if [ "$(date +%s)" -ge "$deadline" ]; then',
        ...overdue.map((line) => `  ${line}`),
        "  fi",
        `  sleep ${WARMUP_POLL_SECONDS}`,
        "done",
        "",
    ].join("\n");
}
