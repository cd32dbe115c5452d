// new-api-cluster: a New API master/slave cluster on AWS, or on the local Docker engine
// (`target: docker`). Config is validated before anything is created; the components in
// components/ do the rest. The program is a function (Pulumi calls it and takes what it
// returns as the stack outputs), so that the tests can run it once per configuration; it is
// async, so that the snapshots a restore names are checked before anything is created.
import * as pulumi from "@pulumi/pulumi";
import { NewApiCluster } from "./components/aws/cluster";
import { AWS_CONFIG_CHECKS } from "./components/aws/configChecks";
import { checkSnapshots } from "./components/aws/database";
import { loadClusterConfig } from "./components/config/stack";
import { LocalCluster } from "./components/docker/cluster";
import { DeployedCluster } from "./components/outputs";

export = async () => {
    const config = loadClusterConfig(AWS_CONFIG_CHECKS);
    config.notices.forEach((notice) => pulumi.log.warn(notice));
    if (config.target === "aws") {
        await checkSnapshots(config);
    }
    const cluster: DeployedCluster =
        config.target === "docker" ? new LocalCluster(config.clusterName, { config }) : new NewApiCluster(config.clusterName, { config });
    // Pulumi secrets among them: `pulumi stack output --show-secrets` reveals them.
    return cluster.stackOutputs;
};
