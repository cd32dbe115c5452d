// The whole program under the mocks: the load balancer, its target groups, the listener's
// weights and rules, and its access logs.
import { anySpellingOf } from "../components/aws/loadBalancer";
import { SETUP_REFUSED_BODY } from "../components/environment";
import { MOCK_ACCOUNT, MOCK_AUTONAME_SUFFIX, named, ofType, program } from "./harness";
import { T, sgId } from "./programFixtures";

describe("load balancer", () => {
    test("internet-facing in the public subnets, dropping invalid headers", async () => {
        const run = await program();
        expect(ofType(run, T.alb)[0].inputs).toMatchObject({
            internal: false,
            loadBalancerType: "application",
            dropInvalidHeaderFields: true,
            subnets: ["newapi-dev-public-0-id", "newapi-dev-public-1-id"],
            securityGroups: [sgId("newapi-dev-alb-sg")],
        });
    });

    test("two target groups on 3000, health-checked where New API never rate-limits, drained as long as New API lets a request finish", async () => {
        const run = await program();
        const groups = ofType(run, T.targetGroup);
        expect(groups.map((g) => g.name).sort()).toEqual(["newapi-dev-master", "newapi-dev-slaves"]);
        for (const g of groups) {
            expect(g.inputs).toMatchObject({
                port: 3000,
                protocol: "HTTP",
                deregistrationDelay: 300,
                healthCheck: { path: "/v1/models", matcher: "401", interval: 30, timeout: 10, unhealthyThreshold: 3 },
            });
        }
    });

    test.each([
        ["0", [["master", 1], ["slaves", 0]]],
        ["1", [["master", 3], ["slaves", 5]]],
        ["2", [["master", 3], ["slaves", 10]]],
        ["4", [["master", 3], ["slaves", 20]]],
    ])("slaveCount %s: the listener forwards with the guide's weights", async (slaves, expected) => {
        const run = await program({ slaveCount: slaves });
        const listener = ofType(run, T.listener)[0].inputs;
        expect(listener).toMatchObject({ port: 80, protocol: "HTTP" });
        const groups = listener.defaultActions[0].forward.targetGroups.map((g: { arn: string; weight: number }) => [
            g.arn.replace(/.*\/newapi-dev-/, ""),
            g.weight,
        ]);
        expect(groups).toEqual(expected);
    });

    test("the listener that forwards refuses New API's setup wizard, first of all its rules", async () => {
        const plain = await program();
        const rules = ofType(plain, "aws:lb/listenerRule:ListenerRule");
        expect(rules.map((r) => [r.name, r.inputs.listenerArn])).toEqual([["newapi-dev-refuse-setup", expect.stringMatching(/Listener\/newapi-dev-http$/)]]);
        expect(rules[0].inputs).toMatchObject({
            priority: 1,
            conditions: [{ pathPattern: { regexValues: [anySpellingOf("/api/setup")] } }],
            actions: [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "application/json", messageBody: SETUP_REFUSED_BODY } }],
        });
        // With HTTPS, port 80 only redirects: the HTTPS listener refuses it.
        const https = await program({ domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        expect(ofType(https, "aws:lb/listenerRule:ListenerRule").map((r) => r.inputs.listenerArn)).toEqual([expect.stringMatching(/Listener\/newapi-dev-https$/)]);
    });

    test("weights follow masterWeight and slaveWeight, reduced and capped at 999", async () => {
        // 1 : 999 x 2 exceeds 999: scaled to the closest pair (test/weights.test.ts covers the function).
        const run = await program({ slaveCount: "2", masterWeight: "1", slaveWeight: "999" });
        const weights = ofType(run, T.listener)[0].inputs.defaultActions[0].forward.targetGroups.map((g: { weight: number }) => g.weight);
        expect(weights).toEqual([1, 999]);
        expect(run.exports.listenerWeights).toEqual({ master: 1, slaves: 999 });
    });
});

describe("ALB access logs", () => {
    const BUCKET = "newapi-dev-alb-logs";
    const bucketName = `${BUCKET}-${MOCK_AUTONAME_SUFFIX}`;
    const s3 = (type: string) => `aws:s3/${type}:${type[0].toUpperCase()}${type.slice(1)}`;

    test("off by default: no bucket, and the ALB writes none", async () => {
        const run = await program();
        expect(run.resources.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
        expect(ofType(run, T.alb)[0].inputs).not.toHaveProperty("accessLogs");
    });

    test("albAccessLogs: a private, SSE-S3, owner-enforced bucket that expires logs, and the ALB writes to it once it is ready", async () => {
        const run = await program({ albAccessLogs: "true" });
        expect(named(run, s3("bucket"), BUCKET).inputs).toMatchObject({ forceDestroy: true });
        expect(named(run, s3("bucket"), BUCKET).inputs).not.toHaveProperty("bucket");
        expect(named(run, s3("bucketServerSideEncryptionConfiguration"), BUCKET).inputs).toEqual({
            bucket: bucketName,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        });
        expect(named(run, s3("bucketPublicAccessBlock"), BUCKET).inputs).toEqual({
            bucket: bucketName,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(named(run, s3("bucketOwnershipControls"), BUCKET).inputs).toEqual({ bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } });
        expect(named(run, s3("bucketLifecycleConfiguration"), BUCKET).inputs.rules).toEqual([
            expect.objectContaining({ status: "Enabled", filter: {}, expiration: { days: 90 } }),
        ]);
        const alb = ofType(run, T.alb)[0];
        expect(alb.inputs.accessLogs).toEqual({ bucket: bucketName, enabled: true });
        // ELB checks the bucket when access logs are turned on: its policy and encryption come first.
        const urnOf = (type: string) => named(run, s3(type), BUCKET).options.urn;
        expect(alb.options.dependencies).toEqual(
            expect.arrayContaining([urnOf("bucketPolicy"), urnOf("bucketServerSideEncryptionConfiguration"), urnOf("bucketOwnershipControls")]),
        );
    });

    test("the bucket policy: in us-east-1 ELB's account and log delivery service write under AWSLogs/<account>/, nobody without TLS", async () => {
        const run = await program({ albAccessLogs: "true" });
        const policy = named(run, s3("bucketPolicy"), BUCKET);
        expect(policy.inputs.bucket).toBe(bucketName);
        expect(JSON.parse(policy.inputs.policy).Statement).toEqual([
            {
                Sid: "ElbLogDelivery",
                Effect: "Allow",
                // The Region's ELB account (AWS's list of the Regions available before August 2022) and the service AWS now recommends.
                Principal: { AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `arn:aws:s3:::${bucketName}/AWSLogs/${MOCK_ACCOUNT}/*`,
            },
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
        // S3 takes one change to a bucket's access at a time.
        expect(policy.options.dependencies).toContain(named(run, s3("bucketPublicAccessBlock"), BUCKET).options.urn);
    });

    test("albAccessLogDays sets the expiry; a protected stack keeps the bucket when destroyed", async () => {
        const run = await program({ albAccessLogs: "true", albAccessLogDays: "30" });
        expect(named(run, s3("bucketLifecycleConfiguration"), BUCKET).inputs.rules[0].expiration).toEqual({ days: 30 });
        const prod = await program({ albAccessLogs: "true", protect: "true", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" });
        expect(named(prod, s3("bucket"), BUCKET).inputs.forceDestroy).toBe(false);
    });
});
