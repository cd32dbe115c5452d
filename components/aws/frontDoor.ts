// What clients reach: the HTTPS name and certificate (when configured), the weighted listener
// over the two target groups, and the post-deploy check through it. A factory rather than a
// component, so that these resources stay children of the cluster (their URNs).
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config";
import { ListenerWeights } from "../weights";
import { Https } from "./https";
import { LoadBalancer, WeightedListener } from "./loadBalancer";
import { LOCAL_SHELL } from "./localCommands";
import { ClusterNode } from "./nodes";
import { verifyScript } from "./verify";

export interface FrontDoorArgs {
    config: ClusterConfig;
    loadBalancer: LoadBalancer;
    weights: ListenerWeights;
    /** The listener forwards only once these are up. */
    nodes: ClusterNode[];
    tags: Record<string, string>;
}

export interface FrontDoor {
    /** Where clients reach the cluster. */
    url: pulumi.Output<string>;
}

export function createFrontDoor(args: FrontDoorArgs, parent: pulumi.Resource): FrontDoor {
    const { config, loadBalancer, nodes, tags } = args;
    const clusterName = config.clusterName;
    const https = config.https
        ? new Https(
              clusterName,
              {
                  config: config.https,
                  loadBalancerDnsName: loadBalancer.dnsName,
                  loadBalancerZoneId: loadBalancer.zoneId,
                  tags,
              },
              { parent },
          )
        : undefined;
    const listener = new WeightedListener(
        clusterName,
        {
            loadBalancerArn: loadBalancer.arn,
            masterTargetGroupArn: loadBalancer.masterTargetGroupArn,
            slavesTargetGroupArn: loadBalancer.slavesTargetGroupArn,
            weights: args.weights,
            certificateArn: https?.certificateArn,
            waitFor: nodes,
            tags,
        },
        { parent },
    );
    const url = https ? pulumi.interpolate`https://${https.hostName}` : pulumi.interpolate`http://${loadBalancer.dnsName}`;

    // `pulumi up` ends only when the cluster answers through the load balancer. It runs
    // again when a node or listener is replaced, and never during a preview.
    new command.local.Command(
        `${clusterName}-verify`,
        {
            interpreter: LOCAL_SHELL,
            create: verifyScript(config.verifyTimeout, https !== undefined && config.https?.domainName === undefined),
            environment: { URL: url },
            triggers: [...listener.listeners.map((l) => l.arn), ...nodes.map((n) => n.instanceId)],
        },
        { parent, dependsOn: listener.listeners },
    );
    return { url };
}
