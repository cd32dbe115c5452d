// What the tests of a node's boot share: a dev stack's settings and load balancer, its master and
// first slave as they boot, the SSM parameters they read, and what the master's /api/status answers.
import { NodeBootPlacement, nodeBootSpec } from "../components/aws/userdata";
import { parseClusterConfig } from "../components/config";
import { FrontDoor } from "../components/environment";
import { SECRET_PARAMETERS, SecretName, secretParameterName } from "../components/naming";

/** The load balancer of a new VPC in two zones, plain HTTP. */
export const FRONT_DOOR: FrontDoor = { trustedProxies: ["10.0.0.0/20", "10.0.16.0/20"], httpsOrigins: [] };

/** A dev stack that gives its nodes one more variable (extraEnv). */
export const settingsWithExtraEnv = parseClusterConfig({ extraEnv: '{"STREAMING_TIMEOUT":"600"}' }, "dev");

/** A dev stack whose master sets up the root user, its slaves waiting 60 s at most for that. */
export const config = parseClusterConfig({ adminUsername: "root", slaveSetupTimeout: "60" }, "dev");
export const placement: NodeBootPlacement = {
    region: "us-east-1",
    image: `calciumion/new-api@sha256:${"a".repeat(64)}`,
    databaseHost: "newapi-dev-db.abc123.us-east-1.rds.amazonaws.com",
    redisHost: "master.newapi-dev-redis.abc123.use1.cache.amazonaws.com",
    frontDoor: FRONT_DOOR,
};
export const master = nodeBootSpec(config, "master", 0, placement);
export const slave = nodeBootSpec(config, "slave", 0, placement);

/** Every node secret's SSM parameter, each holding a value of the shape start.sh takes. */
export const SECRETS = Object.fromEntries(
    (Object.keys(SECRET_PARAMETERS) as SecretName[]).map((s, i) => [secretParameterName("newapi-dev", s), `${"Ab1".repeat(13)}${i}`]),
);
export const MASTER_ADDRESS = "/new-api/newapi-dev/master-address";
export const ADMIN_PASSWORD = "/new-api/newapi-dev/admin-password";
export const SET_UP = '{"success":true,"data":{"setup":true}}';
export const NOT_SET_UP = '{"success":true,"data":{"setup":false}}';
