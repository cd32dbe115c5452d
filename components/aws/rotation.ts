// Secret rotation on AWS. Nodes read the database password and the Redis AUTH token from SSM
// when New API starts, so after `pulumi up` changes them (RDS and ElastiCache first) every
// node restarts New API, one group at a time, each out of its target group while it does;
// then the Redis token's two-step rotation ends (ROTATE by the provider, SET here).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT } from "../environment";
import { RotatableSecret } from "../secrets";
import { ClusterNode, LOCAL_SHELL } from "./nodes";
import { UNIT_PATH } from "./userdata";
import { READ_TARGET_STATE } from "./warmup";

/** Seconds between two looks at a target, a Run Command invocation or the replication group. */
export const ROTATION_POLL_SECONDS = 5;

/** How long the SET step waits for ElastiCache to drop the old token (the provider allows 40 min for an update). */
export const TOKEN_SET_TIMEOUT_SECONDS = 1800;

const UNIT_NAME = UNIT_PATH.slice(UNIT_PATH.lastIndexOf("/") + 1);

/**
 * The slaves' restart groups, by index: the even ones, then the odd ones. While one half
 * restarts the other half serves the slaves' share, and the whole takes three restarts
 * (slaves, slaves, master) whatever slaveCount is.
 */
export function slaveRestartGroups(slaveCount: number): number[][] {
    const indexes = Array.from({ length: slaveCount }, (_, index) => index);
    return [indexes.filter((i) => i % 2 === 0), indexes.filter((i) => i % 2 === 1)].filter((group) => group.length > 0);
}

/** What a node's restart step does on creation: a new node reads the current secrets at boot. */
export const NOTHING_TO_RESTART = 'echo "new-api-cluster: $NODE reads its secrets when it starts; nothing to restart"';

/** What the SET step does on creation: a new replication group has only the token it was created with. */
export const NOTHING_TO_SET = 'echo "new-api-cluster: the Redis AUTH token has not been rotated; nothing to set"';

/**
 * A POSIX sh script run on the operator's machine (AWS CLI, the stack's credentials): restarts
 * New API on $INSTANCE_ID so that it reads the rotated secrets, without sending it a request
 * meanwhile. When the node is the only healthy target of $TARGET_GROUP_ARN, a healthy target
 * of $OTHER_TARGET_GROUP_ARN stands in for it; it deregisters the node and waits until the
 * load balancer has drained it; restarts the service through SSM Run Command; registers the
 * node again and waits until it is healthy; and lets the stand-in go. Everything must be done
 * within timeoutSeconds, or `pulumi up` fails naming the step (and runs it again next time).
 */
export function restartScript(timeoutSeconds: number): string {
    const target = (instance: string) => `"Id=${instance},Port=${APP_PORT}"`;
    return [
        "set -u",
        'command -v aws >/dev/null 2>&1 || { echo "new-api-cluster: restarting $NODE needs the AWS CLI (README, Deploy to AWS)" >&2; exit 1; }',
        `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
        'fail() { echo "new-api-cluster: $NODE: $*" >&2; exit 1; }',
        ...READ_TARGET_STATE,
        "# wait_for GROUP INSTANCE STATE WHAT",
        "wait_for() {",
        "  while :; do",
        '    read_target_state "$1" "$2"',
        '    [ "$state" = "$3" ] && return 0',
        `    [ "$(date +%s)" -lt "$deadline" ] || fail "$4 did not happen within ${timeoutSeconds} s (last state: $state)"`,
        `    sleep ${ROTATION_POLL_SECONDS}`,
        "  done",
        "}",
        "# healthy_other GROUP: a healthy target of GROUP other than this node, or nothing",
        "healthy_other() {",
        '  other="$(aws elbv2 describe-target-health --target-group-arn "$1" \\',
        `      --query "TargetHealthDescriptions[?TargetHealth.State=='healthy' && Target.Id!='$INSTANCE_ID'].Target.Id | [0]" --output text 2>/dev/null)" || other=`,
        '  [ "$other" = None ] && other=',
        "  return 0",
        "}",
        "",
        "stand_in=",
        'healthy_other "$TARGET_GROUP_ARN"',
        'if [ -z "$other" ]; then',
        '  healthy_other "$OTHER_TARGET_GROUP_ARN"',
        '  if [ -n "$other" ]; then',
        '    stand_in="$other"',
        '    echo "new-api-cluster: $NODE is the only healthy target of its group: $stand_in stands in while it restarts"',
        `    aws elbv2 register-targets --target-group-arn "$TARGET_GROUP_ARN" --targets ${target("$stand_in")} >/dev/null \\`,
        '      || fail "could not register the stand-in $stand_in"',
        '    wait_for "$TARGET_GROUP_ARN" "$stand_in" healthy "the stand-in $stand_in turning healthy"',
        "  else",
        '    echo "new-api-cluster: $NODE is the only healthy target of the cluster: requests fail while it restarts" >&2',
        "  fi",
        "fi",
        "",
        `aws elbv2 deregister-targets --target-group-arn "$TARGET_GROUP_ARN" --targets ${target("$INSTANCE_ID")} >/dev/null \\`,
        '  || fail "could not deregister it from its target group"',
        'wait_for "$TARGET_GROUP_ARN" "$INSTANCE_ID" unused "draining it from its target group"',
        // The service's stop drains New API's buffered quota updates; its start reads SSM again.
        'if ! command_id="$(aws ssm send-command --instance-ids "$INSTANCE_ID" --document-name AWS-RunShellScript \\',
        `    --comment "new-api-cluster: restart New API with the rotated secrets" --parameters 'commands=["systemctl restart ${UNIT_NAME}"]' \\`,
        '    --query Command.CommandId --output text 2>&1)"; then',
        '  fail "SSM Run Command refused the restart ($command_id); it is out of its target group until the next pulumi up restarts it"',
        "fi",
        "while :; do",
        '  if ! status="$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$INSTANCE_ID" --query Status --output text 2>&1)"; then',
        // Right after send-command the invocation may not exist yet (InvocationDoesNotExist).
        '    status="the AWS CLI failed: $status"',
        "  fi",
        '  case "$status" in',
        "    Success) break ;;",
        '    Failed|Cancelled|TimedOut) fail "the restart ended $status (command $command_id); it is out of its target group until the next pulumi up restarts it" ;;',
        "  esac",
        `  [ "$(date +%s)" -lt "$deadline" ] || fail "the restart did not end within ${timeoutSeconds} s (last status: $status); it is out of its target group until the next pulumi up restarts it"`,
        `  sleep ${ROTATION_POLL_SECONDS}`,
        "done",
        `aws elbv2 register-targets --target-group-arn "$TARGET_GROUP_ARN" --targets ${target("$INSTANCE_ID")} >/dev/null \\`,
        '  || fail "could not register it again in its target group; the next pulumi up restarts and registers it"',
        'wait_for "$TARGET_GROUP_ARN" "$INSTANCE_ID" healthy "turning healthy after its restart"',
        'if [ -n "$stand_in" ]; then',
        `  aws elbv2 deregister-targets --target-group-arn "$TARGET_GROUP_ARN" --targets ${target("$stand_in")} >/dev/null \\`,
        '    || fail "could not deregister the stand-in $stand_in from its target group; deregister it by hand"',
        "fi",
        'echo "new-api-cluster: $NODE restarted with the current secrets and is healthy"',
        "",
    ].join("\n");
}

/**
 * A POSIX sh script run on the operator's machine once every node has restarted: ends the
 * Redis AUTH token's rotation with strategy SET (ModifyReplicationGroup: "SET - allowed only
 * after ROTATE"), so that only $AUTH_TOKEN, the new token, is accepted; then waits until the
 * replication group is available with no token change pending. The token goes to the AWS CLI
 * in a file only the operator can read, never on a command line.
 */
export function tokenSetScript(timeoutSeconds: number): string {
    return [
        "set -u",
        'command -v aws >/dev/null 2>&1 || { echo "new-api-cluster: ending the Redis AUTH token rotation needs the AWS CLI (README, Deploy to AWS)" >&2; exit 1; }',
        'fail() { echo "new-api-cluster: Redis AUTH token rotation of $REPLICATION_GROUP_ID: $*" >&2; exit 1; }',
        "umask 077",
        'input="$(mktemp)" || fail "could not create a temporary file"',
        "trap 'rm -f \"$input\"' EXIT",
        `printf '{"ReplicationGroupId":"%s","AuthToken":"%s","AuthTokenUpdateStrategy":"SET","ApplyImmediately":true}\\n' "$REPLICATION_GROUP_ID" "$AUTH_TOKEN" > "$input" \\`,
        '  || fail "could not write $input"',
        'if ! answer="$(aws elasticache modify-replication-group --cli-input-json "file://$input" --query ReplicationGroup.Status --output text 2>&1)"; then',
        '  fail "SET was refused ($answer); the old token still works until the next pulumi up sets it"',
        "fi",
        `deadline=$(( $(date +%s) + ${timeoutSeconds} ))`,
        "while :; do",
        '  if answer="$(aws elasticache describe-replication-groups --replication-group-id "$REPLICATION_GROUP_ID" \\',
        "      --query 'ReplicationGroups[0].[Status,PendingModifiedValues.AuthTokenStatus]' --output text 2>&1)\"; then",
        '    state="$answer"',
        "  else",
        '    state="the AWS CLI failed: $answer"',
        "  fi",
        '  case "$state" in',
        '    available*None) echo "new-api-cluster: only the new Redis AUTH token is accepted now"; exit 0 ;;',
        "  esac",
        `  [ "$(date +%s)" -lt "$deadline" ] || fail "still not done after ${timeoutSeconds} s (last state: $state)"`,
        `  sleep ${ROTATION_POLL_SECONDS}`,
        "done",
        "",
    ].join("\n");
}

export interface SecretRotationArgs {
    /** The generations of the rotatable secrets (secretRotations): a change restarts every node. */
    rotations: Record<RotatableSecret, number>;
    master: ClusterNode;
    slaves: ClusterNode[];
    targetGroupArns: { master: pulumi.Input<string>; slave: pulumi.Input<string> };
    replicationGroupId: pulumi.Input<string>;
    /** The current Redis AUTH token, a Pulumi secret: what the SET step keeps. */
    authToken: pulumi.Input<string>;
    /** What holds the secrets the nodes read and check: SSM parameters, databases, cache. Restarts come after their updates. */
    secretHolders: pulumi.Resource[];
    /** The most one node's restart may take, draining and turning healthy included. */
    restartTimeoutSeconds: number;
    /** The region, and the AWS profile when the stack names one: the AWS CLI calls use them. */
    region: pulumi.Input<string>;
    awsProfile?: string;
}

/** The restart step of every node and the SET step of the Redis token, in their order. */
export class SecretRotation extends pulumi.ComponentResource {
    constructor(name: string, args: SecretRotationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:rotation:SecretRotation", name, {}, opts);
        const restarts: command.local.Command[] = [];
        const aws = { AWS_REGION: args.region, ...(args.awsProfile === undefined ? {} : { AWS_PROFILE: args.awsProfile }) };
        const restart = (node: ClusterNode, own: pulumi.Input<string>, other: pulumi.Input<string>, after: pulumi.Resource[]) => {
            const step = new command.local.Command(
                `${node.nodeName}-restart`,
                {
                    interpreter: LOCAL_SHELL,
                    create: NOTHING_TO_RESTART,
                    // Runs when a generation changes (an input), never on a new node (a new trigger).
                    update: restartScript(args.restartTimeoutSeconds),
                    environment: {
                        NODE: node.nodeName,
                        INSTANCE_ID: node.instanceId,
                        TARGET_GROUP_ARN: own,
                        OTHER_TARGET_GROUP_ARN: other,
                        DB_PASSWORD_ROTATION: String(args.rotations.dbPassword),
                        REDIS_AUTH_TOKEN_ROTATION: String(args.rotations.redisAuthToken),
                        ...aws,
                    },
                    // Any other change (timeouts, profile, this script) restarts the nodes once more,
                    // harmlessly: a change made with a rotation must never skip the restarts.
                    triggers: [node.instanceId],
                },
                { parent: this, dependsOn: [...args.secretHolders, node, ...after] },
            );
            restarts.push(step);
            return step;
        };
        let previous: command.local.Command[] = [];
        for (const group of slaveRestartGroups(args.slaves.length)) {
            const after = previous;
            previous = group.map((index) => restart(args.slaves[index], args.targetGroupArns.slave, args.targetGroupArns.master, after));
        }
        restart(args.master, args.targetGroupArns.master, args.targetGroupArns.slave, previous);

        const setScript = tokenSetScript(TOKEN_SET_TIMEOUT_SECONDS);
        new command.local.Command(
            `${name}-redis-token-set`,
            {
                interpreter: LOCAL_SHELL,
                create: NOTHING_TO_SET,
                // Runs when the token changes, after the provider's ROTATE and every node's restart.
                update: setScript,
                environment: { REPLICATION_GROUP_ID: args.replicationGroupId, AUTH_TOKEN: pulumi.secret(args.authToken), ...aws },
                // Anything else that changes replaces the step, which sets nothing: SET without a
                // preceding ROTATE is refused, and a refused step would fail every later `pulumi up`.
                triggers: [args.replicationGroupId, setScript, ...Object.values(aws)],
            },
            { parent: this, dependsOn: [...args.secretHolders, ...restarts] },
        );
        this.registerOutputs({});
    }
}
