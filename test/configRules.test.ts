// Config validation's rules between settings (components/config/rules.ts): the drain and New
// API's window, the database connection budget, protection and HTTPS, certificate region, userData.
import { parseClusterConfig } from "../components/config";
import { problemsOf } from "./configProblems";

describe("parseClusterConfig", () => {
    test("the drain may equal New API's window, and the docker target has no drain to check", () => {
        expect(parseClusterConfig({ shutdownTimeout: "60", deregistrationDelay: "60" }, "dev").deregistrationDelay).toBe(60);
        expect(parseClusterConfig({ shutdownTimeout: "60" }, "dev").deregistrationDelay).toBe(60);
        expect(parseClusterConfig({ target: "docker", shutdownTimeout: "3600" }, "dev").shutdownTimeout).toBe(3600);
    });

    test("with a log database, the connection budget says it counts on each instance", () => {
        expect(problemsOf({ slaveCount: "16", logDatabase: "true" })).toEqual([
            expect.stringMatching(/510 connections on each database instance \(every node has a pool on the log database too\), more than dbMaxConnections 500/),
        ]);
    });

    test("the connection budget refuses a slaveCount the database cannot serve", () => {
        // (1 + 16) x 30 = 510 > 500
        const problems = problemsOf({ slaveCount: "16" });
        expect(problems).toEqual([
            expect.stringMatching(
                /^new-api-cluster:slaveCount = "16": \(1 master \+ 16 slaves\) x sqlMaxOpenConns 30 = 510 connections, more than dbMaxConnections 500/,
            ),
        ]);
        expect(parseClusterConfig({ slaveCount: "15" }, "dev").slaveCount).toBe(15);
        expect(parseClusterConfig({ slaveCount: "100", sqlMaxOpenConns: "10", dbMaxConnections: "1010" }, "dev").slaveCount).toBe(100);
    });

    test("a protected stack must serve HTTPS, unless it says plainly it need not", () => {
        expect(() => parseClusterConfig({ protect: "true" }, "prod")).toThrow(
            /new-api-cluster:protect = "true": a protected stack must serve HTTPS, or API keys cross the internet in clear: set certificateArn, or domainName with hostedZoneId/,
        );
        expect(parseClusterConfig({ protect: "true", allowPlainHttp: "true", albAccessLogs: "true" }, "prod").protect).toBe(true);
        expect(parseClusterConfig({ protect: "true", albAccessLogs: "true", domainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, "prod").protect).toBe(true);
        // ... and keep access logs.
        expect(() => parseClusterConfig({ protect: "true", allowPlainHttp: "true" }, "prod")).toThrow(
            /new-api-cluster:protect = "true": a protected stack keeps ALB access logs: set albAccessLogs true/,
        );
        expect(() => parseClusterConfig({ allowPlainHttp: "yes" }, "dev")).toThrow(/allowPlainHttp = "yes": must be true or false/);
    });

    test("a certificate from another region than aws:region is refused", () => {
        const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        expect(() => parseClusterConfig({ certificateArn }, "dev", "us-east-1")).toThrow(
            /certificateArn = "arn:aws:acm:eu-west-1:.*": is a certificate in eu-west-1; the load balancer is in aws:region us-east-1/,
        );
        expect(parseClusterConfig({ certificateArn }, "dev", "eu-west-1").https?.certificateArn).toBe(certificateArn);
    });

    test("the userData limit applies to the AWS target only, and names extraEnv alone", () => {
        const extraEnv = JSON.stringify(Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`EXTRA_${i}`, "x".repeat(90)])));
        expect(problemsOf({ extraEnv })).toEqual([expect.stringMatching(/^new-api-cluster:extraEnv = /)]);
        expect(parseClusterConfig({ extraEnv, target: "docker" }, "dev").extraEnv).toHaveProperty("EXTRA_119");
    });
});
