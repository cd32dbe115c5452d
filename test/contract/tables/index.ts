// The AWS API contract (what AWS accepts for every field the program sets, each rule citing its
// reference), assembled from one file per tier or service. A resource type the program adds needs
// its table in one of them: check.ts reports a type without one.
import { CACHE } from "./elasticache";
import { HTTPS } from "./https";
import { LOAD_BALANCER } from "./loadBalancer";
import { MONITORING } from "./monitoring";
import { NETWORK, VPC_DEFAULT_GROUP_AND_FLOW_LOG } from "./network";
import { NODES } from "./nodes";
import { DATABASE } from "./rds";
import { BUCKETS } from "./s3";
import { KMS_KEYS, PARAMETERS } from "./secrets";
import { Table } from "../rules";

export const CONTRACT: Record<string, Table> = {
    ...NETWORK,
    ...NODES,
    ...PARAMETERS,
    ...MONITORING,
    ...DATABASE,
    ...CACHE,
    ...LOAD_BALANCER,
    ...HTTPS,
    ...KMS_KEYS,
    ...BUCKETS,
    ...VPC_DEFAULT_GROUP_AND_FLOW_LOG,
};
