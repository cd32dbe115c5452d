// Secret rotation on AWS. Nodes read the database password and the Redis AUTH token from SSM
// when New API starts, so after `pulumi up` changes them (RDS and ElastiCache first) every
// node restarts New API, one group at a time, each out of its target group while it does;
// then the Redis token's two-step rotation ends (ROTATE by the provider, SET here).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { APP_PORT } from "../environment";
import { RotatableSecret } from "../secrets";
import { SETUP_PASSWORD_PLACEHOLDER, renderScript } from "../scripts/render";
import { ClusterNode, LOCAL_SHELL } from "./nodes";
import { adminSessionParameters, UNIT_PATH } from "./userdata";

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
 * A node's restart step (components/scripts/restart.sh), POSIX sh on the operator's machine:
 * takes the node out of its target group (a healthy node of the other group standing in when
 * it is its group's only one), restarts New API through SSM Run Command so that it reads the
 * rotated secrets, and brings it back healthy, all within timeoutSeconds. Reads NODE,
 * INSTANCE_ID, TARGET_GROUP_ARN, OTHER_TARGET_GROUP_ARN and AWS_REGION from its environment.
 */
export function restartScript(timeoutSeconds: number): string {
    return renderScript("restart.sh", { TIMEOUT_SECONDS: timeoutSeconds, POLL_SECONDS: ROTATION_POLL_SECONDS, APP_PORT, UNIT_NAME });
}

/**
 * The SET step (components/scripts/token-set.sh), POSIX sh on the operator's machine, once
 * every node has restarted: only the new Redis AUTH token ($AUTH_TOKEN) is accepted after it.
 * Reads REPLICATION_GROUP_ID, AUTH_TOKEN and AWS_REGION from its environment.
 */
export function tokenSetScript(timeoutSeconds: number): string {
    return renderScript("token-set.sh", { TIMEOUT_SECONDS: timeoutSeconds, POLL_SECONDS: ROTATION_POLL_SECONDS });
}

/** What the master's admin password step does on creation: a new master keeps the password it sets up with. */
export const NOTHING_TO_CHANGE = 'echo "new-api-cluster: the admin password has not been rotated; nothing to change"';

/** How long the master's admin-password.sh waits for New API to answer (it is not restarted: it should at once). */
export const ADMIN_ANSWER_SECONDS = 60;

/** How long the admin password step waits for the master's script, its wait for New API included. */
export const ADMIN_ROTATE_TIMEOUT_SECONDS = 300;

/** The root user's password on the master: its username and SSM parameter, and its generation (adminPasswordRotation). */
export interface AdminPasswordRotation {
    username: string;
    passwordParameter: string;
    generation: number;
}

/** PUT /api/user/self's body: New API changes the password only given the current one. */
export const PASSWORD_CHANGE_REQUEST = JSON.stringify({ password: SETUP_PASSWORD_PLACEHOLDER, original_password: "{{original}}" });

/**
 * The master's script (components/scripts/admin-password.sh), bash run as root through SSM
 * Run Command: changes the root user's password to the one in SSM, logged in with its copy.
 */
export function adminPasswordScript(region: string, admin: AdminPasswordRotation): string {
    return renderScript("admin-password.sh", {
        ...adminSessionParameters(region, admin),
        PASSWORD_CHANGE_REQUEST,
        ANSWER_SECONDS: ADMIN_ANSWER_SECONDS,
        POLL_SECONDS: ROTATION_POLL_SECONDS,
    });
}

/**
 * The admin password step (components/scripts/admin-rotate.sh), POSIX sh on the operator's
 * machine: runs MASTER_SCRIPT (adminPasswordScript, base64) on INSTANCE_ID and waits for it.
 */
export function adminRotateScript(): string {
    return renderScript("admin-rotate.sh", { TIMEOUT_SECONDS: ADMIN_ROTATE_TIMEOUT_SECONDS, POLL_SECONDS: ROTATION_POLL_SECONDS });
}

export interface SecretRotationArgs {
    /** The generations of the rotatable secrets (secretRotations): a new database password or Redis token restarts every node. */
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
    /** Set where the master set up the root user (adminUsername): its password's rotation. */
    adminPassword?: AdminPasswordRotation;
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
        const masterRestart = restart(args.master, args.targetGroupArns.master, args.targetGroupArns.slave, previous);
        const admin = args.adminPassword;
        if (admin !== undefined) {
            new command.local.Command(
                `${args.master.nodeName}-admin-password`,
                {
                    interpreter: LOCAL_SHELL,
                    create: NOTHING_TO_CHANGE,
                    // Runs when the generation changes; New API is not restarted, its database holds the password.
                    update: adminRotateScript(),
                    environment: {
                        NODE: args.master.nodeName,
                        INSTANCE_ID: args.master.instanceId,
                        ADMIN_PASSWORD_ROTATION: String(admin.generation),
                        MASTER_SCRIPT: pulumi.output(args.region).apply((region) => Buffer.from(adminPasswordScript(region, admin)).toString("base64")),
                        ...aws,
                    },
                    // A new master sets up (or adopts) the password in SSM itself.
                    triggers: [args.master.instanceId],
                },
                { parent: this, dependsOn: [...args.secretHolders, args.master, masterRestart] },
            );
        }

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
