// Secret rotation on AWS. Nodes read the database password and the Redis AUTH token from SSM
// when New API starts, so after `pulumi up` changes them (RDS and ElastiCache first) every
// node restarts New API, one group at a time, each out of its target group while it does;
// then the Redis token's two-step rotation ends (ROTATE by the provider, SET here).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { RotatableSecret } from "../secrets";
import { CheckedAwsCli, LOCAL_SHELL } from "./localCommands";
import { ClusterNode } from "./nodes";
import { rolloutBatches } from "../rollout";
import { AdminPasswordRotation, adminPasswordScript, adminRotateScript, NOTHING_TO_CHANGE, NOTHING_TO_RESTART, NOTHING_TO_SET, restartScript, TOKEN_SET_TIMEOUT_SECONDS, tokenSetScript } from "./rotationScripts";

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
    /** rolloutBatchPercent: the share of the slaves restarted at a time. */
    batchPercent: number;
    /** The region (the master's script reads SSM there), and the AWS CLI the steps run: the stack's credentials, checked first. */
    region: pulumi.Input<string>;
    awsCli: CheckedAwsCli;
    /** Set where the master set up the root user (adminUsername): its password's rotation. */
    adminPassword?: AdminPasswordRotation;
}

/** The restart step of every node and the SET step of the Redis token, in their order. */
export class SecretRotation extends pulumi.ComponentResource {
    constructor(name: string, args: SecretRotationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("new-api:rotation:SecretRotation", name, {}, opts);
        const restarts: command.local.Command[] = [];
        const aws = args.awsCli.environment;
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
                { parent: this, dependsOn: [...args.secretHolders, node, args.awsCli.check, ...after] },
            );
            restarts.push(step);
            return step;
        };
        let previous: command.local.Command[] = [];
        for (const group of rolloutBatches(args.slaves.length, args.batchPercent)) {
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
                { parent: this, dependsOn: [...args.secretHolders, args.master, args.awsCli.check, masterRestart] },
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
            { parent: this, dependsOn: [...args.secretHolders, args.awsCli.check, ...restarts] },
        );
        this.registerOutputs({});
    }
}
